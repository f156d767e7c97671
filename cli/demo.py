"""``inkbench demo``: load the sample content."""

from __future__ import annotations

import argparse

from inkbench.cli.core import open_db
from inkbench.cli.output import Progress, print_json
from inkbench.i18n import N_, _, format_number

#: what the demo adds, as the report names it
ADDED = {
    "articles": N_("articles"),
    "works": N_("works"),
    "chapters": N_("chapters"),
    "albums": N_("albums"),
    "images": N_("images"),
    "documents": N_("documents"),
    "chunks": N_("passages"),
    "distillations": N_("distillations"),
    "topics": N_("topics"),
    "generation_tasks": N_("generation tasks"),
    "generated_articles": N_("generated articles"),
    "publish_accounts": N_("publishing accounts"),
}


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "demo",
        help=_(
            "load sample content: articles, a novel, an album, a knowledge base, a finished task"
        ),
    )
    p.add_argument("--json", action="store_true", help=_("print what was added as JSON"))
    p.set_defaults(func=cmd_demo)


def cmd_demo(args: argparse.Namespace) -> int:
    from inkbench.integrations.demo import load_demo

    db = open_db(args)
    report = load_demo(db, progress=Progress(_("loading the demo")))
    if args.json:
        print_json({"loaded": report.loaded, "added": report.added})
        return 0
    if not report.loaded:
        print(_("the demo content is already in {path}; nothing added").format(path=db.path))
        return 0
    added = _(", ").join(
        _("{what} {n}").format(
            what=_(ADDED[what]) if what in ADDED else what.replace("_", " "), n=format_number(n)
        )
        for what, n in report.added.items()
    )
    print(_("loaded the demo: {added}").format(added=added))
    print(_("images wait for OCR: run `inkbench ocr run`, or open `inkbench` and look at Albums"))
    return 0
