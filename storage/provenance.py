"""Where a generated article came from: its task, keyword, topic, the
knowledge-base passages and the album images it used, with the names kept
even when those rows are gone. Standard library only.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from inkbench.i18n import _
from inkbench.storage.errors import NotFound


@dataclass(frozen=True)
class Provenance:
    """Where a generated article came from (names kept even when the rows are gone)."""

    article_id: int
    origin: str
    task_id: int | None
    task_name: str | None
    keyword: str | None
    item_id: int | None
    topic: str | None
    sources: list[dict]  # position, chunk_id (None if deleted), document_title, heading
    images: list[dict]  # position, image_id, name, album, caption


def article_provenance(conn: sqlite3.Connection, article_id: int) -> Provenance:
    """Where the article came from, or ``NotFound``."""
    row = conn.execute(
        "SELECT a.origin, a.generation_item_id, t.id, t.name, t.keyword,"
        " coalesce(tp.question, i.topic_text) FROM article a"
        " LEFT JOIN generation_item i ON i.id = a.generation_item_id"
        " LEFT JOIN generation_task t ON t.id = i.task_id"
        " LEFT JOIN topic tp ON tp.id = a.topic_id WHERE a.id = ?",
        (article_id,),
    ).fetchone()
    if row is None:
        raise NotFound(
            _("no article with id {article_id}; `inkbench article list` shows them").format(
                article_id=article_id
            )
        )
    origin, item_id, task_id, task_name, keyword, topic = row
    sources = [
        {"position": p, "chunk_id": c, "document_title": d, "heading": h or ""}
        for p, c, d, h in conn.execute(
            "SELECT s.position, s.chunk_id, s.document_title, k.heading FROM article_source s"
            " LEFT JOIN kb_chunk k ON k.id = s.chunk_id WHERE s.article_id = ?"
            " ORDER BY s.position",
            (article_id,),
        )
    ]
    images = [
        {"position": p, "image_id": i, "name": n, "album": al, "caption": c}
        for p, i, n, al, c in conn.execute(
            "SELECT ai.position, im.id, im.original_name, al.name, ai.caption"
            " FROM article_image ai JOIN image im ON im.id = ai.image_id"
            " JOIN album al ON al.id = im.album_id WHERE ai.article_id = ?"
            " ORDER BY ai.position",
            (article_id,),
        )
    ]
    return Provenance(
        article_id, origin, task_id, task_name, keyword, item_id, topic, sources, images
    )
