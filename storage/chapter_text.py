"""What follows from a chapter's text: its word count without scene markers,
and, whenever the text changes, the story bible's names found again
(``storage.mentions``), the scenes' order read from their markers
(``storage.scene_markers``) and the words added counted for the day."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session

from inkbench.storage.mentions import refresh_chapter
from inkbench.storage.models import Chapter
from inkbench.storage.scene_markers import strip_markers, sync_positions
from inkbench.storage.text import word_count


def chapter_word_count(body: str) -> int:
    """A chapter's words, its scene markers left out."""
    return word_count(strip_markers(body))


def text_changed(session: Session, chapter: Chapter, words_before: int) -> None:
    """What follows from a chapter's new text, in the same transaction: the
    bible's names found again, the scenes' order read from their markers, and
    the words added counted for today (local time) in the writing statistics."""
    conn = session.connection().connection.driver_connection
    refresh_chapter(conn, chapter.id)
    sync_positions(conn, chapter.id)
    added = chapter.word_count - words_before
    if added > 0:
        conn.execute(
            "INSERT INTO writing_day (work_id, day, words_added) VALUES (?, ?, ?) "
            "ON CONFLICT (work_id, day) "
            "DO UPDATE SET words_added = words_added + excluded.words_added",
            (chapter.work_id, date.today().isoformat(), added),
        )
