"""``inkbench world ...``: a work's world entries (places, organisations,
items …) as a tree, and where the text names them."""

from __future__ import annotations

import argparse

from inkbench.cli.core import open_db
from inkbench.cli.output import print_json
from inkbench.i18n import _, aside, ngettext
from inkbench.tui.cells import pad
from inkbench.tui.vocab import category_name


def register(sub: argparse._SubParsersAction) -> None:
    """``world list|add|edit|show|trash``."""
    from inkbench.storage.vocab import WORLD_CATEGORIES

    w = sub.add_parser("world", help=_("a work's world entries: places, organisations, items …"))
    wsub = w.add_subparsers(title=_("world commands"), metavar="COMMAND", required=True)

    p = wsub.add_parser("list", help=_("a work's world entries as a tree"))
    p.add_argument("work", metavar="WORK", help=_("title or id"))
    p.add_argument("--json", action="store_true", help=_("print JSON"))
    p.set_defaults(func=cmd_list)

    def fields(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--category",
            choices=WORLD_CATEGORIES,
            help=_("geography, history, culture, organisation, magic, technology, item or other"),
        )
        p.add_argument("--parent", metavar="ENTRY", help=_("the entry it lies in (title or id)"))
        p.add_argument(
            "--alias", action="append", default=[], metavar="ALIAS", help=_("another name (repeat)")
        )
        p.add_argument("--content", help=_("what the entry says"))
        p.add_argument(
            "--character",
            action="append",
            default=None,
            metavar="CHARACTER",
            help=_("a linked character (repeat)"),
        )

    p = wsub.add_parser("add", help=_("a new world entry"))
    p.add_argument("work", metavar="WORK", help=_("title or id"))
    p.add_argument("title", metavar="TITLE", help=_("the entry's title"))
    fields(p)
    p.add_argument("--json", action="store_true", help=_("print JSON"))
    p.set_defaults(func=cmd_add)

    p = wsub.add_parser("edit", help=_("change a world entry"))
    p.add_argument("entry", metavar="ENTRY", help=_("title, alias or id"))
    p.add_argument("--work", metavar="WORK", help=_("the work, when several have the name"))
    p.add_argument("--title", help=_("a new title"))
    p.add_argument("--no-parent", action="store_true", help=_("make it a top-level entry"))
    p.add_argument(
        "--no-aliases", action="store_true", help=_("remove every alias (before any --alias)")
    )
    fields(p)
    p.set_defaults(func=cmd_edit)

    p = wsub.add_parser("show", help=_("a world entry: content, parts, where it appears"))
    p.add_argument("entry", metavar="ENTRY", help=_("title, alias or id"))
    p.add_argument("--work", metavar="WORK", help=_("the work, when several have the name"))
    p.add_argument("--json", action="store_true", help=_("print JSON"))
    p.set_defaults(func=cmd_show)

    p = wsub.add_parser("trash", help=_("move a world entry to the Trash"))
    p.add_argument("entry", metavar="ENTRY", help=_("title, alias or id"))
    p.add_argument("--work", metavar="WORK", help=_("the work, when several have the name"))
    p.set_defaults(func=cmd_trash)


def _work_id(s, args) -> int | None:
    from inkbench.storage.works import find_work

    return find_work(s, args.work).id if getattr(args, "work", None) else None


def _character_ids(s, work_id: int, refs) -> list[int] | None:
    from inkbench.storage.bible import find_character

    if refs is None:
        return None
    return [find_character(s, work_id, r).id for r in refs]


def cmd_list(args: argparse.Namespace) -> int:
    """Print a work's world entries."""
    from inkbench.storage.bible import aliases_of, appearances, list_world_entries
    from inkbench.storage.works import find_work

    with open_db(args).read() as s:
        w = find_work(s, args.work)
        entries = list_world_entries(s, w.id)
        rows = [
            {
                "id": e.id,
                "title": e.title,
                "category": e.category,
                "parent_id": e.parent_id,
                "aliases": aliases_of(s, world_entry_id=e.id),
                "appearances": appearances(s, world_entry_id=e.id).total,
            }
            for e in entries
        ]
    if args.json:
        print_json(rows)
        return 0
    live = {r["id"] for r in rows}
    children: dict[int | None, list[dict]] = {}
    for r in rows:
        parent = r["parent_id"] if r["parent_id"] in live else None
        children.setdefault(parent, []).append(r)

    def show(parent: int | None, depth: int) -> None:
        for r in children.get(parent, []):
            also = aside(_(", ").join(r["aliases"]))
            indent = "  " * depth
            count = f"{r['appearances']:>5}×"
            category = pad(category_name(r["category"]), 12)
            print(f"{r['id']:>5}  {category}{count}  {indent}{r['title']}{also}")
            show(r["id"], depth + 1)

    show(None, 0)
    print(_("{count} world entries in {title}").format(count=len(rows), title=w.title))
    return 0


def cmd_add(args: argparse.Namespace) -> int:
    """Add a world entry."""
    from inkbench.storage.bible import create_world_entry, find_world_entry
    from inkbench.storage.works import find_work

    with open_db(args).write() as s:
        w = find_work(s, args.work)
        parent = find_world_entry(s, w.id, args.parent).id if args.parent else None
        e = create_world_entry(
            s,
            w.id,
            args.title,
            category=args.category or "other",
            parent_id=parent,
            aliases=args.alias,
            content=args.content or "",
            character_ids=_character_ids(s, w.id, args.character) or (),
        )
        data = {"id": e.id, "title": e.title, "work_id": w.id, "parent_id": e.parent_id}
    if args.json:
        print_json(data)
    else:
        print(_("world entry {id} added: {title}").format(id=data["id"], title=data["title"]))
    return 0


def cmd_edit(args: argparse.Namespace) -> int:
    """Change a world entry."""
    from inkbench.storage.bible import aliases_of, find_world_entry, update_world_entry

    with open_db(args).write() as s:
        e = find_world_entry(s, _work_id(s, args), args.entry)
        parent = ...
        if args.no_parent:
            parent = None
        elif args.parent:
            parent = find_world_entry(s, e.work_id, args.parent).id
        aliases = None
        if args.no_aliases or args.alias:
            kept = [] if args.no_aliases else aliases_of(s, world_entry_id=e.id)
            aliases = [*kept, *args.alias]
        e = update_world_entry(
            s,
            e.id,
            title=args.title,
            category=args.category,
            parent_id=parent,
            aliases=aliases,
            content=args.content,
            character_ids=_character_ids(s, e.work_id, args.character),
        )
        print(_("world entry {id} saved: {title}").format(id=e.id, title=e.title))
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    """Print a world entry."""
    from sqlmodel import select

    from inkbench.storage.bible import (
        aliases_of,
        appearances,
        find_world_entry,
        linked_characters,
    )
    from inkbench.storage.models import WorldEntry

    with open_db(args).read() as s:
        e = find_world_entry(s, _work_id(s, args), args.entry)
        a = appearances(s, world_entry_id=e.id)
        parent = s.get(WorldEntry, e.parent_id) if e.parent_id else None
        parts = s.exec(
            select(WorldEntry).where(WorldEntry.parent_id == e.id, WorldEntry.deleted_at.is_(None))
        ).all()
        data = {
            "id": e.id,
            "work_id": e.work_id,
            "title": e.title,
            "aliases": aliases_of(s, world_entry_id=e.id),
            "category": e.category,
            "content": e.content,
            "parent": None if parent is None else {"id": parent.id, "title": parent.title},
            "children": [{"id": p.id, "title": p.title} for p in parts],
            "characters": [{"id": c.id, "name": c.name} for c in linked_characters(s, e.id)],
            "appearances": a.total,
            "first_appearance": None
            if a.first is None
            else {
                "chapter_id": a.first.chapter_id,
                "chapter_title": a.first.chapter_title,
                "position": a.first.first_position,
            },
            "chapters": [
                {"chapter_id": x.chapter_id, "chapter_title": x.chapter_title, "count": x.count}
                for x in a.chapters
            ],
        }
    if args.json:
        print_json(data)
        return 0
    also = aside(_(", ").join(data["aliases"]))
    print(_("world entry {id}: {title}").format(id=e.id, title=data["title"]) + also)
    print("  " + _("category: {category}").format(category=category_name(data["category"])))
    if parent is not None:
        print("  " + _("in: {title}").format(title=parent.title))
    if data["children"]:
        print(
            "  "
            + _("holds: {titles}").format(titles=_(", ").join(c["title"] for c in data["children"]))
        )
    if data["characters"]:
        print(
            "  "
            + _("characters: {names}").format(
                names=_(", ").join(c["name"] for c in data["characters"])
            )
        )
    if data["content"]:
        print("  " + data["content"])
    print(
        "  "
        + ngettext("named {count} time", "named {count} times", data["appearances"]).format(
            count=data["appearances"]
        )
    )
    for x in data["chapters"]:
        print(f"    [{x['chapter_id']}] {x['chapter_title']}: {x['count']}×")
    return 0


def cmd_trash(args: argparse.Namespace) -> int:
    """Trash a world entry."""
    from inkbench.storage.bible import find_world_entry
    from inkbench.storage.trash import trash

    with open_db(args).write() as s:
        e = find_world_entry(s, _work_id(s, args), args.entry)
        trash(s, "world_entry", e.id)
        print(_("world entry {id} moved to the Trash: {title}").format(id=e.id, title=e.title))
    return 0
