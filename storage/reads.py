"""Named reads for the views, on a stdlib ``sqlite3`` connection (any
thread, no ORM): documents and their history, search hits' text, a knowledge
document's chunks, a task's detail, the names the task form offers, an
image's metadata. Stdlib only, like ``storage.lists``."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from inkbench.storage.task_names import task_names_of


@dataclass(frozen=True)
class Document:
    """An article or a chapter as the editor shows it."""

    kind: str
    id: int
    title: str
    body: str
    parent_title: str | None
    deleted: bool


def load_document(conn: sqlite3.Connection, kind: str, doc_id: int) -> Document | None:
    """An article or chapter with its text (None if there is no such row)."""
    if kind == "article":
        row = conn.execute(
            "SELECT title, body, NULL, deleted_at FROM article WHERE id = ?", (doc_id,)
        ).fetchone()
    else:
        row = conn.execute(
            "SELECT c.title, c.body, w.title, c.deleted_at FROM chapter c "
            "JOIN work w ON w.id = c.work_id WHERE c.id = ?",
            (doc_id,),
        ).fetchone()
    if row is None:
        return None
    return Document(kind, doc_id, row[0] or "", row[1] or "", row[2], row[3] is not None)


@dataclass(frozen=True)
class Revision:
    """One row of a document's history."""

    id: int
    kind: str
    title: str
    word_count: int
    created_at: str


def list_revisions(
    conn: sqlite3.Connection, kind: str, doc_id: int, limit: int = 500
) -> list[Revision]:
    """A document's revisions, newest first."""
    table, col = (
        ("article_revision", "article_id")
        if kind == "article"
        else (
            "chapter_revision",
            "chapter_id",
        )
    )
    rows = conn.execute(
        f"SELECT id, kind, title, word_count, created_at FROM {table} WHERE {col} = ? "
        "ORDER BY id DESC LIMIT ?",
        (doc_id, limit),
    ).fetchall()
    return [Revision(*r) for r in rows]


def revision_body(conn: sqlite3.Connection, kind: str, revision_id: int) -> str:
    """The text of one revision (empty if gone)."""
    table = "article_revision" if kind == "article" else "chapter_revision"
    row = conn.execute(f"SELECT body FROM {table} WHERE id = ?", (revision_id,)).fetchone()
    return row[0] if row else ""


def hit_text(conn: sqlite3.Connection, kind: str, row_id: int) -> str:
    """The whole text a search hit points at: an article's or chapter's body,
    a knowledge chunk, an image's OCR text, or a work's, album's or
    knowledge base's description."""
    sql = {
        "article": "SELECT body FROM article WHERE id = ?",
        "chapter": "SELECT body FROM chapter WHERE id = ?",
        "chunk": "SELECT text FROM kb_chunk WHERE id = ?",
        "image": "SELECT ocr_text FROM image WHERE id = ?",
        "work": "SELECT description FROM work WHERE id = ?",
        "album": "SELECT description FROM album WHERE id = ?",
        "knowledge_base": "SELECT description FROM knowledge_base WHERE id = ?",
    }[kind]
    row = conn.execute(sql, (row_id,)).fetchone()
    return (row[0] if row else "") or ""


def chunk_preview(
    conn: sqlite3.Connection, document_id: int, limit: int = 20, chars: int = 400
) -> list[tuple[int, str | None, str]]:
    """(position, heading, the first ``chars`` characters) of a knowledge
    document's first ``limit`` chunks."""
    return conn.execute(
        "SELECT position, heading, substr(text, 1, ?) FROM kb_chunk WHERE document_id = ?"
        " ORDER BY position LIMIT ?",
        (chars, document_id, limit),
    ).fetchall()


@dataclass(frozen=True)
class TaskDetail:
    """What the Tasks area shows under the list for one task."""

    keyword: str
    setting: str
    knowledge_base: str | None
    album: str | None
    target: str | None
    model: str | None
    error: str | None


def task_detail(conn: sqlite3.Connection, task_id: int) -> TaskDetail | None:
    """A generation task's inputs and last error (None if gone); the names of
    the resources it uses are their live names (``storage.task_names``)."""
    row = conn.execute(
        "SELECT keyword, model, error FROM generation_task WHERE id = ?", (task_id,)
    ).fetchone()
    names = task_names_of(conn, task_id)
    if row is None or names is None:
        return None
    keyword, model, error = row
    return TaskDetail(
        keyword, names.setting, names.knowledge_base, names.album, names.target, model, error
    )


def task_choices(conn: sqlite3.Connection) -> dict[str, list[tuple[int, str]]]:
    """(id, name) of the article settings, live knowledge bases, live albums
    and conversion targets, by name: what the new-task form offers."""
    return {
        "settings": conn.execute("SELECT id, name FROM article_setting ORDER BY name").fetchall(),
        "kbs": conn.execute(
            "SELECT id, name FROM knowledge_base WHERE deleted_at IS NULL ORDER BY name"
        ).fetchall(),
        "albums": conn.execute(
            "SELECT id, name FROM album WHERE deleted_at IS NULL ORDER BY name"
        ).fetchall(),
        "targets": conn.execute("SELECT id, name FROM conversion_target ORDER BY name").fetchall(),
    }


@dataclass(frozen=True)
class ImageInfo:
    """An image's stored facts and OCR result (the Albums preview)."""

    name: str
    blob_sha: str | None
    thumb_sha: str | None
    orientation: int | None
    width: int | None
    height: int | None
    format: str | None
    size_bytes: int | None
    taken_at: str | None
    ocr_status: str
    ocr_text: str | None
    ocr_confidence: float | None
    ocr_lang: str | None
    ocr_error: str | None
    ocr_attempts: int | None
    ocr_engine: str | None = None  # the engine that read the text
    ocr_boxes: str | None = None  # JSON: the pieces read, with boxes in image pixels


def image_info(conn: sqlite3.Connection, image_id: int) -> ImageInfo | None:
    """One image's facts and OCR result (None if gone)."""
    row = conn.execute(
        "SELECT original_name, blob_sha, thumb_sha, orientation, width, height, format,"
        " size_bytes, taken_at, ocr_status, ocr_text, ocr_confidence, ocr_lang, ocr_error,"
        " ocr_attempts, ocr_engine, ocr_boxes FROM image WHERE id = ?",
        (image_id,),
    ).fetchone()
    return ImageInfo(*row) if row else None
