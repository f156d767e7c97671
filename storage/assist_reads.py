"""What an assistant's context is read from: the chapter or article it
works on, the story-bible entries a chapter names (``mention``, kept on
every save) with what describes them (aliases, a character's fields, a
world entry), and the earlier chapters' synopses. Raw ``sqlite3``
connection, the caller's transaction. Standard library only.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence

from inkbench.storage.vocab import CHARACTER_ATTRIBUTES

#: a character's descriptive fields, in the order a context lists them
CHARACTER_FIELDS = tuple(f for f in CHARACTER_ATTRIBUTES if f != "description")

_NAMED_SQL = (
    "SELECT {what} FROM mention m "
    "LEFT JOIN character c ON c.id = m.character_id "
    "LEFT JOIN world_entry w ON w.id = m.world_entry_id "
    "WHERE m.chapter_id = ? AND c.deleted_at IS NULL AND w.deleted_at IS NULL"
)


def live_text(
    conn: sqlite3.Connection, owner: str, owner_id: int
) -> tuple[str, str, int | None, int] | None:
    """(title, body, work id, position) of a chapter (``owner`` "chapter")
    or an article (work id None, position 0) not in the Trash; None when
    there is no such row."""
    if owner == "chapter":
        row = conn.execute(
            "SELECT title, body, work_id, position FROM chapter WHERE id = ? "
            "AND deleted_at IS NULL",
            (owner_id,),
        ).fetchone()
    else:
        row = conn.execute(
            "SELECT title, body, NULL, 0 FROM article WHERE id = ? AND deleted_at IS NULL",
            (owner_id,),
        ).fetchone()
    return tuple(row) if row is not None else None


def count_named(conn: sqlite3.Connection, chapter_id: int) -> int:
    """How many live characters and world entries the chapter names."""
    return conn.execute(_NAMED_SQL.format(what="count(*)"), (chapter_id,)).fetchone()[0]


def named_by_count(
    conn: sqlite3.Connection, chapter_id: int
) -> Iterator[tuple[int | None, int | None]]:
    """(character id, world entry id) of each live entry the chapter names,
    the most often named first (then the first named, then by id); read as
    it is iterated."""
    yield from conn.execute(
        _NAMED_SQL.format(what="m.character_id, m.world_entry_id")
        + " ORDER BY m.count DESC, m.first_position, m.character_id, m.world_entry_id",
        (chapter_id,),
    )


def aliases_of(
    conn: sqlite3.Connection, characters: Sequence[int], places: Sequence[int]
) -> list[tuple[int | None, int | None, str]]:
    """(character id, world entry id, alias) of the given characters' and
    world entries' aliases, in the order they were added."""
    if not characters and not places:
        return []
    q = (
        "SELECT character_id, world_entry_id, name FROM bible_name WHERE is_alias "
        f"AND (character_id IN ({','.join('?' * len(characters)) or 'NULL'}) "
        f"OR world_entry_id IN ({','.join('?' * len(places)) or 'NULL'})) ORDER BY id"
    )
    return [(r[0], r[1], r[2]) for r in conn.execute(q, (*characters, *places))]


def character_rows(conn: sqlite3.Connection, ids: Sequence[int]) -> list[tuple]:
    """(id, name, role, description, *``CHARACTER_FIELDS``) of each character."""
    if not ids:
        return []
    cols = ", ".join(("id", "name", "role", "description", *CHARACTER_FIELDS))
    q = f"SELECT {cols} FROM character WHERE id IN ({','.join('?' * len(ids))})"
    return [tuple(r) for r in conn.execute(q, ids)]


def world_entry_rows(
    conn: sqlite3.Connection, ids: Sequence[int]
) -> list[tuple[int, str, str, str]]:
    """(id, title, category, content) of each world entry."""
    if not ids:
        return []
    q = (
        "SELECT id, title, category, content FROM world_entry "
        f"WHERE id IN ({','.join('?' * len(ids))})"
    )
    return [(r[0], r[1], r[2], r[3]) for r in conn.execute(q, ids)]


def earlier_synopses(
    conn: sqlite3.Connection, work_id: int, position: int
) -> list[tuple[str, str]]:
    """(title, synopsis) of the work's live chapters before ``position``
    that have a synopsis, the nearest first."""
    rows = conn.execute(
        "SELECT title, synopsis FROM chapter WHERE work_id = ? AND position < ? "
        "AND deleted_at IS NULL AND synopsis != '' ORDER BY position DESC, id DESC",
        (work_id, position),
    ).fetchall()
    return [(r[0], r[1]) for r in rows]
