"""Shared fixtures: a fresh data home per test, and a database that must pass
``PRAGMA foreign_key_check`` and ``integrity_check`` when the test ends."""

from __future__ import annotations

import importlib.abc
import os
import sqlite3
import sys
from pathlib import Path

import pytest

os.environ.setdefault("OMP_THREAD_LIMIT", "1")


class _NoBareLayers(importlib.abc.MetaPathFinder):
    """The repository root is on sys.path in tests, so ``import storage`` would
    work here and break in an installed wheel: refuse it, so a stray bare name
    (an import or a "module:Class" string) fails a test."""

    LAYERS = frozenset({"cli", "tui", "storage", "integrations", "server", "assets"})

    def find_spec(self, name: str, path=None, target=None):
        if name.partition(".")[0] in self.LAYERS:
            raise ImportError(f"import inkbench.{name}, not the bare {name!r}")
        return None


sys.meta_path.insert(0, _NoBareLayers())


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
    from inkbench.storage.engine import open_database

    database = open_database(home)
    yield database
    database.dispose()
    assert_db_sound(database.path)
