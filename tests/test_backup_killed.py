"""A backup killed mid-way (kill -9) leaves its work folder
``.inkbench-backup-*`` beside the file it was writing. The next Inkbench
process that opens the home, or the next backup, removes it: the folder is
listed in the killed process's ``run/<pid>.json``, and its ``run/<pid>.lock``
is free. A live backup's folder is never touched, even a stopped one's."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tarfile
import time
from collections.abc import Callable
from pathlib import Path

INKBENCH = str(Path(sys.executable).with_name("inkbench"))
BLOBS = 40  # 40 x 1 MiB of stored files: a backup that takes a moment


def inkbench(home: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [INKBENCH, "--home", str(home), "--lang", "en", *args],
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )


def _home_with_files(home: Path) -> None:
    from inkbench.storage import blobs
    from inkbench.storage.engine import open_database

    db = open_database(home)
    try:
        with db.raw() as conn:
            for _i in range(BLOBS):
                sha, size = blobs.put_bytes(db.blob_dir, os.urandom(1 << 20))
                blobs.register(conn, sha, size)
    finally:
        db.dispose()


def _caught(home: Path, args: list[str], folders: Callable[[], list[Path]], what: str):
    """A real `inkbench ARGS` on ``home``, in a session of its own, and its
    work folder once ``folders`` finds it (polled every millisecond)."""
    proc = subprocess.Popen(
        [INKBENCH, "--home", str(home), *args],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while not (work := folders()):
        assert proc.poll() is None, f"the {what} ended before its work folder was seen"
        assert time.monotonic() < deadline, f"the {what} never made its work folder"
        time.sleep(0.001)
    return proc, work


def _stopped_backup(home: Path, dest: Path) -> tuple[subprocess.Popen, Path]:
    """A real `inkbench db backup`, stopped (SIGSTOP) once its work folder
    exists: mid-way, alive. Returns the process and its folder."""
    # stopped once it writes the archive: the database snapshot is done, so
    # the stop never lands inside SQLite's WAL locking (a process stopped
    # there makes every other opener fail with SQLITE_PROTOCOL)
    proc, work = _caught(
        home,
        ["db", "backup", str(dest)],
        lambda: [w for w in dest.parent.glob(".inkbench-backup-*") if (w / "backup.tar").exists()],
        "backup",
    )
    os.kill(proc.pid, signal.SIGSTOP)
    assert len(work) == 1 and not dest.exists()  # stopped before it finished
    return proc, work[0]


def _kill(proc: subprocess.Popen) -> None:
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)


def test_a_killed_backups_work_folder_goes_at_the_next_open_or_backup(tmp_path: Path) -> None:
    home = tmp_path / "home"
    out = tmp_path / "backups"
    out.mkdir()
    _home_with_files(home)

    proc, work = _stopped_backup(home, out / "first.tar")
    try:
        assert work.is_dir() and (home / "run" / f"{proc.pid}.lock").exists()
        # its owner is alive (stopped): another process leaves the folder alone
        assert inkbench(home, "stats").returncode == 0
        assert work.is_dir()
    finally:
        _kill(proc)
    assert work.is_dir()  # a kill -9 leaves it, and the registry's files
    assert (home / "run" / f"{proc.pid}.json").exists()

    stats = inkbench(home, "stats")  # the next process to open the home
    assert stats.returncode == 0, stats.stderr
    assert not work.exists()
    assert not (home / "run" / f"{proc.pid}.json").exists()
    assert not (home / "run" / f"{proc.pid}.lock").exists()

    proc, work = _stopped_backup(home, out / "second.tar")
    _kill(proc)
    assert work.is_dir()
    backup = inkbench(home, "db", "backup", str(out / "third.tar"))  # the next backup
    assert backup.returncode == 0, backup.stderr
    assert sorted(p.name for p in out.iterdir()) == ["third.tar"]
    with tarfile.open(out / "third.tar") as tar:
        assert len([m for m in tar.getmembers() if m.name.startswith("blobs/")]) == BLOBS
    assert sorted(p.name for p in (home / "run").iterdir()) == ["gate.lock"]


def test_a_killed_restores_work_folder_goes_at_the_next_open(tmp_path: Path) -> None:
    home, other = tmp_path / "home", tmp_path / "other"
    _home_with_files(home)
    dest = tmp_path / "home.tar"
    assert inkbench(home, "db", "backup", str(dest)).returncode == 0
    # killed once it is extracting the stored files into its work folder
    proc, work = _caught(
        other,
        ["db", "restore", str(dest)],
        lambda: [w for w in other.glob(".inkbench-restore-*") if any(w.rglob("blobs/*/*"))],
        "restore",
    )
    _kill(proc)
    assert work[0].is_dir()  # a kill -9 leaves it

    stats = inkbench(other, "stats")  # the next process to open the home
    assert stats.returncode == 0, stats.stderr
    assert not work[0].exists()
    assert not (other / "run" / f"{proc.pid}.json").exists()
    restored = inkbench(other, "db", "restore", str(dest), "--force")
    assert restored.returncode == 0, restored.stderr
    assert not list(other.glob(".inkbench-restore-*"))
