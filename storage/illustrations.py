"""An article's illustrations: the images it lists (``article_image``) or
its body links to, with their stored files, for export and publishing; and
the candidates for a generated article, from one album: the images whose
OCR text or file name match the article (the FTS index of images, ranked by
bm25), and the images a task has used least. Raw ``sqlite3`` connection,
the caller's transaction. Standard library only.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import NamedTuple

#: (image id, original file name, OCR text)
ImageText = tuple[int, str, str | None]


class ImageFile(NamedTuple):
    """An image as an article shows it, and where its file is."""

    id: int
    caption: str | None
    original_name: str
    blob_sha: str
    format: str | None
    orientation: int | None


def listed_images(conn: sqlite3.Connection, article_id: int) -> list[ImageFile]:
    """The images the article lists (``article_image``), in their order."""
    rows = conn.execute(
        "SELECT i.id, ai.caption, i.original_name, i.blob_sha, i.format, i.orientation"
        " FROM article_image ai JOIN image i ON i.id = ai.image_id WHERE ai.article_id = ?"
        " ORDER BY ai.position, ai.id",
        (article_id,),
    ).fetchall()
    return [ImageFile(*r) for r in rows]


def image_file(conn: sqlite3.Connection, image_id: int, caption: str = "") -> ImageFile | None:
    """A stored image by id (one a body links to), shown with ``caption``;
    None when there is no such image."""
    row = conn.execute(
        "SELECT id, ?, original_name, blob_sha, format, orientation FROM image WHERE id = ?",
        (caption, image_id),
    ).fetchone()
    return ImageFile(*row) if row is not None else None


def matching_images(
    conn: sqlite3.Connection, album_id: int, match: str, *, limit: int
) -> list[ImageText]:
    """The album's live images that ``match`` (an FTS5 expression) finds,
    best first."""
    rows = conn.execute(
        "SELECT i.id, i.original_name, i.ocr_text FROM search_image"
        " JOIN image i ON i.id = search_image.rowid"
        " WHERE search_image MATCH ? AND i.album_id = ? AND i.deleted_at IS NULL"
        " ORDER BY search_image.rank LIMIT ?",
        (match, album_id, limit),
    ).fetchall()
    return [(r[0], r[1], r[2]) for r in rows]


def least_used_images(
    conn: sqlite3.Connection,
    album_id: int,
    task_id: int,
    *,
    exclude: Sequence[int],
    limit: int,
) -> list[ImageText]:
    """The album's live images not in ``exclude``, those the task's articles
    have used least first (then in id order)."""
    have = list(exclude) or [0]
    rows = conn.execute(
        "SELECT i.id, i.original_name, i.ocr_text FROM image i"
        " WHERE i.album_id = ? AND i.deleted_at IS NULL"
        f" AND i.id NOT IN ({','.join('?' * len(have))})"
        " ORDER BY (SELECT count(*) FROM article_image ai"
        "  JOIN article a ON a.id = ai.article_id"
        "  JOIN generation_item gi ON gi.id = a.generation_item_id"
        "  WHERE ai.image_id = i.id AND gi.task_id = ?), i.id LIMIT ?",
        (album_id, *have, task_id, limit),
    ).fetchall()
    return [(r[0], r[1], r[2]) for r in rows]
