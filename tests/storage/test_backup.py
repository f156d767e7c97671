from __future__ import annotations

import errno
import hashlib
import json
import os
import sqlite3
import subprocess
import sys
import tarfile
import time
from pathlib import Path

import pytest

from inkbench.storage import backup, blobs, trash, works
from inkbench.storage.articles import create_article
from inkbench.storage.engine import open_database, raw_connect
from inkbench.storage.errors import InvalidInput
from inkbench.storage.search import search
from inkbench.storage.search_index import reindex


def dump(path: Path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def home_state(home: Path) -> dict[str, str]:
    """Every file under a home (and its hash), temp files included, but the
    database itself: its bytes move when the WAL is checkpointed (``dump``
    compares its content), and the registry of processes using the home (``run/``)."""
    return {
        str(p.relative_to(home)): sha(p)
        for p in sorted(home.rglob("*"))
        if p.is_file()
        and p.name != "inkbench.db"
        and not p.name.endswith(("-shm", "-wal"))
        and p.relative_to(home).parts[0] != "run"
    }


@pytest.fixture
def filled(db, rows):
    with db.write() as s:
        create_article(s, "[b]x[/b] 标题", "正文 [/ 和 [0] 都是文字")
        w = works.create_work(s, "小说")
        works.create_chapter(s, w.id, "第一章", "灯塔守护者")
    rows.album("相册", {"a.png": "发票", "b.png": "receipt"})
    rows.kb("知识", {"茶": ["龙井茶产于杭州"]})
    return db


def make_backup(db, tmp_path: Path) -> Path:
    dest = tmp_path / "out" / "backup.tar"
    dest.parent.mkdir()
    backup.create_backup(db, dest)
    return dest


def test_backup_is_one_file_and_restores_byte_for_byte(filled, tmp_path) -> None:
    dest = make_backup(filled, tmp_path)
    assert backup.read_backup_info(dest).blob_count == 3
    assert dest.stat().st_mode & 0o777 == 0o600
    with tarfile.open(dest) as tar:
        names = tar.getnames()
        manifest = json.loads(tar.extractfile("manifest.json").read())
    assert names[0] == "manifest.json" and names[1] == "inkbench.db"
    assert len(names) == 5 and not list(dest.parent.glob(".inkbench-backup-*"))

    other = tmp_path / "other"
    result = backup.restore_backup(other, dest)
    assert result.replaced_copy is None
    assert sha(other / "inkbench.db") == manifest["database"]["sha256"]
    assert dump(other / "inkbench.db") == dump(filled.path)
    for blob_sha, _size in manifest["blobs"]:
        restored = blobs.blob_path(other / "blobs", blob_sha)
        assert restored.read_bytes() == blobs.blob_path(filled.blob_dir, blob_sha).read_bytes()
    assert not list(other.glob(".inkbench-restore-*"))
    reopened = open_database(other)
    with reopened.raw(write=False) as conn:
        assert [h.kind for h in search(conn, "发票")] == ["image"]
        assert [h.kind for h in search(conn, "杭州")] == ["chunk"]
        assert [h.kind for h in search(conn, "灯塔")] == ["chapter"]
        assert [h.title for h in search(conn, "[b]x[/b]")] == ["[b]x[/b] 标题"]
    reopened.dispose()


ROOT = Path(__file__).resolve().parents[2]
FIXED_TIME = "2026-01-02 03:04:05.000000"


def _commit(conn: sqlite3.Connection, work_id: int, i: int) -> None:
    """Commit ``i`` of the writer: an article, a chapter and the work's word
    goal, in one transaction (fixed times, so replaying it is exact)."""
    conn.execute("BEGIN IMMEDIATE")
    conn.execute(
        "INSERT INTO article (title, body, status, word_count, origin, created_at, updated_at)"
        " VALUES (?, ?, 'draft', 4, 'manual', ?, ?)",
        (f"commit {i}", f"written by commit {i}", FIXED_TIME, FIXED_TIME),
    )
    conn.execute(
        "INSERT INTO chapter (work_id, title, body, position, word_count, status, created_at,"
        " updated_at) VALUES (?, ?, '灯塔', ?, 1, 'draft', ?, ?)",
        (work_id, f"commit {i}", 1000 + i, FIXED_TIME, FIXED_TIME),
    )
    conn.execute("UPDATE work SET word_goal = ? WHERE id = ?", (i, work_id))
    conn.execute("COMMIT")


def _write_until(db_path: str, work_id: str, stop: str) -> None:
    """The concurrent writer (a process of its own): commits 1, 2, 3, …
    as fast as it can until the file ``stop`` exists."""
    conn = raw_connect(Path(db_path))
    i = 0
    while not os.path.exists(stop):
        i += 1
        _commit(conn, int(work_id), i)
    conn.close()


def _commits(path: Path, work_id: int) -> int:
    conn = sqlite3.connect(path, timeout=30)
    try:
        return conn.execute("SELECT word_goal FROM work WHERE id = ?", (work_id,)).fetchone()[0]
    finally:
        conn.close()


def test_backup_is_a_point_in_time(filled, tmp_path) -> None:
    """A process commits as fast as it can while backups are taken: each
    backup is the database as it was at one instant during the backup (its
    commits wholly in or wholly out, none after a missing one)."""
    with filled.raw(write=False) as conn:
        (work_id,) = conn.execute("SELECT id FROM work").fetchone()
    base = tmp_path / "base.db"
    src, out = sqlite3.connect(filled.path), sqlite3.connect(base)
    src.backup(out)  # the database before the writer starts
    src.close(), out.close()
    stop = tmp_path / "stop"
    writer = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys; from tests.storage.test_backup import _write_until; "
            "_write_until(*sys.argv[1:])",
            str(filled.path),
            str(work_id),
            str(stop),
        ],
        cwd=ROOT,
    )
    try:
        deadline = time.monotonic() + 120
        while _commits(filled.path, work_id) < 3 and writer.poll() is None:
            assert time.monotonic() < deadline, "the writer never got going"
            time.sleep(0.01)
        for attempt in range(20):  # until a backup ran while commits were made
            dest = tmp_path / f"backup-{attempt}.tar"
            before = _commits(filled.path, work_id)
            backup.create_backup(filled, dest)
            after = _commits(filled.path, work_id)
            if after > before:
                break
    finally:
        stop.touch()
        writer.wait(timeout=120)
    assert writer.returncode == 0
    assert after > before, "no commit was made while a backup ran"

    snap = tmp_path / "snapshot.db"
    with tarfile.open(dest) as tar:
        snap.write_bytes(tar.extractfile("inkbench.db").read())
    instant = _commits(snap, work_id)
    assert before <= instant <= after  # an instant while the backup ran
    # the database at that instant: the one before the writer plus its commits
    # 1…instant, replayed; every table and search index must be the same
    conn = raw_connect(base)
    for i in range(1, instant + 1):
        _commit(conn, work_id, i)
    conn.close()
    assert dump(snap) == dump(base)


def test_backup_refuses_to_overwrite_without_force(filled, tmp_path) -> None:
    dest = make_backup(filled, tmp_path)
    before = sha(dest)
    with pytest.raises(InvalidInput, match="exists already"):
        backup.create_backup(filled, dest)
    assert sha(dest) == before
    backup.create_backup(filled, dest, force=True)
    with pytest.raises(InvalidInput, match="is a directory"):
        backup.create_backup(filled, tmp_path)
    with pytest.raises(InvalidInput, match="does not exist"):
        backup.create_backup(filled, tmp_path / "nope" / "b.tar")


def test_backup_refuses_a_damaged_blob(filled, tmp_path) -> None:
    with filled.raw(write=False) as conn:
        victim = conn.execute("SELECT sha256 FROM blob LIMIT 1").fetchone()[0]
    path = blobs.blob_path(filled.blob_dir, victim)
    os.chmod(path, 0o600)
    path.write_bytes(b"X" * path.stat().st_size)  # same size, other content
    dest = tmp_path / "b.tar"
    with pytest.raises(Exception, match="damaged"):
        backup.create_backup(filled, dest)
    assert not dest.exists() and not list(tmp_path.glob(".inkbench-backup-*"))


def test_restore_onto_existing_data_needs_force(filled, tmp_path) -> None:
    dest = make_backup(filled, tmp_path)
    with filled.write() as s:
        create_article(s, "written after the backup", "")
    before = home_state(filled.home), dump(filled.path)
    with pytest.raises(InvalidInput, match="already holds data; add --force"):
        backup.restore_backup(filled.home, dest)
    assert (home_state(filled.home), dump(filled.path)) == before
    filled.dispose()
    result = backup.restore_backup(filled.home, dest, force=True)
    assert result.replaced_copy is not None and result.replaced_copy.exists()
    db = open_database(filled.home)
    with db.read() as s:
        from inkbench.storage.articles import list_articles

        assert [a.title for a in list_articles(s)] == ["[b]x[/b] 标题"]
    db.dispose()
    kept = sqlite3.connect(result.replaced_copy)
    assert kept.execute("SELECT count(*) FROM article").fetchone()[0] == 2
    kept.close()


def _tar(path: Path, members: dict[str, bytes]) -> Path:
    import io

    with tarfile.open(path, "w") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def _tampered(src: Path, dest: Path, change) -> Path:
    with tarfile.open(src) as tar:
        members = {m.name: tar.extractfile(m).read() for m in tar}
    change(members)
    return _tar(dest, members)


@pytest.mark.parametrize(
    "make",
    [
        "random",
        "empty",
        "text",
        "no_manifest",
        "bad_json",
        "blob_changed",
        "blob_missing",
        "extra_member",
        "path_escape",
        "truncated",
        "newer_schema",
        "newer_format",
        "db_changed",
    ],
)
def test_a_file_that_is_not_a_valid_backup_changes_nothing(db, rows, tmp_path, make) -> None:
    rows.album("a", {"1.png": "x"})
    good = make_backup(db, tmp_path)
    target = tmp_path / "target"
    bad = tmp_path / f"{make}.tar"

    def edit_manifest(key, value):
        def change(m):
            manifest = json.loads(m["manifest.json"])
            manifest[key] = value
            m["manifest.json"] = json.dumps(manifest).encode()

        return change

    if make == "random":
        bad.write_bytes(os.urandom(20000))
    elif make == "empty":
        bad.write_bytes(b"")
    elif make == "text":
        bad.write_text("hello\n" * 200)
    elif make == "no_manifest":
        _tar(bad, {"inkbench.db": b"x"})
    elif make == "bad_json":
        _tar(bad, {"manifest.json": b"{not json"})
    elif make == "blob_changed":
        _tampered(
            good,
            bad,
            lambda m: m.update({k: b"y" * len(v) for k, v in m.items() if k.startswith("blobs/")}),
        )
    elif make == "blob_missing":
        _tampered(good, bad, lambda m: [m.pop(k) for k in list(m) if k.startswith("blobs/")])
    elif make == "extra_member":
        _tampered(good, bad, lambda m: m.update({"blobs/zz/evil": b"x"}))
    elif make == "path_escape":
        _tampered(good, bad, lambda m: m.update({"../escape": b"x"}))
    elif make == "truncated":
        data = good.read_bytes()
        bad.write_bytes(data[: len(data) // 2])
    elif make == "newer_schema":
        _tampered(good, bad, edit_manifest("schema", "ffff"))
    elif make == "newer_format":
        _tampered(good, bad, edit_manifest("version", 99))
    elif make == "db_changed":
        _tampered(good, bad, lambda m: m.update({"inkbench.db": m["inkbench.db"][:-1] + b"!"}))
    with pytest.raises(InvalidInput) as err:
        backup.restore_backup(target, bad)
    message = str(err.value)
    assert "\n" not in message and str(bad) in message
    assert home_state(target) == {}  # nothing written, no temp dir left
    assert not (target / "inkbench.db").exists()
    assert not (tmp_path / "escape").exists()


def test_restore_refuses_missing_file(tmp_path) -> None:
    with pytest.raises(InvalidInput, match="no such file"):
        backup.restore_backup(tmp_path / "h", tmp_path / "missing.tar")


def test_vacuum_removes_old_unreferenced_files_only(filled, tmp_path) -> None:
    with filled.raw() as conn:
        kept = [r[0] for r in conn.execute("SELECT sha256 FROM blob")]
        orphan_row, _ = blobs.put_bytes(filled.blob_dir, b"row but no reference")
        blobs.register(conn, orphan_row, 20)
    orphan_file, _ = blobs.put_bytes(filled.blob_dir, b"file but no row")
    young, _ = blobs.put_bytes(filled.blob_dir, b"being imported right now")
    old = time.time() - 7200
    for s in (orphan_row, orphan_file, *kept):
        os.utime(blobs.blob_path(filled.blob_dir, s), (old, old))
    crashed, running = filled.home / ".restore-crashed", filled.home / ".restore-running"
    for d in (crashed, running):
        (d / "blobs").mkdir(parents=True)
    os.utime(crashed, (old, old))
    result = backup.vacuum(filled)
    assert result.files_removed == 2
    assert not crashed.exists() and running.exists()
    assert all(blobs.blob_path(filled.blob_dir, s).exists() for s in [*kept, young])
    assert not blobs.blob_path(filled.blob_dir, orphan_row).exists()
    assert not blobs.blob_path(filled.blob_dir, orphan_file).exists()


def wipe_index(conn, fts: str) -> None:
    """Lose an index's content (as a damaged index would), whatever its kind."""
    try:
        conn.execute(f"INSERT INTO {fts}({fts}) VALUES ('delete-all')")  # contentless
    except sqlite3.OperationalError:
        conn.execute(f"DELETE FROM {fts}")


SEARCH_TABLES = ("search_article", "search_chapter", "search_chunk", "search_image")
QUERIES = ("灯塔", "发票", "receipt", "杭州", "标题", "x", "[0]", "龙井茶")


def test_reindex_rebuilds_what_users_see(filled) -> None:
    with filled.write() as s:
        gone = create_article(s, "灯塔 in the trash", "")
        trash.trash(s, "article", gone.id)

    def state(conn):
        rowids = {
            t: [r[0] for r in conn.execute(f"SELECT rowid FROM {t} ORDER BY rowid")]
            for t in SEARCH_TABLES
        }
        hits = {q: [(h.kind, h.id) for h in search(conn, q)] for q in QUERIES}
        return rowids, hits

    with filled.raw() as conn:
        before = state(conn)
        for table in SEARCH_TABLES:
            wipe_index(conn, table)
        assert search(conn, "灯塔") == []
        counts = reindex(conn)
        after = state(conn)
        rank = conn.execute("SELECT v FROM search_article_config WHERE k = 'rank'").fetchone()
    assert after == before
    assert before[1]["灯塔"] == [("chapter", 1)]  # the trashed article stays out
    assert counts == {
        "search_article": 1,
        "search_chapter": 1,
        "search_chunk": 1,
        "search_image": 2,
        "search_character": 0,  # the story bible's (migration 0003): none in this data
        "search_world_entry": 0,
        "search_message": 0,
        # works, albums and knowledge bases themselves (migration 0010)
        "search_work": 1,
        "search_album": 1,
        "search_knowledge_base": 1,
        # titles' pinyin (migration 0011): the titles above all have Han characters
        "search_article_pinyin": 1,
        "search_chapter_pinyin": 1,
        "search_character_pinyin": 0,
        "search_world_entry_pinyin": 0,
        "search_work_pinyin": 1,
        "search_album_pinyin": 1,
        "search_knowledge_base_pinyin": 1,
    }
    assert rank == ("bm25(4.0, 1.0)",)
    with filled.raw(write=False) as conn:
        assert [h.kind for h in search(conn, "灯塔")] == ["chapter"]
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        for table in SEARCH_TABLES:
            conn.execute(f"INSERT INTO {table}({table}) VALUES ('integrity-check')")


def test_restore_into_an_empty_database_needs_no_force(filled, tmp_path) -> None:
    dest = make_backup(filled, tmp_path)
    other = tmp_path / "fresh"
    open_database(other).dispose()  # created, nothing in it yet
    result = backup.restore_backup(other, dest)
    assert result.replaced_copy is None and not list(other.glob("*.bak"))
    assert dump(other / "inkbench.db") == dump(filled.path)


def _disk_full(*_args, **_kwargs):
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def test_a_full_disk_during_restore_replaces_nothing(filled, tmp_path, monkeypatch) -> None:
    dest = make_backup(filled, tmp_path)
    with filled.write() as s:
        create_article(s, "newer than the backup", "")
    before = home_state(filled.home), dump(filled.path)
    real_copy = backup._copy_member
    calls = []

    def copy_then_fill_up(tar, member, target):
        calls.append(member.name)
        if len(calls) == 3:  # the disk fills up part way through
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(b"partial")
            _disk_full()
        return real_copy(tar, member, target)

    monkeypatch.setattr(backup, "_copy_member", copy_then_fill_up)
    with pytest.raises(InvalidInput, match="nothing was replaced") as err:
        backup.restore_backup(filled.home, dest, force=True)
    assert "\n" not in str(err.value)
    assert (home_state(filled.home), dump(filled.path)) == before
    assert not list(filled.home.glob(".inkbench-restore-*"))


@pytest.mark.parametrize("fails_at", ["first blob", "database"])
def test_a_failure_during_the_swap_replaces_nothing(filled, tmp_path, monkeypatch, fails_at):
    """The real swap runs; the disk fills up at one of its renames (the OS
    call fails, as it would): the database stays what it was, the files it
    uses stay whole, and running the restore again completes it."""
    with filled.write() as s:  # the backup's database is larger than the one it replaces
        create_article(s, "long", "lantern harbor " * 30_000)
    dest = make_backup(filled, tmp_path)
    home = tmp_path / "target"  # a home of its own: none of the backup's files in it
    db = open_database(home)
    with db.write() as s:
        create_article(s, "only in this home", "")
    db.dispose()
    before = home_state(home), dump(home / "inkbench.db")
    real_replace = os.replace
    renames = []

    def replace_until_full(src, dst, *args, **kwargs):
        dst = Path(dst)
        renames.append(dst)
        into_blobs = dst.is_relative_to(home / "blobs")
        if (fails_at == "first blob" and into_blobs) or (
            fails_at == "database" and dst == home / "inkbench.db"
        ):
            _disk_full()
        return real_replace(src, dst, *args, **kwargs)

    real_connect = backup.raw_connect

    def database_cannot_grow(path):
        # the live database is written through SQLite's backup API: the disk
        # fills up as SQLite sees it (SQLITE_FULL) when the file must grow
        conn = real_connect(path)
        if fails_at == "database" and Path(path) == home / "inkbench.db":
            pages = conn.execute("PRAGMA page_count").fetchone()[0]
            conn.execute(f"PRAGMA max_page_count = {pages}")
        return conn

    monkeypatch.setattr(os, "replace", replace_until_full)
    monkeypatch.setattr(backup, "raw_connect", database_cannot_grow)
    with pytest.raises(InvalidInput, match="was not replaced") as err:
        backup.restore_backup(home, dest, force=True)
    monkeypatch.setattr(os, "replace", real_replace)
    monkeypatch.setattr(backup, "raw_connect", real_connect)
    assert "\n" not in str(err.value)
    assert "it is as it was; a copy of it is also at" in str(err.value)
    copy = str(err.value).split("also at ")[1].split(")")[0]
    assert Path(copy).is_file() and Path(copy).parent == home
    into_blobs = [r for r in renames if r.is_relative_to(home / "blobs")]
    if fails_at == "database":  # after every blob was put in place
        assert len(into_blobs) == 3 and home / "inkbench.db" not in renames
    else:
        assert renames == into_blobs[:1]
    assert dump(home / "inkbench.db") == before[1]
    after = home_state(home)
    assert {k: after.get(k) for k in before[0]} == before[0]  # what was there is intact
    added = set(after) - set(before[0])
    assert all(k.startswith("blobs/") or k.endswith(".bak") for k in added), added
    assert not list(home.glob(".inkbench-restore-*"))

    backup.restore_backup(home, dest, force=True)  # once there is room again
    assert dump(home / "inkbench.db") == dump(filled.path)
    conn = sqlite3.connect(filled.path)
    shas = [sha for (sha,) in conn.execute("SELECT sha256 FROM blob")]
    conn.close()
    for sha in shas:
        assert blobs.blob_path(home / "blobs", sha).read_bytes() == (
            blobs.blob_path(filled.blob_dir, sha).read_bytes()
        )


def test_a_full_disk_during_backup_leaves_no_file(filled, tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(backup, "_sha256_file", _disk_full)
    dest = tmp_path / "b.tar"
    with pytest.raises(InvalidInput, match="free some disk space"):
        backup.create_backup(filled, dest)
    assert not dest.exists() and not list(tmp_path.glob(".inkbench-backup-*"))
