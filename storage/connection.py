"""Configuring SQLite connections: the PRAGMAs and the SQL function the search
triggers call. Standard library only (the engine builds on this), so worker
processes can open the database without loading SQLAlchemy."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from inkbench.storage.text import register_functions

BUSY_TIMEOUT_MS = 10_000


def configure_connection(dbapi_conn: sqlite3.Connection) -> None:
    """PRAGMAs and functions every Inkbench connection needs."""
    dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
    cur = dbapi_conn.cursor()
    cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    cur.execute("PRAGMA foreign_keys = ON")
    cur.execute("PRAGMA journal_mode = WAL")
    cur.execute("PRAGMA synchronous = NORMAL")
    cur.close()
    register_functions(dbapi_conn)


def raw_connect(path: Path) -> sqlite3.Connection:
    """A stdlib connection configured like the engine's (autocommit; BEGIN yourself)."""
    conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False)
    configure_connection(conn)
    return conn
