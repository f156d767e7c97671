"""``inkbench chapter ...``: list, add, edit, move and show a work's chapters."""

from __future__ import annotations

import argparse
from pathlib import Path

from inkbench.cli.core import open_db
from inkbench.cli.output import print_json
from inkbench.i18n import _, format_words, ngettext
from inkbench.tui.cells import pad
from inkbench.tui.vocab import status_name


def register(sub: argparse._SubParsersAction) -> None:
    """``chapter list|add|edit|move|show``."""
    from inkbench.storage.vocab import CHAPTER_STATUSES

    c = sub.add_parser("chapter", help=_("a work's chapters: list, add, edit, move, show"))
    csub = c.add_subparsers(title=_("chapter commands"), metavar="COMMAND", required=True)

    p = csub.add_parser("list", help=_("a work's chapters in order"))
    p.add_argument("work", metavar="WORK", help=_("title or id"))
    p.add_argument("--json", action="store_true", help=_("print JSON"))
    p.set_defaults(func=cmd_list)

    p = csub.add_parser("add", help=_("a new chapter at the end of a work"))
    p.add_argument("work", metavar="WORK", help=_("title or id"))
    p.add_argument(
        "title", metavar="TITLE", nargs="?", help=_("default: from the work's naming pattern")
    )
    p.add_argument("--text-file", metavar="FILE", help=_("the chapter's text (UTF-8)"))
    p.add_argument("--json", action="store_true", help=_("print JSON"))
    p.set_defaults(func=cmd_add)

    p = csub.add_parser("edit", help=_("change a chapter's title, status, synopsis or text"))
    p.add_argument("chapter", metavar="CHAPTER", help=_("id or title"))
    p.add_argument("--title", help=_("the chapter's new title"))
    p.add_argument("--status", choices=CHAPTER_STATUSES, help=_("draft, revised or final"))
    p.add_argument("--synopsis", help=_("what happens in the chapter, in a line or two"))
    p.add_argument(
        "--text-file",
        metavar="FILE",
        help=_("replace the text with this file's (kept as a revision, like a save)"),
    )
    p.set_defaults(func=cmd_edit)

    p = csub.add_parser("move", help=_("move a chapter to another place in its work"))
    p.add_argument("chapter", metavar="CHAPTER", help=_("id or title"))
    p.add_argument(
        "--to", type=int, required=True, metavar="N", help=_("its new number (1 = first)")
    )
    p.set_defaults(func=cmd_move)

    p = csub.add_parser("show", help=_("a chapter: its details, scenes, who appears, and its text"))
    p.add_argument("chapter", metavar="CHAPTER", help=_("id or title"))
    p.add_argument("--json", action="store_true", help=_("print JSON"))
    p.set_defaults(func=cmd_show)


def read_text_file(path: str) -> str:
    """A UTF-8 text file's content, or one line saying why not."""
    from inkbench.storage.errors import InvalidInput

    try:
        return Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InvalidInput(_("no file {path}").format(path=path)) from None
    except UnicodeDecodeError:
        raise InvalidInput(_("{path} is not UTF-8 text").format(path=path)) from None
    except OSError as e:
        raise InvalidInput(
            _("cannot read {path}: {reason}").format(path=path, reason=e.strerror)
        ) from None


def cmd_list(args: argparse.Namespace) -> int:
    """Print a work's chapters."""
    from inkbench.storage.works import find_work, list_chapters

    with open_db(args).read() as s:
        w = find_work(s, args.work)
        rows = list_chapters(s, w.id, limit=100000)
    if args.json:
        print_json([r.__dict__ for r in rows])
        return 0
    for n, r in enumerate(rows, 1):
        status = pad(status_name(r.status), 8)
        print(f"{n:>4}. [{r.id}] {status}{format_words(r.word_count):>12}  {r.title}")
    print(
        ngettext("{count} chapter in {title}", "{count} chapters in {title}", len(rows)).format(
            count=len(rows), title=w.title
        )
    )
    return 0


def cmd_add(args: argparse.Namespace) -> int:
    """Add a chapter."""
    from inkbench.storage.works import create_chapter, find_work, next_chapter_title

    body = read_text_file(args.text_file) if args.text_file else ""
    with open_db(args).write() as s:
        w = find_work(s, args.work)
        title = args.title if args.title is not None else next_chapter_title(s, w.id)
        c = create_chapter(s, w.id, title, body)
        data = {"id": c.id, "work_id": w.id, "title": c.title, "word_count": c.word_count}
    if args.json:
        print_json(data)
    else:
        print(_("chapter {id} added: {title}").format(id=data["id"], title=data["title"]))
    return 0


def cmd_edit(args: argparse.Namespace) -> int:
    """Change a chapter."""
    from inkbench.storage.works import find_chapter, update_chapter

    body = read_text_file(args.text_file) if args.text_file else None
    with open_db(args).write() as s:
        c = find_chapter(s, args.chapter)
        c = update_chapter(
            s,
            c.id,
            title=args.title,
            status=args.status,
            synopsis=args.synopsis,
            body=body,
            revision="manual" if body is not None else None,
        )
        print(_("chapter {id} saved: {title}").format(id=c.id, title=c.title))
    return 0


def cmd_move(args: argparse.Namespace) -> int:
    """Move a chapter."""
    from inkbench.storage.errors import InvalidInput
    from inkbench.storage.works import find_chapter, move_chapter

    if args.to < 1:
        raise InvalidInput(_("--to takes a chapter number, 1 or more"))
    with open_db(args).write() as s:
        c = find_chapter(s, args.chapter)
        index = move_chapter(s, c.id, args.to - 1)
        print(_("chapter {id} is now number {n}").format(id=c.id, n=index + 1))
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    """Print a chapter."""
    from inkbench.storage.bible import named_in_chapter
    from inkbench.storage.scene_markers import strip_markers
    from inkbench.storage.scenes import list_scenes
    from inkbench.storage.tags import chapter_tags
    from inkbench.storage.works import find_chapter

    with open_db(args).read() as s:
        c = find_chapter(s, args.chapter)
        named = named_in_chapter(s, c.id)
        scenes = list_scenes(s, c.id)
        tags = [t.name for t in chapter_tags(s, c.id)]
        data = c.model_dump(exclude={"deleted_at"})
    data["tags"] = tags
    data["scenes"] = [{"id": x.id, "position": x.position, "synopsis": x.synopsis} for x in scenes]
    data["named"] = [n.__dict__ for n in named]
    if args.json:
        print_json(data)
        return 0
    print(_("chapter {id}: {title}").format(id=c.id, title=c.title))
    print(
        "  "
        + _("status: {status} · {words}").format(
            status=status_name(c.status), words=format_words(c.word_count)
        )
    )
    if c.synopsis:
        print("  " + c.synopsis)
    if tags:
        print("  " + _("tags: {tags}").format(tags=_(", ").join(tags)))
    if named:
        names = _(", ").join(f"{n.name}×{n.count}" for n in named)
        print("  " + _("names: {names}").format(names=names))
    print()
    print(strip_markers(c.body))
    return 0
