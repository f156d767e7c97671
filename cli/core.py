"""Top-level commands: open the TUI, stats, search."""

from __future__ import annotations

import argparse

from inkbench.cli.output import print_json
from inkbench.i18n import N_, _, format_number

#: a search hit's kind as people call it
HIT_KINDS = {
    "article": N_("article"),
    "chapter": N_("chapter"),
    "chunk": N_("knowledge"),
    "image": N_("image text"),
    "work": N_("work"),
    "album": N_("album"),
    "knowledge_base": N_("knowledge base"),
}


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("stats", help=_("rows per entity; OCR and task status counts"))
    p.add_argument("--json", action="store_true", help=_("print JSON"))
    p.set_defaults(func=cmd_stats)

    p = sub.add_parser(
        "search",
        help=_(
            "search articles, chapters, knowledge, OCR text, the story bible, and works,"
            " albums and knowledge bases by title"
        ),
    )
    p.add_argument("query", metavar="QUERY", help=_("words to find (all must match)"))
    p.add_argument("--limit", type=int, default=20, help=_("how many hits (default 20)"))
    p.add_argument("--json", action="store_true", help=_("print JSON"))
    p.add_argument(
        "--exact",
        action="store_true",
        help=_(
            "match the characters as written (no full-width, traditional/simplified"
            " or pinyin folding)"
        ),
    )
    p.set_defaults(func=cmd_search)


def open_db(args: argparse.Namespace):
    """The database under ``--home``; an upgrade of an older one shows its
    progress on standard error."""
    from inkbench.cli.upgrade_progress import upgrade_progress
    from inkbench.storage.engine import open_database

    with upgrade_progress() as progress:
        return open_database(args.home, progress=progress)


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
    print(_("rows:"))
    for table, n in data["rows"].items():
        trashed = data["trashed"].get(table)
        extra = "  " + _("({n} in the Trash)").format(n=format_number(trashed)) if trashed else ""
        print(f"  {table:<18} {format_number(n):>9}{extra}")
    for title, key in ((_("OCR"), "ocr"), (_("tasks"), "tasks"), (_("task items"), "items")):
        if data[key]:
            counts = _(", ").join(f"{k} {format_number(v)}" for k, v in sorted(data[key].items()))
            print(_("{title}: {counts}").format(title=title, counts=counts))
    return 0


def cmd_search(args: argparse.Namespace) -> int:
    from inkbench.storage.errors import InvalidInput
    from inkbench.storage.search import ALL_KINDS, search

    if args.limit < 1:
        raise InvalidInput(_("--limit must be at least 1"))
    db = open_db(args)
    with db.raw(write=False) as conn:
        hits = search(conn, args.query, limit=args.limit, exact=args.exact, kinds=ALL_KINDS)
    if args.json:
        print_json([h.to_dict() for h in hits])
        return 0
    if not hits:
        print(_("no matches"))
        return 0
    for h in hits:
        where = _(" ({parent})").format(parent=h.parent_title) if h.parent_title else ""
        kind = _(HIT_KINDS[h.kind]) if h.kind in HIT_KINDS else h.kind
        print(_("{kind} {id}: {title}").format(kind=kind, id=h.id, title=h.title) + where)
        print(f"    {h.snippet.text}")
    return 0
