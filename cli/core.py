"""Top-level commands: open the TUI, stats, search."""

from __future__ import annotations

import argparse

from inkbench.cli.output import print_json
from inkbench.i18n import N_, _, aside, format_number, pgettext

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


def table_label(table: str) -> str:
    """A table's rows in words (the table's name when it has none)."""
    labels = {
        "album": pgettext("table", "albums"),
        "article_setting": pgettext("table", "writing settings"),
        "assistant": pgettext("table", "assistants"),
        "blob": pgettext("table", "stored files"),
        "conversion_target": pgettext("table", "conversion targets"),
        "distillation": pgettext("table", "keywords"),
        "knowledge_base": pgettext("table", "knowledge bases"),
        "publish_account": pgettext("table", "publishing accounts"),
        "work": pgettext("table", "works"),
        "chapter": pgettext("table", "chapters"),
        "character": pgettext("table", "characters"),
        "generation_task": pgettext("table", "generation tasks"),
        "image": pgettext("table", "images"),
        "kb_document": pgettext("table", "knowledge documents"),
        "published_media": pgettext("table", "published images"),
        "tag": pgettext("table", "tags"),
        "topic": pgettext("table", "topics"),
        "world_entry": pgettext("table", "world entries"),
        "writing_day": pgettext("table", "writing days"),
        "bible_name": pgettext("table", "story bible names"),
        "chapter_tag": pgettext("table", "chapter tags"),
        "character_relation": pgettext("table", "character relationships"),
        "generation_item": pgettext("table", "task items"),
        "kb_chunk": pgettext("table", "knowledge passages"),
        "mention": pgettext("table", "mentions"),
        "scene": pgettext("table", "scenes"),
        "world_entry_character": pgettext("table", "world entry characters"),
        "article": pgettext("table", "articles"),
        "scene_character": pgettext("table", "scene characters"),
        "scene_tag": pgettext("table", "scene tags"),
        "article_image": pgettext("table", "article images"),
        "article_source": pgettext("table", "article sources"),
        "conversation": pgettext("table", "conversations"),
        "ai_request": pgettext("table", "AI requests"),
        "article_revision": pgettext("table", "article revisions"),
        "chapter_revision": pgettext("table", "chapter revisions"),
        "chat_message": pgettext("table", "chat messages"),
        "chat_attachment": pgettext("table", "chat attachments"),
        "publication": pgettext("table", "publications"),
    }
    return labels.get(table, table)


def cmd_stats(args: argparse.Namespace) -> int:
    from rich.cells import cell_len

    from inkbench.storage.stats import stats
    from inkbench.storage.vocab import status_name
    from inkbench.tui.cells import pad

    db = open_db(args)
    with db.raw(write=False) as conn:
        data = stats(conn)
    if args.json:
        print_json(data)
        return 0
    print(_("rows:"))
    labels = {table: table_label(table) for table in data["rows"]}
    width = max((cell_len(label) for label in labels.values()), default=0)
    for table, n in data["rows"].items():
        trashed = data["trashed"].get(table)
        extra = "  " + _("({n} in the Trash)").format(n=format_number(trashed)) if trashed else ""
        print(f"  {pad(labels[table], width)} {format_number(n):>9}{extra}")
    titles = (
        (_("OCR"), "ocr"),
        (pgettext("stats", "generation tasks"), "tasks"),
        (pgettext("stats", "task items"), "items"),
    )
    for title, key in titles:
        if data[key]:
            counts = _(", ").join(
                f"{status_name(k)} {format_number(v)}" for k, v in sorted(data[key].items())
            )
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
        where = aside(h.parent_title)
        kind = _(HIT_KINDS[h.kind]) if h.kind in HIT_KINDS else h.kind
        print(_("{kind} {id}: {title}").format(kind=kind, id=h.id, title=h.title) + where)
        print(f"    {h.snippet.text}")
    return 0
