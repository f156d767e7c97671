"""Bulk inserts for imports, the demo and the benchmark corpus.

These go straight to ``executemany`` on a configured connection (the same
PRAGMAs, foreign keys and search triggers as every other write), in the
caller's transaction: use inside ``db.raw()``. The ORM is 10x slower here.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from itertools import islice

from inkbench.storage.text import word_count
from inkbench.storage.vocab import db_time, utcnow

BATCH = 5000


def _batches(rows: Iterable[Sequence], size: int = BATCH) -> Iterator[list[Sequence]]:
    it = iter(rows)
    while batch := list(islice(it, size)):
        yield batch


def insert_rows(
    conn: sqlite3.Connection, table: str, columns: Sequence[str], rows: Iterable[Sequence]
) -> int:
    """Insert ``rows`` (tuples in ``columns`` order); returns how many."""
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
    n = 0
    for batch in _batches(rows):
        conn.executemany(sql, batch)
        n += len(batch)
    return n


def _now(moment: datetime | None = None) -> str:
    return db_time(moment or utcnow())


def insert_articles(
    conn: sqlite3.Connection,
    rows: Iterable[tuple[str, str]],
    *,
    origin: str = "manual",
    status: str = "draft",
) -> int:
    """Articles from ``(title, body)`` pairs, word counts computed."""
    now = _now()
    return insert_rows(
        conn,
        "article",
        ("title", "body", "status", "word_count", "origin", "created_at", "updated_at"),
        ((t, b, status, word_count(b), origin, now, now) for t, b in rows),
    )


def insert_chapters(conn: sqlite3.Connection, work_id: int, rows: Iterable[tuple[str, str]]) -> int:
    now = _now()
    return insert_rows(
        conn,
        "chapter",
        (
            "work_id",
            "title",
            "body",
            "position",
            "word_count",
            "status",
            "created_at",
            "updated_at",
        ),
        ((work_id, t, b, i, word_count(b), "draft", now, now) for i, (t, b) in enumerate(rows)),
    )


def insert_chunks(
    conn: sqlite3.Connection, document_id: int, rows: Iterable[tuple[str, str]], start: int = 0
) -> int:
    """Chunks from ``(heading, text)`` pairs, positions from ``start``."""
    return insert_rows(
        conn,
        "kb_chunk",
        ("document_id", "position", "heading", "text", "char_count"),
        ((document_id, start + i, h, t, len(t)) for i, (h, t) in enumerate(rows)),
    )


def insert_images(
    conn: sqlite3.Connection,
    album_id: int,
    rows: Iterable[tuple[str, str, int, str | None]],
    *,
    ocr_status: str = "pending",
) -> int:
    """Images from ``(blob_sha, original_name, size_bytes, ocr_text)`` tuples;
    the blobs must exist already. ``ocr_status`` "done" marks them recognised."""
    now = _now()
    attempts = 1 if ocr_status == "done" else 0
    return insert_rows(
        conn,
        "image",
        (
            "album_id",
            "blob_sha",
            "original_name",
            "size_bytes",
            "ocr_status",
            "ocr_text",
            "ocr_attempts",
            "created_at",
        ),
        (
            (album_id, sha, name, size, ocr_status, text, attempts, now)
            for sha, name, size, text in rows
        ),
    )
