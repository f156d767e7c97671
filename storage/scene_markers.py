"""Scene markers: where the ordered parts of a chapter stand in its text.

A scene's place is a marker line in the chapter's own text,
``<!-- scene:ID -->``, and its details (synopsis, location, time, mood,
characters, tags) are a ``scene`` row. The chapter stays one text, so the
editor, autosave, revisions, undo, word counts and search work on it as on
any chapter, and a scene keeps its place when text before it is edited: the
marker moves with the text around it. (novelWriter keeps each scene as a
separate text instead; that would split the editor, the revision history and
the search index per scene, for no gain here.) The marker is an HTML comment,
so Markdown renderers and exports leave it out; word counts and the search
index skip it.

After every save ``sync_positions`` reads the markers' order into
``scene.position``; a scene whose marker was deleted from the text is
*unplaced* (position -1): it keeps its details and shows at the end of the
outline until its marker is put back (undo, or ``place``).
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass

from inkbench.storage.text import word_count

MARKER = re.compile(r"^<!-- scene:(\d+) -->[ \t]*$", re.MULTILINE)
UNPLACED = -1


def marker(scene_id: int) -> str:
    """The marker line of a scene."""
    return f"<!-- scene:{scene_id} -->"


def marker_ids(text: str) -> list[int]:
    """The scene ids in a text, in the order their markers stand."""
    return [int(m.group(1)) for m in MARKER.finditer(text or "")]


def strip_markers(text: str) -> str:
    """The text without its marker lines (for word counts, the index, exports)."""
    return MARKER.sub("", text or "")


@dataclass(frozen=True)
class Part:
    """A stretch of a chapter's text: before the first scene (``scene_id`` None), or a scene."""

    scene_id: int | None
    text: str


def split(text: str) -> list[Part]:
    """A chapter's text as its opening and its scenes, markers removed."""
    parts: list[Part] = []
    last, current = 0, None
    for m in MARKER.finditer(text or ""):
        chunk = text[last : m.start()]
        if current is not None or chunk.strip():
            parts.append(Part(current, chunk.strip("\n")))
        current, last = int(m.group(1)), m.end()
    tail = (text or "")[last:]
    if current is not None or tail.strip():
        parts.append(Part(current, tail.strip("\n")))
    return parts


def insert_marker(text: str, scene_id: int, at: int | None = None) -> str:
    """``text`` with a scene's marker on a line of its own at the start of the
    line holding character ``at`` (at the end when ``at`` is None)."""
    line = marker(scene_id)
    if at is None or at >= len(text):
        sep = "" if not text or text.endswith("\n") else "\n"
        return f"{text}{sep}{line}\n"
    start = text.rfind("\n", 0, max(at, 0)) + 1 if at > 0 else 0
    return f"{text[:start]}{line}\n{text[start:]}"


def sync_positions(conn: sqlite3.Connection, chapter_id: int) -> None:
    """Read the chapter's markers' order into its scenes' positions. A marker
    of a scene that belongs elsewhere (pasted from another chapter) is ignored."""
    row = conn.execute("SELECT body FROM chapter WHERE id = ?", (chapter_id,)).fetchone()
    if row is None:
        return
    own = {r[0] for r in conn.execute("SELECT id FROM scene WHERE chapter_id = ?", (chapter_id,))}
    if not own:
        return
    order = [sid for sid in dict.fromkeys(marker_ids(row[0])) if sid in own]
    words: dict[int, int] = {}
    for part in split(row[0]):
        if part.scene_id in own and part.scene_id not in words:
            words[part.scene_id] = word_count(part.text)
    conn.executemany(
        "UPDATE scene SET position = ?, word_count = ? WHERE id = ?",
        [(i, words.get(sid, 0), sid) for i, sid in enumerate(order)],
    )
    missing = own - set(order)
    conn.executemany(
        "UPDATE scene SET position = ?, word_count = 0 WHERE id = ?",
        [(UNPLACED, sid) for sid in missing],
    )
