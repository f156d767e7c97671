"""``inkbench demo``: load the sample content."""

from __future__ import annotations

import argparse

from inkbench.cli.core import open_db
from inkbench.cli.output import Progress, print_json
from inkbench.i18n import _, format_number, ngettext


def _counted(what: str, n: int) -> str:
    """One line of what the demo added: ``6 articles`` / ``6 篇文章``."""
    forms = {
        "articles": ngettext("{n} article", "{n} articles", n),
        "works": ngettext("{n} work", "{n} works", n),
        "chapters": ngettext("{n} chapter", "{n} chapters", n),
        "characters": ngettext("{n} story character", "{n} story characters", n),
        "relationships": ngettext("{n} relationship", "{n} relationships", n),
        "world_entries": ngettext("{n} world entry", "{n} world entries", n),
        "scenes": ngettext("{n} scene", "{n} scenes", n),
        "tags": ngettext("{n} tag", "{n} tags", n),
        "albums": ngettext("{n} album", "{n} albums", n),
        "images": ngettext("{n} image", "{n} images", n),
        "documents": ngettext("{n} document", "{n} documents", n),
        "chunks": ngettext("{n} passage", "{n} passages", n),
        "distillations": ngettext("{n} keyword", "{n} keywords", n),
        "topics": ngettext("{n} topic", "{n} topics", n),
        "generation_tasks": ngettext("{n} generation task", "{n} generation tasks", n),
        "generated_articles": ngettext("{n} generated article", "{n} generated articles", n),
        "publish_accounts": ngettext("{n} publishing account", "{n} publishing accounts", n),
    }
    template = forms.get(what)
    if template is None:
        return f"{what.replace('_', ' ')} {format_number(n)}"
    return template.format(n=format_number(n))


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
    added = _(", ").join(_counted(what, n) for what, n in report.added.items())
    print(_("loaded the demo: {added}").format(added=added))
    print(_("images wait for OCR: run `inkbench ocr run`, or open `inkbench` and look at Albums"))
    return 0
