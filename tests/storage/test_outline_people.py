"""The outline read in two steps, as the outline screen reads it: without
characters first, then the characters of the chapters on screen."""

from __future__ import annotations

from dataclasses import asdict

from inkbench.storage import bible, scenes, trash, works
from inkbench.storage.outline import chapters_naming, fill_people, outline


def _work(db) -> dict[str, int]:
    with db.write() as s:
        w = works.create_work(s, "长夜")
        lin = bible.create_character(s, w.id, "林晚")
        shen = bible.create_character(s, w.id, "沈舟")
        ada = bible.create_character(s, w.id, "[b]Ada")
        c1 = works.create_chapter(s, w.id, "第一章", "林晚看见沈舟。林晚笑了。")
        c2 = works.create_chapter(s, w.id, "第二章", "雨。")
        c3 = works.create_chapter(s, w.id, "第三章", "[b]Ada 与沈舟。")
        a = scenes.add_scene(s, c1.id, synopsis="相遇", character_ids=[shen.id, lin.id, ada.id])
        b = scenes.add_scene(s, c2.id, synopsis="雨夜", character_ids=[shen.id])
    return dict(
        work=w.id,
        lin=lin.id,
        shen=shen.id,
        ada=ada.id,
        c1=c1.id,
        c2=c2.id,
        c3=c3.id,
        a=a.id,
        b=b.id,
    )


def test_outline_without_people_then_filled_equals_the_full_outline(db) -> None:
    ids = _work(db)
    with db.raw(write=False) as conn:
        full = outline(conn, ids["work"])
        light = outline(conn, ids["work"], people=False)
        assert [c.title for c in light] == ["第一章", "第二章", "第三章"]
        assert all(not c.characters for c in light)
        assert all(not s.characters for c in light for s in c.scenes)
        assert chapters_naming(conn, ids["work"]) == {ids["c1"], ids["c3"]}
        # only the chapters asked for get their characters
        fill_people(conn, ids["work"], light[2:])
        assert [p.name for p in light[2].characters] == ["[b]Ada", "沈舟"]
        assert not light[0].characters and not light[0].scenes[0].characters
        fill_people(conn, ids["work"], light[:2])
        fill_people(conn, ids["work"], light[:1])  # again: replaced, not doubled
    assert [asdict(c) for c in light] == [asdict(c) for c in full]
    first = full[0]
    assert [(p.name, p.count) for p in first.characters] == [("林晚", 2), ("沈舟", 1)]
    assert [p.name for p in first.scenes[0].characters] == ["[b]Ada", "林晚", "沈舟"]


def test_trashed_characters_name_no_chapter_and_are_in_no_scene(db) -> None:
    ids = _work(db)
    with db.write() as s:
        trash.trash(s, "character", ids["ada"])
        trash.trash(s, "character", ids["shen"])
    with db.raw(write=False) as conn:
        assert chapters_naming(conn, ids["work"]) == {ids["c1"]}
        light = outline(conn, ids["work"], people=False)
        fill_people(conn, ids["work"], light)
    assert [p.name for p in light[0].characters] == ["林晚"]
    assert [p.name for p in light[0].scenes[0].characters] == ["林晚"]
    assert light[1].scenes[0].characters == [] and light[2].characters == []
