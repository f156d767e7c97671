"""Account and AI commands: login, logout, quota, ai models, ai key."""

from __future__ import annotations

import argparse
import getpass
import sys

from inkbench.cli.output import print_json
from inkbench.i18n import _, format_date, format_number


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("login", help=_("log in to the account server (tokens go to the keyring)"))
    p.add_argument("--server", metavar="URL", help=_("account server (default: [account] server)"))
    p.add_argument("--user", metavar="NAME", help=_("user name (default: [account] user)"))
    p.set_defaults(func=cmd_login)

    p = sub.add_parser("logout", help=_("end the session and forget its tokens"))
    p.set_defaults(func=cmd_logout)

    p = sub.add_parser("quota", help=_("plan, limits and use this period"))
    p.add_argument("--json", action="store_true", help=_("print JSON"))
    p.set_defaults(func=cmd_quota)

    ai = sub.add_parser("ai", help=_("the AI provider: models, API key"))
    ai.set_defaults(func=lambda args: (ai.print_help(), 2)[1])
    aisub = ai.add_subparsers(metavar="ACTION")
    p = aisub.add_parser("models", help=_("models the provider offers"))
    p.add_argument("--json", action="store_true", help=_("print JSON"))
    p.set_defaults(func=cmd_models)
    p = aisub.add_parser("key", help=_("store the direct provider's API key in the keyring"))
    p.add_argument("--base-url", metavar="URL", help=_("endpoint (default: [ai] base_url)"))
    p.add_argument("--delete", action="store_true", help=_("forget the key instead"))
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
            raise InvalidInput(_("give the user name with --user NAME (or [account] user)"))
        user = input(_("user:") + " ").strip()
    password = _secret(_("password for {user} at {server}:").format(user=user, server=server) + " ")
    if not password:
        raise InvalidInput(_("no password given; nothing was changed"))
    session = login(
        config, server=server, username=user, password=password, interactive=_interactive()
    )
    print(
        _("logged in to {server} as {username} (plan {plan})").format(
            server=session.server, username=session.username, plan=session.plan
        )
    )
    return 0


def cmd_logout(args) -> int:
    from inkbench.integrations.ai.server import logout

    print(logout(_config(args), interactive=_interactive()))
    return 0


def _amount(value) -> str:
    return _("unlimited") if value is None else format_number(value)


def _period_end(value) -> str:
    """The end of the quota period as the language writes dates (as given if unparsable)."""
    from datetime import datetime

    try:
        return format_date(datetime.fromisoformat(str(value)))
    except ValueError:
        return str(value)


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
    if provider.name == "server":
        line = _("{user} at {server}, plan {plan}, period ends {period_end}")
    else:
        line = _("plan {plan}, period ends {period_end}")
    print(
        line.format(
            user=provider.session.username if provider.name == "server" else "",
            server=getattr(provider, "server", ""),
            plan=q.plan,
            period_end=_period_end(q.period_end),
        )
    )
    for what, label in (("articles", _("articles")), ("tokens", _("tokens"))):
        used = getattr(q.used, what)
        limit = getattr(q.limit, what)
        left = getattr(q.remaining, what)
        print(
            "  "
            + _("{what}: used {used} of {limit}, {left} left").format(
                what=label, used=_amount(used), limit=_amount(limit), left=_amount(left)
            )
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
        mark = "  " + _("(default)") if name == provider.default_model else ""
        print(f"{name}{mark}")
    return 0


def cmd_key(args) -> int:
    from inkbench.integrations.ai.credentials import delete_api_key, set_api_key
    from inkbench.storage.errors import InvalidInput

    config = _config(args)
    base = args.base_url or config.ai.base_url
    if not base:
        raise InvalidInput(_("give --base-url URL or set [ai] base_url in config.toml"))
    if args.delete:
        delete_api_key(config, base, interactive=_interactive())
        print(_("forgot the API key for {base}").format(base=base))
        return 0
    key = _secret(_("API key for {base}:").format(base=base) + " ").strip()
    if not key:
        raise InvalidInput(_("no key given; nothing was changed"))
    set_api_key(config, base, key, interactive=_interactive())
    print(_("stored the API key for {base} in the keyring").format(base=base))
    return 0
