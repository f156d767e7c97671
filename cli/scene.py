"""``inkbench scene ...``: the scenes of a chapter (a synopsis, a location,
time, mood and characters each; placed by a marker line in the text)."""

from __future__ import annotations

import argparse

from inkbench.cli.core import open_db
from inkbench.cli.output import print_json
from inkbench.i18n import _, ngettext


def register(sub: argparse._SubParsersAction) -> None:
    """``scene list|add|edit|move``."""
    c = sub.add_parser("scene", help=_("a chapter's scenes: list, add, edit, move"))
    csub = c.add_subparsers(title=_("scene commands"), metavar="COMMAND", required=True)

    p = csub.add_parser("list", help=_("a chapter's scenes in order"))
    p.add_argument("chapter", metavar="CHAPTER", help=_("id or title"))
    p.add_argument("--json", action="store_true", help=_("print JSON"))
    p.set_defaults(func=cmd_list)

    def fields(p: argparse.ArgumentParser) -> None:
        p.add_argument("--synopsis", help=_("what happens in the scene"))
        p.add_argument("--location", metavar="ENTRY", help=_("a world entry (title or id)"))
        p.add_argument("--time", help=_("when the scene happens"))
        p.add_argument("--mood", help=_("the scene's mood"))
        p.add_argument(
            "--character",
            action="append",
            default=None,
            metavar="CHARACTER",
            help=_("a character in it (repeat)"),
        )

    p = csub.add_parser("add", help=_("a new scene at the end of a chapter's text"))
    p.add_argument("chapter", metavar="CHAPTER", help=_("id or title"))
    fields(p)
    p.add_argument("--json", action="store_true", help=_("print JSON"))
    p.set_defaults(func=cmd_add)

    p = csub.add_parser("edit", help=_("change a scene's details"))
    p.add_argument("scene", type=int, metavar="SCENE", help=_("its id"))
    p.add_argument("--no-location", action="store_true", help=_("clear the location"))
    fields(p)
    p.set_defaults(func=cmd_edit)

    p = csub.add_parser("move", help=_("move a scene, with its text, within its chapter"))
    p.add_argument("scene", type=int, metavar="SCENE", help=_("its id"))
    p.add_argument(
        "--to", type=int, required=True, metavar="N", help=_("its new number (1 = first)")
    )
    p.set_defaults(func=cmd_move)


def _location(s, work_id: int, ref: str | None):
    from inkbench.storage.bible import find_world_entry

    return find_world_entry(s, work_id, ref).id if ref else None


def _characters(s, work_id: int, refs) -> list[int] | None:
    from inkbench.storage.bible import find_character

    return None if refs is None else [find_character(s, work_id, r).id for r in refs]


def cmd_list(args: argparse.Namespace) -> int:
    """Print a chapter's scenes."""
    from inkbench.storage.models import WorldEntry
    from inkbench.storage.scene_markers import UNPLACED
    from inkbench.storage.scenes import list_scenes, scene_characters
    from inkbench.storage.tags import scene_tags
    from inkbench.storage.works import find_chapter

    with open_db(args).read() as s:
        c = find_chapter(s, args.chapter)
        rows = []
        for x in list_scenes(s, c.id):
            loc = s.get(WorldEntry, x.location_id) if x.location_id else None
            rows.append(
                {
                    "id": x.id,
                    "position": x.position,
                    "placed": x.position != UNPLACED,
                    "synopsis": x.synopsis,
                    "location": None if loc is None else {"id": loc.id, "title": loc.title},
                    "time": x.time,
                    "mood": x.mood,
                    "characters": [{"id": p.id, "name": p.name} for p in scene_characters(s, x.id)],
                    "tags": [t.name for t in scene_tags(s, x.id)],
                }
            )
    if args.json:
        print_json(rows)
        return 0
    for n, r in enumerate(rows, 1):
        where = f" @{r['location']['title']}" if r["location"] else ""
        who = _(", ").join(p["name"] for p in r["characters"])
        number = f"{n:>3}." if r["placed"] else "  -."
        print(f"{number} [{r['id']}] {r['synopsis'] or '…'}{where}" + (f" — {who}" if who else ""))
    print(
        ngettext("{count} scene in {title}", "{count} scenes in {title}", len(rows)).format(
            count=len(rows), title=c.title
        )
    )
    return 0


def cmd_add(args: argparse.Namespace) -> int:
    """Add a scene."""
    from inkbench.storage.scenes import add_scene
    from inkbench.storage.works import find_chapter

    with open_db(args).write() as s:
        c = find_chapter(s, args.chapter)
        x = add_scene(
            s,
            c.id,
            synopsis=args.synopsis or "",
            location_id=_location(s, c.work_id, args.location),
            time=args.time or "",
            mood=args.mood or "",
            character_ids=_characters(s, c.work_id, args.character) or (),
        )
        data = {"id": x.id, "chapter_id": c.id, "position": x.position, "synopsis": x.synopsis}
    if args.json:
        print_json(data)
    else:
        print(_("scene {id} added to {title}").format(id=data["id"], title=c.title))
    return 0


def cmd_edit(args: argparse.Namespace) -> int:
    """Change a scene."""
    from inkbench.storage.models import Chapter
    from inkbench.storage.scenes import get_scene, update_scene

    with open_db(args).write() as s:
        x = get_scene(s, args.scene)
        work_id = s.get(Chapter, x.chapter_id).work_id
        kwargs = {}
        if args.no_location:
            kwargs["location_id"] = None
        elif args.location:
            kwargs["location_id"] = _location(s, work_id, args.location)
        update_scene(
            s,
            x.id,
            synopsis=args.synopsis,
            time=args.time,
            mood=args.mood,
            character_ids=_characters(s, work_id, args.character),
            **kwargs,
        )
        print(_("scene {id} saved").format(id=x.id))
    return 0


def cmd_move(args: argparse.Namespace) -> int:
    """Move a scene."""
    from inkbench.storage.errors import InvalidInput
    from inkbench.storage.scenes import move_scene

    if args.to < 1:
        raise InvalidInput(_("--to takes a scene number, 1 or more"))
    with open_db(args).write() as s:
        index = move_scene(s, args.scene, args.to - 1)
        print(_("scene {id} is now number {n}").format(id=args.scene, n=index + 1))
    return 0
