"""Engine and sessions: SQLite by default, PostgreSQL given a
``postgresql+psycopg://`` URL. Every piece of state lives here, so several
server processes on one PostgreSQL behave as one."""

from __future__ import annotations

import asyncio
import contextlib
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.orm import Session, sessionmaker

HERE = Path(__file__).parent
MIGRATIONS = HERE / "migrations"
PG_MIGRATION_LOCK = 0x1A4B_0001
READ_ONLY = "inkbench_read_only"  # execution option: a read transaction
POOL_MAX = 40  # PostgreSQL connections per process: anyio's default thread limit
QUICK_BUSY_MS = 20  # an SQLite read on the event loop gives up on a lock after this
ASYNC_READS = 4  # PostgreSQL connections per process for reads on the event loop


def _create_private(url: str) -> None:
    """A new SQLite file is created readable by its owner only (it holds
    password hashes)."""
    from sqlalchemy.engine import make_url

    path = make_url(url).database
    if path and path != ":memory:" and not Path(path).exists():
        with suppress(FileExistsError):
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def make_engine(url: str, *, busy_ms: int = 30_000) -> Engine:
    """The engine for ``url``; on SQLite a statement waits up to ``busy_ms``
    for a lock before failing with "database is locked"."""
    if url.startswith("sqlite"):
        _create_private(url)
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": busy_ms / 1000}
        )

        @event.listens_for(engine, "connect")
        def _connect(dbapi_conn, _record) -> None:
            dbapi_conn.isolation_level = None  # we BEGIN ourselves
            cur = dbapi_conn.cursor()
            cur.execute(f"PRAGMA busy_timeout = {int(busy_ms)}")
            cur.execute("PRAGMA foreign_keys = ON")
            cur.execute("PRAGMA journal_mode = WAL")
            cur.execute("PRAGMA synchronous = NORMAL")
            cur.close()

        @event.listens_for(engine, "begin")
        def _begin(conn) -> None:
            # a write transaction takes the write lock at once (IMMEDIATE), so
            # two worker processes never deadlock upgrading a read lock; a
            # read (token lookups, quota) starts DEFERRED and, under WAL,
            # never waits for a writer
            if conn.get_execution_options().get(READ_ONLY):
                conn.exec_driver_sql("BEGIN")
            else:
                conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    # As many connections as the worker threads that use them (starlette runs
    # database work on anyio's thread pool, 40 threads): with fewer, threads
    # queued for a connection while others waited on a user's lock, and past
    # pool_timeout the queued requests failed (QueuePool limit ... reached).
    # Two workers hold at most 80 of them (and 2 x ASYNC_READS for token lookups on
    # the event loop) of PostgreSQL's default 100 connections.
    return create_engine(
        url, pool_pre_ping=True, pool_size=10, max_overflow=POOL_MAX - 10, pool_timeout=60
    )


class AsyncReads:
    """Short reads on the event loop over psycopg's own async connections
    (PostgreSQL, autocommit: a statement is its own snapshot). At most
    ``size`` at once, each on a connection of its own; a connection that
    failed is closed, not reused. Tied to the event loop that first uses it."""

    def __init__(self, conninfo: str, size: int = ASYNC_READS) -> None:
        self.conninfo = conninfo
        self._slots = asyncio.Semaphore(size)
        self._idle: list = []

    async def fetch(self, sql: str, params: dict) -> list[tuple]:
        """The rows of one statement; ``psycopg.Error`` if it fails."""
        import psycopg

        async with self._slots:
            if self._idle:
                conn = self._idle.pop()
            else:
                conn = await psycopg.AsyncConnection.connect(
                    self.conninfo, autocommit=True, connect_timeout=5
                )
            try:
                cur = await conn.execute(sql, params)
                rows = await cur.fetchall()
            except BaseException:
                with contextlib.suppress(Exception):
                    await conn.close()
                raise
            self._idle.append(conn)
            return rows

    async def aclose(self) -> None:
        idle, self._idle = self._idle, []
        for conn in idle:
            with contextlib.suppress(Exception):
                await conn.close()


class Database:
    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self._factory = sessionmaker(self.engine, expire_on_commit=False)
        self._read_factory = sessionmaker(
            self.engine.execution_options(**{READ_ONLY: True}), expire_on_commit=False
        )
        # SQLite only: reads short enough to run on the event loop (see quick_connection)
        local = self.engine.dialect.name == "sqlite"
        self._quick_engine = make_engine(url, busy_ms=QUICK_BUSY_MS) if local else None
        self._quick = None  # the pool's wrapper of the quick connection, once opened
        # PostgreSQL only: reads on the event loop (see AsyncReads)
        self.async_reads = (
            AsyncReads(self.engine.url.set(drivername="postgresql").render_as_string(False))
            if self.engine.dialect.name == "postgresql"
            else None
        )

    @property
    def has_quick_reads(self) -> bool:
        """Whether ``quick_connection`` is available (the database is a local SQLite file)."""
        return self._quick_engine is not None

    @contextmanager
    def session(self) -> Iterator[Session]:
        """One write transaction, committed on success, rolled back on error."""
        with self._factory() as s, s.begin():
            yield s

    @contextmanager
    def read(self) -> Iterator[Session]:
        """One read transaction: on SQLite it takes no write lock, so token
        lookups run beside writers instead of queueing behind them."""
        with self._read_factory() as s:
            try:
                yield s
            finally:
                s.rollback()

    def quick_connection(self) -> sqlite3.Connection:
        """The bare sqlite3 connection (autocommit: a statement is its own
        read transaction) for reads short enough to run on the event loop:
        an indexed read of a local SQLite file under WAL, which never waits
        for a writer, costs microseconds in SQLite and holds the GIL for its
        Python part wherever it runs, while sending it to a worker thread and
        back costs two thread wake-ups (~10 ms each on a loaded machine). It
        gives up on a lock after ``QUICK_BUSY_MS`` (``sqlite3.OperationalError``),
        so the caller can wait for it off the loop. Only when
        ``has_quick_reads``; one connection, for the event loop's thread only."""
        if self._quick_engine is None:
            raise RuntimeError("quick reads are for a local SQLite database")
        if self._quick is None:
            self._quick = self._quick_engine.raw_connection()
        return self._quick.driver_connection

    def ping(self) -> None:
        with self.engine.connect() as conn:
            conn.execute(text("SELECT 1"))

    def migrate(self) -> None:
        migrate(self.engine)

    def dispose(self) -> None:
        self.engine.dispose()
        if self._quick is not None:
            self._quick.close()
            self._quick = None
        if self._quick_engine is not None:
            self._quick_engine.dispose()


def alembic_config():
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def migrate(engine: Engine) -> None:
    """Upgrade to head. On PostgreSQL an advisory lock makes several
    processes starting at once run the migrations one at a time."""
    from alembic import command

    with engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": PG_MIGRATION_LOCK})
            conn.commit()
        try:
            cfg = alembic_config()
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
            conn.commit()
        finally:
            if conn.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": PG_MIGRATION_LOCK})
                conn.commit()
