"""`inkbench db check|backup|restore|vacuum|reindex` from the command line."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import subprocess
import sys
import tarfile
import time
from pathlib import Path

from inkbench.cli import main
from inkbench.storage import blobs


def run(capsys, home: Path, *args: str) -> tuple[int, str, str]:
    code = main(["--home", str(home), *args])
    out, err = capsys.readouterr()
    return code, out, err


def dump(home: Path) -> list[str]:
    conn = sqlite3.connect(home / "inkbench.db")
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


def files(home: Path) -> dict[str, str]:
    """Every file but the database (whose bytes move when its WAL is
    checkpointed; ``dump`` compares its content)."""
    return {
        str(p.relative_to(home)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(home.rglob("*"))
        if p.is_file() and p.name != "inkbench.db" and not p.name.endswith(("-wal", "-shm"))
    }


def one_error_line(err: str) -> str:
    lines = [
        line for line in err.strip().splitlines() if not line.startswith(("backing", "restor"))
    ]
    assert len(lines) == 1 and lines[0].startswith("inkbench: "), err
    return lines[0]


def test_backup_restore_round_trip(home, capsys, tmp_path) -> None:
    assert run(capsys, home, "demo")[0] == 0
    backup = tmp_path / "inkbench-backup.tar"
    code, out, err = run(capsys, home, "db", "backup", str(backup))
    assert code == 0, err
    assert "13 files" in out and backup.exists()

    other = tmp_path / "other"
    code, out, err = run(capsys, other, "db", "restore", str(backup))
    assert code == 0, err
    assert out.startswith(f"restored {other / 'inkbench.db'}")
    assert dump(other) == dump(home)
    assert {k: v for k, v in files(other).items() if k.startswith("blobs/")} == {
        k: v for k, v in files(home).items() if k.startswith("blobs/")
    }
    code, out, _ = run(capsys, other, "search", "灯塔", "--json")
    assert code == 0 and json.loads(out)

    # restoring again onto the data now there needs --force, and changes nothing without
    before = files(other), dump(other)
    code, out, err = run(capsys, other, "db", "restore", str(backup))
    assert code == 1 and "--force" in one_error_line(err)
    assert (files(other), dump(other)) == before
    code, out, err = run(capsys, other, "db", "restore", str(backup), "--force")
    assert code == 0, err
    assert "is kept at" in out
    assert run(capsys, other, "db", "check")[0] == 0


def test_backup_refuses_an_existing_file(home, capsys, tmp_path) -> None:
    target = tmp_path / "b.tar"
    target.write_text("precious")
    code, _out, err = run(capsys, home, "db", "backup", str(target))
    assert code == 1 and "exists already" in one_error_line(err)
    assert target.read_text() == "precious"
    assert run(capsys, home, "db", "backup", str(target), "--force")[0] == 0
    with tarfile.open(target) as tar:
        assert tar.getnames()[0] == "manifest.json"


def test_restore_of_a_file_that_is_not_a_backup(home, capsys, tmp_path) -> None:
    assert run(capsys, home, "article", "import", str(_doc(tmp_path)))[0] == 0
    before = files(home), dump(home)
    for bad in (_zip(tmp_path), _text(tmp_path), tmp_path / "missing.tar"):
        for force in ((), ("--force",)):
            code, _out, err = run(capsys, home, "db", "restore", str(bad), *force)
            assert code == 1
            one_error_line(err)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "inkbench",
            "--home",
            str(home),
            "db",
            "restore",
            str(_text(tmp_path)),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1 and "not an Inkbench backup" in one_error_line(result.stderr)
    assert (files(home), dump(home)) == before


def _doc(tmp_path: Path) -> Path:
    p = tmp_path / "doc.md"
    p.write_text("# 标题\n\n正文\n", encoding="utf-8")
    return p


def _zip(tmp_path: Path) -> Path:
    import zipfile

    p = tmp_path / "backup.zip"
    with zipfile.ZipFile(p, "w") as z:
        z.writestr("manifest.json", "{}")
    return p


def _text(tmp_path: Path) -> Path:
    p = tmp_path / "notes.tar"
    p.write_text("not a tar file at all\n" * 100)
    return p


def test_vacuum_and_reindex(home, capsys, tmp_path) -> None:
    assert run(capsys, home, "demo")[0] == 0
    orphan, _ = blobs.put_bytes(home / "blobs", b"left behind by a crash")
    old = time.time() - 2 * 3600
    os.utime(blobs.blob_path(home / "blobs", orphan), (old, old))
    code, out, _ = run(capsys, home, "db", "vacuum")
    assert code == 0 and out.startswith("removed 1 unused file;")
    assert not blobs.blob_path(home / "blobs", orphan).exists()

    conn = sqlite3.connect(home / "inkbench.db")
    with conn:  # the index loses its content, as a damaged one would
        try:
            conn.execute("INSERT INTO search_chapter(search_chapter) VALUES ('delete-all')")
        except sqlite3.OperationalError:  # not a contentless table
            conn.execute("DELETE FROM search_chapter")
    conn.close()
    code, out, _ = run(capsys, home, "search", "灯塔", "--json")
    assert [h for h in json.loads(out) if h["kind"] == "chapter"] == []
    code, out, _ = run(capsys, home, "db", "reindex")
    assert code == 0 and "search_chapter 5 rows" in out
    code, out, _ = run(capsys, home, "search", "灯塔", "--json")
    # the demo's chapters, and its story bible: 灯塔, 值班日志 in it, 陈伯 who keeps it
    assert {h["kind"] for h in json.loads(out)} == {"chapter", "character", "world_entry", "work"}
    assert run(capsys, home, "db", "check")[0] == 0


def test_check_reports_problems_and_exits_1(home, capsys) -> None:
    assert run(capsys, home, "demo")[0] == 0
    conn = sqlite3.connect(home / "inkbench.db")
    sha = conn.execute("SELECT blob_sha FROM image LIMIT 1").fetchone()[0]
    conn.close()
    path = blobs.blob_path(home / "blobs", sha)
    os.chmod(path.parent, 0o700)
    path.unlink()
    code, out, _ = run(capsys, home, "db", "check")
    assert code == 1
    assert f"missing file for blob {sha}" in out and "1 problem in" in out
