"""Scene rows: add, change, list and move the scenes of a chapter. Where a
scene stands is a marker in the chapter's text (``storage.scene_markers``)."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import Session, select

from inkbench.i18n import _
from inkbench.storage.errors import InvalidInput, NotFound
from inkbench.storage.models import (
    Chapter,
    Character,
    Scene,
    SceneCharacter,
    WorldEntry,
    utcnow,
)
from inkbench.storage.scene_markers import UNPLACED, insert_marker, marker, split

_KEEP = object()


def get_scene(session: Session, scene_id: int) -> Scene:
    """A scene by id."""
    scene = session.get(Scene, scene_id)
    if scene is None:
        raise NotFound(
            _("no scene with id {id}; `inkbench scene list CHAPTER` shows them").format(id=scene_id)
        )
    return scene


def _chapter(session: Session, chapter_id: int) -> Chapter:
    chapter = session.get(Chapter, chapter_id)
    if chapter is None:
        raise NotFound(
            _("no chapter with id {id}; `inkbench chapter list WORK` shows them").format(
                id=chapter_id
            )
        )
    return chapter


def _check_location(session: Session, chapter: Chapter, location_id: int | None) -> None:
    if location_id is None:
        return
    entry = session.get(WorldEntry, location_id)
    if entry is None or entry.work_id != chapter.work_id:
        raise InvalidInput(_("a scene's location must be a world entry of the same work"))


def _set_characters(session: Session, scene: Scene, chapter: Chapter, ids) -> None:
    """The scene's characters become ``ids``; links to characters in the
    Trash stay (restoring the character brings its scenes back with it)."""
    kept = []
    for row in session.exec(select(SceneCharacter).where(SceneCharacter.scene_id == scene.id)):
        character = session.get(Character, row.character_id)
        if character is not None and character.deleted_at is not None:
            kept.append(row.character_id)
            continue
        session.delete(row)
    session.flush()
    for cid in dict.fromkeys(i for i in ids if i not in kept):
        character = session.get(Character, cid)
        if character is None or character.work_id != chapter.work_id:
            raise InvalidInput(_("a scene's characters must belong to the same work"))
        session.add(SceneCharacter(scene_id=scene.id, character_id=cid))
    session.flush()


def add_scene(
    session: Session,
    chapter_id: int,
    *,
    synopsis: str = "",
    location_id: int | None = None,
    time: str = "",
    mood: str = "",
    character_ids=(),
    at: int | None = None,
) -> Scene:
    """A new scene, its marker put in the chapter's text at character ``at``
    (the start of that line; the end of the text when None)."""
    from inkbench.storage.works import update_chapter

    chapter = _chapter(session, chapter_id)
    _check_location(session, chapter, location_id)
    now = utcnow()
    scene = Scene(
        chapter_id=chapter_id,
        synopsis=synopsis,
        location_id=location_id,
        time=time,
        mood=mood,
        created_at=now,
        updated_at=now,
    )
    session.add(scene)
    session.flush()
    _set_characters(session, scene, chapter, character_ids)
    update_chapter(
        session, chapter_id, body=insert_marker(chapter.body, scene.id, at), revision="manual"
    )
    session.refresh(scene)
    return scene


def update_scene(
    session: Session,
    scene_id: int,
    *,
    synopsis: str | None = None,
    location_id=_KEEP,
    time: str | None = None,
    mood: str | None = None,
    character_ids=None,
) -> Scene:
    """Change a scene's details (``location_id=None`` clears the location)."""
    scene = get_scene(session, scene_id)
    chapter = _chapter(session, scene.chapter_id)
    if location_id is not _KEEP:
        _check_location(session, chapter, location_id)
        scene.location_id = location_id
    if synopsis is not None:
        scene.synopsis = synopsis
    if time is not None:
        scene.time = time
    if mood is not None:
        scene.mood = mood
    if character_ids is not None:
        _set_characters(session, scene, chapter, character_ids)
    scene.updated_at = utcnow()
    session.add(scene)
    session.flush()
    return scene


def list_scenes(session: Session, chapter_id: int) -> list[Scene]:
    """A chapter's scenes in text order; unplaced ones last."""
    scenes = session.exec(select(Scene).where(Scene.chapter_id == chapter_id)).all()
    return sorted(scenes, key=lambda s: (s.position == UNPLACED, s.position, s.id))


def scene_characters(session: Session, scene_id: int) -> list[Character]:
    """The scene's characters that are not in the Trash (trashed ones come back on restore)."""
    return list(
        session.exec(
            select(Character)
            .join(SceneCharacter, SceneCharacter.character_id == Character.id)
            .where(SceneCharacter.scene_id == scene_id, Character.deleted_at.is_(None))
            .order_by(Character.name)
        ).all()
    )


def move_scene(session: Session, scene_id: int, index: int) -> int:
    """Move a scene, with its text, to place ``index`` among its chapter's
    placed scenes; returns the index it took. Recorded as a revision."""
    from inkbench.storage.works import update_chapter

    scene = get_scene(session, scene_id)
    chapter = _chapter(session, scene.chapter_id)
    parts = split(chapter.body)
    opening = [p for p in parts if p.scene_id is None]
    scenes = [p for p in parts if p.scene_id is not None]
    mine = next((p for p in scenes if p.scene_id == scene_id), None)
    if mine is None:
        raise InvalidInput(_("scene {id} is not placed in its chapter's text").format(id=scene_id))
    scenes.remove(mine)
    index = max(0, min(index, len(scenes)))
    scenes.insert(index, mine)
    blocks = [p.text for p in opening] + [f"{marker(p.scene_id)}\n{p.text}" for p in scenes]
    update_chapter(
        session,
        chapter.id,
        body="\n\n".join(b.rstrip("\n") for b in blocks) + "\n",
        revision="manual",
    )
    return index


@dataclass(slots=True)
class SceneForm:
    """What the scene form shows: a scene's details (empty for a new one) and
    what it can choose from: the work's live world entries as places and its
    live characters, each as (id, title or name) in title or name order.
    ``location_in_trash``: the scene's location is a world entry in the Trash
    (then the last of ``places``)."""

    synopsis: str = ""
    time: str = ""
    mood: str = ""
    location_id: int | None = None
    character_ids: list[int] = field(default_factory=list)
    places: list[tuple[int, str]] = field(default_factory=list)
    people: list[tuple[int, str]] = field(default_factory=list)
    location_in_trash: bool = False


def scene_form(session: Session, chapter_id: int, scene_id: int | None = None) -> SceneForm:
    """The scene form of a scene of ``chapter_id`` (a new scene when
    ``scene_id`` is None). A location in the Trash stays among the places,
    so saving the form does not drop it."""
    chapter = _chapter(session, chapter_id)
    form = SceneForm()
    if scene_id is not None:
        scene = get_scene(session, scene_id)
        form.synopsis, form.time, form.mood = scene.synopsis, scene.time, scene.mood
        form.location_id = scene.location_id
        form.character_ids = [c.id for c in scene_characters(session, scene_id)]
    form.places = [
        (e.id, e.title)
        for e in session.exec(
            select(WorldEntry)
            .where(WorldEntry.work_id == chapter.work_id, WorldEntry.deleted_at.is_(None))
            .order_by(WorldEntry.title)
        )
    ]
    if form.location_id is not None and form.location_id not in dict(form.places):
        entry = session.get(WorldEntry, form.location_id)
        if entry is not None:
            form.places.append((entry.id, entry.title))
            form.location_in_trash = True
    form.people = [
        (c.id, c.name)
        for c in session.exec(
            select(Character)
            .where(Character.work_id == chapter.work_id, Character.deleted_at.is_(None))
            .order_by(Character.name)
        )
    ]
    return form
