"""``inkbench work ...``: list, show, add, edit, writing statistics and
manuscript export of works (novels)."""

from __future__ import annotations

import argparse

from inkbench.cli.core import open_db
from inkbench.cli.output import print_json
from inkbench.i18n import _, format_date, format_number, format_words, ngettext
from inkbench.tui.cells import pad
from inkbench.tui.vocab import status_name


def register(sub: argparse._SubParsersAction) -> None:
    """``work list|show|add|edit|stats|export``."""
    w = sub.add_parser("work", help=_("novels: list, show, add, edit, statistics, export"))
    wsub = w.add_subparsers(title=_("work commands"), metavar="COMMAND", required=True)

    p = wsub.add_parser("list", help=_("works, most recently changed first"))
    p.add_argument("--json", action="store_true", help=_("print JSON"))
    p.set_defaults(func=cmd_list)

    p = wsub.add_parser("show", help=_("a work: its fields, chapters and bible in numbers"))
    p.add_argument("work", metavar="WORK", help=_("title or id"))
    p.add_argument("--json", action="store_true", help=_("print JSON"))
    p.set_defaults(func=cmd_show)

    p = wsub.add_parser("add", help=_("a new work"))
    p.add_argument("title", metavar="TITLE", help=_("the work's title"))
    _fields(p)
    p.add_argument("--json", action="store_true", help=_("print JSON"))
    p.set_defaults(func=cmd_add)

    p = wsub.add_parser("edit", help=_("change a work's fields"))
    p.add_argument("work", metavar="WORK", help=_("title or id"))
    p.add_argument("--title", help=_("a new title"))
    _fields(p)
    p.set_defaults(func=cmd_edit)

    p = wsub.add_parser("stats", help=_("words written per day, the streak, progress to the goal"))
    p.add_argument("work", metavar="WORK", help=_("title or id"))
    p.add_argument("--days", type=int, default=30, help=_("how many days back (default 30)"))
    p.add_argument("--json", action="store_true", help=_("print JSON"))
    p.set_defaults(func=cmd_stats)

    p = wsub.add_parser("outline", help=_("chapters and their scenes, synopses and characters"))
    p.add_argument("work", metavar="WORK", help=_("title or id"))
    p.add_argument("--json", action="store_true", help=_("print JSON"))
    p.set_defaults(func=cmd_outline)

    p = wsub.add_parser("export", help=_("the manuscript as one Markdown, DOCX or EPUB file"))
    p.add_argument("work", metavar="WORK", help=_("title or id"))
    p.add_argument(
        "--format", choices=("md", "docx", "epub"), required=True, help=_("md, docx or epub")
    )
    p.add_argument("--out", required=True, metavar="FILE", help=_("the file to write"))
    p.add_argument(
        "--chapters", metavar="RANGE", help=_("only these chapters by number, e.g. 1-12 or 3,5")
    )
    p.add_argument("--synopsis", action="store_true", help=_("put each chapter's synopsis first"))
    p.add_argument("--author", help=_("the author's name (default: config, then your user name)"))
    p.set_defaults(func=cmd_export)


def _fields(p: argparse.ArgumentParser) -> None:
    from inkbench.storage.vocab import WORK_STATUSES

    p.add_argument("--genre", help=_("the genre"))
    p.add_argument(
        "--status",
        choices=WORK_STATUSES,
        help=_("planning, drafting, revising, complete or abandoned"),
    )
    p.add_argument("--description", help=_("what the work is about"))
    p.add_argument("--goal", type=int, metavar="WORDS", help=_("word goal (0: none)"))
    p.add_argument("--naming", metavar="PATTERN", help=_("new chapters' titles, e.g. 第{n}章"))


def _work_dict(w) -> dict:
    return w.model_dump(exclude={"deleted_at"})


def cmd_list(args: argparse.Namespace) -> int:
    """Print the works."""
    from inkbench.storage.works import count_works, list_works

    with open_db(args).read() as s:
        rows = list_works(s, limit=1000)
        total = count_works(s)
    if args.json:
        print_json([r.__dict__ for r in rows])
        return 0
    for r in rows:
        goal = f"/{r.word_goal}" if r.word_goal else ""
        sizes = _("{chapters} ch {words} w").format(
            chapters=f"{r.chapter_count:>4}", words=f"{r.word_count:>8}{goal}"
        )
        print(f"{r.id:>5}  {pad(status_name(r.status), 10)}{sizes}  {r.title}")
    print(
        ngettext("{shown} of {total} work", "{shown} of {total} works", total).format(
            shown=len(rows), total=total
        )
    )
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    """Print one work."""
    from inkbench.storage.bible import list_characters, list_world_entries
    from inkbench.storage.tags import list_tags
    from inkbench.storage.works import find_work, list_chapters, progress

    with open_db(args).read() as s:
        w = find_work(s, args.work)
        chapters = list_chapters(s, w.id, limit=100000)
        p = progress(s, w.id)
        n_chars = len(list_characters(s, w.id))
        n_world = len(list_world_entries(s, w.id))
        n_tags = len(list_tags(s, w.id))
        data = _work_dict(w)
    data.update(
        words=p.words,
        chapters=[{"id": c.id, "title": c.title, "words": c.word_count} for c in chapters],
        characters=n_chars,
        world_entries=n_world,
        tags=n_tags,
    )
    if args.json:
        print_json(data)
        return 0
    print(_("work {id}: {title}").format(id=w.id, title=w.title))
    print(
        "  "
        + _("genre: {genre} · status: {status}").format(
            genre=w.genre or "-", status=status_name(w.status)
        )
    )
    goal = f" / {w.word_goal}" if w.word_goal else ""
    print("  " + _("words: {words}").format(words=f"{p.words}{goal}"))
    if w.chapter_naming:
        print("  " + _("chapter naming: {pattern}").format(pattern=w.chapter_naming))
    if w.description:
        print("  " + w.description)
    print(
        "  "
        + _(
            "{chapters} chapter(s), {characters} character(s), {world} world entries, {tags} tag(s)"
        ).format(chapters=len(chapters), characters=n_chars, world=n_world, tags=n_tags)
    )
    return 0


def cmd_add(args: argparse.Namespace) -> int:
    """Create a work."""
    from inkbench.storage.works import create_work

    with open_db(args).write() as s:
        w = create_work(
            s,
            args.title,
            genre=args.genre or "",
            status=args.status or "drafting",
            word_goal=args.goal or 0,
            description=args.description or "",
            chapter_naming=args.naming or "",
        )
        data = _work_dict(w)
    if args.json:
        print_json(data)
    else:
        print(_("work {id} added: {title}").format(id=data["id"], title=data["title"]))
    return 0


def cmd_edit(args: argparse.Namespace) -> int:
    """Change a work."""
    from inkbench.storage.works import find_work, update_work

    with open_db(args).write() as s:
        w = update_work(
            s,
            find_work(s, args.work).id,
            title=args.title,
            genre=args.genre,
            status=args.status,
            word_goal=args.goal,
            description=args.description,
            chapter_naming=args.naming,
        )
        print(_("work {id} saved: {title}").format(id=w.id, title=w.title))
    return 0


def _bar(n: int, top: int, width: int = 30) -> str:
    return "█" * (round(width * n / top) if top else 0)


def cmd_stats(args: argparse.Namespace) -> int:
    """Print a work's writing statistics."""
    from datetime import date

    from rich.cells import cell_len

    from inkbench.storage.errors import InvalidInput
    from inkbench.storage.works import find_work
    from inkbench.storage.writing_stats import writing_stats
    from inkbench.tui.cells import pad

    if args.days < 1:
        raise InvalidInput(_("--days must be at least 1"))
    with open_db(args).read() as s:
        w = find_work(s, args.work)
        st = writing_stats(s, w.id, days=args.days)
        title = w.title
    if args.json:
        print_json({"work_id": w.id, "title": title, **st.to_dict()})
        return 0
    print(title)
    if st.goal:
        print(
            "  "
            + _("{words} of {goal} words ({percent:.0%})").format(
                words=format_number(st.words), goal=format_number(st.goal), percent=st.fraction
            )
        )
    else:
        print("  " + _("{words} words (no goal set)").format(words=format_number(st.words)))
    print("  " + ngettext("streak: {n} day", "streak: {n} days", st.streak).format(n=st.streak))
    top = max((n for _d, n in st.days), default=0)
    shown = [(format_date(date.fromisoformat(day)), n) for day, n in st.days if n]
    width = max((cell_len(day) for day, _n in shown), default=0)
    for day, n in shown:
        print(f"  {pad(day, width)}{format_number(n):>7} {_bar(n, top)}")
    return 0


def cmd_outline(args: argparse.Namespace) -> int:
    """Print a work's outline."""
    from dataclasses import asdict

    from inkbench.storage.outline import outline
    from inkbench.storage.works import find_work

    db = open_db(args)
    with db.read() as s:
        w = find_work(s, args.work)
    with db.raw(write=False) as conn:
        chapters = outline(conn, w.id)
    if args.json:
        print_json([asdict(c) for c in chapters])
        return 0
    for c in chapters:
        who = _(", ").join(p.name for p in c.characters[:5])
        print(
            f"{c.number:>4}. {c.title}  "
            f"[{status_name(c.status)}{_(', ')}{format_words(c.word_count)}]"
            + (f" — {who}" if who else "")
        )
        if c.synopsis:
            print(f"        {c.synopsis}")
        for x in c.scenes:
            where = f" @{x.location}" if x.location else ""
            people = _(", ").join(p.name for p in x.characters)
            mark = "·" if x.placed else "?"
            line = f"      {mark} {x.synopsis or '…'}{where} ({format_words(x.word_count)})"
            print(line + (f" — {people}" if people else ""))
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    """Write the manuscript."""
    from inkbench.integrations.manuscript import export_manuscript, parse_chapter_range

    chapters = parse_chapter_range(args.chapters) if args.chapters else None
    db = open_db(args)
    result = export_manuscript(
        db,
        args.work,
        args.out,
        fmt=args.format,
        chapters=chapters,
        synopsis=args.synopsis,
        author=args.author,
    )
    print(
        ngettext(
            "wrote {path}: {chapters} chapter, {words}",
            "wrote {path}: {chapters} chapters, {words}",
            result.chapter_count,
        ).format(
            path=result.path,
            chapters=result.chapter_count,
            words=format_words(result.word_count),
        )
    )
    return 0
