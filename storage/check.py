"""``inkbench db check``: is the database sound?"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from storage.blobs import blob_path
from storage.search_index import fts_tables


def check(conn: sqlite3.Connection, blob_dir: Path | None = None) -> list[str]:
    """Problems found, one line each; an empty list means all is well."""
    problems: list[str] = []
    for (line,) in conn.execute("PRAGMA integrity_check"):
        if line != "ok":
            problems.append(f"integrity: {line}")
    for table, rowid, parent, _fkid in conn.execute("PRAGMA foreign_key_check"):
        problems.append(f"broken reference: {table} row {rowid} points to a missing {parent}")
    for fts, _sql in fts_tables(conn):
        try:
            conn.execute(f"INSERT INTO {fts}({fts}) VALUES ('integrity-check')")
        except sqlite3.DatabaseError as e:
            problems.append(f"search index {fts}: {e}; run `inkbench db reindex`")
    if blob_dir is not None:
        for (sha,) in conn.execute("SELECT sha256 FROM blob"):
            if not blob_path(blob_dir, sha).is_file():
                problems.append(f"missing file for blob {sha}")
    return problems
