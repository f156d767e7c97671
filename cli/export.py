"""``inkbench article export``: registered into the ``article`` group by
``cli.article`` (one line calling ``add_export_parser``)."""

from __future__ import annotations

import argparse

from inkbench.cli.core import open_db
from inkbench.cli.output import Progress, print_json
from inkbench.i18n import _, ngettext


def add_export_parser(asub: argparse._SubParsersAction) -> None:
    p = asub.add_parser("export", help=_("articles to md/html/docx files, with their images"))
    p.add_argument("ids", nargs="*", type=int, metavar="ID", help=_("article ids"))
    p.add_argument("--all", action="store_true", help=_("every article not in the Trash"))
    p.add_argument(
        "--format",
        choices=("md", "html", "docx"),
        default="md",
        help=_("the file format (default md)"),
    )
    p.add_argument("--out", required=True, metavar="DIR", help=_("folder to write into"))
    p.add_argument("--json", action="store_true", help=_("print the files written as JSON"))
    p.set_defaults(func=cmd_export)

    p = asub.add_parser("provenance", help=_("where a generated article came from"))
    p.add_argument("id", type=int, metavar="ID", help=_("the article"))
    p.add_argument("--json", action="store_true", help=_("print JSON"))
    p.set_defaults(func=cmd_provenance)


def cmd_export(args: argparse.Namespace) -> int:
    from inkbench.integrations.export import export_articles
    from inkbench.storage.errors import InvalidInput

    if bool(args.ids) == bool(args.all):
        raise InvalidInput(_("name article ids or give --all (not both)"))
    db = open_db(args)
    done = export_articles(
        db, None if args.all else args.ids, args.format, args.out, progress=Progress(_("exporting"))
    )
    if args.json:
        print_json([d.__dict__ for d in done])
    else:
        for d in done:
            extra = (
                " " + ngettext("with {n} image", "with {n} images", d.images).format(n=d.images)
                if d.images
                else ""
            )
            print(_("article {id}: {path}{extra}").format(id=d.id, path=d.path, extra=extra))
        n = len(done)
        print(
            ngettext("exported {n} article to {out}", "exported {n} articles to {out}", n).format(
                n=n, out=args.out
            )
        )
    return 0


def cmd_provenance(args: argparse.Namespace) -> int:
    from inkbench.storage.provenance import article_provenance
    from inkbench.tui.vocab import origin_name

    db = open_db(args)
    with db.raw(write=False) as conn:
        p = article_provenance(conn, args.id)
    if args.json:
        print_json(p.__dict__)
        return 0
    print(
        _("article {article_id} ({origin})").format(
            article_id=p.article_id, origin=origin_name(p.origin)
        )
    )
    if p.item_id is None and p.task_id is None:
        print("  " + _("not written by a generation task"))
        return 0
    print(
        "  "
        + _("task: #{task_id} {task_name} · keyword: {keyword}").format(
            task_id=p.task_id, task_name=p.task_name, keyword=p.keyword
        )
    )
    print("  " + _("item: {item_id} · topic: {topic}").format(item_id=p.item_id, topic=p.topic))
    for s in p.sources:
        heading = s["heading"].removeprefix(s["document_title"]).removeprefix(" › ")
        where = s["document_title"] + (f" › {heading}" if heading else "")
        gone = "" if s["chunk_id"] else " " + _("(passage deleted since)")
        print("  " + _("source {n}: {where}").format(n=s["position"] + 1, where=where) + gone)
    for i in p.images:
        print(
            "  "
            + _("image {n}: {name} from album {album}").format(
                n=i["position"] + 1, name=i["name"], album=i["album"]
            )
        )
    return 0
