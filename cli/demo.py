"""``inkbench demo``: load the sample content."""

from __future__ import annotations

import argparse

from inkbench.cli.core import open_db
from inkbench.cli.output import Progress, print_json


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "demo",
        help="load sample content: articles, a novel, an album, a knowledge base, a finished task",
    )
    p.add_argument("--json", action="store_true", help="print what was added as JSON")
    p.set_defaults(func=cmd_demo)


def cmd_demo(args: argparse.Namespace) -> int:
    from inkbench.integrations.demo import load_demo

    db = open_db(args)
    report = load_demo(db, progress=Progress("loading the demo"))
    if args.json:
        print_json({"loaded": report.loaded, "added": report.added})
        return 0
    if not report.loaded:
        print(f"the demo content is already in {db.path}; nothing added")
        return 0
    print(
        "loaded the demo: "
        + ", ".join(f"{n} {what.replace('_', ' ')}" for what, n in report.added.items())
    )
    print("images wait for OCR: run `inkbench ocr run`, or open `inkbench` and look at Albums")
    return 0
