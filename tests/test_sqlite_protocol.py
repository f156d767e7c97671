"""SQLITE_PROTOCOL: another process is stopped (or hung) inside SQLite's WAL
locking. The user is told another Inkbench process holds the database and to
try again after closing it, not that the file can't be read and a backup
should be restored.

The condition is real: a second process holds every WAL read-mark lock of the
``-shm`` file (bytes 123..127, as a process stopped while taking them would),
so SQLite's reader gives up with SQLITE_PROTOCOL after its ~100 retries (~10 s).
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from inkbench.storage.errors import DatabaseProblem, user_error

_LOCKER = textwrap.dedent(
    """
    import fcntl, sqlite3, sys, time
    db = sys.argv[1]
    conn = sqlite3.connect(db)  # keeps the -shm file in use
    conn.execute("SELECT count(*) FROM sqlite_master").fetchall()
    shm = open(db + "-shm", "r+b")
    # WALINDEX_LOCK_OFFSET 120 + WAL_READ_LOCK(0..4): every read mark
    fcntl.lockf(shm, fcntl.LOCK_EX | fcntl.LOCK_NB, 5, 123, 0)
    print("locked", flush=True)
    time.sleep(120)
    """
)


def _cli(home: Path, *args: str, lang: str) -> subprocess.CompletedProcess[str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("LANG", "LC_ALL", "LC_MESSAGES", "INKBENCH_HOME")
    }
    return subprocess.run(
        [sys.executable, "-m", "inkbench", "--home", str(home), *args],
        capture_output=True,
        text=True,
        env={**env, "LANG": lang},
        timeout=120,
    )


@pytest.fixture
def held_home(tmp_path: Path) -> Iterator[Path]:
    home = tmp_path / "home"
    made = _cli(home, "article", "list", lang="C.UTF-8")
    assert made.returncode == 0, made.stderr
    locker = subprocess.Popen(
        [sys.executable, "-c", _LOCKER, str(home / "inkbench.db")],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert locker.stdout is not None and locker.stdout.readline().strip() == "locked"
        yield home
    finally:
        locker.kill()
        locker.wait()


def test_a_held_database_says_another_process_holds_it(held_home: Path) -> None:
    r = _cli(held_home, "article", "list", lang="C.UTF-8")
    assert r.returncode == 1
    line = r.stderr.strip()
    assert "\n" not in line and "Traceback" not in line
    assert line.startswith("inkbench: another Inkbench process is holding "), line
    assert "try again" in line
    assert "restore" not in line and "locking protocol" not in line

    r = _cli(held_home, "article", "list", lang="zh_CN.UTF-8")
    assert r.returncode == 1
    assert "另一个 Inkbench 进程" in r.stderr and "restore" not in r.stderr, r.stderr


def test_a_protocol_error_while_working_is_no_bug() -> None:
    """Raised by a query once the database is open: the CLI and the TUI's job
    router ask ``user_error``, which gives the same one line."""
    error = sqlite3.OperationalError("locking protocol")
    error.sqlite_errorcode = 15  # type: ignore[attr-defined]
    wrapped = RuntimeError("while saving")
    wrapped.__cause__ = error
    problem = user_error(wrapped)
    assert isinstance(problem, DatabaseProblem)
    assert str(problem).startswith("another Inkbench process is holding the database")
    assert user_error(sqlite3.OperationalError("no such table: x")) is None
