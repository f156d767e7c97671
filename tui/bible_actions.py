"""Database operations of the novel's screens (story bible, outline, work
and chapter forms, export), run in thread workers: each takes the app's
``Store`` first, calls named ``storage`` functions in one transaction and
returns plain values. Never touches widgets."""

from __future__ import annotations

from inkbench.storage.store import Store


def _split_names(text: str) -> list[str]:
    """Aliases as typed: separated by commas (ASCII or Chinese) or new lines."""
    for sep in ("，", "、", "\n"):
        text = text.replace(sep, ",")
    return [a.strip() for a in text.split(",") if a.strip()]


def read_entry(store: Store, kind: str, entry_id: int):
    """The entry's ``EntryView`` (``storage.bible_views``)."""
    from inkbench.storage.bible_views import entry_view

    with store.database().read() as session:
        return entry_view(session, kind, entry_id)


def read_characters(store: Store, work_id: int) -> list[tuple[int, str]]:
    """(id, name) of the work's characters."""
    from inkbench.storage.bible_views import work_characters

    with store.database().read() as session:
        return work_characters(session, work_id)


def save_character(store: Store, work_id: int, character_id: int | None, values: dict) -> int:
    """Create or change a character from the form's values; its id."""
    from inkbench.storage.bible import (
        CHARACTER_ATTRIBUTES,
        create_character,
        update_character,
    )

    attributes = {k: values.get(k, "") for k in CHARACTER_ATTRIBUTES}
    aliases = _split_names(values.get("aliases", ""))
    role = values.get("role") or "supporting"
    with store.database().write() as session:
        if character_id is None:
            c = create_character(
                session, work_id, values.get("name", ""), aliases=aliases, role=role, **attributes
            )
        else:
            c = update_character(
                session,
                character_id,
                name=values.get("name", ""),
                aliases=aliases,
                role=role,
                **attributes,
            )
        return c.id


def read_world_titles(store: Store, work_id: int) -> list[tuple[int, str]]:
    """(id, title) of the work's live world entries (for the parent choice)."""
    from inkbench.storage.bible import list_world_entries

    with store.database().read() as session:
        return [(e.id, e.title) for e in list_world_entries(session, work_id)]


def save_world_entry(store: Store, work_id: int, entry_id: int | None, values: dict) -> int:
    """Create or change a world entry from the form's values (linked
    characters by name or alias); its id."""
    from inkbench.storage.bible import create_world_entry, find_character, update_world_entry

    parent = values.get("parent") or ""
    parent_id = int(parent) if parent.isdigit() and int(parent) > 0 else None
    fields = {
        "category": values.get("category") or "other",
        "aliases": _split_names(values.get("aliases", "")),
        "content": values.get("content", ""),
        "parent_id": parent_id,
    }
    with store.database().write() as session:
        linked = [
            find_character(session, work_id, name).id
            for name in _split_names(values.get("characters", ""))
        ]
        if entry_id is None:
            e = create_world_entry(
                session, work_id, values.get("title", ""), character_ids=linked, **fields
            )
        else:
            e = update_world_entry(
                session, entry_id, title=values.get("title", ""), character_ids=linked, **fields
            )
        return e.id


def move_world_entry(store: Store, entry_id: int, parent_id: int | None) -> None:
    """Put a world entry under another (None: at the top of the tree)."""
    from inkbench.storage.bible import update_world_entry

    with store.database().write() as session:
        update_world_entry(session, entry_id, parent_id=parent_id)


def relate(store: Store, a_id: int, other: str, kind: str, note: str) -> None:
    """Record a relationship of character ``a_id`` with ``other`` (name, alias or id)."""
    from inkbench.storage.bible import find_character, get_character
    from inkbench.storage.bible import relate as store_relate

    with store.database().write() as session:
        a = get_character(session, a_id)
        b = find_character(session, a.work_id, other.strip())
        store_relate(session, a.id, b.id, kind, note)


def unrelate(store: Store, relation_id: int) -> None:
    """Remove one relationship."""
    from inkbench.storage.bible import unrelate as store_unrelate

    with store.database().write() as session:
        store_unrelate(session, relation_id)


def save_tag(store: Store, work_id: int, tag_id: int | None, values: dict) -> int:
    """Create or change a tag; its id."""
    from inkbench.storage.tags import create_tag, update_tag

    name, color = values.get("name", ""), values.get("color", "")
    description = values.get("description", "")
    with store.database().write() as session:
        if tag_id is None:
            return create_tag(session, work_id, name, color=color, description=description).id
        return update_tag(session, tag_id, name=name, color=color, description=description).id


def toggle_tag(store: Store, work_id: int, tag_name: str, kind: str, row_id: int) -> bool:
    """Put the tag named ``tag_name`` on a chapter or scene, or take it off if
    it is there; True when it is on afterwards."""
    from inkbench.storage import tags

    with store.database().write() as session:
        tag = tags.find_tag(session, work_id, tag_name.strip())
        if kind == "chapter":
            on = tag.id in {t.id for t in tags.chapter_tags(session, row_id)}
            (tags.untag_chapter if on else tags.tag_chapter)(session, tag.id, row_id)
        else:
            on = tag.id in {t.id for t in tags.scene_tags(session, row_id)}
            (tags.untag_scene if on else tags.tag_scene)(session, tag.id, row_id)
        return not on


def trash_entry(store: Store, kind: str, entry_id: int) -> None:
    """A character or world entry to the Trash (restored with its links)."""
    from inkbench.storage.trash import trash

    with store.database().write() as session:
        trash(session, kind, entry_id)


def delete_tag(store: Store, tag_id: int) -> None:
    """Delete a tag (chapters and scenes lose it)."""
    from inkbench.storage.tags import delete_tag as store_delete

    with store.database().write() as session:
        store_delete(session, tag_id)


# --- works and chapters ------------------------------------------------------------------


def read_work(store: Store, work_id: int) -> dict:
    """A work's editable fields."""
    from inkbench.storage.works import get_work

    with store.database().read() as session:
        w = get_work(session, work_id)
        return {
            "title": w.title,
            "genre": w.genre,
            "status": w.status,
            "description": w.description,
            "goal": str(w.word_goal),
            "naming": w.chapter_naming,
        }


def save_work(store: Store, work_id: int, values: dict) -> None:
    """Change a work's title, genre, status, description, goal and chapter naming."""
    from inkbench.i18n import _
    from inkbench.storage.errors import InvalidInput
    from inkbench.storage.works import update_work

    goal_text = values.get("goal", "0").replace(",", "").replace("_", "").strip() or "0"
    if not goal_text.isdigit():
        raise InvalidInput(_("the word goal is a whole number of words (0 for none)"))
    with store.database().write() as session:
        update_work(
            session,
            work_id,
            title=values.get("title"),
            genre=values.get("genre"),
            status=values.get("status"),
            description=values.get("description"),
            word_goal=int(goal_text),
            chapter_naming=values.get("naming"),
        )


def read_chapter(store: Store, chapter_id: int) -> dict:
    """A chapter's status and synopsis."""
    from inkbench.storage.works import get_chapter

    with store.database().read() as session:
        c = get_chapter(session, chapter_id)
        return {"title": c.title, "status": c.status, "synopsis": c.synopsis}


def save_chapter(store: Store, chapter_id: int, values: dict) -> None:
    """Change a chapter's status and synopsis."""
    from inkbench.storage.works import update_chapter

    with store.database().write() as session:
        update_chapter(
            session, chapter_id, status=values.get("status"), synopsis=values.get("synopsis")
        )


def writing_stats(store: Store, work_id: int):
    """The work's ``WritingStats`` over the last 30 days."""
    from inkbench.storage.writing_stats import writing_stats as stats

    with store.database().read() as session:
        return stats(session, work_id)


# --- the outline ---------------------------------------------------------------------------


def read_outline(store: Store, work_id: int):
    """The work's outline (``storage.outline``), on a pooled read connection."""
    from inkbench.storage.outline import outline

    with store.reader() as conn:
        return outline(conn, work_id)


def move_scene(store: Store, scene_id: int, delta: int) -> int:
    """Move a scene (with its text) up or down among its chapter's scenes; its new index."""
    from inkbench.storage.scenes import get_scene
    from inkbench.storage.scenes import move_scene as store_move

    with store.database().write() as session:
        scene = get_scene(session, scene_id)
        return store_move(session, scene_id, max(0, scene.position + delta))


def read_scene(store: Store, scene_id: int) -> dict:
    """A scene's editable fields."""
    from inkbench.storage.scenes import get_scene

    with store.database().read() as session:
        s = get_scene(session, scene_id)
        return {"synopsis": s.synopsis, "time": s.time, "mood": s.mood}


def save_scene(store: Store, scene_id: int | None, chapter_id: int, values: dict) -> int:
    """Change a scene's synopsis, time and mood, or add a scene at the end of
    the chapter (``scene_id`` None); its id."""
    from inkbench.storage.scenes import add_scene, update_scene

    fields = {k: values.get(k, "") for k in ("synopsis", "time", "mood")}
    with store.database().write() as session:
        if scene_id is None:
            return add_scene(session, chapter_id, **fields).id
        return update_scene(session, scene_id, **fields).id


# --- the editor's side panel ---------------------------------------------------------------


def read_named(store: Store, chapter_id: int) -> list:
    """Who and what the chapter names (``storage.bible.Named``), most often first."""
    from inkbench.storage.bible import named_in_chapter

    with store.database().read() as session:
        return named_in_chapter(session, chapter_id)
