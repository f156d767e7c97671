"""A work's outline in one call: its live chapters in order, each with its
synopsis, status, word count, tags and the characters its text names most, and
its scenes in order (synopsis, location, time, mood, word count, tags and
the characters in each).

Seven queries whatever the work's size, each over an index (chapters by work,
scenes by chapter, their links), on a stdlib connection: a 300-chapter work
with 1,500 scenes opens in a few milliseconds (bench/README.md).
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field

from inkbench.storage.scene_markers import UNPLACED


@dataclass(frozen=True, slots=True)
class Person:
    """A character in a line of the outline (``count``: times the chapter names it)."""

    id: int
    name: str
    count: int = 0


@dataclass(slots=True)
class OutlineScene:
    """A scene of the outline."""

    id: int
    position: int
    synopsis: str
    location_id: int | None
    location: str | None
    time: str
    mood: str
    word_count: int
    characters: list[Person] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)

    @property
    def placed(self) -> bool:
        """Whether its marker stands in the chapter's text."""
        return self.position != UNPLACED


@dataclass(slots=True)
class OutlineChapter:
    """A chapter of the outline, with its scenes in text order (unplaced last)."""

    id: int
    number: int
    title: str
    status: str
    synopsis: str
    word_count: int
    scenes: list[OutlineScene] = field(default_factory=list)
    characters: list[Person] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)


_LIVE_CHAPTERS = "SELECT id FROM chapter WHERE work_id = ? AND deleted_at IS NULL"


def outline(
    conn: sqlite3.Connection, work_id: int, *, top_characters: int = 10, people: bool = True
) -> list[OutlineChapter]:
    """The outline of a work (empty for a work without live chapters); each
    chapter lists the ``top_characters`` characters its text names most.
    With ``people=False`` the characters are left out (chapters' and
    scenes'): :func:`fill_people` adds them to the chapters a view shows."""
    chapters: dict[int, OutlineChapter] = {}
    for n, (cid, title, status, synopsis, words) in enumerate(
        conn.execute(
            "SELECT id, title, status, synopsis, word_count FROM chapter "
            "WHERE work_id = ? AND deleted_at IS NULL ORDER BY position, id",
            (work_id,),
        ),
        1,
    ):
        chapters[cid] = OutlineChapter(cid, n, title, status, synopsis, words)
    if not chapters:
        return []
    places = dict(
        conn.execute(
            "SELECT id, title FROM world_entry WHERE work_id = ? AND deleted_at IS NULL",
            (work_id,),
        ).fetchall()
    )
    # scenes in text order, unplaced last: sorted by SQLite (1,500 rows) rather
    # than by 300 sorts with a key function here
    scenes: dict[int, OutlineScene] = {}
    for chapter_id, sid, position, synopsis, location_id, time, mood, words in conn.execute(
        "SELECT chapter_id, id, position, synopsis, location_id, time, mood, word_count "
        f"FROM scene WHERE chapter_id IN ({_LIVE_CHAPTERS}) "
        "ORDER BY position = ?2, position, id",
        (work_id, UNPLACED),
    ):
        scene = OutlineScene(
            sid, position, synopsis, location_id, places.get(location_id), time, mood, words
        )
        scenes[sid] = scene
        chapters[chapter_id].scenes.append(scene)
    if people:
        fill_people(conn, work_id, list(chapters.values()), top_characters=top_characters)
    for chapter_id, name in conn.execute(
        "SELECT ct.chapter_id, t.name FROM chapter_tag ct JOIN tag t ON t.id = ct.tag_id "
        "WHERE t.work_id = ? ORDER BY t.name",
        (work_id,),
    ):
        if chapter_id in chapters:
            chapters[chapter_id].tags.append(name)
    for scene_id, name in conn.execute(
        "SELECT st.scene_id, t.name FROM scene_tag st JOIN tag t ON t.id = st.tag_id "
        "WHERE t.work_id = ? ORDER BY t.name",
        (work_id,),
    ):
        if scene_id in scenes:
            scenes[scene_id].tags.append(name)
    return list(chapters.values())


def fill_people(
    conn: sqlite3.Connection,
    work_id: int,
    chapters: list[OutlineChapter],
    *,
    top_characters: int = 10,
) -> None:
    """Put in the characters of these chapters of the work and of their
    scenes (replacing any already there): the live characters in each scene,
    by name, and the ``top_characters`` live characters each chapter's text
    names most, most named first."""
    if not chapters:
        return
    by_id = {c.id: c for c in chapters}
    scenes = {s.id: s for c in chapters for s in c.scenes}
    for c in chapters:
        c.characters = []
        for s in c.scenes:
            s.characters = []
    # the chapters as one JSON parameter (any number of them, one statement)
    ids = json.dumps(list(by_id))
    in_chapters = "SELECT value FROM json_each(?2)"
    # names once, in name order; one shared Person per character for the
    # scenes (4,500 links made 4,500 objects); the links as bare id pairs, no
    # joins in SQL, put in name order by one sort instead of one per scene
    people = dict(
        conn.execute(
            "SELECT id, name FROM character WHERE work_id = ? AND deleted_at IS NULL ORDER BY name",
            (work_id,),
        ).fetchall()
    )
    rank = {cid: i for i, cid in enumerate(people)}
    persons = {cid: Person(cid, name) for cid, name in people.items()}
    if scenes:
        links = [
            (rank[cid], scene_id, cid)
            for scene_id, cid in conn.execute(
                "SELECT scene_id, character_id FROM scene_character WHERE scene_id IN "
                f"(SELECT id FROM scene WHERE chapter_id IN ({in_chapters}))",
                (work_id, ids),
            )
            if cid in rank
        ]
        links.sort()
        for _rank, scene_id, cid in links:
            scenes[scene_id].characters.append(persons[cid])
    # each chapter's most named live characters: per chapter, the first
    # ``top_characters`` entries of the covering index mention(chapter_id,
    # count DESC, first_position, character_id), read by a correlated LIMIT
    # (3,000 index entries for 300 chapters instead of ranking all 11,000
    # rows with a window function: 41 -> 7 ms, bench/README.md); SQLite puts
    # the 3,000 in order, not 300 sorts here
    for chapter_id, cid, count in conn.execute(
        "SELECT ch.id, m.character_id, m.count FROM chapter ch "
        "JOIN mention m ON m.rowid IN ("
        " SELECT x.rowid FROM mention x WHERE x.chapter_id = ch.id"
        " AND x.character_id IS NOT NULL AND x.character_id NOT IN"
        "  (SELECT id FROM character WHERE work_id = ?1 AND deleted_at IS NOT NULL)"
        " ORDER BY x.count DESC, x.first_position LIMIT ?3) "
        f"WHERE ch.id IN ({in_chapters}) "
        "ORDER BY ch.id, m.count DESC, m.first_position, m.character_id",
        (work_id, ids, top_characters),
    ):
        name = people.get(cid)
        if name is not None:
            by_id[chapter_id].characters.append(Person(cid, name, count))


def chapters_naming(conn: sqlite3.Connection, work_id: int) -> set[int]:
    """The work's live chapters whose text names a live character (those
    :func:`fill_people` gives characters), without reading who."""
    return {
        row[0]
        for row in conn.execute(
            "SELECT ch.id FROM chapter ch WHERE ch.work_id = ?1 AND ch.deleted_at IS NULL "
            "AND EXISTS (SELECT 1 FROM mention x WHERE x.chapter_id = ch.id"
            " AND x.character_id IS NOT NULL AND x.character_id NOT IN"
            "  (SELECT id FROM character WHERE work_id = ?1 AND deleted_at IS NOT NULL))",
            (work_id,),
        )
    }
