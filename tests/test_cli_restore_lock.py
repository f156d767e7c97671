"""`db restore` never replaces the database under a running Inkbench
(issue 12): every process holds a lock on the data home; restore refuses,
naming each holder (pid and command), and goes ahead once they are gone,
even when one was killed with SIGKILL and never let go cleanly."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

INKBENCH = str(Path(sys.executable).with_name("inkbench"))


def inkbench(home: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [INKBENCH, "--home", str(home), "--lang", "en", *args],
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )


def titles(home: Path) -> list[str]:
    conn = sqlite3.connect(home / "inkbench.db")
    try:
        return sorted(r[0] for r in conn.execute("SELECT title FROM article"))
    finally:
        conn.close()


HOLDER = """
import sys, time
from inkbench.storage.engine import open_database

db = open_database(sys.argv[1])  # as every Inkbench process does
with db.read() as session:
    pass
time.sleep(300)
"""


def start_holder(home: Path, tmp_path: Path) -> subprocess.Popen:
    """A real, long-running process that opened ``home`` through Inkbench's
    storage (as the TUI, `ocr run` and `generate run` do), once registered."""
    script = tmp_path / "holder.py"
    script.write_text(HOLDER, encoding="utf-8")
    proc = subprocess.Popen(
        [sys.executable, str(script), str(home)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while not (home / "run" / f"{proc.pid}.json").exists():
        assert proc.poll() is None, "the holder ended"
        assert time.monotonic() < deadline, "the holder never registered"
        time.sleep(0.05)
    return proc


def test_restore_refuses_while_processes_hold_the_home_and_names_them(tmp_path: Path) -> None:
    home = tmp_path / "home"
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "kept.md").write_text("# Kept\n\nIn the backup.\n", encoding="utf-8")
    assert inkbench(home, "article", "import", str(notes)).returncode == 0
    backup = tmp_path / "backup.tar"
    assert inkbench(home, "db", "backup", str(backup)).returncode == 0
    (notes / "later.md").write_text("# Later\n\nAfter the backup.\n", encoding="utf-8")
    assert inkbench(home, "article", "import", str(notes)).returncode == 0
    assert titles(home) == ["Kept", "Later"]

    first, second = start_holder(home, tmp_path), start_holder(home, tmp_path)
    try:
        refused = inkbench(home, "db", "restore", str(backup), "--force")
        assert refused.returncode == 1
        said = [ln for ln in refused.stderr.splitlines() if ln.startswith("inkbench:")]
        assert len(said) == 1, refused.stderr
        for proc in (first, second):
            assert f"pid {proc.pid} (holder.py {home})" in said[0]
        assert titles(home) == ["Kept", "Later"]  # nothing replaced
        assert not list(home.glob("inkbench.db.before-restore-*"))

        os.killpg(second.pid, signal.SIGKILL)  # gone without letting go cleanly
        second.wait(timeout=30)
        refused = inkbench(home, "db", "restore", str(backup), "--force")
        assert refused.returncode == 1
        assert f"pid {first.pid}" in refused.stderr and f"pid {second.pid}" not in refused.stderr
    finally:
        for proc in (first, second):
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(timeout=30)

    restored = inkbench(home, "db", "restore", str(backup), "--force")
    assert restored.returncode == 0, restored.stderr
    assert titles(home) == ["Kept"]
    assert "kept at" in restored.stdout  # where the replaced database is
    check = inkbench(home, "db", "check")
    assert check.returncode == 0, check.stdout + check.stderr
    # the registry holds no file of a process that has ended
    assert sorted(p.name for p in (home / "run").iterdir()) == ["gate.lock"]


def test_a_process_starting_during_a_restore_waits_for_it(tmp_path: Path) -> None:
    """While a restore has the home, a new process does not open the
    database: it waits at the gate (here: until the test lets go)."""
    from filelock import FileLock

    home = tmp_path / "home"
    assert inkbench(home, "stats").returncode == 0
    gate = FileLock(home / "run" / "gate.lock", thread_local=False)
    with gate:
        proc = subprocess.Popen(
            [INKBENCH, "--home", str(home), "stats"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        time.sleep(2)
        assert proc.poll() is None  # still waiting
    _out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err


def _open_files_under(folder: Path) -> list[str]:
    """The files under ``folder`` this process has open (Linux's /proc)."""
    out = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:  # closed meanwhile (the listing's own descriptor)
            continue
        if target.startswith(str(folder)):
            out.append(target)
    return out


def test_a_disposed_database_lets_go_of_the_home(tmp_path: Path) -> None:
    """``Database.dispose`` (and ``Store.close``) close this process's
    ``run/<pid>.lock`` and remove its files once nothing else here holds the
    home, so another process can have the home (a restore) while this one
    goes on; before that, the restore is refused naming this process."""
    from inkbench.storage.engine import open_database
    from inkbench.storage.store import Store

    if not Path("/proc/self/fd").is_dir():
        import pytest

        pytest.skip("needs /proc to list open files")
    home = tmp_path / "home"
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "kept.md").write_text("# Kept\n\nIn the backup.\n", encoding="utf-8")
    assert inkbench(home, "article", "import", str(notes)).returncode == 0
    backup = tmp_path / "backup.tar"
    assert inkbench(home, "db", "backup", str(backup)).returncode == 0
    run = (home / "run").resolve()
    me = f"{os.getpid()}.lock"

    db = open_database(home)
    with db.raw() as conn:
        conn.execute("UPDATE article SET title = 'Changed'")
    second = open_database(home)  # two holds in one process
    store = Store(home)
    assert store.ui_conn.execute("SELECT count(*) FROM article").fetchone() == (1,)
    second.dispose()
    store.close()
    assert (run / me).exists() and _open_files_under(run) == [str(run / me)]  # db holds it
    refused = inkbench(home, "db", "restore", str(backup), "--force")
    assert refused.returncode == 1 and f"pid {os.getpid()}" in refused.stderr
    assert titles(home) == ["Changed"]

    db.dispose()
    db.dispose()  # twice: still nothing else released
    assert _open_files_under(run) == []
    assert sorted(p.name for p in run.iterdir()) == ["gate.lock"]
    restored = inkbench(home, "db", "restore", str(backup), "--force")
    assert restored.returncode == 0, restored.stderr
    assert titles(home) == ["Kept"]

    again = open_database(home)  # this process can hold it again
    assert _open_files_under(run) == [str(run / me)]
    again.dispose()
    assert _open_files_under(run) == []
