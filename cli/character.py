"""``inkbench character ...``: a work's characters, their relationships, and
where the text names them."""

from __future__ import annotations

import argparse

from inkbench.cli.core import open_db
from inkbench.cli.output import print_json
from inkbench.i18n import _, aside, ngettext
from inkbench.tui.cells import pad
from inkbench.tui.vocab import attribute_label, relation_name, role_name


def register(sub: argparse._SubParsersAction) -> None:
    """``character list|add|edit|show|relate|trash``."""
    c = sub.add_parser("character", help=_("a work's characters: list, add, edit, show, relate"))
    csub = c.add_subparsers(title=_("character commands"), metavar="COMMAND", required=True)

    p = csub.add_parser("list", help=_("a work's characters, with how often the text names them"))
    p.add_argument("work", metavar="WORK", help=_("title or id"))
    p.add_argument("--json", action="store_true", help=_("print JSON"))
    p.set_defaults(func=cmd_list)

    p = csub.add_parser("add", help=_("a new character"))
    p.add_argument("work", metavar="WORK", help=_("title or id"))
    p.add_argument("name", metavar="NAME", help=_("the character's name"))
    _fields(p)
    p.add_argument("--json", action="store_true", help=_("print JSON"))
    p.set_defaults(func=cmd_add)

    p = csub.add_parser("edit", help=_("change a character"))
    p.add_argument("character", metavar="CHARACTER", help=_("name, alias or id"))
    p.add_argument("--work", metavar="WORK", help=_("the work, when several have the name"))
    p.add_argument("--name", help=_("a new name"))
    p.add_argument(
        "--no-aliases", action="store_true", help=_("remove every alias (before any --alias)")
    )
    _fields(p)
    p.set_defaults(func=cmd_edit)

    p = csub.add_parser("show", help=_("a character: fields, relationships, where it appears"))
    p.add_argument("character", metavar="CHARACTER", help=_("name, alias or id"))
    p.add_argument("--work", metavar="WORK", help=_("the work, when several have the name"))
    p.add_argument("--json", action="store_true", help=_("print JSON"))
    p.set_defaults(func=cmd_show)

    p = csub.add_parser("relate", help=_("record how two characters relate"))
    p.add_argument("a", metavar="A", help=_("name, alias or id"))
    p.add_argument("b", metavar="B", help=_("name, alias or id"))
    p.add_argument(
        "--kind", required=True, help=_("family, friend, rival, lover, mentor … or your own word")
    )
    p.add_argument("--note", default="", help=_("a note on the relationship"))
    p.add_argument("--work", metavar="WORK", help=_("the work, when several have the names"))
    p.set_defaults(func=cmd_relate)

    p = csub.add_parser("trash", help=_("move a character to the Trash (restore brings it back)"))
    p.add_argument("character", metavar="CHARACTER", help=_("name, alias or id"))
    p.add_argument("--work", metavar="WORK", help=_("the work, when several have the name"))
    p.set_defaults(func=cmd_trash)


def _fields(p: argparse.ArgumentParser) -> None:
    from inkbench.storage.vocab import CHARACTER_ATTRIBUTES, CHARACTER_ROLES
    from inkbench.tui.vocab import attribute_label

    p.add_argument(
        "--alias", action="append", default=[], metavar="ALIAS", help=_("another name (repeat)")
    )
    p.add_argument(
        "--role", choices=CHARACTER_ROLES, help=_("protagonist, antagonist, supporting or minor")
    )
    for field in CHARACTER_ATTRIBUTES:
        p.add_argument(
            f"--{field}",
            help=_("the character's {field}").format(field=attribute_label(field).lower()),
        )


def _attributes(args: argparse.Namespace) -> dict[str, str]:
    from inkbench.storage.bible import CHARACTER_ATTRIBUTES

    return {f: getattr(args, f) for f in CHARACTER_ATTRIBUTES if getattr(args, f) is not None}


def _work_id(s, args) -> int | None:
    from inkbench.storage.works import find_work

    return find_work(s, args.work).id if getattr(args, "work", None) else None


def cmd_list(args: argparse.Namespace) -> int:
    """Print a work's characters."""
    from inkbench.storage.bible import aliases_of, appearances, list_characters
    from inkbench.storage.works import find_work

    with open_db(args).read() as s:
        w = find_work(s, args.work)
        rows = [
            (c, aliases_of(s, character_id=c.id), appearances(s, character_id=c.id).total)
            for c in list_characters(s, w.id)
        ]
    if args.json:
        print_json(
            [
                {"id": c.id, "name": c.name, "aliases": a, "role": c.role, "appearances": n}
                for c, a, n in rows
            ]
        )
        return 0
    for c, aliases, n in rows:
        also = aside(_(", ").join(aliases))
        print(f"{c.id:>5}  {pad(role_name(c.role), 12)}{n:>5}×  {c.name}{also}")
    print(
        ngettext("{count} character in {title}", "{count} characters in {title}", len(rows)).format(
            count=len(rows), title=w.title
        )
    )
    return 0


def cmd_add(args: argparse.Namespace) -> int:
    """Add a character."""
    from inkbench.storage.bible import appearances, create_character
    from inkbench.storage.works import find_work

    with open_db(args).write() as s:
        w = find_work(s, args.work)
        c = create_character(
            s,
            w.id,
            args.name,
            aliases=args.alias,
            role=args.role or "supporting",
            **_attributes(args),
        )
        total = appearances(s, character_id=c.id).total
        data = {"id": c.id, "name": c.name, "work_id": w.id, "appearances": total}
    if args.json:
        print_json(data)
    else:
        print(
            ngettext(
                "character {id} added: {name} (named {count} time in the text)",
                "character {id} added: {name} (named {count} times in the text)",
                total,
            ).format(id=data["id"], name=data["name"], count=total)
        )
    return 0


def cmd_edit(args: argparse.Namespace) -> int:
    """Change a character."""
    from inkbench.storage.bible import aliases_of, find_character, update_character

    with open_db(args).write() as s:
        c = find_character(s, _work_id(s, args), args.character)
        aliases = None
        if args.no_aliases or args.alias:
            kept = [] if args.no_aliases else aliases_of(s, character_id=c.id)
            aliases = [*kept, *args.alias]
        c = update_character(
            s, c.id, name=args.name, aliases=aliases, role=args.role, **_attributes(args)
        )
        print(_("character {id} saved: {name}").format(id=c.id, name=c.name))
    return 0


def character_data(s, c) -> dict:
    """A character as ``character show --json`` prints it."""
    from inkbench.storage.bible import CHARACTER_ATTRIBUTES, aliases_of, appearances, relations_of

    a = appearances(s, character_id=c.id)
    first = a.first
    return {
        "id": c.id,
        "work_id": c.work_id,
        "name": c.name,
        "aliases": aliases_of(s, character_id=c.id),
        "role": c.role,
        **{f: getattr(c, f) for f in CHARACTER_ATTRIBUTES},
        "relationships": [r.__dict__ for r in relations_of(s, c.id)],
        "appearances": a.total,
        "first_appearance": None
        if first is None
        else {
            "chapter_id": first.chapter_id,
            "chapter_title": first.chapter_title,
            "position": first.first_position,
        },
        "chapters": [
            {
                "chapter_id": x.chapter_id,
                "chapter_title": x.chapter_title,
                "count": x.count,
                "first_position": x.first_position,
            }
            for x in a.chapters
        ],
    }


def cmd_show(args: argparse.Namespace) -> int:
    """Print a character."""
    from inkbench.storage.bible import CHARACTER_ATTRIBUTES, find_character

    with open_db(args).read() as s:
        data = character_data(s, find_character(s, _work_id(s, args), args.character))
    if args.json:
        print_json(data)
        return 0
    also = aside(_(", ").join(data["aliases"]))
    print(_("character {id}: {name}").format(id=data["id"], name=data["name"]) + also)
    print("  " + _("role: {role}").format(role=role_name(data["role"])))
    for field in CHARACTER_ATTRIBUTES:
        if data[field]:
            print(
                "  " + _("{label}: {value}").format(label=attribute_label(field), value=data[field])
            )
    for r in data["relationships"]:
        note = f" — {r['note']}" if r["note"] else ""
        print(f"  ↔ {r['other_name']}{aside(relation_name(r['kind']))}{note}")
    print(
        "  "
        + ngettext("named {count} time", "named {count} times", data["appearances"]).format(
            count=data["appearances"]
        )
    )
    for x in data["chapters"]:
        print(f"    [{x['chapter_id']}] {x['chapter_title']}: {x['count']}× @{x['first_position']}")
    return 0


def cmd_relate(args: argparse.Namespace) -> int:
    """Relate two characters."""
    from inkbench.storage.bible import find_character, relate

    with open_db(args).write() as s:
        work_id = _work_id(s, args)
        a = find_character(s, work_id, args.a)
        b = find_character(s, work_id if work_id is not None else a.work_id, args.b)
        r = relate(s, a.id, b.id, args.kind, args.note)
        print(_("{a} and {b}: {kind}").format(a=a.name, b=b.name, kind=relation_name(r.kind)))
    return 0


def cmd_trash(args: argparse.Namespace) -> int:
    """Trash a character."""
    from inkbench.storage.bible import find_character
    from inkbench.storage.trash import trash

    with open_db(args).write() as s:
        c = find_character(s, _work_id(s, args), args.character)
        trash(s, "character", c.id)
        print(
            _("character {id} moved to the Trash: {name}; scenes keep it for a restore").format(
                id=c.id, name=c.name
            )
        )
    return 0
