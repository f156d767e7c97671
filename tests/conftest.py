"""Shared fixtures: a fresh data home per test, and a database that must pass
``PRAGMA foreign_key_check`` and ``integrity_check`` when the test ends."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

os.environ.setdefault("OMP_THREAD_LIMIT", "1")


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    h = tmp_path / "home"
    monkeypatch.setenv("INKBENCH_HOME", str(h))
    return h


def assert_db_sound(path: Path) -> None:
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        conn.close()


@pytest.fixture
def db(home: Path):
    from storage.engine import open_database

    database = open_database(home)
    yield database
    database.dispose()
    assert_db_sound(database.path)
