"""Counts for ``inkbench stats`` and the status bar."""

from __future__ import annotations

import sqlite3

from inkbench.storage.models import metadata

ENTITY_TABLES = tuple(t.name for t in metadata.sorted_tables if t.name not in ("alembic_version",))


def stats(conn: sqlite3.Connection) -> dict:
    rows = {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ENTITY_TABLES}
    trashed = {}
    for t in ("article", "work", "chapter", "album", "image", "knowledge_base", "kb_document"):
        trashed[t] = conn.execute(
            f"SELECT count(*) FROM {t} WHERE deleted_at IS NOT NULL"
        ).fetchone()[0]
    ocr = dict(conn.execute("SELECT ocr_status, count(*) FROM image GROUP BY ocr_status"))
    tasks = dict(conn.execute("SELECT status, count(*) FROM generation_task GROUP BY status"))
    items = dict(conn.execute("SELECT status, count(*) FROM generation_item GROUP BY status"))
    return {"rows": rows, "trashed": trashed, "ocr": ocr, "tasks": tasks, "items": items}
