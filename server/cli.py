"""``inkbench-server``: run the account server, add users, set plans.

    inkbench-server [--db URL] [--upstream URL] [--upstream-key-env NAME]
                    [--host 127.0.0.1] [--port 8765] [--workers N]
    inkbench-server adduser NAME [--plan P]     password: prompted, or stdin
    inkbench-server plans [list]
    inkbench-server plans set NAME [--articles N] [--tokens N]   (-1: unlimited)
    inkbench-server userplan NAME PLAN
    inkbench-server users [list] | disable | enable | delete | reset-password |
                    revoke-sessions NAME
    inkbench-server purge                       expired sessions, answers, claims

Every command takes ``--db URL`` (default: $INKBENCH_SERVER_DB_URL, else an
SQLite file in the platform's data directory). Expected errors print one
line and exit 1; bad usage exits 2.
"""

from __future__ import annotations

import argparse
import contextlib
import getpass
import logging
import os
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from inkbench.server.settings import DEFAULT_KEY_ENV, ENV_PREFIX, Settings


class CliError(Exception):
    pass


def default_db_url() -> str:
    env = os.environ.get(ENV_PREFIX + "DB_URL")
    if env:
        return env
    from platformdirs import user_data_dir

    path = Path(user_data_dir("inkbench-server", appauthor=False))
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return f"sqlite:///{path / 'server.db'}"


def build_parser() -> argparse.ArgumentParser:
    db_help = "sqlite:///FILE or postgresql+psycopg://USER@HOST/DB"
    # --db is accepted before or after the command; SUPPRESS keeps a command's
    # parser from overwriting the value given before it
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", metavar="URL", default=argparse.SUPPRESS, help=db_help)
    parser = argparse.ArgumentParser(
        prog="inkbench-server",
        description="The Inkbench account server: login, quota and an OpenAI-compatible AI proxy.",
    )
    parser.add_argument("--db", metavar="URL", default=None, help=db_help)
    parser.add_argument(
        "--upstream",
        metavar="URL",
        default=os.environ.get(ENV_PREFIX + "UPSTREAM_URL", Settings.upstream_url),
        help="OpenAI-compatible base URL, e.g. https://api.openai.com/v1 (default %(default)s)",
    )
    parser.add_argument(
        "--upstream-key-env",
        metavar="NAME",
        default=DEFAULT_KEY_ENV,
        help="environment variable holding the upstream API key (default %(default)s)",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=8765, help="port (default %(default)s)")
    parser.add_argument("--workers", type=int, default=1, help="worker processes")
    parser.add_argument("--log-level", default="info", choices=["debug", "info", "warning"])
    parser.set_defaults(func=cmd_serve)
    sub = parser.add_subparsers(title="commands", metavar="COMMAND")

    p = sub.add_parser("adduser", parents=[common], help="add a user (password prompted)")
    p.add_argument("name", metavar="NAME")
    p.add_argument("--plan", default=Settings.default_plan, help="plan (default %(default)s)")
    p.set_defaults(func=cmd_adduser)

    p = sub.add_parser("userplan", parents=[common], help="move a user to another plan")
    p.add_argument("name", metavar="NAME")
    p.add_argument("plan", metavar="PLAN")
    p.set_defaults(func=cmd_userplan)

    p = sub.add_parser("users", parents=[common], help="list users; disable, enable, delete ...")
    p.set_defaults(func=cmd_users_list)
    usub = p.add_subparsers(metavar="ACTION")
    u = usub.add_parser("list", parents=[common], help="users, plans, state, live sessions")
    u.set_defaults(func=cmd_users_list)
    for action, text in (
        ("disable", "refuse the user's logins and end their sessions"),
        ("enable", "let a disabled user log in again"),
        ("delete", "delete the user with their sessions and usage"),
        ("reset-password", "set a new password (prompted, or stdin); ends their sessions"),
        ("revoke-sessions", "end every session of the user (they log in again)"),
    ):
        u = usub.add_parser(action, parents=[common], help=text)
        u.add_argument("name", metavar="NAME")
        u.set_defaults(func=cmd_users_action, action=action)

    p = sub.add_parser("purge", parents=[common], help="delete expired sessions, answers, claims")
    p.set_defaults(func=cmd_purge)

    p = sub.add_parser("plans", parents=[common], help="list plans, or set one's limits")
    p.set_defaults(func=cmd_plans_list)
    psub = p.add_subparsers(metavar="ACTION")
    pl = psub.add_parser("list", parents=[common], help="list plans and their limits")
    pl.set_defaults(func=cmd_plans_list)
    ps = psub.add_parser("set", parents=[common], help="create or change a plan")
    ps.add_argument("name", metavar="NAME")
    ps.add_argument("--articles", type=int, help="articles per month (-1: unlimited)")
    ps.add_argument("--tokens", type=int, help="tokens per month (-1: unlimited)")
    ps.set_defaults(func=cmd_plans_set)
    return parser


def open_db(args):
    from inkbench.server.db import Database

    url = args.db or default_db_url()
    try:
        db = Database(url)
        db.migrate()
    except ModuleNotFoundError as e:
        if "psycopg" in str(e):
            raise CliError("PostgreSQL needs psycopg: pip install 'inkbench[pg]'") from None
        raise
    except Exception as e:
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise CliError(f"cannot open the server database {_safe_url(url)}: {first}") from None
    return db


def _safe_url(url: str) -> str:
    """The URL without its password, for messages."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "(unparseable URL)"


def read_password(prompt: str = "password: ") -> str:
    if sys.stdin.isatty():
        first = getpass.getpass(prompt)
        if getpass.getpass("again: ") != first:
            raise CliError("the passwords differ; nothing was changed")
        return first
    line = sys.stdin.readline()
    return line.rstrip("\r\n")


def cmd_adduser(args) -> int:
    from inkbench.server.accounts import AccountError, add_user
    from inkbench.server.security import Passwords

    db = open_db(args)
    password = read_password()
    try:
        with db.session() as s:
            passwords = Passwords(Settings.from_env())  # INKBENCH_SERVER_ARGON2_* tune it
            user = add_user(s, passwords, args.name, password, plan=args.plan)
            print(f"added user {user.username} (id {user.id}, plan {user.plan_name})")
    except AccountError as e:
        raise CliError(str(e)) from None
    return 0


def cmd_userplan(args) -> int:
    from inkbench.server.accounts import AccountError, set_user_plan

    db = open_db(args)
    try:
        with db.session() as s:
            user = set_user_plan(s, args.name, args.plan)
            print(f"user {user.username} is on plan {user.plan_name}")
    except AccountError as e:
        raise CliError(str(e)) from None
    return 0


def cmd_users_list(args) -> int:
    from inkbench.server.accounts import list_users

    db = open_db(args)
    with db.read() as s:
        users = list_users(s)
    print(f"{'user':<24} {'plan':<12} {'state':<9} {'sessions':>8}  created")
    for u in users:
        state = "disabled" if u.disabled else "active"
        print(f"{u.username:<24} {u.plan:<12} {state:<9} {u.sessions:>8}  {u.created_at:%Y-%m-%d}")
    return 0


def cmd_users_action(args) -> int:
    from inkbench.server import accounts
    from inkbench.server.security import Passwords

    db = open_db(args)
    try:
        if args.action == "reset-password":
            with db.read() as s:
                accounts.find_user(s, args.name)  # before asking for a password
            password = read_password("new password: ")
            accounts.check_password(password)
            new_hash = Passwords(Settings.from_env()).hash(password)  # outside the transaction
        with db.session() as s:
            if args.action == "disable":
                user = accounts.set_disabled(s, args.name, True)
                print(f"user {user.username} is disabled; their sessions are ended")
            elif args.action == "enable":
                user = accounts.set_disabled(s, args.name, False)
                print(f"user {user.username} is enabled")
            elif args.action == "delete":
                user = accounts.delete_user(s, args.name)
                print(f"user {user.username} is deleted")
            elif args.action == "reset-password":
                user = accounts.reset_password(s, args.name, new_hash)
                print(f"user {user.username} has a new password; their sessions are ended")
            else:
                n = accounts.revoke_user_sessions(s, args.name)
                print(f"ended {n} session{'s' if n != 1 else ''} of {args.name}")
    except accounts.AccountError as e:
        raise CliError(str(e)) from None
    return 0


def cmd_purge(args) -> int:
    from inkbench.server.housekeeping import purge

    db = open_db(args)
    with db.session() as s:
        counts = purge(s, Settings.from_env())
    print("purged: " + ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in counts.items()))
    return 0


def _limit(value) -> str:
    return "unlimited" if value is None else str(value)


def cmd_plans_list(args) -> int:
    from inkbench.server.accounts import list_plans

    db = open_db(args)
    with db.session() as s:
        plans = list_plans(s)
        print(f"{'plan':<16} {'articles/month':>15} {'tokens/month':>15}")
        for p in plans:
            print(
                f"{p.name:<16} {_limit(p.articles_per_period):>15} "
                f"{_limit(p.tokens_per_period):>15}"
            )
    return 0


def cmd_plans_set(args) -> int:
    from inkbench.server.accounts import AccountError, set_plan

    db = open_db(args)
    try:
        with db.session() as s:
            p = set_plan(s, args.name, articles=args.articles, tokens=args.tokens)
            print(
                f"plan {p.name}: {_limit(p.articles_per_period)} articles, "
                f"{_limit(p.tokens_per_period)} tokens per month"
            )
    except AccountError as e:
        raise CliError(str(e)) from None
    return 0


def log_config(level: str) -> dict:
    from uvicorn.config import LOGGING_CONFIG

    cfg = {k: (dict(v) if isinstance(v, dict) else v) for k, v in LOGGING_CONFIG.items()}
    cfg["loggers"] = dict(cfg["loggers"])
    cfg["loggers"]["inkbench"] = {
        "handlers": ["default"],
        "level": level.upper(),
        "propagate": False,
    }
    return cfg


def cmd_serve(args) -> int:
    import uvicorn

    if args.workers < 1:
        raise CliError("--workers must be at least 1")
    url = args.db or default_db_url()
    settings = replace(
        Settings.from_env(),
        db_url=url,
        upstream_url=args.upstream,
        upstream_key_env=args.upstream_key_env,
    )
    open_db(args).dispose()  # migrate once, before any worker starts
    settings = replace(settings, migrate=False)
    if not settings.upstream_key:
        logging.getLogger("inkbench.server").warning(
            "no upstream API key in $%s; calling the upstream without one",
            settings.upstream_key_env,
        )
    print(
        f"inkbench-server: http://{args.host}:{args.port}/api  upstream {args.upstream}  "
        f"database {_safe_url(url)}",
        file=sys.stderr,
        flush=True,
    )
    common = dict(
        host=args.host,
        port=args.port,
        log_config=log_config(args.log_level),
        log_level=args.log_level,
        timeout_graceful_shutdown=10,
    )
    if args.workers > 1:
        _serve_workers(settings, args.workers, common)
    else:
        from inkbench.server.app import create_app

        uvicorn.run(create_app(settings), **common)
    return 0


def _serve_workers(settings: Settings, workers: int, options: dict) -> None:
    """``uvicorn.run(..., workers=N)``, except that the shared listening socket
    gets TCP_NODELAY (uvicorn's own socket lacks it, and each small streamed
    chunk then waits out the peer's delayed ACK: ~40 ms per answer)."""
    import socket

    import uvicorn
    from uvicorn.supervisors import Multiprocess

    os.environ.update(settings.to_env())  # workers build the app from these
    config = uvicorn.Config(
        "inkbench.server.app:app_from_env", factory=True, workers=workers, **options
    )
    sock = config.bind_socket()
    with contextlib.suppress(OSError):  # accepted connections inherit it (Linux)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    with contextlib.suppress(KeyboardInterrupt):
        Multiprocess(config, sockets=[sock]).run()


#: The server's own libraries: the ``[server]`` extra, not part of a client install.
SERVER_STACK = ("fastapi", "uvicorn", "argon2", "sqlalchemy", "aiohttp")


def missing_server_stack() -> list[str]:
    """The server's libraries that are not installed."""
    from importlib.util import find_spec

    return [name for name in SERVER_STACK if find_spec(name) is None]


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``inkbench-server``; returns the exit status."""
    missing = missing_server_stack()
    if missing:
        print(
            f"inkbench-server: the server's libraries are not installed ({', '.join(missing)}); "
            "install them with: pip install 'inkbench[server]'",
            file=sys.stderr,
        )
        return 1
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except CliError as e:
        print(f"inkbench-server: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
