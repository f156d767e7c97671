"""``inkbench publish ...``: queue articles for publishing, watch the queue,
run it, and manage the accounts.

``inkbench publish ARTICLE... --to ACCOUNT`` queues; the other forms are
``publish list | show | retry | cancel | run | account ...``. argparse cannot
take both a list of article ids and subcommands in one place, so ``publish``
hands its words to one of two parsers below.
"""

from __future__ import annotations

import argparse
import contextlib
import getpass
import sys
from datetime import datetime

from inkbench.cli import argparse_i18n
from inkbench.cli.core import open_db
from inkbench.cli.output import Progress, cancel_on_ctrl_c, print_json
from inkbench.i18n import _, aside, format_number, ngettext
from inkbench.storage.vocab import account_kind_name
from inkbench.tui.cells import pad
from inkbench.tui.vocab import status_name

COMMANDS = ("list", "show", "retry", "cancel", "run", "account")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "publish",
        help=_("publish articles to a blog, a static site folder or a webhook"),
        add_help=False,
    )
    # options given before the article ids; everything after the first word
    # goes to the parser of that form (below), which also prints the help
    p.add_argument("-h", "--help", dest="pre_help", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--to", dest="pre_to", help=argparse.SUPPRESS)
    p.add_argument("--at", dest="pre_at", help=argparse.SUPPRESS)
    p.add_argument("--draft", dest="pre_draft", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--json", dest="pre_json", action="store_true", help=argparse.SUPPRESS)
    p.add_argument(
        "words",
        nargs=argparse.REMAINDER,
        metavar="ARTICLE|COMMAND",
        help=_("article ids and --to ACCOUNT, or a command: {commands}").format(
            commands=", ".join(COMMANDS)
        ),
    )
    p.set_defaults(func=cmd_publish)


def _articles_parser() -> argparse.ArgumentParser:
    p = argparse_i18n.Parser(
        prog="inkbench publish",
        description=_(
            "Queue articles for publishing to an account, then run the queue with"
            " `inkbench publish run`. Other commands: {commands}."
        ).format(commands=", ".join(COMMANDS)),
    )
    p.add_argument("articles", nargs="+", type=int, metavar="ARTICLE", help=_("article ids"))
    p.add_argument("--to", required=True, metavar="ACCOUNT", help=_("the account to publish to"))
    p.add_argument("--draft", action="store_true", help=_("publish as a draft"))
    p.add_argument(
        "--at",
        metavar="TIME",
        help=_('publish at this local time, e.g. "2026-12-01 09:00"'),
    )
    p.add_argument("--json", action="store_true", help=_("print the queued publications as JSON"))
    return p


def _commands_parser() -> argparse.ArgumentParser:
    p = argparse_i18n.Parser(prog="inkbench publish")
    sub = p.add_subparsers(title=_("publish commands"), metavar="COMMAND", required=True)

    c = sub.add_parser("list", help=_("the queue and history, newest first"))
    c.add_argument("--status", help=_("only this status (queued, publishing, published, …)"))
    c.add_argument("--article", type=int, metavar="ID", help=_("only this article"))
    c.add_argument("--limit", type=int, default=50, help=_("how many (default 50)"))
    c.add_argument("--json", action="store_true", help=_("print JSON"))
    c.set_defaults(run=cmd_list)

    c = sub.add_parser("show", help=_("one publication: status, attempts, error, URL"))
    c.add_argument("id", type=int, metavar="ID", help=_("the publication's id"))
    c.add_argument("--json", action="store_true", help=_("print JSON"))
    c.set_defaults(run=cmd_show)

    c = sub.add_parser("retry", help=_("queue a failed or cancelled publication again"))
    c.add_argument("id", type=int, metavar="ID", help=_("the publication's id"))
    c.set_defaults(run=cmd_retry)

    c = sub.add_parser("cancel", help=_("cancel a queued publication"))
    c.add_argument("id", type=int, metavar="ID", help=_("the publication's id"))
    c.set_defaults(run=cmd_cancel)

    c = sub.add_parser("run", help=_("publish what is due (keeps running without --once)"))
    c.add_argument("--once", action="store_true", help=_("stop when nothing is due"))
    c.add_argument(
        "--lease",
        type=float,
        default=300.0,
        metavar="SECONDS",
        help=_("how long an item is held; a killed run's item is taken back after it"),
    )
    c.add_argument(
        "--retry-delay",
        type=float,
        default=30.0,
        metavar="SECONDS",
        help=_("first wait after a timeout or server error (doubles each time)"),
    )
    c.set_defaults(run=cmd_run)

    acc = sub.add_parser("account", help=_("publishing accounts"))
    asub = acc.add_subparsers(title=_("account commands"), metavar="COMMAND", required=True)
    c = asub.add_parser("add", help=_("add an account (the secret goes to the keyring)"))
    c.add_argument("name", metavar="NAME", help=_("the account's name"))
    c.add_argument(
        "--kind",
        required=True,
        choices=("wordpress", "metaweblog", "folder", "webhook"),
        help=_("what the account speaks"),
    )
    c.add_argument("--url", metavar="URL", help=_("the site, XML-RPC endpoint or webhook URL"))
    c.add_argument("--user", metavar="USER", help=_("user name (WordPress, MetaWeblog)"))
    c.add_argument(
        "--format",
        help=_("folder: hugo, hexo or jekyll; webhook: base64 (default) or urls"),
    )
    c.add_argument("--path", metavar="DIR", help=_("folder: the site's folder"))
    c.add_argument("--git-commit", action="store_true", help=_("folder: commit each post with git"))
    c.set_defaults(run=cmd_account_add)
    c = asub.add_parser("list", help=_("the accounts"))
    c.add_argument("--json", action="store_true", help=_("print JSON"))
    c.set_defaults(run=cmd_account_list)
    c = asub.add_parser("test", help=_("check the account works (and resume a paused one)"))
    c.add_argument("name", metavar="NAME", help=_("the account's name"))
    c.set_defaults(run=cmd_account_test)
    c = asub.add_parser("secret", help=_("replace the account's password or key"))
    c.add_argument("name", metavar="NAME", help=_("the account's name"))
    c.set_defaults(run=cmd_account_secret)
    c = asub.add_parser("remove", help=_("remove the account and forget its secret"))
    c.add_argument("name", metavar="NAME", help=_("the account's name"))
    c.set_defaults(run=cmd_account_remove)
    return p


def cmd_publish(args: argparse.Namespace) -> int:
    before = []
    if args.pre_to is not None:
        before += ["--to", args.pre_to]
    if args.pre_at is not None:
        before += ["--at", args.pre_at]
    before += ["--draft"] * args.pre_draft + ["--json"] * args.pre_json
    words = list(args.words)
    if args.pre_help:
        words = (words[:1] if words and words[0] in COMMANDS else []) + ["--help"]
    if words and words[0] in COMMANDS:
        sub = _commands_parser().parse_args(words[:1] + before + words[1:])
    else:
        sub = _articles_parser().parse_args(before + words)
        sub.run = cmd_queue
    for key, value in vars(args).items():
        if key not in ("words", "func") and not key.startswith("pre_") and not hasattr(sub, key):
            setattr(sub, key, value)
    return sub.run(sub)


# --- helpers -------------------------------------------------------------------------


def _config(args):
    from inkbench.cli.config import load

    return load(args)


def _interactive() -> bool:
    return sys.stdin.isatty()


def _parse_time(text: str) -> datetime:
    from inkbench.storage.errors import InvalidInput

    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput(
            _('cannot read the time {text!r}; write it like "2026-12-01 09:00"').format(text=text)
        ) from None
    if moment.tzinfo is None:
        moment = moment.astimezone()  # the local time zone
    return moment


def _when(moment: datetime | None) -> str:
    return moment.astimezone().strftime("%Y-%m-%d %H:%M") if moment else ""


def _line(p) -> str:
    where = p.url or p.last_error or ""
    extra = []
    if p.draft:
        extra.append(_("draft"))
    if p.status == "queued" and p.scheduled_at:
        extra.append(_("at {time}").format(time=_when(p.scheduled_at)))
    tail = aside(_(", ").join(extra))
    status, account = pad(status_name(p.status), 10), pad(p.account_name, 14)
    return f"{p.id:>5}  {status}{account}{p.article_title}{tail}  {where}".rstrip()


def secret_reader(args) -> object:
    """The runner's ``secret_for``: the account's secret from the keyring."""
    from inkbench.integrations.publish.secrets import secret_reader as reader

    return reader(_config(args), interactive=_interactive())


# --- queue ---------------------------------------------------------------------------


def cmd_queue(args: argparse.Namespace) -> int:
    from inkbench.storage.publications import enqueue

    at = _parse_time(args.at) if args.at else None
    db = open_db(args)
    with db.raw() as conn:
        rows = enqueue(conn, args.articles, args.to, draft=args.draft, at=at)
    if args.json:
        print_json([r.to_json() for r in rows])
        return 0
    for r in rows:
        print(_line(r))
    n = len(rows)
    print(
        ngettext(
            "queued {n} article for {account}; `inkbench publish run` publishes it",
            "queued {n} articles for {account}; `inkbench publish run` publishes them",
            n,
        ).format(n=n, account=args.to)
    )
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    from inkbench.storage.errors import InvalidInput
    from inkbench.storage.publications import count_publications, list_publications

    if args.limit < 1:
        raise InvalidInput(_("--limit must be at least 1"))
    db = open_db(args)
    with db.raw(write=False) as conn:
        rows = list_publications(
            conn, status=args.status, article_id=args.article, limit=args.limit
        )
        counts = count_publications(conn)
    if args.json:
        print_json([r.to_json() for r in rows])
        return 0
    for r in rows:
        print(_line(r))
    # TRANSLATORS: one status's count in `publish list`'s last line, e.g. "2 queued"
    each = [
        _("{n} {status}").format(n=format_number(n), status=status_name(status))
        for status, n in counts.items()
        if n
    ]
    # TRANSLATORS: what goes between the counts of `publish list`'s last line
    print(_(", ").join(each) or _("nothing queued or published yet"))
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    from inkbench.storage.publications import get_publication

    db = open_db(args)
    with db.raw(write=False) as conn:
        p = get_publication(conn, args.id)
    if args.json:
        print_json(p.to_json())
        return 0
    print(
        _("publication #{id}: article {article} ({title}) to {account}").format(
            id=p.id, article=p.article_id, title=p.article_title, account=p.account_name
        )
    )
    print(
        _("status: {status}").format(status=status_name(p.status))
        + (aside(_("draft")) if p.draft else "")
    )
    if p.scheduled_at:
        print(_("scheduled: {time}").format(time=_when(p.scheduled_at)))
    print(_("attempts: {n}").format(n=p.attempts))
    if p.last_error:
        print(_("last error: {error}").format(error=p.last_error))
    if p.remote_id:
        print(_("remote id: {id}").format(id=p.remote_id))
    if p.url:
        print(_("url: {url}").format(url=p.url))
    if p.published_at:
        print(_("published: {time}").format(time=_when(p.published_at)))
    return 0


def cmd_retry(args: argparse.Namespace) -> int:
    from inkbench.storage.publications import retry_publication

    db = open_db(args)
    with db.raw() as conn:
        p = retry_publication(conn, args.id)
    print(_("publication #{id} is queued again").format(id=p.id))
    return 0


def cmd_cancel(args: argparse.Namespace) -> int:
    from inkbench.storage.publications import cancel_publication

    db = open_db(args)
    with db.raw() as conn:
        p = cancel_publication(conn, args.id)
    print(_("publication #{id} is cancelled").format(id=p.id))
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    from inkbench.integrations.publish.runner import run_publications
    from inkbench.storage.errors import InvalidInput

    if args.lease <= 0 or args.retry_delay < 0:
        raise InvalidInput(_("--lease must be more than 0 and --retry-delay at least 0"))
    db = open_db(args)
    secret_for = secret_reader(args)

    def report(o) -> None:
        status = status_name(o.status)
        print(f"#{o.publication_id} {status}: {o.article_title} → {o.account}: {o.message}")
        sys.stdout.flush()

    with cancel_on_ctrl_c() as cancel:
        summary = run_publications(
            db,
            secret_for,
            once=args.once,
            cancel=cancel,
            progress=Progress(_("publishing")),
            on_outcome=report,
            lease_seconds=args.lease,
            retry_base_s=args.retry_delay,
        )
    print(
        _("{published} published, {failed} failed, {retried} to retry").format(
            published=summary.published, failed=summary.failed, retried=summary.retried
        )
    )
    if summary.lost:
        print(
            ngettext(
                "{n} publication was taken over by another worker (this one held it too"
                " long) and left to it",
                "{n} publications were taken over by another worker (this one held them too"
                " long) and left to it",
                summary.lost,
            ).format(n=summary.lost)
        )
    return 1 if summary.failed or summary.paused else 0


# --- accounts ------------------------------------------------------------------------


def _ask_secret(name: str, kind: str) -> str:
    prompt = _("password or key for {name} ({kind}):").format(name=name, kind=kind) + " "
    if _interactive():
        return getpass.getpass(prompt)
    return sys.stdin.readline().rstrip("\r\n")


def cmd_account_add(args: argparse.Namespace) -> int:
    from inkbench.integrations.publish.secrets import set_secret
    from inkbench.storage.errors import InvalidInput
    from inkbench.storage.publish_accounts import add_account, validate_account

    path = args.path
    if path:
        from pathlib import Path

        path = str(Path(path).expanduser().resolve())
    validate_account(args.kind, url=args.url, format=args.format, path=path)
    secret = None
    if args.kind != "folder":
        secret = _ask_secret(args.name, args.kind)
        if not secret:
            raise InvalidInput(_("no password or key given; nothing was changed"))
    db = open_db(args)
    config = _config(args)
    with db.raw() as conn:
        account = add_account(
            conn,
            args.name,
            args.kind,
            url=args.url,
            user=args.user,
            format=args.format,
            path=path,
            git_commit=args.git_commit,
        )
        if secret is not None:  # stored before the row commits: no account without its secret
            set_secret(config, account.name, secret, interactive=_interactive())
    print(
        _("added {kind} account {name}; `inkbench publish account test {name}` checks it").format(
            kind=account.kind, name=account.name
        )
    )
    return 0


def cmd_account_list(args: argparse.Namespace) -> int:
    from inkbench.storage.publish_accounts import list_accounts

    db = open_db(args)
    with db.raw(write=False) as conn:
        rows = list_accounts(conn)
    if args.json:
        print_json([{**r.__dict__, "created_at": str(r.created_at)} for r in rows])
        return 0
    for r in rows:
        where = r.path if r.kind == "folder" else r.url
        fmt = f" {r.format}" if r.format else ""
        state = "  " + _("paused: {reason}").format(reason=r.pause_reason) if r.paused else ""
        print(f"{pad(r.name, 17)}{account_kind_name(r.kind)}{fmt}  {where}{state}")
    if not rows:
        print(_("no publishing accounts; add one with `inkbench publish account add`"))
    return 0


def cmd_account_test(args: argparse.Namespace) -> int:
    from inkbench.integrations.publish.accounts import check_account

    line, resumed = check_account(open_db(args), args.name, secret_reader(args))
    print(f"{args.name}: {line}")
    if resumed:
        print(
            _("account {name} is resumed; its queued publications will go out").format(
                name=args.name
            )
        )
    return 0


def cmd_account_secret(args: argparse.Namespace) -> int:
    from inkbench.integrations.publish.secrets import set_secret
    from inkbench.storage.errors import InvalidInput
    from inkbench.storage.publish_accounts import get_account

    db = open_db(args)
    with db.raw(write=False) as conn:
        row = get_account(conn, args.name)
    if row.kind == "folder":
        raise InvalidInput(_("a folder account has no password or key"))
    secret = _ask_secret(row.name, row.kind)
    if not secret:
        raise InvalidInput(_("no password or key given; nothing was changed"))
    set_secret(_config(args), row.name, secret, interactive=_interactive())
    print(
        _(
            "the secret of {name} is replaced; `inkbench publish account test {name}` checks it"
        ).format(name=row.name)
    )
    return 0


def cmd_account_remove(args: argparse.Namespace) -> int:
    from inkbench.integrations.ai.errors import KeyringUnavailable
    from inkbench.integrations.publish.secrets import delete_secret
    from inkbench.storage.publish_accounts import remove_account

    db = open_db(args)
    with db.raw() as conn:
        row = remove_account(conn, args.name)
    if row.kind != "folder":
        with contextlib.suppress(KeyringUnavailable):  # nothing could be stored there
            delete_secret(_config(args), row.name, interactive=_interactive())
    print(_("removed account {name}").format(name=row.name))
    return 0
