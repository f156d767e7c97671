"""Account and AI commands: login, logout, quota, ai models, ai key."""

from __future__ import annotations

import argparse
import getpass
import sys

from inkbench.cli.output import print_json


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("login", help="log in to the account server (tokens go to the keyring)")
    p.add_argument("--server", metavar="URL", help="account server (default: [account] server)")
    p.add_argument("--user", metavar="NAME", help="user name (default: [account] user)")
    p.set_defaults(func=cmd_login)

    p = sub.add_parser("logout", help="end the session and forget its tokens")
    p.set_defaults(func=cmd_logout)

    p = sub.add_parser("quota", help="plan, limits and use this period")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_quota)

    ai = sub.add_parser("ai", help="the AI provider: models, API key")
    ai.set_defaults(func=lambda args: (ai.print_help(), 2)[1])
    aisub = ai.add_subparsers(metavar="ACTION")
    p = aisub.add_parser("models", help="models the provider offers")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_models)
    p = aisub.add_parser("key", help="store the direct provider's API key in the keyring")
    p.add_argument("--base-url", metavar="URL", help="endpoint (default: [ai] base_url)")
    p.add_argument("--delete", action="store_true", help="forget the key instead")
    p.set_defaults(func=cmd_key)


def _config(args):
    from inkbench.cli.config import load

    return load(args)


def _interactive() -> bool:
    return sys.stdin.isatty()


def _secret(prompt: str) -> str:
    """From the terminal without echo, or one line of stdin when piped."""
    if _interactive():
        return getpass.getpass(prompt)
    return sys.stdin.readline().rstrip("\r\n")


def cmd_login(args) -> int:
    from inkbench.integrations.ai.server import login
    from inkbench.storage.errors import InvalidInput

    config = _config(args)
    server = (args.server or config.account.server).rstrip("/")
    user = args.user or config.account.user
    if not user:
        if not _interactive():
            raise InvalidInput("give the user name with --user NAME (or [account] user)")
        user = input("user: ").strip()
    password = _secret(f"password for {user} at {server}: ")
    if not password:
        raise InvalidInput("no password given; nothing was changed")
    session = login(
        config, server=server, username=user, password=password, interactive=_interactive()
    )
    print(f"logged in to {session.server} as {session.username} (plan {session.plan})")
    return 0


def cmd_logout(args) -> int:
    from inkbench.integrations.ai.server import logout

    print(logout(_config(args), interactive=_interactive()))
    return 0


def _amount(value) -> str:
    return "unlimited" if value is None else f"{value:,}"


def cmd_quota(args) -> int:
    from inkbench.integrations.ai.factory import get_provider

    config = _config(args)
    provider = get_provider(config.home, config)
    try:
        q = provider.quota()
    finally:
        provider.close()
    if args.json:
        print_json(q.to_json())
        return 0
    who = ""
    if provider.name == "server":
        who = f"{provider.session.username} at {provider.server}, "
    print(f"{who}plan {q.plan}, period ends {q.period_end}")
    for what in ("articles", "tokens"):
        used = getattr(q.used, what)
        limit = getattr(q.limit, what)
        left = getattr(q.remaining, what)
        print(
            f"  {what:<9} used {_amount(used):>12}  of {_amount(limit):>12}  left {_amount(left)}"
        )
    return 0


def cmd_models(args) -> int:
    from inkbench.integrations.ai.factory import get_provider

    config = _config(args)
    provider = get_provider(config.home, config)
    try:
        names = provider.models()
    finally:
        provider.close()
    if args.json:
        print_json(names)
        return 0
    for name in names:
        mark = "  (default)" if name == provider.default_model else ""
        print(f"{name}{mark}")
    return 0


def cmd_key(args) -> int:
    from inkbench.integrations.ai.credentials import delete_api_key, set_api_key
    from inkbench.storage.errors import InvalidInput

    config = _config(args)
    base = args.base_url or config.ai.base_url
    if not base:
        raise InvalidInput("give --base-url URL or set [ai] base_url in config.toml")
    if args.delete:
        delete_api_key(config, base, interactive=_interactive())
        print(f"forgot the API key for {base}")
        return 0
    key = _secret(f"API key for {base}: ").strip()
    if not key:
        raise InvalidInput("no key given; nothing was changed")
    set_api_key(config, base, key, interactive=_interactive())
    print(f"stored the API key for {base} in the keyring")
    return 0
