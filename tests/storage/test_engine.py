"""The engine and migrations: file mode, PRAGMAs, IMMEDIATE writes, upgrades,
newer and damaged files, and models kept in step with the migrations."""

from __future__ import annotations

import multiprocessing as mp
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text

import inkbench.storage.engine as engine_mod
import inkbench.storage.migrations.runner as runner
from inkbench.storage.articles import create_article, list_articles
from inkbench.storage.engine import open_database
from inkbench.storage.errors import DatabaseProblem
from inkbench.storage.migrations import KNOWN_REVISIONS, SCHEMA_HEAD, filters
from inkbench.storage.models import metadata


def test_database_file_is_private(db) -> None:
    with db.write() as s:
        create_article(s, "x", "y")
    assert db.path.stat().st_mode & 0o777 == 0o600
    wal = Path(f"{db.path}-wal")
    if wal.exists():
        assert wal.stat().st_mode & 0o077 == 0


def _pragmas(run) -> tuple:
    return tuple(
        run(f"PRAGMA {name}")
        for name in ("foreign_keys", "journal_mode", "synchronous", "busy_timeout")
    )


def test_every_connection_gets_the_pragmas(db) -> None:
    expected = (1, "wal", 1)
    with db.write() as s:
        got = _pragmas(lambda sql: s.connection().exec_driver_sql(sql).scalar())
    assert got[:3] == expected and got[3] >= 5000
    with db.read() as s:
        got = _pragmas(lambda sql: s.connection().exec_driver_sql(sql).scalar())
    assert got[:3] == expected and got[3] >= 5000
    with db.raw() as conn:
        got = _pragmas(lambda sql: conn.execute(sql).fetchone()[0])
    assert got[:3] == expected and got[3] >= 5000


def test_writes_take_the_write_lock_when_they_begin(db) -> None:
    other = sqlite3.connect(db.path, timeout=0, isolation_level=None)
    try:
        with db.write() as s:
            list_articles(s)  # only a read so far, yet the lock is held
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
        with db.read() as s:
            list_articles(s)  # a reader never blocks a writer
            other.execute("BEGIN IMMEDIATE")
            other.execute("ROLLBACK")
    finally:
        other.close()


def _count_up(home: str, n: int, out) -> None:
    """Read-then-write transactions: without IMMEDIATE, two processes would
    deadlock on the lock upgrade and one would get 'database is locked'."""
    db = open_database(home)
    errors = []
    for _ in range(n):
        try:
            with db.write() as s:
                count = s.connection().exec_driver_sql("SELECT count(*) FROM article").scalar()
                create_article(s, f"n{count}", "")
        except Exception as e:  # reported to the parent, which fails the test
            errors.append(repr(e))
    db.dispose()
    out.put(errors)


def test_processes_writing_at_once_never_see_locked(db, home) -> None:
    db.dispose()  # no connection of ours crosses the fork
    ctx = mp.get_context("fork")
    out = ctx.Queue()
    procs = [ctx.Process(target=_count_up, args=(str(home), 40, out)) for _ in range(3)]
    for p in procs:
        p.start()
    errors = [e for _ in procs for e in out.get(timeout=120)]
    for p in procs:
        p.join(timeout=60)
    assert errors == []
    with db.raw(write=False) as conn:
        titles = {r[0] for r in conn.execute("SELECT title FROM article")}
    assert titles == {f"n{i}" for i in range(120)}  # every count seen exactly once


def test_schema_head_is_alembic_head_and_models_match_migrations(db) -> None:
    script = ScriptDirectory.from_config(runner.alembic_config())
    assert script.get_current_head() == SCHEMA_HEAD
    assert {r.revision for r in script.walk_revisions()} == set(KNOWN_REVISIONS)
    with db.raw(write=False) as raw:
        fts = [
            r[0]
            for r in raw.execute(
                "SELECT name FROM sqlite_master WHERE sql LIKE 'CREATE VIRTUAL TABLE%'"
            )
        ]

    def include_name(name, type_, parents) -> bool:  # FTS tables belong to migrations
        if type_ == "table" and any(name == t or name.startswith(t + "_") for t in fts):
            return False
        return filters.include_name(name, type_, parents)

    assert fts
    assert filters.EXPRESSION_INDEXES  # compared by the test below instead
    with db.engine.connect() as conn:
        ctx = MigrationContext.configure(
            conn,
            opts={
                "include_name": include_name,
                "include_object": filters.include_object,
                "compare_type": True,
            },
        )
        assert compare_metadata(ctx, metadata) == []


def _older(monkeypatch) -> None:
    """Make the current file look one revision behind the code (a revision after the head)."""
    monkeypatch.setattr(engine_mod, "SCHEMA_HEAD", "9999")


def test_opening_an_older_database_backs_it_up_first(db, home, monkeypatch) -> None:
    with db.write() as s:
        create_article(s, "kept", "")
    db.dispose()
    _older(monkeypatch)
    ran = []

    def upgrade(path: Path, progress=None) -> None:
        conn = engine_mod.raw_connect(path)
        conn.execute("UPDATE article SET title = 'migrated'")
        conn.close()
        ran.append(path)

    monkeypatch.setattr(runner, "upgrade_to_head", upgrade)
    open_database(home).dispose()
    assert ran == [home / "inkbench.db"]
    [bak] = home.glob("inkbench.db.before-9999-*.bak")
    copy = sqlite3.connect(bak)
    assert copy.execute("SELECT title FROM article").fetchall() == [("kept",)]
    copy.close()


def test_a_failed_upgrade_leaves_the_file_intact(db, home, monkeypatch) -> None:
    with db.write() as s:
        create_article(s, "kept", "")
    db.dispose()
    _older(monkeypatch)

    def broken_upgrade(path: Path, progress=None) -> None:
        conn = engine_mod.raw_connect(path)
        conn.execute("DROP TABLE article_revision")
        conn.execute("UPDATE article SET title = 'half-migrated'")
        conn.close()
        raise RuntimeError("migration 0003 failed")

    monkeypatch.setattr(runner, "upgrade_to_head", broken_upgrade)
    with pytest.raises(DatabaseProblem) as err:
        open_database(home)
    assert "left as it was" in str(err.value) and "\n" not in str(err.value)
    assert list(home.glob("inkbench.db.before-9999-*.bak"))
    monkeypatch.undo()
    again = open_database(home)
    with again.raw(write=False) as conn:
        assert conn.execute("SELECT title FROM article").fetchall() == [("kept",)]
        assert conn.execute("SELECT count(*) FROM article_revision").fetchone() == (0,)
    again.dispose()


def test_a_newer_database_is_refused(db, home) -> None:
    with db.raw() as conn:
        conn.execute("UPDATE alembic_version SET version_num = 'ffff'")
    db.dispose()
    with pytest.raises(DatabaseProblem, match="newer Inkbench"):
        open_database(home)
    with db.engine.connect() as conn:  # untouched
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == "ffff"
    db.dispose()
    # leave it openable for the fixture's final check
    with sqlite3.connect(db.path) as conn:
        conn.execute("UPDATE alembic_version SET version_num = ?", (SCHEMA_HEAD,))


def cli(home: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "inkbench", "--home", str(home), *args],
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize("damage", ["random", "truncated", "page_garbage", "newer", "foreign"])
def test_unusable_database_files_give_one_line_and_exit_1(tmp_path, capsys, damage) -> None:
    home = tmp_path / "home"
    db = open_database(home)
    with db.write() as s:
        for i in range(200):
            create_article(s, f"article {i}", "words " * 300)
    db.dispose()
    path = home / "inkbench.db"
    size = path.stat().st_size
    if damage == "random":
        path.write_bytes(os.urandom(size))
    elif damage == "truncated":
        with path.open("r+b") as f:
            f.truncate(size // 2)
    elif damage == "page_garbage":
        with path.open("r+b") as f:
            f.seek(size // 3)
            f.write(os.urandom(size // 3))
    elif damage == "newer":
        with sqlite3.connect(path) as conn:
            conn.execute("UPDATE alembic_version SET version_num = 'ffff'")
    elif damage == "foreign":
        path.unlink()
        with sqlite3.connect(path) as conn:
            conn.execute("CREATE TABLE accounts (x)")
    before = path.read_bytes()
    args = ("article", "list", "--limit", "500")
    if damage in ("random", "newer"):  # as a real process: no traceback reaches the user
        result = cli(home, *args)
        code, err = result.returncode, result.stderr
    else:
        from inkbench.cli import main

        code = main(["--home", str(home), *args])
        err = capsys.readouterr().err
    assert code == 1, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("inkbench: "), err
    assert "Traceback" not in err and "bug" not in err
    assert path.read_bytes() == before


def test_hand_written_expression_indexes_exist_as_the_models_declare(db) -> None:
    with db.raw(write=False) as raw:
        sql = dict(raw.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index'"))
    for name in filters.EXPRESSION_INDEXES:
        assert name in sql, name
    assert "title COLLATE NOCASE" in sql["ix_article_live_title"]
    assert "id DESC" in sql["ix_article_live_status"]


def test_openers_of_a_fresh_home_at_once_all_succeed(tmp_path: Path) -> None:
    """Threads of one process (the TUI's first read and its account monitor)
    and separate processes, all opening a data home that has no database yet:
    one creates it, the others wait and find it made."""
    import concurrent.futures

    home = tmp_path / "fresh"
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        dbs = list(pool.map(lambda _i: open_database(home), range(4)))
    for d in dbs:
        d.dispose()

    other = tmp_path / "fresh2"
    code = (
        "import sys; from inkbench.storage.engine import open_database; "
        "open_database(sys.argv[1]).dispose()"
    )
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", code, str(other)], stderr=subprocess.PIPE, text=True
        )
        for _ in range(3)
    ]
    errors = [p.communicate(timeout=120)[1] for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], errors
    conn = sqlite3.connect(other / "inkbench.db")
    try:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone()[0] == SCHEMA_HEAD
    finally:
        conn.close()
