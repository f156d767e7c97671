"""Opening the database: PRAGMAs, transactions, migrations on open.

Every connection gets ``foreign_keys=ON``, WAL, ``synchronous=NORMAL`` and a
10 s busy timeout, and the SQL function the search triggers call. Writes run
in ``BEGIN IMMEDIATE`` transactions (``db.write()``), so two processes never
deadlock upgrading a read lock; reads (``db.read()``) use a plain deferred
transaction, which in WAL mode never waits for a writer.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from filelock import FileLock
from filelock import Timeout as FileLockTimeout
from sqlalchemy import Engine, create_engine, event
from sqlmodel import Session

from inkbench.i18n import _
from inkbench.storage.connection import BUSY_TIMEOUT_MS, configure_connection, raw_connect
from inkbench.storage.errors import DatabaseProblem, held_elsewhere
from inkbench.storage.jobs import ProgressFn
from inkbench.storage.migrations import KNOWN_REVISIONS, SCHEMA_HEAD
from inkbench.storage.paths import BLOB_DIR, DB_NAME, ensure_home, resolve_home

LOCK_NAME = "inkbench.db.open-lock"
MIGRATION_WAIT_S = 600  # an upgrade of a large database can take minutes
_OPEN_LOCK = threading.Lock()


def _make_engine(path: Path, begin: str) -> Engine:
    engine = create_engine(
        f"sqlite:///{path}",
        connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS / 1000},
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record) -> None:
        configure_connection(dbapi_conn)

    @event.listens_for(engine, "begin")
    def _on_begin(conn) -> None:
        conn.exec_driver_sql(begin)

    return engine


# SQLite's primary result codes for a damaged file
_DAMAGED_CODES = (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB)


def damaged(path: Path, error: BaseException) -> DatabaseProblem | None:
    """The one-line problem to report when ``error`` says the file is damaged."""
    orig = getattr(error, "orig", error)  # SQLAlchemy wraps the driver's error
    code = getattr(orig, "sqlite_errorcode", None)
    if (
        isinstance(orig, sqlite3.DatabaseError)
        and code is not None
        and code & 0xFF in _DAMAGED_CODES
    ):
        return DatabaseProblem(
            _(
                "{path} is damaged ({orig}); run `inkbench db check`, then restore "
                "a backup with `inkbench db restore FILE --force`"
            ).format(path=path, orig=orig)
        )
    return None


class Database:
    """One Inkbench database and its blob directory.

    An error saying the file is damaged surfaces from ``write``, ``read`` and
    ``raw`` as a one-line ``DatabaseProblem``."""

    def __init__(self, home: Path) -> None:
        from inkbench.storage.home_lock import hold_home

        hold_home(home)  # until dispose, a restore refuses to replace the file
        self._holder_pid: int | None = os.getpid()  # released once, by this process
        self.home = home
        self.path = home / DB_NAME
        self.blob_dir = home / BLOB_DIR
        self.engine = _make_engine(self.path, "BEGIN IMMEDIATE")
        self.read_engine = _make_engine(self.path, "BEGIN")

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A session in one IMMEDIATE transaction, committed on success."""
        try:
            with Session(self.engine, expire_on_commit=False) as session, session.begin():
                yield session
        except Exception as e:
            problem = damaged(self.path, e)
            if problem is None:
                raise
            raise problem from e

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reading: one consistent snapshot, never blocks writers."""
        try:
            with Session(self.read_engine, expire_on_commit=False) as session, session.begin():
                yield session
        except Exception as e:
            problem = damaged(self.path, e)
            if problem is None:
                raise
            raise problem from e

    @contextmanager
    def raw(self, *, write: bool = True) -> Iterator[sqlite3.Connection]:
        """A configured stdlib connection inside one transaction (bulk paths)."""
        conn = raw_connect(self.path)
        try:
            conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
        except Exception as e:
            problem = damaged(self.path, e)
            if problem is None:
                raise
            raise problem from e
        finally:
            conn.close()

    def dispose(self) -> None:
        """Close every connection and let go of the home (``run/<pid>.lock``
        is closed and removed once nothing else in this process holds it),
        so a restore can have the home while this process goes on."""
        from inkbench.storage.home_lock import release_home

        self.engine.dispose()
        self.read_engine.dispose()
        if self._holder_pid == os.getpid():  # not a copy inherited through fork
            self._holder_pid = None
            release_home(self.home)


# --- opening ------------------------------------------------------------------------


def _schema_revision(path: Path) -> str | None:
    """The Alembic revision stored in the file, or None for an empty database.

    The file is only ever opened through SQLite: opening and closing it with a
    plain file descriptor would drop every POSIX lock SQLite holds on it in
    this process (SQLite's "how to corrupt", 2.2), and a worker process closing
    last would then delete the WAL under our open readers."""
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
        try:
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
            if "alembic_version" not in tables:
                if tables - {"sqlite_sequence"}:
                    raise DatabaseProblem(
                        _(
                            "{path} is an SQLite database but not an Inkbench "
                            "one; point --home at another directory"
                        ).format(path=path)
                    )
                return None
            row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
            return row[0] if row else None
        finally:
            conn.close()
    except sqlite3.OperationalError as e:
        held = held_elsewhere(e, path)
        if held is not None:
            raise held from e
        if "unable to open" in str(e):
            raise DatabaseProblem(
                _("cannot open {path}; check its permissions").format(path=path)
            ) from e
        raise DatabaseProblem(
            _(
                "{path} cannot be read ({e}); restore a backup with `inkbench db "
                "restore FILE --force`, or move it away to start fresh"
            ).format(path=path, e=e)
        ) from e
    except sqlite3.DatabaseError as e:
        if "not a database" in str(e):
            raise DatabaseProblem(
                _(
                    "{path} is not an SQLite database (corrupt or "
                    "overwritten); restore a backup with "
                    "`inkbench db restore FILE --force`, or move it away to start fresh"
                ).format(path=path)
            ) from e
        raise DatabaseProblem(
            _(
                "{path} cannot be read ({e}); restore a backup with `inkbench db "
                "restore FILE --force`, or move it away to start fresh"
            ).format(path=path, e=e)
        ) from e


def _create_file(path: Path) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.close(fd)


def backup_copy(path: Path, dest: Path) -> Path:
    """A consistent copy of the database file via SQLite's backup API."""
    src = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000)
    try:
        fd = os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.close(fd)
        out = sqlite3.connect(dest)
        try:
            src.backup(out)
        finally:
            out.close()
    finally:
        src.close()
    return dest


def _upgrade(path: Path, current: str | None, progress: ProgressFn | None = None) -> None:
    """Run migrations to head; an existing database is copied first and put
    back if the migration fails, so a failed upgrade leaves the file intact.
    ``progress`` hears each step of upgrading an existing file (the copy,
    then the migrations' long steps, e.g. rebuilding the search index)."""
    from inkbench.storage.migrations.runner import upgrade_to_head

    backup: Path | None = None
    if current is not None:
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        backup = path.with_name(f"{path.name}.before-{SCHEMA_HEAD}-{stamp}.bak")
        if progress is not None:
            progress(
                0, 0, _("upgrading the database: keeping a copy as {name}").format(name=backup.name)
            )
        backup_copy(path, backup)
        if progress is not None:
            progress(0, 0, _("upgrading the database to schema {head}").format(head=SCHEMA_HEAD))
    try:
        upgrade_to_head(path, progress if current is not None else None)
    except Exception as e:
        if backup is not None:
            for suffix in ("-wal", "-shm"):
                Path(str(path) + suffix).unlink(missing_ok=True)
            shutil.copyfile(backup, path)
            raise DatabaseProblem(
                _(
                    "upgrading {path} failed ({e}); the file was left as it was (a copy "
                    "is at {backup}). Report this with the message above"
                ).format(path=path, e=e, backup=backup)
            ) from e
        raise


def open_database(
    home: str | os.PathLike[str] | None = None,
    *,
    create: bool = True,
    progress: ProgressFn | None = None,
) -> Database:
    """Open (creating or upgrading as needed) the database under ``home``.
    ``progress(done, total, label)`` hears an upgrade of an older file, step
    by step (nothing when the file is new or up to date)."""
    home_path = resolve_home(home)
    try:
        ensure_home(home_path)
    except OSError as e:
        raise DatabaseProblem(
            _(
                "cannot use {home_path} as the data directory "
                "({strerror}); choose another with --home DIR"
            ).format(home_path=home_path, strerror=e.strerror)
        ) from None
    path = home_path / DB_NAME
    # one opener at a time creates or upgrades the file: threads of this process
    # (the TUI's first read and its account monitor) and other processes (a
    # second `inkbench` started at the same moment) wait here, then find it done
    try:
        with _OPEN_LOCK, FileLock(home_path / LOCK_NAME, timeout=MIGRATION_WAIT_S):
            _create_or_upgrade(path, create=create, progress=progress)
    except FileLockTimeout:
        raise DatabaseProblem(
            _(
                "another Inkbench process has been upgrading {path} for over {minutes} minutes; "
                "let it finish, then try again"
            ).format(path=path, minutes=MIGRATION_WAIT_S // 60)
        ) from None
    return Database(home_path)


def _create_or_upgrade(path: Path, *, create: bool, progress: ProgressFn | None = None) -> None:
    if path.exists():
        current = _schema_revision(path)
    elif not create:
        raise DatabaseProblem(
            _("no database at {path}; run `inkbench demo` or import something").format(path=path)
        )
    else:
        try:
            _create_file(path)
        except OSError as e:
            raise DatabaseProblem(
                _(
                    "cannot create {path} ({strerror}); check the directory's "
                    "permissions or choose another with --home DIR"
                ).format(path=path, strerror=e.strerror)
            ) from None
        current = None
    if current is not None and current not in KNOWN_REVISIONS:
        raise DatabaseProblem(
            _(
                "{path} was written by a newer Inkbench (schema "
                "{current}); upgrade Inkbench to open it"
            ).format(path=path, current=current)
        )
    if current != SCHEMA_HEAD:
        _upgrade(path, current, progress)
