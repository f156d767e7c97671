"""A full disk (issue 12): the data home is a small tmpfs filled to the last
byte. Every write path answers with one line saying the disk is full; the
editor keeps the text and says NOT SAVED; afterwards `db check` passes and
nothing committed before is lost.

Mounting needs root (the project's machines and CI run as root); elsewhere
these tests are skipped.
"""

from __future__ import annotations

import contextlib
import errno
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

INKBENCH = str(Path(sys.executable).with_name("inkbench"))
SIZE = "24m"


def _mount_tmpfs(where: Path) -> bool:
    if os.geteuid() != 0:
        return False
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={SIZE},mode=0700", "tmpfs", str(where)],
        capture_output=True,
    )
    return done.returncode == 0


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The data home on its own small tmpfs (skipped where mounting is not allowed)."""
    h = tmp_path / "home"
    h.mkdir()
    if not _mount_tmpfs(h):
        pytest.skip("mounting a tmpfs needs root")
    monkeypatch.setenv("INKBENCH_HOME", str(h))
    try:
        yield h
    finally:
        subprocess.run(["umount", "-l", str(h)], capture_output=True)


@contextlib.contextmanager
def disk_full(home: Path) -> Iterator[None]:
    """Fill ``home``'s file system to the last byte (after folding the WAL
    into the database, so a write needs new space), then free it."""
    db = home / "inkbench.db"
    if db.exists():
        conn = sqlite3.connect(db)
        try:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            conn.close()
    filler = home / "filler"
    with filler.open("wb", buffering=0) as f:
        for size in (1 << 16, 1):
            with contextlib.suppress(OSError):
                while f.write(b"\xff" * size):
                    pass
    with pytest.raises(OSError) as full:
        (home / "one-more").write_bytes(b"x")
    assert full.value.errno == errno.ENOSPC
    try:
        yield
    finally:
        filler.unlink()


def inkbench(home: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [INKBENCH, "--home", str(home), "--lang", "en", *args],
        capture_output=True,
        text=True,
        timeout=300,
        stdin=subprocess.DEVNULL,
    )


def assert_one_line_disk_full(done: subprocess.CompletedProcess) -> None:
    assert done.returncode == 1, done.stdout + done.stderr
    said = [ln for ln in done.stderr.splitlines() if ln.startswith("inkbench:")]
    assert len(said) == 1, done.stderr
    assert "full" in said[0] or "free some" in said[0], said[0]
    for bad in ("Traceback", "bug", "sqlalchemy", "OperationalError"):
        assert bad not in done.stderr, done.stderr


def counts(home: Path) -> dict[str, int]:
    conn = sqlite3.connect(home / "inkbench.db")
    try:
        return {
            t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in ("article", "image", "kb_document", "blob", "article_revision")
        }
    finally:
        conn.close()


def _picture(path: Path, shade: int) -> None:
    Image.new("RGB", (300, 200), (shade, 255 - shade, 128)).save(path)


def test_full_disk_every_cli_write_path_says_so_in_one_line(home: Path, tmp_path: Path) -> None:
    notes = tmp_path / "notes"
    notes.mkdir()
    for i in range(3):
        (notes / f"note-{i}.md").write_text(f"# Note {i}\n\nKept safe {i}.\n", encoding="utf-8")
    pics = tmp_path / "pics"
    pics.mkdir()
    _picture(pics / "a.png", 10)
    _picture(pics / "b.png", 200)
    (tmp_path / "guide.md").write_text("# Guide\n\nHeat pumps move heat.\n", encoding="utf-8")
    assert inkbench(home, "article", "import", str(notes)).returncode == 0
    assert inkbench(home, "album", "import", "Pics", str(pics)).returncode == 0
    assert inkbench(home, "kb", "import", "Guides", str(tmp_path / "guide.md")).returncode == 0
    before = counts(home)

    more = tmp_path / "more"
    more.mkdir()
    (more / "big.md").write_text("# Big\n\n" + "lantern harbor " * 40_000, encoding="utf-8")
    pic = tmp_path / "new.png"
    Image.effect_noise((600, 600), 64).convert("RGB").save(pic)
    doc = tmp_path / "handbook.md"
    doc.write_text("# Handbook\n\n" + "heat pump notes " * 40_000, encoding="utf-8")

    with disk_full(home):
        assert_one_line_disk_full(inkbench(home, "article", "import", str(more)))
        assert_one_line_disk_full(inkbench(home, "album", "import", "Pics", str(pic)))
        assert_one_line_disk_full(inkbench(home, "album", "import", "Other", str(pic)))
        assert_one_line_disk_full(inkbench(home, "db", "backup", str(home / "backup.tar")))
        ocr = inkbench(home, "ocr", "run", "--once", "--workers", "1", "--lang", "eng")
        assert_one_line_disk_full(ocr)
        kb = inkbench(home, "kb", "import", "Guides", str(doc))
        assert kb.returncode == 1
        assert "Traceback" not in kb.stderr and "bug" not in kb.stderr
        assert "free some" in kb.stderr or "full" in kb.stderr

    check = inkbench(home, "db", "check")
    assert check.returncode == 0, check.stdout + check.stderr
    assert counts(home) == before
    # and with room again, the same commands work
    assert inkbench(home, "album", "import", "Pics", str(pic)).returncode == 0
    assert inkbench(home, "article", "import", str(more)).returncode == 0
    assert counts(home)["article"] == before["article"] + 1


async def test_full_disk_editor_keeps_the_text_says_not_saved_then_saves(home: Path) -> None:
    from inkbench.tui.app import make_app
    from tests.tui.helpers import db_row, screen_text, seed, settle, wait_for
    from tests.tui.test_editor import open_editor

    ids = seed(home)
    app = make_app(home=home)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        editor = await open_editor(pilot, app, "article", ids["garden"])
        await pilot.press("end")
        with disk_full(home):
            await pilot.press(*" precious words " * 4)
            await wait_for(pilot, lambda: editor.failure is not None)
            assert "precious words" in editor.text_area.text
            assert editor.dirty
            assert "NOT SAVED" in screen_text(app)
            assert "full" in editor.failure, editor.failure
            assert "Error" not in editor.failure  # no exception's name or dump
        # room again: the editor's retry saves what was typed
        await wait_for(pilot, lambda: not editor.dirty and not editor.saving, timeout=60)
        body = db_row(home, "SELECT body FROM article WHERE id = ?", (ids["garden"],))[0]
        assert "precious words" in body
    check = inkbench(home, "db", "check")
    assert check.returncode == 0, check.stdout + check.stderr
