"""``inkbench article ...``: import and list articles."""

from __future__ import annotations

import argparse

from inkbench.cli.core import open_db
from inkbench.cli.output import Progress, print_json
from inkbench.i18n import _, format_number, format_words, ngettext
from inkbench.tui.cells import pad
from inkbench.tui.vocab import origin_name, status_name


def register(sub: argparse._SubParsersAction) -> None:
    art = sub.add_parser("article", help=_("import, list and export articles"))
    asub = art.add_subparsers(title=_("article commands"), metavar="COMMAND", required=True)

    p = asub.add_parser(
        "import", help=_("markdown/text files (or folders of them) become articles")
    )
    p.add_argument("paths", nargs="+", metavar="PATH", help=_("files or folders"))
    p.add_argument("--json", action="store_true", help=_("print the imported articles as JSON"))
    p.add_argument(
        "--copies",
        action="store_true",
        help=_(
            "import every file, even one whose content already is an article imported "
            "from it (by default such files are skipped)"
        ),
    )
    p.set_defaults(func=cmd_import)

    p = asub.add_parser("list", help=_("list articles, newest first"))
    p.add_argument("--limit", type=int, default=50, help=_("how many (default 50)"))
    p.add_argument("--offset", type=int, default=0, help=_("skip this many"))
    p.add_argument("--status", help=_("only this status (draft, ready, published, archived)"))
    p.add_argument("--filter", dest="text", help=_("only titles containing this text"))
    p.add_argument("--trashed", action="store_true", help=_("list the articles in the Trash"))
    p.add_argument("--json", action="store_true", help=_("print JSON"))
    p.set_defaults(func=cmd_list)
    p = asub.add_parser("show", help=_("an article: its details and where it was published"))
    p.add_argument("id", type=int, metavar="ID", help=_("the article's id"))
    p.add_argument("--json", action="store_true", help=_("print JSON"))
    p.set_defaults(func=cmd_show)

    p = asub.add_parser("status", help=_("set an article's status by hand"))
    p.add_argument("id", type=int, metavar="ID", help=_("the article's id"))
    p.add_argument(
        "status", choices=("draft", "ready", "published", "archived"), help=_("the new status")
    )
    p.set_defaults(func=cmd_status)
    from inkbench.cli.export import add_export_parser

    add_export_parser(asub)


def cmd_import(args: argparse.Namespace) -> int:
    from inkbench.integrations.importers.articles import import_articles

    db = open_db(args)
    result = import_articles(db, args.paths, copies=args.copies, progress=Progress(_("reading")))
    if args.json:
        print_json([a.__dict__ for a in result.imported])
        return 0
    for a in result.imported:
        print(
            _("article {id}: {title} ({words}) from {path}").format(
                id=a.id, title=a.title, words=format_words(a.word_count), path=a.path
            )
        )
    n = len(result.imported)
    print(ngettext("imported {n} article", "imported {n} articles", n).format(n=n))
    if result.skipped:
        print(
            ngettext(
                "skipped {n} file already imported with the same content (add --copies to "
                "import it again)",
                "skipped {n} files already imported with the same content (add --copies to "
                "import them again)",
                result.skipped,
            ).format(n=format_number(result.skipped))
        )
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    from inkbench.storage.articles import count_articles, list_articles
    from inkbench.storage.errors import InvalidInput

    if args.limit < 1 or args.offset < 0:
        raise InvalidInput(_("--limit must be at least 1 and --offset at least 0"))
    db = open_db(args)
    with db.read() as session:
        rows = list_articles(
            session,
            offset=args.offset,
            limit=args.limit,
            status=args.status,
            text=args.text,
            trashed=args.trashed,
        )
        total = count_articles(session, status=args.status, text=args.text, trashed=args.trashed)
    if args.json:
        print_json([r.__dict__ for r in rows])
        return 0
    for r in rows:
        print(
            f"{r.id:>6}  {pad(status_name(r.status), 9)}{format_words(r.word_count):>12}  {r.title}"
        )
    print(
        ngettext("{n} of {total} article", "{n} of {total} articles", total).format(
            n=len(rows), total=format_number(total)
        )
    )
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    from inkbench.storage.articles import get_article
    from inkbench.storage.publications import article_publications

    db = open_db(args)
    with db.read() as session:
        a = get_article(session, args.id)
        info = {
            "id": a.id,
            "title": a.title,
            "status": a.status,
            "word_count": a.word_count,
            "origin": a.origin,
            "updated_at": a.updated_at,
            "trashed": a.deleted_at is not None,
        }
    with db.raw(write=False) as conn:
        pubs = article_publications(conn, args.id)
    if args.json:
        info["publications"] = [p.__dict__ for p in pubs]
        print_json(info)
        return 0
    print(f"{a.id}  {a.title}")
    print(
        _("status {status}, {words}, {origin}").format(
            status=status_name(a.status),
            words=format_words(a.word_count),
            origin=origin_name(a.origin),
        )
    )
    if not pubs:
        print(_("not published anywhere"))
    for p in pubs:
        line = _("publication #{id} to {account}: {status}").format(
            id=p.publication_id, account=p.account_name, status=status_name(p.status)
        )
        if p.url:
            line += f"  {p.url}"
        if p.changed:
            line += "  " + _("(changed since published)")
        print(line)
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    from inkbench.storage.articles import update_article

    db = open_db(args)
    with db.write() as session:
        a = update_article(session, args.id, status=args.status)
        title = a.title
    print(
        _("article {id} ({title}) is now {status}").format(
            id=args.id, title=title, status=status_name(args.status)
        )
    )
    return 0
