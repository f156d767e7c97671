"""Tags: unique names per work (the refusal names the existing tag), put on
chapters and scenes of the same work only, listed with their use."""

from __future__ import annotations

import pytest

from inkbench.storage import scenes, tags, works
from inkbench.storage.errors import InvalidInput


@pytest.fixture
def work(db):
    with db.write() as s:
        w = works.create_work(s, "长夜")
        c = works.create_chapter(s, w.id, "第一章", "雨夜。")
        sc = scenes.add_scene(s, c.id, synopsis="开场")
        other = works.create_work(s, "另一部")
        oc = works.create_chapter(s, other.id, "一", "")
        return w.id, c.id, sc.id, other.id, oc.id


def test_tags_go_on_chapters_and_scenes_and_are_counted(db, work) -> None:
    work_id, chapter_id, scene_id, _other, _oc = work
    with db.write() as s:
        t = tags.create_tag(s, work_id, "伏笔", color="red")
        assert tags.tag_chapter(s, t.id, chapter_id)
        assert not tags.tag_chapter(s, t.id, chapter_id)  # already there
        assert tags.tag_scene(s, t.id, scene_id)
        tags.create_tag(s, work_id, "高潮")
    with db.read() as s:
        rows = tags.list_tags(s, work_id)
        assert [(r.name, r.chapter_count, r.scene_count) for r in rows] == [
            ("伏笔", 1, 1),
            ("高潮", 0, 0),
        ]
        assert [x.name for x in tags.chapter_tags(s, chapter_id)] == ["伏笔"]
        assert [x.name for x in tags.scene_tags(s, scene_id)] == ["伏笔"]
        assert tags.find_tag(s, work_id, "伏笔").id == t.id
    with db.write() as s:
        assert tags.untag_scene(s, t.id, scene_id)
        assert not tags.untag_scene(s, t.id, scene_id)
        tags.delete_tag(s, t.id)
    with db.read() as s:
        assert tags.chapter_tags(s, chapter_id) == []


def test_a_duplicate_or_foreign_tag_is_refused_and_nothing_changes(db, work) -> None:
    work_id, _chapter_id, _scene_id, other_id, other_chapter = work
    with db.write() as s:
        t = tags.create_tag(s, work_id, "伏笔")
        tags.create_tag(s, other_id, "伏笔")  # another work may use the name
    with pytest.raises(InvalidInput, match="伏笔"), db.write() as s:
        tags.create_tag(s, work_id, " 伏笔 ")
    with pytest.raises(InvalidInput, match="different works"), db.write() as s:
        tags.tag_chapter(s, t.id, other_chapter)
    with pytest.raises(InvalidInput), db.write() as s:
        tags.create_tag(s, work_id, "  ")
    with db.read() as s:
        assert [r.name for r in tags.list_tags(s, work_id)] == ["伏笔"]
        assert tags.chapter_tags(s, other_chapter) == []
        with pytest.raises(InvalidInput, match="2 works"):
            tags.find_tag(s, None, "伏笔")
