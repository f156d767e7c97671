"""The app's way to the database (the TUI holds one ``Store``).

Reads that must be fast (the first screen, list pages, search) use plain
``sqlite3`` connections, so ``import sqlmodel`` (0.6 s) stays off the path to
the first painted screen. Writes go through ``storage`` (``Database.write()``)
in thread workers; :meth:`Store.database` imports and opens it on first use
(the app warms it up right after the first paint).
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TYPE_CHECKING

from inkbench.storage.jobs import ProgressFn
from inkbench.storage.paths import DB_NAME, resolve_home

if TYPE_CHECKING:
    from inkbench.storage.engine import Database

BUSY_TIMEOUT_MS = 10_000


class Store:
    """The data home's database for a UI: fast stdlib read connections (one
    for the UI thread, a small pool for workers) and, opened on first use,
    storage's ``Database`` for writes."""

    def __init__(self, home: str | Path | None) -> None:
        self.home = resolve_home(home)
        self.path = self.home / DB_NAME
        self._db: Database | None = None
        self._db_lock = threading.Lock()
        self._pool: list[sqlite3.Connection] = []
        self._all: list[sqlite3.Connection] = []
        self._pool_lock = threading.Lock()
        self._ui: sqlite3.Connection | None = None
        self._holding = False  # this Store's hold on the home (storage.home_lock)

    # --- schema -----------------------------------------------------------------

    def schema_is_current(self) -> bool:
        """True when the file exists at the schema head: reads can start now,
        without Alembic or SQLAlchemy."""
        from inkbench.storage.migrations import SCHEMA_HEAD

        if not self.path.exists():
            return False
        try:
            conn = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, timeout=10)
            try:
                row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
            finally:
                conn.close()
        except sqlite3.Error:
            return False
        return bool(row) and row[0] == SCHEMA_HEAD

    def database(self, progress: ProgressFn | None = None) -> Database:
        """The storage Database (creating/upgrading the file); thread-safe, once.
        ``progress`` hears the steps of upgrading an older file."""
        with self._db_lock:
            if self._db is None:
                from inkbench.storage.engine import open_database

                self._db = open_database(self.home, progress=progress)
            return self._db

    @property
    def database_open(self) -> bool:
        return self._db is not None

    # --- reads ------------------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        from inkbench.storage.home_lock import hold_home

        with self._pool_lock:
            if not self._holding:  # a restore refuses while this Store reads the file
                hold_home(self.home)
                self._holding = True
        conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False)
        conn.isolation_level = None
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA query_only = ON")
        from inkbench.storage.text import register_functions

        register_functions(conn)
        self._all.append(conn)
        return conn

    @property
    def ui_conn(self) -> sqlite3.Connection:
        """The UI thread's own read connection (list pages: a few ms each)."""
        if self._ui is None:
            self._ui = self._connect()
        return self._ui

    @contextmanager
    def reader(self) -> Iterator[sqlite3.Connection]:
        """A read connection for a worker thread, returned to a small pool."""
        with self._pool_lock:
            conn = self._pool.pop() if self._pool else None
        if conn is None:
            conn = self._connect()
        try:
            yield conn
        finally:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            with self._pool_lock:
                if len(self._pool) < 4:
                    self._pool.append(conn)
                    conn = None
            if conn is not None:
                conn.close()

    def close(self) -> None:
        for conn in self._all:
            with suppress(sqlite3.Error):
                conn.close()
        self._all.clear()
        self._pool.clear()
        self._ui = None
        if self._db is not None:
            self._db.dispose()
        with self._pool_lock:
            if self._holding:
                from inkbench.storage.home_lock import release_home

                self._holding = False
                release_home(self.home)
