"""Soak: kill -9 at random moments during image import and OCR, many times,
then finish the work and check that nothing is broken, stuck, lost or
half-written. Slow (a minute or two): run with `make soak`.

Each round starts real `inkbench` processes (an import and an OCR run with
two worker processes), kills their whole process groups with SIGKILL at a
random moment, and checks the database is sound before the next round.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

pytestmark = pytest.mark.soak

INKBENCH = str(Path(sys.executable).with_name("inkbench"))
ROUNDS = int(os.environ.get("INKBENCH_SOAK_ROUNDS", "12"))
BATCH = 25  # images per round
LEASE = 2.0


def _images(folder: Path, n: int, start: int) -> None:
    """Page-sized images with a few lines of text (tenths of a second of OCR each)."""
    folder.mkdir(parents=True)
    for i in range(start, start + n):
        img = Image.new("RGB", (1000, 500), "white")
        draw = ImageDraw.Draw(img)
        for line in range(6):
            draw.text(
                (30, 40 + 70 * line), f"Soak page {i} line {line} lantern harbor", fill="black"
            )
        img.save(folder / f"page-{i:03d}.png")


def _start(home: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [INKBENCH, "--home", str(home), *args],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own group: the kill reaches OCR workers too
    )


def _kill_group(proc: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)


def _blob_count(home: Path) -> int:
    return sum(1 for f in (home / "blobs").rglob("*") if f.is_file())


def _until_import_starts(home: Path, timeout: float) -> None:
    """Wait until the import has stored a new file (or ``timeout`` passed)."""
    before = _blob_count(home)
    deadline = time.monotonic() + timeout
    while _blob_count(home) == before and time.monotonic() < deadline:
        time.sleep(0.05)


def _sound(db_path: Path) -> None:
    conn = sqlite3.connect(db_path, timeout=30)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    finally:
        conn.close()


def test_random_sigkills_during_import_and_ocr_lose_and_break_nothing(tmp_path: Path) -> None:
    rng = random.Random(int(os.environ.get("INKBENCH_SOAK_SEED", "20261123")))
    home = tmp_path / "home"
    pictures = tmp_path / "pictures"
    batches = [pictures / f"batch-{b}" for b in range(ROUNDS)]
    for b, folder in enumerate(batches):
        _images(folder, BATCH, b * BATCH)
    total = ROUNDS * BATCH
    db_path = home / "inkbench.db"
    # the database made first, so that on a loaded machine the kills land in
    # import and OCR work rather than in every process's first migration
    made = subprocess.run(
        [INKBENCH, "--home", str(home), "album", "list"], capture_output=True, text=True
    )
    assert made.returncode == 0, made.stderr

    mid_import = mid_ocr = 0  # kills that landed with work half done
    for folder in batches:
        procs = [_start(home, "album", "import", "Soak", str(folder))]
        if db_path.exists():
            procs.append(
                _start(
                    home,
                    "ocr",
                    "run",
                    "--workers",
                    "2",
                    "--lang",
                    "eng",
                    "--lease-seconds",
                    str(LEASE),
                    "--once",
                )
            )
        _until_import_starts(home, 60)  # process start-up takes seconds on a loaded machine
        time.sleep(rng.uniform(0.2, 2.5))
        for proc in procs:
            _kill_group(proc)
        if db_path.exists():
            _sound(db_path)
            conn = sqlite3.connect(db_path, timeout=30)
            try:
                if not conn.execute(
                    "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'image'"
                ).fetchone():
                    # killed inside the first migration: it rolled back whole
                    tables = conn.execute(
                        "SELECT name FROM sqlite_master WHERE type = 'table'"
                    ).fetchall()
                    assert tables == [], tables
                    continue
                imported = conn.execute("SELECT count(*) FROM image").fetchone()[0]
                running = conn.execute(
                    "SELECT count(*) FROM image WHERE ocr_status = 'running'"
                ).fetchone()[0]
            finally:
                conn.close()
            # rows go in atomically per batch, files first: a cut import
            # shows as stored files its rows never reached
            files = _blob_count(home)
            mid_import += imported % BATCH != 0 or files > 2 * imported
            mid_ocr += running > 0  # leases held by killed workers
    assert mid_import and mid_ocr, (mid_import, mid_ocr)  # the soak really cut work short

    # restart: finish the import, let killed leases expire, finish OCR
    done = subprocess.run(
        [INKBENCH, "--home", str(home), "album", "import", "Soak", "--recursive", str(pictures)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    time.sleep(LEASE + 0.5)
    ocr = subprocess.run(
        [
            INKBENCH,
            "--home",
            str(home),
            "ocr",
            "run",
            "--workers",
            "2",
            "--lang",
            "eng",
            "--lease-seconds",
            str(LEASE),
            "--until-empty",
            "--retry-delay",
            "0.2",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert ocr.returncode in (0, 1), ocr.stderr  # 1: some image failed; checked below
    check = subprocess.run(
        [INKBENCH, "--home", str(home), "db", "check"], capture_output=True, text=True
    )
    assert check.returncode == 0, check.stdout + check.stderr

    conn = sqlite3.connect(db_path)
    try:
        names = [r[0] for r in conn.execute("SELECT original_name FROM image")]
        states = dict(conn.execute("SELECT ocr_status, count(*) FROM image GROUP BY 1"))
        found = conn.execute(
            "SELECT count(*) FROM image WHERE ocr_text LIKE '%lantern%'"
        ).fetchone()[0]
        referenced = {
            r[0]
            for r in conn.execute(
                "SELECT blob_sha FROM image UNION SELECT thumb_sha FROM image"
                " WHERE thumb_sha IS NOT NULL"
            )
        }
    finally:
        conn.close()
    # every picture imported exactly once, none left running or pending
    assert sorted(names) == sorted(p.name for p in pictures.rglob("*.png"))
    assert len(names) == total
    assert set(states) <= {"done", "no_text", "failed"}, states
    assert found >= total * 0.9  # tesseract reads these; a killed attempt is redone
    # no blob half-written: every stored file hashes to its name
    stored = [f for f in (home / "blobs").rglob("*") if f.is_file()]
    for f in stored:
        if not f.name.startswith(".tmp-"):
            assert hashlib.sha256(f.read_bytes()).hexdigest() == f.parent.name + f.name
    present = {f.parent.name + f.name for f in stored}
    assert referenced <= present
