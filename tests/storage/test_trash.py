"""Rule 3 (Trash restores an item with everything it owns; purge cascades)
and rule 2 (what an active task uses cannot be deleted; finished tasks stay
readable), for every trashable kind."""

from __future__ import annotations

import sqlite3

import pytest

from inkbench.storage import blobs, revisions, trash, works
from inkbench.storage.articles import create_article
from inkbench.storage.errors import InUse, InvalidInput
from inkbench.storage.search import search


def kinds_found(db, query: str) -> list[str]:
    with db.raw(write=False) as conn:
        return sorted(h.kind for h in search(conn, query))


def count(db, sql: str, *params) -> int:
    with db.raw(write=False) as conn:
        return conn.execute(sql, params).fetchone()[0]


def test_article_trash_restore_purge(db, rows) -> None:
    _album, [image] = rows.album("插图", {"a.png": "无关"})
    with db.write() as s:
        art = create_article(s, "独角兽", "关于独角兽的文章")
        revisions.snapshot(s, "article", art.id, "manual")
    with db.raw() as conn:
        conn.execute(
            "INSERT INTO article_image (article_id, image_id, position, caption)"
            " VALUES (?, ?, 0, '')",
            (art.id, image),
        )
    with db.write() as s:
        trash.trash(s, "article", art.id)
        assert [(t.entity, t.title) for t in trash.list_trash(s)] == [("article", "独角兽")]
    assert kinds_found(db, "独角兽") == []
    with db.write() as s:
        trash.restore(s, "article", art.id)
    assert kinds_found(db, "独角兽") == ["article"]
    with db.write() as s:
        with pytest.raises(InvalidInput, match="not in the Trash"):
            trash.purge(s, "article", art.id)
        trash.trash(s, "article", art.id)
        trash.purge(s, "article", art.id)
    assert count(db, "SELECT count(*) FROM article_revision") == 0
    assert count(db, "SELECT count(*) FROM article_image") == 0
    assert count(db, "SELECT count(*) FROM image") == 1  # the image is the album's


def test_work_comes_back_with_its_chapters_and_purge_cascades(db) -> None:
    with db.write() as s:
        w = works.create_work(s, "长篇")
        a = works.create_chapter(s, w.id, "第一章", "灯塔守护者的故事")
        works.create_chapter(s, w.id, "第二章", "灯塔熄灭的夜晚")
        works.update_chapter(s, a.id, body="灯塔守护者的故事，续", revision="manual")
    assert kinds_found(db, "灯塔") == ["chapter", "chapter"]
    with db.write() as s:
        trash.trash(s, "work", w.id)
    assert kinds_found(db, "灯塔") == []
    with db.write() as s:
        trash.restore(s, "work", w.id)
        assert [c.title for c in works.list_chapters(s, w.id)] == ["第一章", "第二章"]
    assert kinds_found(db, "灯塔") == ["chapter", "chapter"]
    # a chapter trashed on its own stays trashed when its work comes back
    with db.write() as s:
        trash.trash(s, "chapter", a.id)
        trash.trash(s, "work", w.id)
        trash.restore(s, "work", w.id)
    assert kinds_found(db, "灯塔") == ["chapter"]
    with db.write() as s:
        trash.trash(s, "work", w.id)
        trash.purge(s, "work", w.id)
    assert count(db, "SELECT count(*) FROM chapter") == 0
    assert count(db, "SELECT count(*) FROM chapter_revision") == 0
    assert count(db, "SELECT count(*) FROM search_chapter") == 0


def test_album_comes_back_with_its_images_and_purge_frees_blobs(db, rows) -> None:
    album, images = rows.album("票据", {"r1.png": "发票 invoice 2024", "r2.png": "发票 receipt"})
    assert kinds_found(db, "发票") == ["image", "image"]
    with db.write() as s:
        trash.trash(s, "image", images[0])
    assert kinds_found(db, "发票") == ["image"]
    with db.write() as s:
        trash.trash(s, "album", album)
    assert kinds_found(db, "发票") == []
    with db.write() as s:
        trash.restore(s, "album", album)
        trash.restore(s, "image", images[0])
    assert kinds_found(db, "invoice") == ["image"]
    with db.write() as s:
        trash.trash(s, "album", album)
        trash.purge(s, "album", album)
    assert count(db, "SELECT count(*) FROM image") == 0
    assert count(db, "SELECT count(*) FROM search_image") == 0
    # the files stay until a sweep finds them unreferenced
    with db.raw() as conn:
        shas = [r[0] for r in conn.execute("SELECT sha256 FROM blob")]
        assert len(shas) == 2
        assert blobs.sweep(conn, db.blob_dir, min_age_s=0) == 2
        assert conn.execute("SELECT count(*) FROM blob").fetchone()[0] == 0
    assert not any(blobs.blob_path(db.blob_dir, sha).exists() for sha in shas)


def test_knowledge_base_comes_back_with_documents_and_chunks(db, rows) -> None:
    kb, docs = rows.kb(
        "资料", {"茶叶": ["龙井茶产于杭州", "普洱茶产于云南"], "咖啡": ["咖啡豆烘焙"]}
    )
    assert kinds_found(db, "产于") == ["chunk", "chunk"]
    with db.write() as s:
        trash.trash(s, "kb_document", docs[0])
    assert kinds_found(db, "产于") == []
    assert kinds_found(db, "烘焙") == ["chunk"]
    with db.write() as s:
        trash.trash(s, "knowledge_base", kb)
        trash.restore(s, "kb_document", docs[0])  # its base is still in the Trash
    assert kinds_found(db, "产于") == []
    with db.write() as s:
        trash.restore(s, "knowledge_base", kb)
    assert kinds_found(db, "产于 烘焙") == []
    assert kinds_found(db, "产于") == ["chunk", "chunk"]
    assert kinds_found(db, "烘焙") == ["chunk"]
    with db.write() as s:
        trash.trash(s, "knowledge_base", kb)
        trash.purge(s, "knowledge_base", kb)
    assert count(db, "SELECT count(*) FROM kb_document") == 0
    assert count(db, "SELECT count(*) FROM kb_chunk") == 0
    assert count(db, "SELECT count(*) FROM search_chunk") == 0


def test_empty_trash_purges_parents_and_children_once(db, rows) -> None:
    album, images = rows.album("a", {"1.png": "x", "2.png": "y"})
    with db.write() as s:
        w = works.create_work(s, "w")
        c = works.create_chapter(s, w.id, "c")
        trash.trash(s, "image", images[0])
        trash.trash(s, "album", album)
        trash.trash(s, "chapter", c.id)
        trash.trash(s, "work", w.id)
        assert len(trash.list_trash(s)) == 4
        assert trash.empty_trash(s) == 2  # the chapter and image went with their parents
        assert trash.list_trash(s) == []
    assert count(db, "SELECT count(*) FROM image") == 0
    assert count(db, "SELECT count(*) FROM chapter") == 0


@pytest.mark.parametrize("status", ["queued", "running", "paused"])
def test_active_task_blocks_trash_and_delete_naming_the_task(db, rows, status) -> None:
    album, images = rows.album("风景", {"山.png": "山"})
    kb, docs = rows.kb("百科", {"山": ["山很高"]})
    task = rows.task("春季推广", status, album_id=album, kb_id=kb)
    for entity, row_id in (
        ("album", album),
        ("image", images[0]),
        ("knowledge_base", kb),
        ("kb_document", docs[0]),
    ):
        with db.write() as s, pytest.raises(InUse) as err:
            trash.trash(s, entity, row_id)
        message = str(err.value)
        assert f'#{task} "春季推广" ({status})' in message
        assert "\n" not in message and "cancel the task" in message
    # the database itself refuses, whoever asks
    with db.raw() as conn:
        for sql in (
            "DELETE FROM album",
            "UPDATE album SET deleted_at = '2026-01-01'",
            "DELETE FROM knowledge_base",
            "UPDATE knowledge_base SET deleted_at = '2026-01-01'",
            "DELETE FROM distillation",
            "DELETE FROM article_setting",
            "DELETE FROM conversion_target",
            "DELETE FROM topic",
        ):
            with pytest.raises(sqlite3.IntegrityError, match="active generation task"):
                conn.execute(sql)
    assert count(db, "SELECT count(*) FROM album WHERE deleted_at IS NULL") == 1
    assert count(db, "SELECT count(*) FROM topic") == 1


def test_finished_task_stays_readable_when_its_inputs_go(db, rows) -> None:
    album, _ = rows.album("风景", {"山.png": "山"})
    kb, _ = rows.kb("百科", {"山": ["山很高"]})
    task = rows.task("秋季推广", "running", album_id=album, kb_id=kb, topics=("为什么爬山?",))
    with db.raw() as conn:
        item = conn.execute("SELECT id FROM generation_item WHERE task_id = ?", (task,)).fetchone()
        conn.execute("UPDATE generation_item SET status = 'done' WHERE id = ?", item)
        conn.execute("UPDATE generation_task SET status = 'completed' WHERE id = ?", (task,))
    with db.write() as s:
        art = create_article(s, "爬山", "正文", origin="generated", generation_item_id=item[0])
        for entity, row_id in (("album", album), ("knowledge_base", kb)):
            trash.trash(s, entity, row_id)
            trash.purge(s, entity, row_id)
    with db.raw() as conn:
        conn.execute("DELETE FROM topic")
        conn.execute("DELETE FROM distillation")
        conn.execute("DELETE FROM article_setting")
        conn.execute("DELETE FROM conversion_target")
        row = conn.execute(
            "SELECT album_id, knowledge_base_id, distillation_id, setting_id, target_id,"
            " album_name, knowledge_base_name, keyword, setting_name, target_name"
            " FROM generation_task WHERE id = ?",
            (task,),
        ).fetchone()
        item_row = conn.execute(
            "SELECT topic_id, topic_text FROM generation_item WHERE id = ?", item
        ).fetchone()
    assert row[:5] == (None,) * 5
    assert row[5:7] == ("风景", "百科")
    assert row[7] == "kw 秋季推广" and all(row[8:])
    assert item_row == (None, "为什么爬山?")
    # deleting the finished task keeps the article, unlinked
    with db.raw() as conn:
        conn.execute("DELETE FROM generation_task WHERE id = ?", (task,))
        assert conn.execute("SELECT count(*) FROM generation_item").fetchone()[0] == 0
        linked = conn.execute(
            "SELECT generation_item_id FROM article WHERE id = ?", (art.id,)
        ).fetchone()
    assert linked == (None,)
