"""Rebuilding the search indexes (``inkbench db reindex``).

The FTS5 tables are filled by triggers (migration 0001). To rebuild them the
same way, whatever columns and index form the triggers use, each table is
dropped and created again from its own ``CREATE`` statement (keeping its
configuration, e.g. the bm25 weights), then every source row is "touched"
(``UPDATE t SET col = col``): the AFTER UPDATE trigger that keeps the index in
step re-inserts exactly the rows a user can see, through its own SQL.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass

from inkbench.i18n import _
from inkbench.storage.errors import InkbenchError
from inkbench.storage.jobs import CancelToken, ProgressFn

BATCH = 5000  # source rows touched per statement, between progress reports

_UPDATE_OF = re.compile(
    r"AFTER\s+UPDATE\s+OF\s+(?P<cols>[\w\s,]+?)\s+ON\s+(?P<table>\w+)", re.IGNORECASE
)


@dataclass(frozen=True)
class IndexSource:
    fts: str  # the FTS5 table
    create_sql: str
    table: str  # the table its rows come from
    column: str  # a column whose update re-indexes a row


def fts_tables(conn: sqlite3.Connection) -> list[tuple[str, str]]:
    """(name, CREATE statement) of every FTS5 table."""
    return conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'table'"
        " AND sql LIKE 'CREATE VIRTUAL TABLE%' AND lower(sql) LIKE '%using fts5%' ORDER BY name"
    ).fetchall()


def index_sources(conn: sqlite3.Connection) -> list[IndexSource]:
    """For each FTS5 table, the source table and column whose update trigger
    writes into it (triggers that only watch ``deleted_at`` belong to a
    parent's trash/restore and are skipped)."""
    triggers = conn.execute("SELECT sql FROM sqlite_master WHERE type = 'trigger'").fetchall()
    out = []
    for fts, create_sql in fts_tables(conn):
        inserts = re.compile(rf"INSERT\s+INTO\s+{re.escape(fts)}\s*\(", re.IGNORECASE)
        for (sql,) in triggers:
            m = _UPDATE_OF.search(sql or "")
            if not m or not inserts.search(sql):
                continue
            cols = [c.strip() for c in m.group("cols").split(",") if c.strip()]
            cols = [c for c in cols if c.lower() != "deleted_at"]
            if cols:
                out.append(IndexSource(fts, create_sql, m.group("table"), cols[0]))
                break
    return out


def _config(conn: sqlite3.Connection, fts: str) -> list[tuple[str, object]]:
    try:
        rows = conn.execute(f"SELECT k, v FROM {fts}_config WHERE k != 'version'").fetchall()
    except sqlite3.DatabaseError:
        return []  # unreadable: the defaults come back, then the migration's rank is lost
    return rows


def reindex(
    conn: sqlite3.Connection,
    *,
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
    tables: Iterable[str] | None = None,
) -> dict[str, int]:
    """Rebuild every search index from its source rows, in the caller's
    (write) transaction. Returns the number of rows indexed per FTS table.
    ``progress(done, total, label)`` counts source rows; a ``cancel`` stops
    between batches with InkbenchError (the caller rolls back: the old
    indexes stay). ``tables``: only these FTS tables (a migration that adds
    or changes some); all when None."""
    sources = index_sources(conn)
    if tables is not None:
        wanted = set(tables)
        sources = [s for s in sources if s.fts in wanted]
    # the tables one trigger-fed source fills (a kind's index and its title
    # pinyin, migration 0011) are rebuilt together, from one pass over its rows
    groups: dict[tuple[str, str], list[IndexSource]] = {}
    for src in sources:
        groups.setdefault((src.table, src.column), []).append(src)
    total = sum(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for table, _c in groups)
    done = 0
    counts = {}
    for (table, column), group in groups.items():
        for src in group:
            config = _config(conn, src.fts)
            conn.execute(f"DROP TABLE {src.fts}")
            conn.execute(src.create_sql)
            for key, value in config:
                conn.execute(f"INSERT INTO {src.fts}({src.fts}, rank) VALUES (?, ?)", (key, value))
        label = _("rebuilding the search index ({table})").format(
            table=", ".join(src.fts for src in group)
        )
        ids = conn.execute(f"SELECT min(id), max(id) FROM {table}").fetchone()
        low, high = (ids[0], ids[1]) if ids[0] is not None else (1, 0)
        while low <= high:
            if cancel is not None and cancel.cancelled:
                raise InkbenchError(_("the search index rebuild was cancelled"))
            cur = conn.execute(
                f"UPDATE {table} SET {column} = {column} WHERE id BETWEEN ? AND ?",
                (low, low + BATCH - 1),
            )
            done += max(cur.rowcount, 0)
            low += BATCH
            if progress is not None:
                progress(min(done, total), total, label)
        for src in group:
            conn.execute(f"INSERT INTO {src.fts}({src.fts}) VALUES ('optimize')")
            counts[src.fts] = conn.execute(f"SELECT count(*) FROM {src.fts}").fetchone()[0]
    return counts
