"""Re-running `inkbench article import` adds nothing twice (issue 12), even
after a run killed with SIGKILL half way; `--copies` imports copies on purpose."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

INKBENCH = str(Path(sys.executable).with_name("inkbench"))
FILES = 1200


def _count(db_path: Path) -> int:
    try:
        conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=10)
    except sqlite3.OperationalError:
        return 0
    try:
        return conn.execute("SELECT count(*) FROM article").fetchone()[0]
    except sqlite3.OperationalError:
        return 0  # not created yet
    finally:
        conn.close()


def _run(home: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [INKBENCH, "--home", str(home), "article", "import", *args],
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_reimport_after_kill_skips_what_is_in_and_copies_on_request(tmp_path: Path) -> None:
    home = tmp_path / "home"
    folder = tmp_path / "notes"
    folder.mkdir()
    for i in range(FILES):
        (folder / f"note-{i:04d}.md").write_text(
            f"# Note {i}\n\nSome text about lanterns, number {i}.\n", encoding="utf-8"
        )
    db_path = home / "inkbench.db"
    proc = subprocess.Popen(
        [INKBENCH, "--home", str(home), "article", "import", str(folder)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        while proc.poll() is None and _count(db_path) == 0:
            time.sleep(0.005)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    first = _count(db_path)
    assert 0 < first < FILES, first  # the kill landed half way

    again = _run(home, str(folder))
    assert again.returncode == 0, again.stderr
    assert _count(db_path) == FILES
    assert f"imported {FILES - first} articles" in again.stdout
    assert f"skipped {first:,} files" in again.stdout

    third = _run(home, str(folder))
    assert third.returncode == 0, third.stderr
    assert _count(db_path) == FILES
    assert "imported 0 articles" in third.stdout

    # a changed file is new content: it comes in; the rest is skipped
    (folder / "note-0000.md").write_text("# Note 0\n\nRewritten.\n", encoding="utf-8")
    changed = _run(home, str(folder))
    assert "imported 1 article" in changed.stdout
    assert _count(db_path) == FILES + 1

    copies = _run(home, "--copies", str(folder))
    assert copies.returncode == 0, copies.stderr
    assert _count(db_path) == 2 * FILES + 1
    check = subprocess.run(
        [INKBENCH, "--home", str(home), "db", "check"], capture_output=True, text=True
    )
    assert check.returncode == 0, check.stdout + check.stderr
