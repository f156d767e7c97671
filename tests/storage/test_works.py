from __future__ import annotations

import pytest

from inkbench.storage import revisions, trash, works
from inkbench.storage.errors import InvalidInput, NotFound
from inkbench.storage.search import search


def titles(db, work_id: int) -> list[str]:
    with db.read() as s:
        return [c.title for c in works.list_chapters(s, work_id)]


def positions(db, work_id: int) -> list[int]:
    with db.raw(write=False) as conn:
        return [
            r[0]
            for r in conn.execute(
                "SELECT position FROM chapter WHERE work_id = ? ORDER BY position", (work_id,)
            )
        ]


@pytest.fixture
def novel(db) -> int:
    with db.write() as s:
        w = works.create_work(s, "  长夜  ", genre="悬疑", word_goal=20)
        for name in "ABCD":
            works.create_chapter(s, w.id, name, f"第{name}章的内容")
        return w.id


def test_create_and_list_without_bodies(db, novel) -> None:
    with db.read() as s:
        [summary] = works.list_works(s)
        chapters = works.list_chapters(s, novel)
    assert summary.title == "长夜"
    assert summary.chapter_count == 4
    # "第A章的内容": 5 CJK characters + "A" = 6 words each
    assert summary.word_count == 24
    assert [c.title for c in chapters] == ["A", "B", "C", "D"]
    assert [c.position for c in chapters] == [0, 1, 2, 3]
    assert not hasattr(chapters[0], "body")


def test_work_list_is_paged_and_filtered(db) -> None:
    with db.write() as s:
        for i in range(7):
            works.create_work(s, f"work {i}" if i % 2 else f"[b]作品{i}[/b]")
    with db.read() as s:
        first = works.list_works(s, limit=3)
        second = works.list_works(s, offset=3, limit=3)
        third = works.list_works(s, offset=6, limit=3)
        assert works.count_works(s) == 7
        assert works.count_works(s, text="[b]") == 4
        assert [w.title for w in works.list_works(s, text="%")] == []
    ids = [w.id for w in first + second + third]
    assert sorted(ids) == list(range(1, 8)) and len(set(ids)) == 7


def test_insert_at_index_and_moves_keep_positions_dense(db, novel) -> None:
    with db.write() as s:
        works.create_chapter(s, novel, "X", index=1)
    assert titles(db, novel) == ["A", "X", "B", "C", "D"]
    with db.write() as s:
        ids = {c.title: c.id for c in works.list_chapters(s, novel)}
        assert works.move_chapter(s, ids["D"], 0) == 0
    assert titles(db, novel) == ["D", "A", "X", "B", "C"]
    with db.write() as s:
        assert works.move_chapter_up(s, ids["D"]) == 0  # already first
        assert works.move_chapter_down(s, ids["D"]) == 1
        assert works.move_chapter_down(s, ids["C"]) == 4  # already last
        assert works.move_chapter(s, ids["A"], 99) == 4  # clamped to the end
    assert titles(db, novel) == ["D", "X", "B", "C", "A"]
    assert positions(db, novel) == [0, 1, 2, 3, 4]


def test_trashed_chapter_keeps_its_place_and_moves_skip_it(db, novel) -> None:
    with db.write() as s:
        ids = {c.title: c.id for c in works.list_chapters(s, novel)}
        trash.trash(s, "chapter", ids["B"])
    assert titles(db, novel) == ["A", "C", "D"]
    with db.write() as s:
        works.move_chapter_up(s, ids["C"])  # swaps with A in what the user sees
        with pytest.raises(InvalidInput, match="in the Trash"):
            works.move_chapter(s, ids["B"], 0)
    assert titles(db, novel) == ["C", "A", "D"]
    with db.write() as s:
        trash.restore(s, "chapter", ids["B"])
    assert titles(db, novel) == ["C", "A", "B", "D"]
    assert positions(db, novel) == [0, 1, 2, 3]


def test_purged_chapter_gap_is_closed(db, novel) -> None:
    with db.write() as s:
        ids = {c.title: c.id for c in works.list_chapters(s, novel)}
        trash.trash(s, "chapter", ids["B"])
        trash.purge(s, "chapter", ids["B"])
    assert positions(db, novel) == [0, 2, 3]
    with db.write() as s:
        works.create_chapter(s, novel, "E")
    assert titles(db, novel) == ["A", "C", "D", "E"]
    assert positions(db, novel) == [0, 1, 2, 3]
    with db.write() as s:
        trash.trash(s, "chapter", ids["C"])
        trash.purge(s, "chapter", ids["C"])
        works.compact_positions(s, novel)
    assert positions(db, novel) == [0, 1, 2]


def test_progress_counts_live_chapters_only(db, novel) -> None:
    with db.read() as s:
        p = works.progress(s, novel)
    assert (p.words, p.goal, p.remaining) == (24, 20, 0)
    assert p.fraction == pytest.approx(1.2)
    with db.write() as s:
        first = works.list_chapters(s, novel)[0].id
        trash.trash(s, "chapter", first)
        works.update_work(s, novel, word_goal=100)
    with db.read() as s:
        p = works.progress(s, novel)
        assert works.list_works(s)[0].word_count == 18
    assert (p.words, p.goal, p.remaining) == (18, 100, 82)
    with db.write() as s:
        works.update_work(s, novel, word_goal=0)
        assert works.progress(s, novel).fraction is None


def test_update_chapter_counts_words_and_records_revisions(db, novel) -> None:
    with db.write() as s:
        cid = works.list_chapters(s, novel)[0].id
        works.update_chapter(s, cid, body="Hello world 你好", revision="manual")
        works.update_chapter(s, cid, body="Hello world 你好", revision="autosave")  # same text
        works.update_chapter(s, cid, title="开端", body="新的开始", revision="autosave")
    with db.read() as s:
        ch = works.get_chapter(s, cid)
        revs = revisions.list_revisions(s, "chapter", cid)
    assert (ch.title, ch.word_count) == ("开端", 4)
    assert [(r.kind, r.word_count) for r in revs] == [("autosave", 4), ("manual", 4)]
    with db.write() as s:
        revisions.restore_revision(s, "chapter", revs[1].id)
    with db.read() as s:
        assert works.get_chapter(s, cid).body == "Hello world 你好"
        assert revisions.list_revisions(s, "chapter", cid)[0].kind == "restore"


def test_bad_input_is_refused(db, novel) -> None:
    with db.write() as s:
        with pytest.raises(InvalidInput, match="needs a title"):
            works.create_work(s, "   ")
        with pytest.raises(InvalidInput, match="unknown status"):
            works.create_work(s, "x", status="done")
        with pytest.raises(InvalidInput, match="negative"):
            works.update_work(s, novel, word_goal=-1)
        with pytest.raises(InvalidInput, match="chapter status"):
            works.create_chapter(s, novel, "x", status="published")
        with pytest.raises(NotFound):
            works.create_chapter(s, 999, "x")
        with pytest.raises(NotFound):
            works.move_chapter(s, 999, 0)
    with db.write() as s:
        trash.trash(s, "work", novel)
        with pytest.raises(InvalidInput, match="restore it first"):
            works.create_chapter(s, novel, "x")
    assert titles(db, novel) == ["A", "B", "C", "D"]


def test_trashed_work_chapters_leave_search_and_come_back(db, novel) -> None:
    with db.write() as s:
        works.create_chapter(s, novel, "雪夜", "侦探在雪夜里找到了线索。")
    with db.raw(write=False) as conn:
        assert [h.kind for h in search(conn, "线索")] == ["chapter"]
    with db.write() as s:
        trash.trash(s, "work", novel)
        assert works.list_works(s) == []
        assert [w.id for w in works.list_works(s, trashed=True)] == [novel]
    with db.raw(write=False) as conn:
        assert search(conn, "线索") == []
    with db.write() as s:
        trash.restore(s, "work", novel)
    with db.raw(write=False) as conn:
        assert [h.kind for h in search(conn, "线索")] == ["chapter"]
    assert titles(db, novel) == ["A", "B", "C", "D", "雪夜"]
