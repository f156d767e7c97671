"""Works, albums and knowledge bases are found by their titles as written,
folded (full-width, traditional) and by pinyin; the migration that indexes
them (0010) reports its progress, and so does opening an older database."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from alembic import command

import inkbench.storage.migrations.runner as runner
from inkbench.storage import albums, trash
from inkbench.storage.engine import open_database
from inkbench.storage.knowledge import create_kb, rename_kb
from inkbench.storage.migrations import SCHEMA_HEAD
from inkbench.storage.search import ALL_KINDS, CONTAINER_KINDS, search
from inkbench.storage.text import register_functions
from inkbench.storage.works import create_work, update_work


def found(db, text: str, **kw) -> set[tuple[str, int]]:
    with db.raw(write=False) as conn:
        return {(h.kind, h.id) for h in search(conn, text, kinds=ALL_KINDS, **kw)}


def _containers(db) -> dict[str, int]:
    with db.write() as s:
        work = create_work(s, "凤凰单丛", description="一部关于茶山的小说").id
        kb = create_kb(s, "鳳凰傳說", description="潮州的故事").id
    with db.raw() as conn:
        album = albums.create_album(conn, "ＬＩＮ的茶山照片", "春天拍的")
    return {"work": work, "kb": kb, "album": album}


def test_titles_found_by_pinyin_folded_and_as_written(db) -> None:
    ids = _containers(db)
    work, kb, album = ("work", ids["work"]), ("knowledge_base", ids["kb"]), ("album", ids["album"])
    for query in ("fenghuangdancong", "fhdc", "凤凰单丛", "鳳凰單叢"):
        assert work in found(db, query), query
    for query in ("fenghuangchuanshuo", "fhcs", "凤凰传说", "鳳凰傳說"):
        assert kb in found(db, query), query
    for query in ("chashan", "cszp", "LIN", "ｌｉｎ", "茶山照片"):
        assert album in found(db, query), query
    # a description is found as text, never by pinyin
    assert work in found(db, "茶山的小说")
    assert work not in found(db, "chashan")
    assert kb in found(db, "潮州")
    assert found(db, "fenghuang") >= {work, kb}
    # --exact keeps the characters as written
    assert kb not in found(db, "凤凰传说", exact=True)
    assert kb in found(db, "鳳凰傳說", exact=True)
    with db.raw(write=False) as conn:  # shown as written
        titles = {h.kind: h.title for h in search(conn, "fhcs", kinds=ALL_KINDS)}
    assert titles["knowledge_base"] == "鳳凰傳說"


def test_the_default_kinds_leave_containers_out(db) -> None:
    ids = _containers(db)
    with db.raw(write=False) as conn:
        assert not [h for h in search(conn, "fhdc") if h.kind in CONTAINER_KINDS]
    assert ("work", ids["work"]) in found(db, "fhdc")


def test_renames_trash_restore_and_purge_follow(db) -> None:
    ids = _containers(db)
    with db.write() as s:
        update_work(s, ids["work"], title="龙井")
        rename_kb(s, ids["kb"], "岩茶笔记")
    with db.raw() as conn:
        albums.rename_album(conn, ids["album"], "西湖")
    assert ("work", ids["work"]) not in found(db, "fhdc")
    assert ("work", ids["work"]) in found(db, "lj")
    assert ("knowledge_base", ids["kb"]) in found(db, "ycbj")
    assert ("album", ids["album"]) in found(db, "xihu")
    with db.write() as s:
        trash.trash(s, "work", ids["work"])
        trash.trash(s, "album", ids["album"])
    assert ("work", ids["work"]) not in found(db, "longjing")
    assert ("album", ids["album"]) not in found(db, "xihu")
    with db.write() as s:
        trash.restore(s, "work", ids["work"])
        trash.purge(s, "album", ids["album"])
    assert ("work", ids["work"]) in found(db, "longjing")
    with db.raw(write=False) as conn:
        assert conn.execute("SELECT count(*) FROM search_album").fetchone() == (0,)


def _database_at_0006(home: Path) -> Path:
    """A database at revision 0006 holding a work, an album and a knowledge base."""
    home.mkdir(parents=True)
    path = home / "inkbench.db"
    engine = runner.migration_engine(path)
    with engine.connect() as conn:
        cfg = runner.alembic_config()
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0006")
    engine.dispose()
    conn = sqlite3.connect(path)
    register_functions(conn)
    now = "2026-11-01 00:00:00.000000"
    conn.execute(
        "INSERT INTO work (title, genre, status, word_goal, description, chapter_naming,"
        " bible_version, created_at, updated_at)"
        " VALUES ('长夜', '', 'drafting', 0, '', '', 0, ?, ?)",
        (now, now),
    )
    for table in ("album", "knowledge_base"):
        conn.executemany(
            f"INSERT INTO {table} (name, description, created_at, updated_at) VALUES (?, '', ?, ?)",
            [(f"{table} {i}", now, now) for i in range(20)] + [("鳳凰單叢", now, now)],
        )
    conn.execute("UPDATE knowledge_base SET deleted_at = ? WHERE name = 'knowledge_base 3'", (now,))
    conn.commit()
    conn.close()
    return path


def test_an_0006_database_is_migrated_with_progress(home) -> None:
    path = _database_at_0006(home)
    seen: list[tuple[int, int, str]] = []
    runner.upgrade_to_head(path, progress=lambda d, t, label: seen.append((d, t, label)))
    assert seen and seen[-1][0] == seen[-1][1] == 1 + 21 + 21  # every source row counted
    assert all(d <= t for d, t, _ in seen)
    db = open_database(home)
    try:
        assert ("work", 1) in found(db, "changye")
        kinds = {k for k, _i in found(db, "fhdc")}
        assert kinds == {"album", "knowledge_base"}
        with db.raw(write=False) as conn:
            assert conn.execute("SELECT version_num FROM alembic_version").fetchone() == (
                SCHEMA_HEAD,
            )
            assert conn.execute("SELECT count(*) FROM search_knowledge_base").fetchone() == (20,)
            assert conn.execute("SELECT count(*) FROM search_album").fetchone() == (21,)
            # the other indexes were not rebuilt: nothing else changed
            assert conn.execute("SELECT count(*) FROM knowledge_base").fetchone() == (21,)
    finally:
        db.dispose()


def test_opening_an_older_database_reports_each_step(home) -> None:
    _database_at_0006(home)
    seen: list[tuple[int, int, str]] = []
    db = open_database(home, progress=lambda d, t, label: seen.append((d, t, label)))
    db.dispose()
    labels = [label for _d, _t, label in seen]
    assert "keeping a copy" in labels[0] and ".bak" in labels[0]
    assert "search_album" in " ".join(labels)
    assert seen[-1][0] == seen[-1][1] > 0
    # an up-to-date database reports nothing
    seen.clear()
    open_database(home, progress=lambda d, t, label: seen.append((d, t, label))).dispose()
    assert seen == []
