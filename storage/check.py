"""``inkbench db check``: is the database sound?"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from inkbench.i18n import N_, _
from inkbench.storage.blobs import blob_path
from inkbench.storage.search_index import fts_tables


def check(conn: sqlite3.Connection, blob_dir: Path | None = None) -> list[str]:
    """Problems found, one line each; an empty list means all is well. A
    check that cannot even run on a damaged file is reported as a problem."""
    problems: list[str] = []

    def attempt(what: str, step) -> None:
        try:
            step()
        except sqlite3.DatabaseError as e:
            problems.append(_("{what}: {error}").format(what=_(what), error=e))

    def integrity() -> None:
        for (line,) in conn.execute("PRAGMA integrity_check"):
            if line != "ok":
                problems.append(_("integrity: {line}").format(line=line))

    def references() -> None:
        for table, rowid, parent, _fkid in conn.execute("PRAGMA foreign_key_check"):
            problems.append(
                _("broken reference: {table} row {rowid} points to a missing {parent}").format(
                    table=table, rowid=rowid, parent=parent
                )
            )

    def search_indexes() -> None:
        for fts, _sql in fts_tables(conn):
            try:
                conn.execute(f"INSERT INTO {fts}({fts}) VALUES ('integrity-check')")
            except sqlite3.DatabaseError as e:
                problems.append(
                    _("search index {fts}: {error}; run `inkbench db reindex`").format(
                        fts=fts, error=e
                    )
                )

    def files() -> None:
        for (sha,) in conn.execute("SELECT sha256 FROM blob"):
            if not blob_path(blob_dir, sha).is_file():
                problems.append(_("missing file for blob {sha}").format(sha=sha))

    attempt(N_("integrity"), integrity)
    attempt(N_("references"), references)
    attempt(N_("search indexes"), search_indexes)
    if blob_dir is not None:
        attempt(N_("stored files"), files)
    return problems
