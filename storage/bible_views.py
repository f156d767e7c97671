"""What the story bible's screens read: one entry with everything around it
(aliases, relationships, tree, linked characters, appearances), where an
offset of a chapter's text stands as (line, column), and which entry a name
under the editor's cursor belongs to."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field

from sqlmodel import Session, select

from inkbench.storage.bible import (
    CHARACTER_ATTRIBUTES,
    Appearances,
    Relation,
    aliases_of,
    appearances,
    get_character,
    get_world_entry,
    linked_characters,
    relations_of,
)
from inkbench.storage.mentions import EntryKey, matcher_for
from inkbench.storage.models import Character, WorldEntry, WorldEntryCharacter


@dataclass
class EntryView:
    """A character or world entry as its screen shows it. ``fields`` holds the
    stored field ids with their values (empty ones too, for the edit form)."""

    kind: str  # "character" or "world_entry"
    id: int
    work_id: int
    title: str
    role_or_category: str
    aliases: list[str]
    fields: dict[str, str]
    appearances: Appearances
    relations: list[Relation] = field(default_factory=list)
    linked: list[tuple[int, str]] = field(default_factory=list)  # characters / world entries
    parent: tuple[int, str] | None = None
    children: list[tuple[int, str]] = field(default_factory=list)


def character_view(session: Session, character_id: int) -> EntryView:
    """A character with its aliases, relationships (from both sides), the
    world entries linked to it and where the text names it."""
    c = get_character(session, character_id)
    places = session.exec(
        select(WorldEntry.id, WorldEntry.title)
        .join(WorldEntryCharacter, WorldEntryCharacter.world_entry_id == WorldEntry.id)
        .where(WorldEntryCharacter.character_id == character_id, WorldEntry.deleted_at.is_(None))
        .order_by(WorldEntry.title)
    ).all()
    return EntryView(
        kind="character",
        id=c.id,
        work_id=c.work_id,
        title=c.name,
        role_or_category=c.role,
        aliases=aliases_of(session, character_id=c.id),
        fields={key: getattr(c, key) or "" for key in CHARACTER_ATTRIBUTES},
        appearances=appearances(session, character_id=c.id),
        relations=relations_of(session, c.id),
        linked=[(i, t) for i, t in places],
    )


def world_entry_view(session: Session, entry_id: int) -> EntryView:
    """A world entry with its aliases, parent, children, linked characters and appearances."""
    e = get_world_entry(session, entry_id)
    parent = None
    if e.parent_id is not None:
        p = session.get(WorldEntry, e.parent_id)
        if p is not None and p.deleted_at is None:
            parent = (p.id, p.title)
    children = session.exec(
        select(WorldEntry.id, WorldEntry.title)
        .where(WorldEntry.parent_id == e.id, WorldEntry.deleted_at.is_(None))
        .order_by(WorldEntry.title)
    ).all()
    return EntryView(
        kind="world_entry",
        id=e.id,
        work_id=e.work_id,
        title=e.title,
        role_or_category=e.category,
        aliases=aliases_of(session, world_entry_id=e.id),
        fields={"content": e.content or ""},
        appearances=appearances(session, world_entry_id=e.id),
        linked=[(c.id, c.name) for c in linked_characters(session, e.id)],
        parent=parent,
        children=[(i, t) for i, t in children],
    )


def entry_view(session: Session, kind: str, entry_id: int) -> EntryView:
    """``character_view`` or ``world_entry_view`` by kind."""
    if kind == "character":
        return character_view(session, entry_id)
    return world_entry_view(session, entry_id)


def work_characters(session: Session, work_id: int) -> list[tuple[int, str]]:
    """(id, name) of a work's live characters, by name (for pickers)."""
    return [
        (i, n)
        for i, n in session.exec(
            select(Character.id, Character.name)
            .where(Character.work_id == work_id, Character.deleted_at.is_(None))
            .order_by(Character.name)
        ).all()
    ]


def line_column(text: str, offset: int) -> tuple[int, int]:
    """Where character ``offset`` of ``text`` stands, as (line, column)."""
    offset = max(0, min(offset, len(text)))
    line = text.count("\n", 0, offset)
    return line, offset - (text.rfind("\n", 0, offset) + 1)


def chapter_place(conn: sqlite3.Connection, chapter_id: int, offset: int) -> tuple[int, int]:
    """(line, column) of a character offset in a chapter's stored text."""
    row = conn.execute("SELECT body FROM chapter WHERE id = ?", (chapter_id,)).fetchone()
    return line_column((row[0] or "") if row else "", offset)


def entry_at(
    conn: sqlite3.Connection, chapter_id: int, line_text: str, column: int
) -> EntryKey | None:
    """The character or world entry whose name (or alias) covers ``column``
    of a line of the chapter (or ends just before it), if any."""
    row = conn.execute("SELECT work_id FROM chapter WHERE id = ?", (chapter_id,)).fetchone()
    if row is None:
        return None
    for start, end, key in matcher_for(conn, row[0]).spans(line_text):
        if start <= column <= end:
            return key
    return None


def scene_place(conn: sqlite3.Connection, chapter_id: int, scene_id: int) -> tuple[int, int]:
    """(line, column) of a scene's marker in its chapter's text ((0, 0) if unplaced)."""
    from inkbench.storage.scene_markers import marker

    row = conn.execute("SELECT body FROM chapter WHERE id = ?", (chapter_id,)).fetchone()
    body = (row[0] or "") if row else ""
    at = body.find(marker(scene_id))
    return line_column(body, at) if at >= 0 else (0, 0)


def scene_synopses(conn: sqlite3.Connection, chapter_id: int) -> dict[int, str]:
    """Scene id -> synopsis for a chapter's scenes (what the editor shows on a marker line)."""
    return dict(conn.execute("SELECT id, synopsis FROM scene WHERE chapter_id = ?", (chapter_id,)))
