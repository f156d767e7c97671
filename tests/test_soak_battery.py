# ruff: noqa: F811  (pytest fixtures imported from tests.fakes are used as arguments)
"""Soak (issue 12): the kill -9 battery. `make soak` runs it.

Each of ``CYCLES`` cycles starts one real process on one data home, at
random one of: article import, album import, OCR with 2 workers, the
generation runner (mid-stream: the fake upstream streams slowly), the
editor's autosave, a backup, a migration of an older database, and kills
it with SIGKILL (its whole process group) at a random moment. After each:
``PRAGMA integrity_check`` is ok, ``foreign_key_check`` is empty, every blob
row has its file; what the autosave acknowledged is there; a killed backup
left no file or a whole one; a killed migration finishes on the next open.
At the end the work is finished: no lease is left claimed once its time is
up, every blob file has its row and every row its file, and every item
(file, image, OCR, generation item) is finished exactly once. The counts
are printed.
"""

from __future__ import annotations

import collections
import contextlib
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PIL import Image, ImageDraw
from sqlmodel import select

from inkbench.storage.articles import create_article
from inkbench.storage.backup import read_backup_info
from inkbench.storage.engine import open_database
from inkbench.storage.migrations import SCHEMA_HEAD
from inkbench.storage.models import GenerationTask
from inkbench.storage.tasks import create_task
from tests.fakes.fixtures import (  # noqa: F401
    _fake_upstream,
    account_server,
    keyring_file,
    upstream,
)
from tests.integrations.test_generation_e2e import _inputs, ai  # noqa: F401

pytestmark = [pytest.mark.soak, pytest.mark.timeout(1800)]  # 100 cycles: minutes

INKBENCH = str(Path(sys.executable).with_name("inkbench"))
CYCLES = int(os.environ.get("INKBENCH_SOAK_CYCLES", "100"))
KINDS = ("article import", "album import", "ocr", "generation", "autosave", "backup", "migration")
LEASE = 2
NOTE_FOLDERS, NOTES_EACH = 3, 150
PIC_FOLDERS, PICS_EACH = 4, 5
OLD_REVISION = "0003"  # the migration cycles upgrade from here (the search rebuild of 0004)

# the editor's autosave without the screen: the same storage calls as
# tui.actions.save_document (the text, then an autosave revision, in one
# transaction), in a loop; each number printed was acknowledged as saved
AUTOSAVE = """
import sys
from inkbench.storage.articles import update_article
from inkbench.storage.engine import open_database
from inkbench.storage.revisions import snapshot

db, article_id, i = open_database(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
while True:
    with db.write() as session:
        update_article(session, article_id, body=f"version {i}\\n\\n" + "typed " * 2000)
        snapshot(session, "article", article_id, "autosave")
    print(i, flush=True)
    i += 1
"""


def _start(home: Path, *args: str, out=subprocess.DEVNULL) -> subprocess.Popen:
    return subprocess.Popen(
        [INKBENCH, "--home", str(home), *args],
        stdin=subprocess.DEVNULL,
        stdout=out,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own group: the kill reaches OCR workers too
    )


def _kill(proc: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=60)


def _run(home: Path, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    done = subprocess.run(
        [INKBENCH, "--home", str(home), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 0, (args, done.stdout, done.stderr)
    return done


def _q(db_path: Path, sql: str, *params):
    conn = sqlite3.connect(db_path, timeout=30)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def _sound(db_path: Path) -> None:
    assert _q(db_path, "PRAGMA integrity_check") == [("ok",)]
    assert _q(db_path, "PRAGMA foreign_key_check") == []


def _stored(home: Path) -> set[str]:
    return {
        f.parent.name + f.name
        for f in (home / "blobs").rglob("*")
        if f.is_file() and not f.name.startswith(".")
    }


def _rows_have_files(home: Path) -> None:
    rows = {r[0] for r in _q(home / "inkbench.db", "SELECT sha256 FROM blob")}
    assert rows <= _stored(home), rows - _stored(home)


def _notes(root: Path) -> list[Path]:
    folders = []
    for f in range(NOTE_FOLDERS):
        folder = root / f"notes-{f}"
        folder.mkdir(parents=True)
        for i in range(NOTES_EACH):
            (folder / f"n{i:03d}.md").write_text(
                f"# Note {f}-{i}\n\nlantern harbor {i} " * 20, encoding="utf-8"
            )
        folders.append(folder)
    return folders


def _pictures(root: Path) -> list[Path]:
    folders = []
    for b in range(PIC_FOLDERS):
        folder = root / f"pics-{b}"
        folder.mkdir(parents=True)
        for i in range(PICS_EACH):
            img = Image.new("RGB", (900, 300), "white")
            draw = ImageDraw.Draw(img)
            for line in range(3):
                draw.text((30, 40 + 70 * line), f"Soak {b} {i} line {line} lantern", fill="black")
            img.save(folder / f"p{b}-{i}.png")
        folders.append(folder)
    return folders


def _older_database(path: Path) -> None:
    """A database at schema ``OLD_REVISION`` holding 3,000 articles."""
    from alembic import command

    from inkbench.storage.connection import raw_connect
    from inkbench.storage.migrations.runner import alembic_config, migration_engine

    path.parent.mkdir(parents=True)
    engine = migration_engine(path)
    try:
        with engine.connect() as conn:
            cfg = alembic_config()
            cfg.attributes["connection"] = conn
            cfg.attributes["progress"] = None
            command.upgrade(cfg, OLD_REVISION)
    finally:
        engine.dispose()
    conn = raw_connect(path)
    try:
        conn.execute("BEGIN")
        conn.executemany(
            "INSERT INTO article (title, body, status, word_count, origin, created_at, updated_at)"
            " VALUES (?, ?, 'draft', 40, 'manual', '2026-01-01 00:00:00', '2026-01-01 00:00:00')",
            [(f"Old {i}", "旧的文章 lantern harbor " * 20) for i in range(3000)],
        )
        conn.execute("COMMIT")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()


def test_kill_battery(home, db, tmp_path, ai, upstream, account_server) -> None:
    started = time.monotonic()
    rng = random.Random(int(os.environ.get("INKBENCH_SOAK_SEED", "20261201")))
    db_path = db.path
    notes, pictures = _notes(tmp_path / "notes"), _pictures(tmp_path / "pictures")
    template = tmp_path / "older" / "inkbench.db"
    _older_database(template)
    first_task = _inputs(db, home, tmp_path, ai, upstream, count=1, album=False, kb=False)
    upstream.behaviour.reply = None
    upstream.behaviour.words = 150
    upstream.behaviour.chunk_delay = 0.01  # 1.5 s an article: kills land mid-stream
    with db.read() as s:
        dist_id, setting_id = s.exec(
            select(GenerationTask.distillation_id, GenerationTask.setting_id).where(
                GenerationTask.id == first_task
            )
        ).one()
    with db.write() as s:
        draft = create_article(s, "Draft", "version 0").id
    db.dispose()
    script = tmp_path / "autosave.py"
    script.write_text(AUTOSAVE, encoding="utf-8")

    kills = collections.Counter()
    midway = collections.Counter()  # kills that landed with work under way
    acknowledged = 0
    backups = tmp_path / "backups"
    backups.mkdir()
    valid_backups = 0
    backup_temps = 0  # work folders killed backups left beside their file (never the file)
    orphaned = 0  # leases left claimed by killed workers, summed over the cycles
    loop_start = time.monotonic()
    for cycle in range(CYCLES):
        kind = KINDS[cycle % len(KINDS)] if cycle < len(KINDS) else rng.choice(KINDS)
        kills[kind] += 1
        delay = rng.uniform(0.5, 3.5)  # a process starts in about a second
        target_db = db_path
        if kind == "article import":
            proc = _start(home, "article", "import", str(rng.choice(notes)))
        elif kind == "album import":
            proc = _start(home, "album", "import", "Soak", str(rng.choice(pictures)))
        elif kind == "ocr":
            proc = _start(
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
        elif kind == "generation":
            gdb = open_database(home)
            with gdb.write() as s:
                create_task(
                    s,
                    distillation_id=dist_id,
                    setting_id=setting_id,
                    count=1,
                    name=f"soak {cycle}",
                )
            gdb.dispose()
            proc = _start(home, "generate", "run", "--lease", str(LEASE))
        elif kind == "autosave":
            proc = subprocess.Popen(
                [sys.executable, str(script), str(home), str(draft), str(acknowledged + 1)],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                text=True,
                start_new_session=True,
            )
        elif kind == "backup":
            dest = backups / f"b{cycle}.tar"
            for left in backups.glob(".inkbench-backup-*"):  # a killed backup's work folder
                backup_temps += 1
                shutil.rmtree(left)
            proc = _start(home, "db", "backup", str(dest))
        else:  # migration of an older database, in a home of its own
            mig_home = tmp_path / "migrations" / f"m{cycle}"
            mig_home.mkdir(parents=True)
            shutil.copyfile(template, mig_home / "inkbench.db")
            target_db = mig_home / "inkbench.db"
            proc = _start(mig_home, "stats")
        if kind == "autosave":  # the first save acknowledged: the loop is under way
            first = proc.stdout.readline()
            acknowledged = max(acknowledged, int(first)) if first.strip() else acknowledged
            delay = rng.uniform(0.0, 1.5)
        elif kind in ("ocr", "generation"):  # an item claimed: the work is under way
            table, status = (
                ("image", "ocr_status") if kind == "ocr" else ("generation_item", "status")
            )
            pending = f"SELECT count(*) FROM {table} WHERE {status} IN ('pending', 'running')"
            if _q(db_path, pending)[0][0]:
                claimed = f"SELECT count(*) FROM {table} WHERE {status} = 'running'"
                deadline = time.monotonic() + 60
                while proc.poll() is None and time.monotonic() < deadline:
                    if _q(db_path, claimed)[0][0]:
                        break
                    time.sleep(0.01)
                delay = rng.uniform(0.0, 1.5)
        elif kind == "backup":  # its temp folder is there: the copy is under way
            deadline = time.monotonic() + 60
            while proc.poll() is None and time.monotonic() < deadline:
                if any(backups.glob(".inkbench-backup-*")):
                    break
                time.sleep(0.005)
            delay = rng.uniform(0.0, 0.3)
        time.sleep(delay)
        was_running = proc.poll() is None
        _kill(proc)
        midway[kind] += was_running

        if kind == "autosave":
            said = [ln for ln in proc.stdout.read().split() if ln.isdigit()]
            proc.stdout.close()
            if said:
                acknowledged = int(said[-1])
            body = _q(db_path, "SELECT body FROM article WHERE id = ?", draft)[0][0]
            saved = int(body.split("\n", 1)[0].split()[1])
            assert saved >= acknowledged  # nothing acknowledged is lost
            acknowledged = max(acknowledged, saved)
        elif kind == "backup":
            dest = backups / f"b{cycle}.tar"
            if dest.exists():  # whole, or not there at all
                read_backup_info(dest)
                valid_backups += 1
        elif kind == "migration":
            _run(target_db.parent, "stats")  # the next open finishes the upgrade
            assert _q(target_db, "SELECT version_num FROM alembic_version") == [(SCHEMA_HEAD,)]
            assert _q(target_db, "SELECT count(*) FROM article") == [(3000,)]
            _sound(target_db)
            shutil.rmtree(target_db.parent)
        if kind in ("ocr", "generation"):  # leases the killed process still holds
            orphaned += _q(
                db_path,
                "SELECT (SELECT count(*) FROM image WHERE ocr_status = 'running')"
                " + (SELECT count(*) FROM generation_item WHERE status = 'running')",
            )[0][0]
        _sound(db_path)
        _rows_have_files(home)

    cycles_done = time.monotonic()
    # finish the work: imports again (they skip what is in), expired leases
    # taken over, OCR and generation until nothing is left
    for folder in notes:
        _run(home, "article", "import", str(folder))
    for folder in pictures:
        _run(home, "album", "import", "Soak", str(folder))
    time.sleep(LEASE + 0.5)
    running = _q(
        db_path,
        "SELECT (SELECT count(*) FROM image WHERE ocr_status = 'running'),"
        " (SELECT count(*) FROM generation_item WHERE status = 'running')",
    )[0]
    upstream.behaviour.chunk_delay = 0.0
    _run(
        home,
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
        timeout=600,
    )
    _run(home, "generate", "run", "--once", timeout=600)
    _run(home, "db", "check")

    # every item finished exactly once; no lease left claimed
    per_file = _q(
        db_path,
        "SELECT source_path, count(*) FROM article WHERE origin = 'imported' GROUP BY 1",
    )
    assert len(per_file) == NOTE_FOLDERS * NOTES_EACH and {n for _p, n in per_file} == {1}
    names = [r[0] for r in _q(db_path, "SELECT original_name FROM image")]
    assert sorted(names) == sorted(p.name for f in pictures for p in f.iterdir())
    ocr = dict(_q(db_path, "SELECT ocr_status, count(*) FROM image GROUP BY 1"))
    assert set(ocr) <= {"done", "no_text", "failed"}, ocr
    items = _q(
        db_path,
        "SELECT i.status, count(a.id) FROM generation_item i"
        " LEFT JOIN article a ON a.generation_item_id = i.id GROUP BY i.id",
    )
    assert items and set(items) == {("done", 1)}, collections.Counter(items)
    assert _q(db_path, "SELECT count(*) FROM image WHERE ocr_status = 'running'") == [(0,)]
    # no blob file without its row, no row without its file
    rows = {r[0] for r in _q(db_path, "SELECT sha256 FROM blob")}
    assert rows == _stored(home), rows ^ _stored(home)
    temp = sum(1 for f in (home / "blobs").rglob(".tmp-*"))
    body = _q(db_path, "SELECT body FROM article WHERE id = ?", draft)[0][0]
    assert int(body.split("\n", 1)[0].split()[1]) >= acknowledged

    minutes = (time.monotonic() - started) / 60
    print(
        f"\nkill -9 battery: {CYCLES} cycles in {minutes:.1f} min"
        f" (the cycles {(cycles_done - loop_start) / 60:.1f}, finishing the work"
        f" {(time.monotonic() - cycles_done) / 60:.1f})"
        f"\n  kills per kind: {dict(kills)}"
        f"\n  of which mid-work: {dict(midway)}"
        f"\n  leases left claimed by killed workers: {orphaned} over the cycles,"
        f" {sum(running)} at the end (all taken over once their time was up)"
        f"\n  articles imported once each: {len(per_file)}; images: {len(names)}; OCR: {ocr}"
        f"\n  generation items done once each: {len(items)}"
        f"\n  autosave versions acknowledged: {acknowledged}; whole backups: {valid_backups},"
        f" work folders left by killed ones: {backup_temps}"
        f"\n  blob files = blob rows: {len(rows)}; temp files left by kills: {temp}"
    )
