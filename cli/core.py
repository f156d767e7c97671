"""Top-level commands: open the TUI, stats, search."""

from __future__ import annotations

import argparse

from inkbench.cli.output import print_json


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("stats", help="rows per entity; OCR and task status counts")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_stats)

    p = sub.add_parser(
        "search", help="search articles, chapters, knowledge, OCR text and the story bible"
    )
    p.add_argument("query", metavar="QUERY", help="words to find (all must match)")
    p.add_argument("--limit", type=int, default=20, help="how many hits (default 20)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_search)


def open_db(args: argparse.Namespace):
    from inkbench.storage.engine import open_database

    return open_database(args.home)


def _detect_terminal_graphics() -> None:
    """Let textual-image ask the terminal for Kitty/Sixel support now: it can
    only do so before Textual owns the terminal. On any failure (it divides by
    the terminal's reported size, which can be zero) the Albums area falls back
    to choosing from the environment."""
    import sys

    if not (sys.stdout.isatty() and sys.stdin.isatty()):
        return
    try:
        import textual_image.widget  # noqa: F401
    except Exception:  # noqa: BLE001 - a graphics probe must never stop the app
        sys.modules.pop("textual_image.widget", None)


def open_tui(args: argparse.Namespace) -> int:
    from inkbench.tui.app import make_app

    _detect_terminal_graphics()
    app = make_app(home=args.home)
    app.run()
    return app.return_code or 0


def cmd_stats(args: argparse.Namespace) -> int:
    from inkbench.storage.stats import stats

    db = open_db(args)
    with db.raw(write=False) as conn:
        data = stats(conn)
    if args.json:
        print_json(data)
        return 0
    print("rows:")
    for table, n in data["rows"].items():
        trashed = data["trashed"].get(table)
        extra = f"  ({trashed} in the Trash)" if trashed else ""
        print(f"  {table:<18} {n:>9}{extra}")
    for title, key in (("OCR", "ocr"), ("tasks", "tasks"), ("task items", "items")):
        if data[key]:
            print(f"{title}: " + ", ".join(f"{k} {v}" for k, v in sorted(data[key].items())))
    return 0


def cmd_search(args: argparse.Namespace) -> int:
    from inkbench.storage.errors import InvalidInput
    from inkbench.storage.search import ALL_KINDS, search

    if args.limit < 1:
        raise InvalidInput("--limit must be at least 1")
    db = open_db(args)
    with db.raw(write=False) as conn:
        hits = search(conn, args.query, limit=args.limit, kinds=ALL_KINDS)
    if args.json:
        print_json([h.to_dict() for h in hits])
        return 0
    if not hits:
        print("no matches")
        return 0
    for h in hits:
        where = f" ({h.parent_title})" if h.parent_title else ""
        print(f"{h.kind} {h.id}: {h.title}{where}")
        print(f"    {h.snippet.text}")
    return 0
