"""Configuring SQLite connections: the PRAGMAs and the SQL function the search
triggers call. Standard library only (the engine builds on this), so worker
processes can open the database without loading SQLAlchemy."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
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


def is_busy(exc: BaseException) -> bool:
    """True when ``exc`` (or what it wraps) is SQLite saying another
    connection holds the lock ("database is locked" / "database is busy"):
    a passing state worth trying again, unlike any other error."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, sqlite3.OperationalError):
            code = getattr(exc, "sqlite_errorcode", None)
            if code in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
                return True
            text = str(exc).lower()
            if "database is locked" in text or "database is busy" in text:
                return True
        exc = getattr(exc, "orig", None) or exc.__cause__
    return False


def raw_connect(path: Path) -> sqlite3.Connection:
    """A stdlib connection configured like the engine's (autocommit; BEGIN yourself)."""
    conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False)
    configure_connection(conn)
    return conn


@contextmanager
def transaction(conn: sqlite3.Connection, *, write: bool = True) -> Iterator[sqlite3.Connection]:
    """One transaction on a ``raw_connect`` connection: ``BEGIN IMMEDIATE``
    for writing (so two writers never deadlock on a lock upgrade), a plain
    ``BEGIN`` for a consistent read; committed at the end, rolled back on
    any exception."""
    conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
