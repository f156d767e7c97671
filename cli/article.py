"""``inkbench article ...``: import and list articles."""

from __future__ import annotations

import argparse

from inkbench.cli.core import open_db
from inkbench.cli.output import Progress, print_json


def register(sub: argparse._SubParsersAction) -> None:
    art = sub.add_parser("article", help="import, list and export articles")
    asub = art.add_subparsers(title="article commands", metavar="COMMAND", required=True)

    p = asub.add_parser("import", help="markdown/text files (or folders of them) become articles")
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.add_argument("--json", action="store_true", help="print the imported articles as JSON")
    p.set_defaults(func=cmd_import)

    p = asub.add_parser("list", help="list articles, newest first")
    p.add_argument("--limit", type=int, default=50, help="how many (default 50)")
    p.add_argument("--offset", type=int, default=0, help="skip this many")
    p.add_argument("--status", help="only this status (draft, ready, published, archived)")
    p.add_argument("--filter", dest="text", help="only titles containing this text")
    p.add_argument("--trashed", action="store_true", help="list the articles in the Trash")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_list)
    from inkbench.cli.export import add_export_parser

    add_export_parser(asub)


def cmd_import(args: argparse.Namespace) -> int:
    from inkbench.integrations.importers.articles import import_articles

    db = open_db(args)
    imported = import_articles(db, args.paths, progress=Progress("reading"))
    if args.json:
        print_json([a.__dict__ for a in imported])
    else:
        for a in imported:
            print(f"article {a.id}: {a.title} ({a.word_count} words) from {a.path}")
        print(f"imported {len(imported)} article(s)")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    from inkbench.storage.articles import count_articles, list_articles
    from inkbench.storage.errors import InvalidInput

    if args.limit < 1 or args.offset < 0:
        raise InvalidInput("--limit must be at least 1 and --offset at least 0")
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
        print(f"{r.id:>6}  {r.status:<9} {r.word_count:>7}w  {r.title}")
    print(f"{len(rows)} of {total} article(s)")
    return 0
