"""The article a generation item writes: the article itself (origin
``generated``), its illustrations, the knowledge-base passages it drew on
and its first ``ai`` revision, added in the caller's transaction; and
finding it again, so an item is never written twice."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from sqlmodel import Session

from inkbench.storage.articles import create_article
from inkbench.storage.models import ArticleImage, ArticleSource
from inkbench.storage.revisions import snapshot


def article_of_item(conn: sqlite3.Connection, item_id: int) -> int | None:
    """The id of the article generation item ``item_id`` wrote, if any."""
    row = conn.execute("SELECT id FROM article WHERE generation_item_id = ?", (item_id,)).fetchone()
    return row[0] if row is not None else None


def add_generated_article(
    session: Session,
    title: str,
    body: str,
    *,
    generation_item_id: int,
    topic_id: int | None,
    images: Sequence[tuple[int, str]],
    sources: Sequence[tuple[int, str]],
) -> int:
    """Add the article an item wrote, with its ``images`` ((image id,
    caption), in order), its ``sources`` ((chunk id, document title), in
    order) and an ``ai`` revision; its id. The caller commits."""
    article = create_article(
        session,
        title,
        body,
        origin="generated",
        generation_item_id=generation_item_id,
        topic_id=topic_id,
    )
    article_id = article.id
    for n, (image_id, caption) in enumerate(images):
        session.add(
            ArticleImage(article_id=article_id, image_id=image_id, position=n, caption=caption)
        )
    for n, (chunk_id, document_title) in enumerate(sources):
        session.add(
            ArticleSource(
                article_id=article_id,
                chunk_id=chunk_id,
                document_title=document_title,
                position=n,
            )
        )
    session.flush()
    snapshot(session, "article", article_id, "ai")
    return article_id
