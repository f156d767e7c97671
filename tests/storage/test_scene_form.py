"""The scene form's data: a scene's details with the work's places and
characters to choose from; saving it keeps links to what is in the Trash."""

from __future__ import annotations

import pytest

from inkbench.storage import bible, scenes, trash, works
from inkbench.storage.errors import InvalidInput


def test_scene_form_offers_the_works_places_and_characters(db) -> None:
    with db.write() as s:
        w = works.create_work(s, "长夜")
        other = works.create_work(s, "别的书")
        lin = bible.create_character(s, w.id, "林晚")
        shen = bible.create_character(s, w.id, "沈舟")
        bible.create_character(s, other.id, "外人")
        city = bible.create_world_entry(s, w.id, "青云城")
        sea = bible.create_world_entry(s, w.id, "[b]东海")
        bible.create_world_entry(s, other.id, "别处")
        gone = bible.create_character(s, w.id, "旧人")
        trash.trash(s, "character", gone.id)
        c = works.create_chapter(s, w.id, "第一章", "")
        scene = scenes.add_scene(
            s, c.id, synopsis="相遇", location_id=city.id, time="夜", character_ids=[shen.id]
        )
        new = scenes.scene_form(s, c.id)
        form = scenes.scene_form(s, c.id, scene.id)
    assert (new.synopsis, new.location_id, new.character_ids) == ("", None, [])
    assert new.places == [(sea.id, "[b]东海"), (city.id, "青云城")]
    assert new.people == [(lin.id, "林晚"), (shen.id, "沈舟")]
    assert (form.synopsis, form.time, form.location_id) == ("相遇", "夜", city.id)
    assert form.character_ids == [shen.id] and not form.location_in_trash


def test_saving_a_scene_keeps_a_trashed_place_and_trashed_characters(db) -> None:
    with db.write() as s:
        w = works.create_work(s, "长夜")
        lin = bible.create_character(s, w.id, "林晚")
        shen = bible.create_character(s, w.id, "沈舟")
        city = bible.create_world_entry(s, w.id, "青云城")
        c = works.create_chapter(s, w.id, "第一章", "")
        scene = scenes.add_scene(s, c.id, location_id=city.id, character_ids=[lin.id, shen.id])
        trash.trash(s, "character", shen.id)
        trash.trash(s, "world_entry", city.id)
        form = scenes.scene_form(s, c.id, scene.id)
        assert form.location_in_trash and form.places[-1] == (city.id, "青云城")
        assert form.character_ids == [lin.id] and form.people == [(lin.id, "林晚")]
        # what the form saves: the place as it was, the live characters chosen
        scenes.update_scene(
            s, scene.id, location_id=form.location_id, character_ids=[], synopsis="改"
        )
    with db.write() as s:
        assert scenes.scene_characters(s, scene.id) == []
        trash.restore(s, "character", shen.id)
        assert [x.name for x in scenes.scene_characters(s, scene.id)] == ["沈舟"]
        assert scenes.get_scene(s, scene.id).location_id == city.id


def test_a_scene_cannot_take_another_works_place_or_character(db) -> None:
    with db.write() as s:
        w = works.create_work(s, "长夜")
        other = works.create_work(s, "别的书")
        stranger = bible.create_character(s, other.id, "外人")
        elsewhere = bible.create_world_entry(s, other.id, "别处")
        c = works.create_chapter(s, w.id, "第一章", "")
        scene = scenes.add_scene(s, c.id)
    with pytest.raises(InvalidInput), db.write() as s:
        scenes.update_scene(s, scene.id, location_id=elsewhere.id)
    with pytest.raises(InvalidInput), db.write() as s:
        scenes.update_scene(s, scene.id, character_ids=[stranger.id])
    with db.read() as s:
        assert scenes.get_scene(s, scene.id).location_id is None
        assert scenes.scene_characters(s, scene.id) == []
