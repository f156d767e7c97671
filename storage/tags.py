"""Tags of a work (name, colour, description), put on its chapters and scenes.

A tag's name is unique within its work (the database says so too:
``uq_tag_work_name``); a second tag of the same name is refused, naming the
one that exists.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, select

from inkbench.i18n import _
from inkbench.storage.errors import InvalidInput, NotFound
from inkbench.storage.models import Chapter, ChapterTag, Scene, SceneTag, Tag, Work


@dataclass(frozen=True)
class TagSummary:
    """A list row: the tag and how many chapters and scenes carry it."""

    id: int
    name: str
    color: str
    description: str
    chapter_count: int
    scene_count: int


def _clean_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise InvalidInput(_("a tag needs a name"))
    return name


def _refuse_taken(session: Session, work_id: int, name: str, tag_id: int | None = None) -> None:
    existing = session.exec(select(Tag).where(Tag.work_id == work_id, Tag.name == name)).first()
    if existing is not None and existing.id != tag_id:
        raise InvalidInput(
            _("this work already has a tag named {name!r} (id {id}); choose another name").format(
                name=name, id=existing.id
            )
        )


def create_tag(
    session: Session, work_id: int, name: str, *, color: str = "", description: str = ""
) -> Tag:
    """A new tag of a work."""
    if session.get(Work, work_id) is None:
        raise NotFound(
            _("no work with id {id}; `inkbench work list` shows them").format(id=work_id)
        )
    name = _clean_name(name)
    _refuse_taken(session, work_id, name)
    tag = Tag(work_id=work_id, name=name, color=color.strip(), description=description)
    session.add(tag)
    session.flush()
    return tag


def get_tag(session: Session, tag_id: int) -> Tag:
    """A tag by id."""
    tag = session.get(Tag, tag_id)
    if tag is None:
        raise NotFound(
            _("no tag with id {id}; `inkbench tag list WORK` shows them").format(id=tag_id)
        )
    return tag


def find_tag(session: Session, work_id: int | None, name_or_id: str) -> Tag:
    """A tag by id, or by name (within a work when given)."""
    text = str(name_or_id).strip()
    if text.isdigit():
        return get_tag(session, int(text))
    stmt = select(Tag).where(Tag.name == text)
    if work_id is not None:
        stmt = stmt.where(Tag.work_id == work_id)
    found = session.exec(stmt).all()
    if not found:
        raise NotFound(
            _("no tag named {name!r}; `inkbench tag list WORK` shows them").format(name=text)
        )
    if len(found) > 1:
        raise InvalidInput(
            _("{count} works have a tag named {name!r}; give its id").format(
                count=len(found), name=text
            )
        )
    return found[0]


def update_tag(
    session: Session,
    tag_id: int,
    *,
    name: str | None = None,
    color: str | None = None,
    description: str | None = None,
) -> Tag:
    """Rename a tag or change its colour or description."""
    tag = get_tag(session, tag_id)
    if name is not None:
        name = _clean_name(name)
        _refuse_taken(session, tag.work_id, name, tag.id)
        tag.name = name
    if color is not None:
        tag.color = color.strip()
    if description is not None:
        tag.description = description
    session.add(tag)
    session.flush()
    return tag


def delete_tag(session: Session, tag_id: int) -> None:
    """Delete a tag; it leaves every chapter and scene it was on."""
    session.delete(get_tag(session, tag_id))
    session.flush()


def list_tags(session: Session, work_id: int) -> list[TagSummary]:
    """A work's tags by name, with how many chapters and scenes carry each."""
    chapters = (
        select(func.count())
        .select_from(ChapterTag)
        .where(ChapterTag.tag_id == Tag.id)
        .scalar_subquery()
    )
    scenes = (
        select(func.count())
        .select_from(SceneTag)
        .where(SceneTag.tag_id == Tag.id)
        .scalar_subquery()
    )
    rows = session.exec(
        select(Tag.id, Tag.name, Tag.color, Tag.description, chapters, scenes)
        .where(Tag.work_id == work_id)
        .order_by(Tag.name)
    ).all()
    return [TagSummary(*row) for row in rows]


def _chapter_of_work(session: Session, tag: Tag, chapter_id: int) -> Chapter:
    chapter = session.get(Chapter, chapter_id)
    if chapter is None:
        raise NotFound(_("no chapter with id {id}").format(id=chapter_id))
    if chapter.work_id != tag.work_id:
        raise InvalidInput(_("the tag and the chapter belong to different works"))
    return chapter


def _scene_of_work(session: Session, tag: Tag, scene_id: int) -> Scene:
    scene = session.get(Scene, scene_id)
    if scene is None:
        raise NotFound(_("no scene with id {id}").format(id=scene_id))
    if session.get(Chapter, scene.chapter_id).work_id != tag.work_id:
        raise InvalidInput(_("the tag and the scene belong to different works"))
    return scene


def tag_chapter(session: Session, tag_id: int, chapter_id: int) -> bool:
    """Put a tag on a chapter; False if it was already there."""
    tag = get_tag(session, tag_id)
    _chapter_of_work(session, tag, chapter_id)
    if session.get(ChapterTag, (chapter_id, tag_id)) is not None:
        return False
    session.add(ChapterTag(chapter_id=chapter_id, tag_id=tag_id))
    session.flush()
    return True


def untag_chapter(session: Session, tag_id: int, chapter_id: int) -> bool:
    """Take a tag off a chapter; False if it was not there."""
    row = session.get(ChapterTag, (chapter_id, tag_id))
    if row is None:
        return False
    session.delete(row)
    session.flush()
    return True


def tag_scene(session: Session, tag_id: int, scene_id: int) -> bool:
    """Put a tag on a scene; False if it was already there."""
    tag = get_tag(session, tag_id)
    _scene_of_work(session, tag, scene_id)
    if session.get(SceneTag, (scene_id, tag_id)) is not None:
        return False
    session.add(SceneTag(scene_id=scene_id, tag_id=tag_id))
    session.flush()
    return True


def untag_scene(session: Session, tag_id: int, scene_id: int) -> bool:
    """Take a tag off a scene; False if it was not there."""
    row = session.get(SceneTag, (scene_id, tag_id))
    if row is None:
        return False
    session.delete(row)
    session.flush()
    return True


def chapter_tags(session: Session, chapter_id: int) -> list[Tag]:
    """The tags on a chapter, by name."""
    return list(
        session.exec(
            select(Tag)
            .join(ChapterTag, ChapterTag.tag_id == Tag.id)
            .where(ChapterTag.chapter_id == chapter_id)
            .order_by(Tag.name)
        ).all()
    )


def scene_tags(session: Session, scene_id: int) -> list[Tag]:
    """The tags on a scene, by name."""
    return list(
        session.exec(
            select(Tag)
            .join(SceneTag, SceneTag.tag_id == Tag.id)
            .where(SceneTag.scene_id == scene_id)
            .order_by(Tag.name)
        ).all()
    )
