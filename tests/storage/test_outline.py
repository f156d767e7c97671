"""The outline: chapters in order with their scenes (synopsis, location,
word counts, characters, tags) and the characters each chapter names."""

from __future__ import annotations

from inkbench.storage import bible, scenes, tags, trash, works
from inkbench.storage.outline import outline
from inkbench.storage.scene_markers import marker


def test_outline_holds_chapters_scenes_characters_and_tags(db) -> None:
    with db.write() as s:
        w = works.create_work(s, "长夜")
        lin = bible.create_character(s, w.id, "林晚")
        shen = bible.create_character(s, w.id, "沈舟")
        city = bible.create_world_entry(s, w.id, "青云城")
        c1 = works.create_chapter(s, w.id, "第一章", "")
        c2 = works.create_chapter(s, w.id, "第二章", "林晚。")
        a = scenes.add_scene(
            s, c1.id, synopsis="相遇", location_id=city.id, character_ids=[lin.id, shen.id]
        )
        b = scenes.add_scene(s, c1.id, synopsis="离别")
        body = f"开头一句。\n{marker(a.id)}\n林晚看见沈舟。\n{marker(b.id)}\n林晚走了，走远了。\n"
        works.update_chapter(s, c1.id, body=body, synopsis="两人相遇", status="revised")
        t = tags.create_tag(s, w.id, "伏笔")
        tags.tag_chapter(s, t.id, c1.id)
        tags.tag_scene(s, t.id, b.id)
        works.move_chapter(s, c2.id, 0)
        trashed = works.create_chapter(s, w.id, "废稿", "林晚")
        trash.trash(s, "chapter", trashed.id)
    with db.raw(write=False) as conn:
        out = outline(conn, w.id)
    assert [(c.number, c.title) for c in out] == [(1, "第二章"), (2, "第一章")]
    first = out[1]
    assert (first.synopsis, first.status, first.tags) == ("两人相遇", "revised", ["伏笔"])
    assert [(p.name, p.count) for p in first.characters] == [("林晚", 2), ("沈舟", 1)]
    assert [x.synopsis for x in first.scenes] == ["相遇", "离别"]
    meet, leave = first.scenes
    assert meet.location == "青云城" and [p.name for p in meet.characters] == ["林晚", "沈舟"]
    assert (meet.word_count, leave.word_count) == (6, 7)
    assert leave.tags == ["伏笔"] and meet.placed
    with db.write() as s:
        trash.trash(s, "character", shen.id)
        works.update_chapter(s, c1.id, body="全删了。")  # markers gone: scenes unplaced
    with db.raw(write=False) as conn:
        first = outline(conn, w.id)[1]
    assert [p.name for p in first.scenes[0].characters] == ["林晚"]
    assert not any(x.placed for x in first.scenes) and first.scenes[0].word_count == 0
    with db.raw(write=False) as conn:
        assert outline(conn, 999) == []
