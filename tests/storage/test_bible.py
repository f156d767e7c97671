"""The story bible: names found in the text (CJK inside unspaced text, Latin
as whole words, the longest name winning), appearances, the refusals, scenes
that keep their place, and words written per day."""

from __future__ import annotations

from datetime import date

import pytest

from inkbench.storage import bible, revisions, scenes, trash, works
from inkbench.storage.errors import InvalidInput
from inkbench.storage.mentions import Matcher
from inkbench.storage.scene_markers import UNPLACED, marker, marker_ids
from inkbench.storage.text import word_count


def test_matcher_cjk_inside_text_latin_whole_words_longest_first() -> None:
    m = Matcher(
        [
            ("林晚", ("character", 1)),
            ("晚晚", ("character", 1)),
            ("Lin Wan", ("character", 1)),
            ("林晚晴", ("character", 2)),
            ("Lin", ("character", 3)),
            ("青云城", ("world_entry", 7)),
        ]
    )
    text = "林晚笑了。林晚晴看着晚晚。Lin Wan met Linda and LIN in 青云城."
    found = m.find(text)
    assert found[("character", 1)].count == 3  # 林晚, 晚晚, Lin Wan
    assert found[("character", 1)].first_position == 0
    assert found[("character", 2)].count == 1  # 林晚晴, not also 林晚
    assert found[("character", 2)].first_position == text.index("林晚晴")
    assert found[("character", 3)].count == 1  # LIN; not inside Linda, not inside "Lin Wan"
    assert found[("character", 3)].first_position == text.index("LIN")
    assert found[("world_entry", 7)].first_position == text.index("青云城")


def test_matcher_falls_back_to_a_shorter_name_where_the_longer_is_not_a_word() -> None:
    m = Matcher([("Lin Wan", ("character", 1)), ("Lin", ("character", 2))])
    found = m.find("Lin Wanda")
    assert ("character", 1) not in found
    assert found[("character", 2)].count == 1


@pytest.fixture
def novel(db):
    with db.write() as s:
        w = works.create_work(s, "长夜")
        c1 = works.create_chapter(
            s, w.id, "第一章", "雨夜。林晚推开门，看见沈舟站在青云城的城墙下。"
        )
        c2 = works.create_chapter(s, w.id, "第二章", "沈舟没有说话。晚晚，他终于开口。林晚笑了。")
        return w.id, c1.id, c2.id


def test_a_new_character_is_found_in_existing_chapters_with_aliases(db, novel) -> None:
    work_id, c1, c2 = novel
    with db.write() as s:
        lin = bible.create_character(
            s, work_id, "林晚", aliases=["晚晚", "Lin Wan"], role="protagonist"
        )
        shen = bible.create_character(s, work_id, "沈舟")
        city = bible.create_world_entry(s, work_id, "青云城", category="geography")
    with db.read() as s:
        a = bible.appearances(s, character_id=lin.id)
        assert a.total == 3 and [x.count for x in a.chapters] == [1, 2]
        assert (a.first.chapter_id, a.first.first_position) == (c1, 3)
        assert bible.appearances(s, character_id=shen.id).total == 2
        assert bible.appearances(s, world_entry_id=city.id).total == 1
        named = bible.named_in_chapter(s, c2)
        assert [(n.name, n.count) for n in named] == [("林晚", 2), ("沈舟", 1)]
        assert bible.aliases_of(s, character_id=lin.id) == ["晚晚", "Lin Wan"]


def test_mentions_follow_every_save_rename_trash_and_restore(db, novel) -> None:
    work_id, c1, c2 = novel
    with db.write() as s:
        lin = bible.create_character(s, work_id, "林晚")
    with db.write() as s:
        works.update_chapter(s, c1, body="林晚，林晚，林晚。", revision="autosave")
    with db.read() as s:
        assert bible.appearances(s, character_id=lin.id).chapters[0].count == 3
    with db.write() as s:
        bible.update_character(s, lin.id, name="沈舟")  # now the other name is hers
    with db.read() as s:
        assert bible.appearances(s, character_id=lin.id).total == 1  # 沈舟 in chapter 2
    with db.write() as s:
        trash.trash(s, "character", lin.id)
    with db.read() as s:
        assert bible.named_in_chapter(s, c2) == []
    with db.write() as s:
        trash.restore(s, "character", lin.id)
    with db.read() as s:
        assert [n.name for n in bible.named_in_chapter(s, c2)] == ["沈舟"]


def test_restoring_a_revision_finds_names_again(db, novel) -> None:
    work_id, c1, _c2 = novel
    with db.write() as s:
        lin = bible.create_character(s, work_id, "林晚")
        revisions.snapshot(s, "chapter", c1, "manual")  # the text with her name
        works.update_chapter(s, c1, body="没有人。", revision="manual")
    with db.read() as s:
        assert bible.appearances(s, character_id=lin.id).total == 1  # chapter 2 only
        [first] = [
            r
            for r in revisions.list_revisions(s, "chapter", c1)
            if "林晚" in revisions.get_revision(s, "chapter", r.id).body
        ]
    with db.write() as s:
        revisions.restore_revision(s, "chapter", first.id)
    with db.read() as s:
        assert bible.appearances(s, character_id=lin.id).total == 2


def test_names_are_unique_in_a_work_and_refusals_change_nothing(db, novel) -> None:
    work_id, _c1, _c2 = novel
    with db.write() as s:
        lin = bible.create_character(s, work_id, "林晚", aliases=["晚晚"])
        city = bible.create_world_entry(s, work_id, "青云城")
        other = works.create_work(s, "另一部")
    with pytest.raises(InvalidInput, match="林晚"), db.write() as s:
        bible.create_character(s, work_id, "林晚")
    with pytest.raises(InvalidInput, match="晚晚"), db.write() as s:
        bible.create_world_entry(s, work_id, "晚晚")  # another entry's alias
    with pytest.raises(InvalidInput, match="青云城"), db.write() as s:
        bible.update_character(s, lin.id, aliases=["青云城"])
    with pytest.raises(InvalidInput, match="itself"), db.write() as s:
        bible.relate(s, lin.id, lin.id, "friend")
    with db.write() as s:  # the same name in another work is fine
        bible.create_character(s, other.id, "林晚")
    with db.read() as s:
        assert [c.name for c in bible.list_characters(s, work_id)] == ["林晚"]
        assert bible.aliases_of(s, character_id=lin.id) == ["晚晚"]
        assert bible.aliases_of(s, world_entry_id=city.id) == []


def test_relationships_are_listed_from_both_sides(db, novel) -> None:
    work_id, _c1, _c2 = novel
    with db.write() as s:
        lin = bible.create_character(s, work_id, "林晚")
        shen = bible.create_character(s, work_id, "沈舟")
        bible.relate(s, lin.id, shen.id, "lover", "青梅竹马")
    with db.read() as s:
        [mine] = bible.relations_of(s, lin.id)
        [his] = bible.relations_of(s, shen.id)
    assert (mine.other_name, mine.kind, mine.note) == ("沈舟", "lover", "青梅竹马")
    assert (his.other_name, his.kind) == ("林晚", "lover")


def test_world_entries_form_a_tree_without_cycles(db, novel) -> None:
    work_id, _c1, _c2 = novel
    with db.write() as s:
        land = bible.create_world_entry(s, work_id, "东大陆", category="geography")
        kingdom = bible.create_world_entry(s, work_id, "云国", parent_id=land.id)
        city = bible.create_world_entry(s, work_id, "青云城", parent_id=kingdom.id)
    with pytest.raises(InvalidInput, match="cannot also be its parent"), db.write() as s:
        bible.update_world_entry(s, land.id, parent_id=city.id)
    with db.read() as s:
        assert bible.get_world_entry(s, land.id).parent_id is None


def test_scenes_keep_their_place_when_text_before_them_changes(db, novel) -> None:
    work_id, c1, _c2 = novel
    with db.write() as s:
        shen = bible.create_character(s, work_id, "沈舟")
        first = scenes.add_scene(s, c1, synopsis="重逢", character_ids=[shen.id])
        second = scenes.add_scene(s, c1, synopsis="离别")
        body = works.get_chapter(s, c1).body
        words = works.get_chapter(s, c1).word_count
    assert marker_ids(body) == [first.id, second.id]
    assert words == word_count(body.replace(marker(first.id), "").replace(marker(second.id), ""))
    # typing before the scenes moves nothing out of order
    with db.write() as s:
        works.update_chapter(s, c1, body="新的开头。\n" * 3 + body, revision="autosave")
        order = [x.id for x in scenes.list_scenes(s, c1)]
    assert order == [first.id, second.id]
    with db.write() as s:
        scenes.move_scene(s, second.id, 0)
        assert [x.id for x in scenes.list_scenes(s, c1)] == [second.id, first.id]
    # deleting a marker leaves the scene unplaced, with its details
    with db.write() as s:
        text = works.get_chapter(s, c1).body.replace(marker(first.id) + "\n", "")
        works.update_chapter(s, c1, body=text, revision="autosave")
        again = scenes.get_scene(s, first.id)
        assert again.position == UNPLACED and again.synopsis == "重逢"
        assert [c.name for c in scenes.scene_characters(s, first.id)] == ["沈舟"]


def test_trashing_a_character_in_a_scene_keeps_the_scene_and_restore_brings_it_back(
    db, novel
) -> None:
    work_id, c1, _c2 = novel
    with db.write() as s:
        shen = bible.create_character(s, work_id, "沈舟")
        scene = scenes.add_scene(s, c1, character_ids=[shen.id])
        trash.trash(s, "character", shen.id)
    with db.read() as s:
        assert scenes.scene_characters(s, scene.id) == []
    with db.write() as s:
        trash.restore(s, "character", shen.id)
    with db.read() as s:
        assert [c.name for c in scenes.scene_characters(s, scene.id)] == ["沈舟"]


def test_words_added_are_counted_per_day(db, novel) -> None:
    work_id, c1, c2 = novel
    with db.read() as s:
        before = works.get_chapter(s, c1).word_count + works.get_chapter(s, c2).word_count
    with db.write() as s:
        works.update_chapter(s, c1, body=works.get_chapter(s, c1).body + "又一句话。")
        works.update_chapter(s, c1, body="短。")  # deleting text adds nothing
    with db.raw(write=False) as conn:
        rows = conn.execute(
            "SELECT day, words_added FROM writing_day WHERE work_id = ?", (work_id,)
        ).fetchall()
    # the fixture's two chapters, and four more words ("又一句话")
    assert rows == [(date.today().isoformat(), before + 4)]
