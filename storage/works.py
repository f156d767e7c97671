"""Works (novels) and their chapters: create, update, read, list a page at a
time, reorder chapters, and word-goal progress.

Chapter positions are dense (0, 1, 2 …) over all of a work's chapters,
trashed ones included, so a restored chapter comes back in its place. Lists
show live chapters in position order; moves are expressed in that visible
order. Trash, restore and purge go through ``storage.trash``; revisions
through ``storage.revisions``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, update
from sqlmodel import Session, select

from inkbench.i18n import N_, _
from inkbench.storage.articles import like_pattern
from inkbench.storage.chapter_text import chapter_word_count, text_changed
from inkbench.storage.errors import InvalidInput, NotFound
from inkbench.storage.models import CHAPTER_STATUSES, WORK_STATUSES, Chapter, Work, utcnow
from inkbench.storage.revisions import snapshot


@dataclass(frozen=True)
class WorkSummary:
    """A list row: the work, how many live chapters and words it has."""

    id: int
    title: str
    genre: str
    status: str
    word_goal: int
    chapter_count: int
    word_count: int
    updated_at: datetime


@dataclass(frozen=True)
class ChapterSummary:
    """A list row: everything but the body."""

    id: int
    work_id: int
    title: str
    position: int
    word_count: int
    status: str
    updated_at: datetime


@dataclass(frozen=True)
class Progress:
    words: int
    goal: int

    @property
    def fraction(self) -> float | None:
        """Share of the goal written (may exceed 1), or None without a goal."""
        return self.words / self.goal if self.goal > 0 else None

    @property
    def remaining(self) -> int:
        return max(0, self.goal - self.words)


def _check_work(status: str | None, word_goal: int | None) -> None:
    if status is not None and status not in WORK_STATUSES:
        raise InvalidInput(
            _("unknown status {status!r}; use one of: {choices}").format(
                status=status, choices=", ".join(WORK_STATUSES)
            )
        )
    if word_goal is not None and word_goal < 0:
        raise InvalidInput(_("a word goal cannot be negative; use 0 for no goal"))


def _check_chapter(status: str | None) -> None:
    if status is not None and status not in CHAPTER_STATUSES:
        raise InvalidInput(
            _("unknown chapter status {status!r}; use one of: {choices}").format(
                status=status, choices=", ".join(CHAPTER_STATUSES)
            )
        )


def _title(title: str, what: str) -> str:
    title = title.strip()
    if not title:
        raise InvalidInput(_("a {what} needs a title").format(what=_(what)))
    return title


# --- works ------------------------------------------------------------------------


def create_work(
    session: Session,
    title: str,
    *,
    genre: str = "",
    status: str = "drafting",
    word_goal: int = 0,
    description: str = "",
    chapter_naming: str = "",
) -> Work:
    """A new work."""
    _check_work(status, word_goal)
    chapter_naming = check_naming(chapter_naming)
    now = utcnow()
    work = Work(
        title=_title(title, N_("work")),
        genre=genre.strip(),
        status=status,
        word_goal=word_goal,
        description=description,
        chapter_naming=chapter_naming,
        created_at=now,
        updated_at=now,
    )
    session.add(work)
    session.flush()
    return work


def get_work(session: Session, work_id: int) -> Work:
    work = session.get(Work, work_id)
    if work is None:
        raise NotFound(
            _("no work with id {work_id}; the Works list shows them").format(work_id=work_id)
        )
    return work


def update_work(
    session: Session,
    work_id: int,
    *,
    title: str | None = None,
    genre: str | None = None,
    status: str | None = None,
    word_goal: int | None = None,
    description: str | None = None,
    chapter_naming: str | None = None,
) -> Work:
    """Change any of a work's fields (None leaves one as it is)."""
    _check_work(status, word_goal)
    if chapter_naming is not None:
        chapter_naming = check_naming(chapter_naming)
    work = get_work(session, work_id)
    if title is not None:
        work.title = _title(title, N_("work"))
    if genre is not None:
        work.genre = genre.strip()
    if status is not None:
        work.status = status
    if word_goal is not None:
        work.word_goal = word_goal
    if description is not None:
        work.description = description
    if chapter_naming is not None:
        work.chapter_naming = chapter_naming
    work.updated_at = utcnow()
    session.add(work)
    session.flush()
    return work


def _works_filtered(stmt, *, text: str | None, trashed: bool):
    stmt = stmt.where(Work.deleted_at.is_not(None) if trashed else Work.deleted_at.is_(None))
    if text:
        stmt = stmt.where(Work.title.like(like_pattern(text), escape="\\"))
    return stmt


def list_works(
    session: Session,
    *,
    offset: int = 0,
    limit: int = 100,
    text: str | None = None,
    trashed: bool = False,
) -> list[WorkSummary]:
    """One page of works, most recently updated first, with chapter totals
    (counted for the page's works only)."""
    stmt = select(Work.id, Work.title, Work.genre, Work.status, Work.word_goal, Work.updated_at)
    stmt = _works_filtered(stmt, text=text, trashed=trashed)
    stmt = stmt.order_by(Work.updated_at.desc(), Work.id.desc()).offset(offset).limit(limit)
    page = session.exec(stmt).all()
    totals: dict[int, tuple[int, int]] = {}
    if page:
        rows = session.exec(
            select(Chapter.work_id, func.count(), func.sum(Chapter.word_count))
            .where(Chapter.work_id.in_([r[0] for r in page]), Chapter.deleted_at.is_(None))
            .group_by(Chapter.work_id)
        ).all()
        totals = {work_id: (n, words or 0) for work_id, n, words in rows}
    return [
        WorkSummary(wid, title, genre, status, goal, *totals.get(wid, (0, 0)), updated)
        for wid, title, genre, status, goal, updated in page
    ]


def count_works(session: Session, *, text: str | None = None, trashed: bool = False) -> int:
    stmt = _works_filtered(select(func.count()).select_from(Work), text=text, trashed=trashed)
    return session.exec(stmt).one()


def progress(session: Session, work_id: int) -> Progress:
    """Words in the work's live chapters against its goal."""
    work = get_work(session, work_id)
    words = session.exec(
        select(func.coalesce(func.sum(Chapter.word_count), 0)).where(
            Chapter.work_id == work_id, Chapter.deleted_at.is_(None)
        )
    ).one()
    return Progress(words=int(words), goal=work.word_goal)


def check_naming(pattern: str) -> str:
    """A chapter naming pattern, checked: it must hold ``{n}`` and nothing else in braces."""
    pattern = pattern.strip()
    if not pattern:
        return ""
    try:
        pattern.format(n=1)
    except (KeyError, IndexError, ValueError):
        raise InvalidInput(
            _("a naming pattern may only use {{n}} for the number, e.g. 第{{n}}章 or Chapter {{n}}")
        ) from None
    if "{n}" not in pattern:
        raise InvalidInput(
            _("a naming pattern needs {{n}} for the number, e.g. 第{{n}}章 or Chapter {{n}}")
        )
    return pattern


def next_chapter_title(session: Session, work_id: int) -> str:
    """The title a new chapter gets from the work's naming pattern (its
    number is one more than the live chapters'); ``第{n}章`` for a work
    without a pattern whose title is Chinese, ``Chapter {n}`` otherwise."""
    from inkbench.storage.text import CJK_RUN

    work = get_work(session, work_id)
    pattern = work.chapter_naming or ("第{n}章" if CJK_RUN.search(work.title) else "Chapter {n}")
    return pattern.format(n=count_chapters(session, work_id) + 1)


def find_work(session: Session, name_or_id: str) -> Work:
    """A live work by id or by exact title."""
    text = str(name_or_id).strip()
    if text.isdigit():
        work = session.get(Work, int(text))
        if work is not None and work.deleted_at is None:
            return work
    found = session.exec(select(Work).where(Work.title == text, Work.deleted_at.is_(None))).all()
    if not found:
        raise NotFound(_("no work {name!r}; `inkbench work list` shows them").format(name=text))
    if len(found) > 1:
        raise InvalidInput(
            _("{count} works are titled {name!r}; give the id").format(count=len(found), name=text)
        )
    return found[0]


def find_chapter(session: Session, ref: str, work_id: int | None = None) -> Chapter:
    """A live chapter by id or by exact title (within a work when given)."""
    text = str(ref).strip()
    if text.isdigit():
        chapter = session.get(Chapter, int(text))
        live = chapter is not None and chapter.deleted_at is None
        if live and (work_id is None or chapter.work_id == work_id):
            return chapter
    stmt = select(Chapter).where(Chapter.title == text, Chapter.deleted_at.is_(None))
    if work_id is not None:
        stmt = stmt.where(Chapter.work_id == work_id)
    found = session.exec(stmt).all()
    if not found:
        raise NotFound(
            _("no chapter {name!r}; `inkbench chapter list WORK` shows them").format(name=text)
        )
    if len(found) > 1:
        raise InvalidInput(
            _("{count} chapters are titled {name!r}; give the id").format(
                count=len(found), name=text
            )
        )
    return found[0]


# --- chapters -----------------------------------------------------------------------


def _all_chapter_ids(session: Session, work_id: int) -> list[tuple[int, bool]]:
    """(id, live) of every chapter of the work, in position order."""
    rows = session.exec(
        select(Chapter.id, Chapter.deleted_at)
        .where(Chapter.work_id == work_id)
        .order_by(Chapter.position, Chapter.id)
    ).all()
    return [(row_id, deleted is None) for row_id, deleted in rows]


def _renumber(session: Session, ordered_ids: list[int]) -> None:
    """Give the chapters positions 0..n-1 in this order, touching only rows
    whose position changes."""
    current = dict(
        session.exec(select(Chapter.id, Chapter.position).where(Chapter.id.in_(ordered_ids))).all()
    )
    session.flush()
    for position, chapter_id in enumerate(ordered_ids):
        if current.get(chapter_id) != position:
            # an UPDATE, not a load: chapters can be long and only the position moves
            session.exec(update(Chapter).where(Chapter.id == chapter_id).values(position=position))


def _place(order: list[tuple[int, bool]], chapter_id: int, index: int) -> list[int]:
    """The full order with ``chapter_id`` moved to ``index`` among the live
    chapters (clamped); trashed chapters keep their relative places."""
    rest = [(cid, live) for cid, live in order if cid != chapter_id]
    live_ids = [cid for cid, live in rest if live]
    index = max(0, min(index, len(live_ids)))
    if index == len(live_ids):
        # after the last live chapter (trashed ones behind it stay behind)
        cut = next(
            (i + 1 for i in range(len(rest) - 1, -1, -1) if rest[i][1]),
            0,
        )
    else:
        cut = next(i for i, (cid, _live) in enumerate(rest) if cid == live_ids[index])
    ids = [cid for cid, _live in rest]
    return [*ids[:cut], chapter_id, *ids[cut:]]


def _touch_work(session: Session, work: Work) -> None:
    work.updated_at = utcnow()
    session.add(work)


def create_chapter(
    session: Session,
    work_id: int,
    title: str,
    body: str = "",
    *,
    index: int | None = None,
    status: str = "draft",
) -> Chapter:
    """A new chapter at the end of the work, or at ``index`` among its live
    chapters (0 = first)."""
    _check_chapter(status)
    work = get_work(session, work_id)
    if work.deleted_at is not None:
        raise InvalidInput(
            _('work "{title}" is in the Trash; restore it first').format(title=work.title)
        )
    order = _all_chapter_ids(session, work_id)
    now = utcnow()
    chapter = Chapter(
        work_id=work_id,
        title=_title(title, N_("chapter")),
        body=body,
        position=len(order),
        word_count=chapter_word_count(body),
        status=status,
        created_at=now,
        updated_at=now,
    )
    session.add(chapter)
    session.flush()
    order.append((chapter.id, True))
    # renumbering also closes any gap a purged chapter left
    _renumber(session, _place(order, chapter.id, len(order) if index is None else index))
    _touch_work(session, work)
    session.flush()
    if body:
        text_changed(session, chapter, 0)
    return chapter


def get_chapter(session: Session, chapter_id: int) -> Chapter:
    chapter = session.get(Chapter, chapter_id)
    if chapter is None:
        raise NotFound(_("no chapter with id {chapter_id}").format(chapter_id=chapter_id))
    return chapter


def update_chapter(
    session: Session,
    chapter_id: int,
    *,
    title: str | None = None,
    body: str | None = None,
    status: str | None = None,
    synopsis: str | None = None,
    revision: str | None = None,
) -> Chapter:
    """Change a chapter; with ``revision`` (manual, autosave, ai) the new
    text is also recorded as a revision in the same transaction."""
    _check_chapter(status)
    chapter = get_chapter(session, chapter_id)
    if title is not None:
        chapter.title = _title(title, N_("chapter"))
    words_before = chapter.word_count
    if body is not None:
        chapter.body = body
        chapter.word_count = chapter_word_count(body)
    if status is not None:
        chapter.status = status
    if synopsis is not None:
        chapter.synopsis = synopsis
    chapter.updated_at = utcnow()
    session.add(chapter)
    _touch_work(session, get_work(session, chapter.work_id))
    session.flush()
    if body is not None:
        text_changed(session, chapter, words_before)
    if revision is not None:
        snapshot(session, "chapter", chapter_id, revision)
    return chapter


def list_chapters(
    session: Session,
    work_id: int,
    *,
    offset: int = 0,
    limit: int = 200,
    trashed: bool = False,
) -> list[ChapterSummary]:
    """One page of a work's chapters in order, without their bodies."""
    stmt = (
        select(
            Chapter.id,
            Chapter.work_id,
            Chapter.title,
            Chapter.position,
            Chapter.word_count,
            Chapter.status,
            Chapter.updated_at,
        )
        .where(Chapter.work_id == work_id)
        .where(Chapter.deleted_at.is_not(None) if trashed else Chapter.deleted_at.is_(None))
        .order_by(Chapter.position, Chapter.id)
        .offset(offset)
        .limit(limit)
    )
    return [ChapterSummary(*row) for row in session.exec(stmt).all()]


def count_chapters(session: Session, work_id: int, *, trashed: bool = False) -> int:
    stmt = (
        select(func.count())
        .select_from(Chapter)
        .where(Chapter.work_id == work_id)
        .where(Chapter.deleted_at.is_not(None) if trashed else Chapter.deleted_at.is_(None))
    )
    return session.exec(stmt).one()


def move_chapter(session: Session, chapter_id: int, index: int) -> int:
    """Move a live chapter to ``index`` among the work's live chapters
    (clamped to the ends); returns the index it ends at."""
    chapter = get_chapter(session, chapter_id)
    if chapter.deleted_at is not None:
        raise InvalidInput(
            _('chapter "{title}" is in the Trash; restore it first').format(title=chapter.title)
        )
    order = _all_chapter_ids(session, chapter.work_id)
    new_order = _place(order, chapter_id, index)
    _renumber(session, new_order)
    _touch_work(session, get_work(session, chapter.work_id))
    session.flush()
    live = {cid for cid, is_live in order if is_live}
    return [cid for cid in new_order if cid in live].index(chapter_id)


def _live_index(session: Session, chapter: Chapter) -> int:
    order = _all_chapter_ids(session, chapter.work_id)
    return [cid for cid, live in order if live].index(chapter.id)


def move_chapter_up(session: Session, chapter_id: int) -> int:
    chapter = get_chapter(session, chapter_id)
    if chapter.deleted_at is not None:
        raise InvalidInput(
            _('chapter "{title}" is in the Trash; restore it first').format(title=chapter.title)
        )
    return move_chapter(session, chapter_id, max(0, _live_index(session, chapter) - 1))


def move_chapter_down(session: Session, chapter_id: int) -> int:
    chapter = get_chapter(session, chapter_id)
    if chapter.deleted_at is not None:
        raise InvalidInput(
            _('chapter "{title}" is in the Trash; restore it first').format(title=chapter.title)
        )
    return move_chapter(session, chapter_id, _live_index(session, chapter) + 1)


def compact_positions(session: Session, work_id: int) -> None:
    """Close gaps left by purged chapters (positions 0..n-1 again)."""
    _renumber(session, [cid for cid, _live in _all_chapter_ids(session, work_id)])
