"""``inkbench tag ...``: a work's tags, on its chapters and scenes."""

from __future__ import annotations

import argparse

from inkbench.cli.core import open_db
from inkbench.cli.output import print_json
from inkbench.i18n import _, aside, ngettext


def register(sub: argparse._SubParsersAction) -> None:
    """``tag list|add|apply|remove``."""
    t = sub.add_parser("tag", help=_("a work's tags on chapters and scenes"))
    tsub = t.add_subparsers(title=_("tag commands"), metavar="COMMAND", required=True)

    p = tsub.add_parser("list", help=_("a work's tags and where they are used"))
    p.add_argument("work", metavar="WORK", help=_("title or id"))
    p.add_argument("--json", action="store_true", help=_("print JSON"))
    p.set_defaults(func=cmd_list)

    p = tsub.add_parser("add", help=_("a new tag"))
    p.add_argument("work", metavar="WORK", help=_("title or id"))
    p.add_argument("name", metavar="NAME", help=_("the tag's name"))
    p.add_argument("--color", default="", help=_("a colour name or #rrggbb"))
    p.add_argument("--description", default="", help=_("what the tag marks"))
    p.add_argument("--json", action="store_true", help=_("print JSON"))
    p.set_defaults(func=cmd_add)

    for name, helptext, func in (
        ("apply", _("put a tag on a chapter or a scene"), cmd_apply),
        ("remove", _("take a tag off a chapter or a scene"), cmd_remove),
    ):
        p = tsub.add_parser(name, help=helptext)
        p.add_argument("tag", metavar="TAG", help=_("name or id"))
        target = p.add_mutually_exclusive_group(required=True)
        target.add_argument("--chapter", metavar="CHAPTER", help=_("id or title"))
        target.add_argument("--scene", type=int, metavar="SCENE", help=_("its id"))
        p.add_argument("--work", metavar="WORK", help=_("the work, when several have the tag"))
        p.set_defaults(func=func)

    p = tsub.add_parser("delete", help=_("delete a tag (it leaves every chapter and scene)"))
    p.add_argument("tag", metavar="TAG", help=_("name or id"))
    p.add_argument("--work", metavar="WORK", help=_("the work, when several have the tag"))
    p.set_defaults(func=cmd_delete)


def _tag(s, args):
    from inkbench.storage.tags import find_tag
    from inkbench.storage.works import find_work

    work_id = find_work(s, args.work).id if args.work else None
    return find_tag(s, work_id, args.tag)


def cmd_list(args: argparse.Namespace) -> int:
    """Print a work's tags."""
    from inkbench.storage.tags import list_tags
    from inkbench.storage.works import find_work

    with open_db(args).read() as s:
        w = find_work(s, args.work)
        rows = list_tags(s, w.id)
    if args.json:
        print_json([r.__dict__ for r in rows])
        return 0
    for r in rows:
        color = aside(r.color)
        counts = _("{chapters} ch {scenes} sc").format(
            chapters=f"{r.chapter_count:>4}", scenes=f"{r.scene_count:>4}"
        )
        print(f"{r.id:>5}  {counts}  {r.name}{color}")
    print(
        ngettext("{count} tag in {title}", "{count} tags in {title}", len(rows)).format(
            count=len(rows), title=w.title
        )
    )
    return 0


def cmd_add(args: argparse.Namespace) -> int:
    """Add a tag."""
    from inkbench.storage.tags import create_tag
    from inkbench.storage.works import find_work

    with open_db(args).write() as s:
        w = find_work(s, args.work)
        t = create_tag(s, w.id, args.name, color=args.color, description=args.description)
        data = {"id": t.id, "work_id": w.id, "name": t.name, "color": t.color}
    if args.json:
        print_json(data)
    else:
        print(_("tag {id} added: {name}").format(id=data["id"], name=data["name"]))
    return 0


def _apply(args: argparse.Namespace, on: bool) -> int:
    from inkbench.storage import tags
    from inkbench.storage.works import find_chapter

    with open_db(args).write() as s:
        t = _tag(s, args)
        if args.chapter:
            c = find_chapter(s, args.chapter, t.work_id)
            changed = (tags.tag_chapter if on else tags.untag_chapter)(s, t.id, c.id)
            what = _("chapter {title}").format(title=c.title)
        else:
            changed = (tags.tag_scene if on else tags.untag_scene)(s, t.id, args.scene)
            what = _("scene {id}").format(id=args.scene)
    if on:
        line = _("tagged {what} with {name}") if changed else _("{what} already has the tag {name}")
    else:
        line = _("took {name} off {what}") if changed else _("{what} did not have the tag {name}")
    print(line.format(what=what, name=t.name))
    return 0


def cmd_apply(args: argparse.Namespace) -> int:
    """Put a tag on a chapter or scene."""
    return _apply(args, True)


def cmd_remove(args: argparse.Namespace) -> int:
    """Take a tag off a chapter or scene."""
    return _apply(args, False)


def cmd_delete(args: argparse.Namespace) -> int:
    """Delete a tag."""
    from inkbench.storage.tags import delete_tag

    with open_db(args).write() as s:
        t = _tag(s, args)
        delete_tag(s, t.id)
        print(_("tag {name} deleted").format(name=t.name))
    return 0
