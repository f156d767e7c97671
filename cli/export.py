"""``inkbench article export``: registered into the ``article`` group by
``cli.article`` (one line calling ``add_export_parser``)."""

from __future__ import annotations

import argparse

from inkbench.cli.core import open_db
from inkbench.cli.output import Progress, print_json


def add_export_parser(asub: argparse._SubParsersAction) -> None:
    p = asub.add_parser("export", help="articles to md/html/docx files, with their images")
    p.add_argument("ids", nargs="*", type=int, metavar="ID", help="article ids")
    p.add_argument("--all", action="store_true", help="every article not in the Trash")
    p.add_argument("--format", choices=("md", "html", "docx"), default="md")
    p.add_argument("--out", required=True, metavar="DIR", help="folder to write into")
    p.add_argument("--json", action="store_true", help="print the files written as JSON")
    p.set_defaults(func=cmd_export)

    p = asub.add_parser("provenance", help="where a generated article came from")
    p.add_argument("id", type=int, metavar="ID")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_provenance)


def cmd_export(args: argparse.Namespace) -> int:
    from inkbench.integrations.export import export_articles
    from inkbench.storage.errors import InvalidInput

    if bool(args.ids) == bool(args.all):
        raise InvalidInput("name article ids or give --all (not both)")
    db = open_db(args)
    done = export_articles(
        db, None if args.all else args.ids, args.format, args.out, progress=Progress("exporting")
    )
    if args.json:
        print_json([d.__dict__ for d in done])
    else:
        for d in done:
            extra = f" with {d.images} image(s)" if d.images else ""
            print(f"article {d.id}: {d.path}{extra}")
        print(f"exported {len(done)} article(s) to {args.out}")
    return 0


def cmd_provenance(args: argparse.Namespace) -> int:
    from inkbench.storage.provenance import article_provenance

    db = open_db(args)
    with db.raw(write=False) as conn:
        p = article_provenance(conn, args.id)
    if args.json:
        print_json(p.__dict__)
        return 0
    print(f"article {p.article_id} ({p.origin})")
    if p.item_id is None and p.task_id is None:
        print("  not written by a generation task")
        return 0
    print(f"  task: #{p.task_id} {p.task_name} · keyword: {p.keyword}")
    print(f"  item: {p.item_id} · topic: {p.topic}")
    for s in p.sources:
        heading = s["heading"].removeprefix(s["document_title"]).removeprefix(" › ")
        where = s["document_title"] + (f" › {heading}" if heading else "")
        gone = "" if s["chunk_id"] else " (passage deleted since)"
        print(f"  source {s['position'] + 1}: {where}{gone}")
    for i in p.images:
        print(f"  image {i['position'] + 1}: {i['name']} from album {i['album']}")
    return 0
