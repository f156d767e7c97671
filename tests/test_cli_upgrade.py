"""A user upgrading an older database from the CLI sees each step on
standard error (a line each when it is not a terminal), and then finds
albums and knowledge bases by the pinyin of their names."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

from alembic import command

import inkbench.storage.migrations.runner as runner


def inkbench(home: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "inkbench", "--home", str(home), *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


def _database_at_0006(home: Path) -> None:
    home.mkdir(parents=True)
    path = home / "inkbench.db"
    engine = runner.migration_engine(path)
    with engine.connect() as conn:
        cfg = runner.alembic_config()
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0006")
    engine.dispose()
    conn = sqlite3.connect(path)
    now = "2026-11-01 00:00:00.000000"
    conn.executemany(
        "INSERT INTO album (name, description, created_at, updated_at) VALUES (?, '', ?, ?)",
        [("茶山照片", now, now), ("Receipts", now, now)],
    )
    conn.commit()
    conn.close()


def test_upgrading_shows_progress_then_search_finds_by_pinyin(tmp_path: Path) -> None:
    home = tmp_path / "home"
    _database_at_0006(home)
    result = inkbench(home, "search", "cszp", "--json")
    assert result.returncode == 0, result.stderr
    lines = result.stderr.splitlines()
    assert lines[0].startswith("inkbench: upgrading the database: keeping a copy as ")
    assert any("search_album" in line and "2/2" in line for line in lines), lines
    hits = json.loads(result.stdout)
    assert [(h["kind"], h["title"]) for h in hits] == [("album", "茶山照片")]
    # up to date now: nothing on standard error
    again = inkbench(home, "search", "chashan")
    assert again.returncode == 0 and again.stderr == ""
    assert "album 1: 茶山照片" in again.stdout
