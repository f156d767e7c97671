"""The novel in the TUI, driven through the app on a real SQLite file: the
story bible (characters, world tree, tags, relationships), entry pages and
their appearances, the outline (reorder, open), the chapter editor's names
panel and scene markers, search hits from the bible and chat, the Works
area's statistics, work form and export."""

from __future__ import annotations

from pathlib import Path

from tests.tui.helpers import db_row, screen_text, seed, settle, wait_for
from tests.tui.novel_seed import seed_novel

SIZE = (110, 32)


def _app(home: Path):
    from inkbench.tui.app import make_app

    ids = seed(home)
    ids.update(seed_novel(home, ids))
    return make_app(home=home), ids


async def _open_bible(pilot, app):
    from inkbench.tui.screens.bible import BibleScreen

    await settle(pilot, app)
    await pilot.press("2")
    works = app.pane("works")
    await wait_for(pilot, lambda: works.works.vlist.total == 1)
    await pilot.press("b")
    await wait_for(pilot, lambda: isinstance(app.screen, BibleScreen))
    await settle(pilot, app)
    return app.screen


async def _fill(pilot, app, values: dict[str, str], wait=None) -> None:
    """Type into the open form's fields, then save it (ctrl+s); ``wait``: what
    to wait for after (by default, the form gone)."""
    from textual.widgets import Input, Select, TextArea

    from inkbench.tui.dialogs.fields_form import FieldsForm

    await wait_for(pilot, lambda: isinstance(app.screen, FieldsForm))
    form = app.screen
    for key, value in values.items():
        widget = form.query_one(f"#f-{key}")
        if isinstance(widget, TextArea):
            widget.load_text(value)
        elif isinstance(widget, (Select, Input)):
            widget.value = value
    await pilot.press("ctrl+s")
    await wait_for(pilot, wait or (lambda: not isinstance(app.screen, FieldsForm)))
    await settle(pilot, app)


async def test_bible_characters_new_edit_and_relationships(home: Path) -> None:
    from inkbench.tui.dialogs.fields_form import FieldsForm
    from inkbench.tui.screens.entry import EntryScreen

    app, ids = _app(home)
    async with app.run_test(size=SIZE) as pilot:
        bible = await _open_bible(pilot, app)
        characters = bible.query_one("#characters-list")
        assert characters.vlist.total == 2
        text = screen_text(app)
        assert "林晚" in text and "protagonist" in text
        # a new character with aliases and attributes
        await pilot.press("n")
        await _fill(
            pilot,
            app,
            {"name": "[b]Ada", "aliases": "阿达， Ada L", "role": "antagonist", "age": "33"},
        )
        await wait_for(pilot, lambda: characters.vlist.total == 3)
        row = db_row(home, "SELECT id, role, age FROM character WHERE name = ?", ("[b]Ada",))
        assert row[1:] == ("antagonist", "33")
        ada = row[0]
        names = db_row(
            home,
            "SELECT group_concat(name, '|') FROM bible_name WHERE character_id = ? AND is_alias",
            (ada,),
        )[0]
        assert set(names.split("|")) == {"阿达", "Ada L"}
        # a duplicate name is refused with one line; nothing changes, and the
        # form comes back with what was typed, to change the name and save again
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, FieldsForm))
        first = app.screen
        await pilot.press("L", "i", "n")  # the name field has the focus: typing goes there
        assert first.values()["name"] == "Lin"
        await _fill(
            pilot,
            app,
            {"name": "林晚", "age": "19", "appearance": "long\nblack hair"},
            wait=lambda: isinstance(app.screen, FieldsForm) and app.screen is not first,
        )
        assert db_row(home, "SELECT count(*) FROM character")[0] == 3
        assert any("林晚" in str(n.message) for n in app._notifications)
        form = app.screen
        assert form.values()["name"] == "林晚" and form.values()["age"] == "19"
        assert form.values()["appearance"] == "long\nblack hair"
        await _fill(pilot, app, {"name": "林晚晴"})
        await wait_for(pilot, lambda: characters.vlist.total == 4)
        row = db_row(home, "SELECT age, appearance FROM character WHERE name = '林晚晴'")
        assert row == ("19", "long\nblack hair")
        # the entry page of 林晚: relate to Ada, seen from both sides, then removed
        characters.vlist.move_to(next(i for i in range(4) if characters.vlist.row(i)[1] == "林晚"))
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, EntryScreen))
        entry = app.screen
        await wait_for(pilot, lambda: entry.view is not None)
        await pilot.press("r")
        await _fill(pilot, app, {"other": "阿达", "kind": "rival", "note": "[i]old"})
        await wait_for(pilot, lambda: any(r.kind == "rival" for r in entry.view.relations))
        assert (
            db_row(
                home,
                "SELECT count(*) FROM character_relation WHERE kind = 'rival' "
                "AND character_a_id = ? AND character_b_id = ?",
                (ids["lin"], ada),
            )[0]
            == 1
        )
        # Ada's page lists it from her side
        await pilot.press("escape")
        await settle(pilot, app)
        app.push_screen(EntryScreen("character", ada))
        await wait_for(pilot, lambda: isinstance(app.screen, EntryScreen) and app.screen.view)
        other = app.screen
        assert [r.other_name for r in other.view.relations] == ["林晚"]
        assert "rival of 林晚 ([i]old)" in screen_text(app)
        places = other.query_one("#places")
        places.highlighted = next(
            i
            for i in range(places.option_count)
            if places.get_option_at_index(i).id.startswith("r")
        )
        await pilot.press("x")
        await wait_for(pilot, lambda: other.view.relations == [])
        assert db_row(home, "SELECT count(*) FROM character_relation WHERE kind = 'rival'")[0] == 0


async def test_world_tree_edit_and_move(home: Path) -> None:
    app, ids = _app(home)
    async with app.run_test(size=SIZE) as pilot:
        bible = await _open_bible(pilot, app)
        await pilot.press("w")
        await settle(pilot, app)
        world = bible.query_one("#world-list")
        await wait_for(pilot, lambda: world.vlist.total == 3)
        titles = [world.vlist.row(i)[1] for i in range(3)]
        depths = [world.vlist.row(i)[4] for i in range(3)]
        assert titles == ["The Sea", "Isle of Vey", "harbor"] and depths == [0, 1, 2]
        # move harbor to the top of the tree
        world.vlist.move_to(2)
        await pilot.press("m")
        await _fill(pilot, app, {"parent": "0"})
        await wait_for(
            pilot,
            lambda: (
                db_row(home, "SELECT parent_id FROM world_entry WHERE id = ?", (ids["harbor"],))[0]
                is None
            ),
        )
        # a parent cycle is refused: The Sea inside Isle of Vey
        world.vlist.move_to(0)
        await settle(pilot, app)
        assert world.vlist.current_row[1] == "The Sea"
        await pilot.press("m")
        await _fill(pilot, app, {"parent": str(ids["isle"])})
        assert (
            db_row(home, "SELECT parent_id FROM world_entry WHERE id = ?", (ids["sea"],))[0] is None
        )
        # a new entry inside the Sea, linked to Marco
        await pilot.press("n")
        await _fill(
            pilot,
            app,
            {
                "title": "Lighthouse",
                "category": "item",
                "parent": str(ids["sea"]),
                "characters": "Marco",
            },
        )
        row = db_row(
            home, "SELECT id, parent_id, category FROM world_entry WHERE title = 'Lighthouse'"
        )
        assert row[1:] == (ids["sea"], "item")
        assert (
            db_row(
                home,
                "SELECT character_id FROM world_entry_character WHERE world_entry_id = ?",
                (row[0],),
            )[0]
            == ids["marco"]
        )


async def test_tags_new_and_applied_from_the_outline(home: Path) -> None:
    from inkbench.tui.screens.outline import OutlineScreen

    app, ids = _app(home)
    async with app.run_test(size=SIZE) as pilot:
        bible = await _open_bible(pilot, app)
        await pilot.press("t")
        tags = bible.query_one("#tags-list")
        await wait_for(pilot, lambda: tags.vlist.total == 1)
        await pilot.press("n")
        await _fill(pilot, app, {"name": "[b]arc", "color": "green", "description": "Second arc"})
        await wait_for(pilot, lambda: tags.vlist.total == 2)
        assert db_row(home, "SELECT color FROM tag WHERE name = '[b]arc'")[0] == "green"
        await pilot.press("escape")
        await settle(pilot, app)
        await pilot.press("O")
        await wait_for(pilot, lambda: isinstance(app.screen, OutlineScreen) and app.screen.loaded)
        outline = app.screen
        box = outline.query_one("#outline")
        box.highlighted = box.keys.index(f"s{ids['scene2']}")
        await pilot.press("t", *"[b]arc", "enter")
        await wait_for(
            pilot,
            lambda: (
                db_row(home, "SELECT count(*) FROM scene_tag WHERE scene_id = ?", (ids["scene2"],))[
                    0
                ]
                == 1
            ),
        )
        await wait_for(pilot, lambda: "#[b]arc" in screen_text(app))


async def test_entry_page_lists_appearances_and_opens_the_place(home: Path) -> None:
    from inkbench.tui.screens.editor import EditorScreen
    from inkbench.tui.screens.entry import EntryScreen

    app, ids = _app(home)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        app.push_screen(EntryScreen("character", ids["lin"]))
        await wait_for(pilot, lambda: isinstance(app.screen, EntryScreen) and app.screen.view)
        entry = app.screen
        chapters = [a.chapter_id for a in entry.view.appearances.chapters]
        assert chapters == [ids["chapter0"], ids["chapter1"]]
        assert [a.count for a in entry.view.appearances.chapters] == [3, 1]
        text = screen_text(app)
        assert "Chapter 2 “[0] Crossing”: 1 time" in text
        box = entry.query_one("#places")
        box.focus()
        box.highlighted = 1
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, EditorScreen))
        editor = app.screen
        row, column = editor.text_area.cursor_location
        line = editor.text_area.document.get_line(row)
        assert line[column:].startswith("林晚") and editor.doc.id == ids["chapter1"]


async def test_outline_reorders_scenes_and_chapters_and_opens_text(home: Path) -> None:
    from inkbench.tui.screens.editor import EditorScreen
    from inkbench.tui.screens.outline import OutlineScreen

    app, ids = _app(home)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("2")
        await settle(pilot, app)
        await pilot.press("O")
        await wait_for(pilot, lambda: isinstance(app.screen, OutlineScreen) and app.screen.loaded)
        outline = app.screen
        box = outline.query_one("#outline")
        keys = box.keys
        assert keys[:3] == [f"c{ids['chapter0']}", f"s{ids['scene']}", f"s{ids['scene2']}"]
        text = screen_text(app)
        assert "Leaving the harbor" in text and "at harbor" in text and "[i]Quiet[/i]" in text
        # the first scene down: its text moves with it
        box.highlighted = 1
        await pilot.press("alt+down")
        await wait_for(
            pilot,
            lambda: (
                db_row(home, "SELECT position FROM scene WHERE id = ?", (ids["scene"],))[0] == 1
            ),
        )
        body = db_row(home, "SELECT body FROM chapter WHERE id = ?", (ids["chapter0"],))[0]
        assert body.index(f"scene:{ids['scene2']} ") < body.index(f"scene:{ids['scene']} ")
        assert body.index(f"scene:{ids['scene']} ") < body.index("They left at dawn")
        await wait_for(pilot, lambda: outline.current_key() == f"s{ids['scene']}")
        # the first chapter down
        box.highlighted = 0
        await pilot.press("alt+down")
        await wait_for(
            pilot,
            lambda: (
                db_row(home, "SELECT position FROM chapter WHERE id = ?", (ids["chapter0"],))[0]
                == 1
            ),
        )
        # Enter on a scene opens its text at the line after its marker
        await wait_for(pilot, lambda: outline.current_key() == f"c{ids['chapter0']}")
        box.highlighted = box.highlighted + 2  # its second scene: "Leaving the harbor"
        assert outline.current_key() == f"s{ids['scene']}"
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, EditorScreen))
        editor = app.screen
        row, _col = editor.text_area.cursor_location
        assert editor.text_area.document.get_line(row - 1) == f"<!-- scene:{ids['scene']} -->"


async def _open_outline(pilot, app):
    from inkbench.tui.screens.outline import OutlineScreen

    await settle(pilot, app)
    await pilot.press("2")
    await settle(pilot, app)
    await pilot.press("O")
    await wait_for(pilot, lambda: isinstance(app.screen, OutlineScreen) and app.screen.loaded)
    return app.screen


def _scene_people(home: Path, scene_id: int) -> list[int]:
    row = db_row(
        home,
        "SELECT group_concat(character_id) FROM "
        "(SELECT character_id FROM scene_character WHERE scene_id = ? ORDER BY character_id)",
        (scene_id,),
    )
    return [int(x) for x in row[0].split(",")] if row[0] else []


async def test_outline_scene_form_sets_location_and_characters(home: Path) -> None:
    from textual.widgets import Select, SelectionList

    from inkbench.tui.dialogs.fields_form import FieldsForm

    app, ids = _app(home)
    async with app.run_test(size=SIZE) as pilot:
        outline = await _open_outline(pilot, app)
        box = outline.query_one("#outline")
        # the second scene has no place and nobody in it
        box.highlighted = box.keys.index(f"s{ids['scene2']}")
        await wait_for(pilot, lambda: "Characters: (none)" in screen_text(app))
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, FieldsForm))
        form = app.screen
        place = form.query_one("#f-location", Select)
        assert place.value == "0"  # (none)
        people = form.query_one("#f-characters", SelectionList)
        assert people.selected == []
        assert [people.get_option_at_index(i).prompt.plain for i in range(2)] == ["Marco", "林晚"]
        place.value = str(ids["harbor"])
        people.focus()
        await pilot.press("down", "space")  # 林晚 (the list starts on Marco)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not isinstance(app.screen, FieldsForm))
        await wait_for(
            pilot,
            lambda: (
                db_row(home, "SELECT location_id FROM scene WHERE id = ?", (ids["scene2"],))[0]
                == ids["harbor"]
            ),
        )
        assert _scene_people(home, ids["scene2"]) == [ids["lin"]]
        # the row and the detail below the list show them
        await wait_for(
            pilot, lambda: "farewell · at harbor · sad · 0 words · 林晚" in screen_text(app)
        )
        await wait_for(pilot, lambda: "Location: harbor" in screen_text(app))
        assert "Characters: 林晚" in screen_text(app)
        # the first scene: its place taken away, Marco taken out of it
        box.highlighted = box.keys.index(f"s{ids['scene']}")
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, FieldsForm))
        form = app.screen
        place = form.query_one("#f-location", Select)
        people = form.query_one("#f-characters", SelectionList)
        assert place.value == str(ids["harbor"])
        assert sorted(people.selected) == sorted([str(ids["lin"]), str(ids["marco"])])
        place.value = "0"
        people.focus()
        await pilot.press("space")  # Marco off
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not isinstance(app.screen, FieldsForm))
        await wait_for(
            pilot,
            lambda: (
                db_row(home, "SELECT location_id FROM scene WHERE id = ?", (ids["scene"],))[0]
                is None
            ),
        )
        assert _scene_people(home, ids["scene"]) == [ids["lin"]]
        # a new scene at the end of the chapter, with a place and both people
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, FieldsForm))
        form = app.screen
        form.query_one("#f-synopsis").load_text("[b]Storm[/b] at sea")
        form.query_one("#f-time").value = "  dusk "
        form.query_one("#f-mood").value = "   "  # a space typed over the field: no mood
        form.query_one("#f-location", Select).value = str(ids["sea"])
        people = form.query_one("#f-characters", SelectionList)
        people.focus()
        await pilot.press("space", "down", "space")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not isinstance(app.screen, FieldsForm))
        await wait_for(
            pilot,
            lambda: (
                db_row(home, "SELECT count(*) FROM scene WHERE location_id = ?", (ids["sea"],))[0]
                == 1
            ),
        )
        new = db_row(home, "SELECT id, synopsis FROM scene WHERE location_id = ?", (ids["sea"],))
        assert new[1] == "[b]Storm[/b] at sea"
        assert db_row(home, "SELECT time, mood FROM scene WHERE id = ?", (new[0],)) == ("dusk", "")
        assert _scene_people(home, new[0]) == sorted([ids["lin"], ids["marco"]])
        await wait_for(pilot, lambda: "[b]Storm[/b] at sea · at The Sea" in screen_text(app))


async def test_outline_scene_form_keeps_trashed_place_and_people(home: Path) -> None:
    from textual.widgets import Select, SelectionList

    from inkbench.storage.engine import open_database
    from inkbench.storage.trash import trash
    from inkbench.tui.dialogs.fields_form import FieldsForm

    app, ids = _app(home)
    db = open_database(home)
    with db.write() as s:
        trash(s, "character", ids["marco"])
        trash(s, "world_entry", ids["harbor"])
    db.dispose()
    async with app.run_test(size=SIZE) as pilot:
        outline = await _open_outline(pilot, app)
        box = outline.query_one("#outline")
        box.highlighted = box.keys.index(f"s{ids['scene']}")
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, FieldsForm))
        form = app.screen
        place = form.query_one("#f-location", Select)
        assert place.value == str(ids["harbor"])
        assert "harbor (in the Trash)" in screen_text(app)
        people = form.query_one("#f-characters", SelectionList)
        assert people.option_count == 1 and people.selected == [str(ids["lin"])]
        form.query_one("#f-mood").value = "calm"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not isinstance(app.screen, FieldsForm))
        await wait_for(
            pilot,
            lambda: (
                db_row(home, "SELECT mood FROM scene WHERE id = ?", (ids["scene"],))[0] == "calm"
            ),
        )
    row = db_row(home, "SELECT location_id FROM scene WHERE id = ?", (ids["scene"],))
    assert row[0] == ids["harbor"]
    assert _scene_people(home, ids["scene"]) == sorted([ids["lin"], ids["marco"]])


async def test_long_outline_pages_and_reads_characters_as_it_scrolls(home: Path) -> None:
    from inkbench.storage.engine import open_database
    from inkbench.storage.works import create_chapter
    from inkbench.tui.screens.editor import EditorScreen
    from inkbench.tui.screens.outline import PEOPLE_PAGE

    app, ids = _app(home)
    db = open_database(home)
    with db.write() as s:
        for n in range(4, 4 + 2 * PEOPLE_PAGE):
            title = f"[b]Part {n}[/b]" if n % 2 else f"Part {n}"
            last = create_chapter(s, ids["work"], title, f"Marco met 林晚. Marco left. {n}\n")
    db.dispose()
    async with app.run_test(size=SIZE) as pilot:
        outline = await _open_outline(pilot, app)
        box = outline.query_one("#outline")
        assert box.row_count == 3 + 2 + 2 * PEOPLE_PAGE  # chapters and two scenes
        assert len(outline._peopled) <= PEOPLE_PAGE  # only what was on screen
        await pilot.press("end")
        await wait_for(pilot, lambda: outline.current_key() == f"c{last.id}")
        last_title = f"[b]Part {3 + 2 * PEOPLE_PAGE}[/b]"
        await wait_for(pilot, lambda: last_title in screen_text(app))
        # the last chapters' characters were read when they came on screen
        assert "named: Marco, 林晚" in screen_text(app).split(last_title)[1]
        assert len(outline._peopled) > PEOPLE_PAGE
        await pilot.press("home")
        await wait_for(pilot, lambda: outline.current_key() == f"c{ids['chapter0']}")
        await pilot.press("pagedown")
        await wait_for(pilot, lambda: (box.highlighted or 0) > 5)
        await pilot.press("up")
        key = outline.current_key()
        chapter = outline.lines[key][1]
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, EditorScreen))
        assert app.screen.doc.id == chapter.id


async def test_editor_names_panel_follows_saves_and_opens_entries(home: Path) -> None:
    from inkbench.tui.messages import OpenDocument
    from inkbench.tui.screens.editor import EditorScreen
    from inkbench.tui.screens.entry import EntryScreen
    from inkbench.tui.widgets.mentions_panel import MentionsPanel

    app, ids = _app(home)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        app.post_message(OpenDocument("chapter", ids["chapter1"]))
        await wait_for(pilot, lambda: isinstance(app.screen, EditorScreen))
        editor = app.screen
        panel = editor.query_one(MentionsPanel)
        await wait_for(pilot, lambda: panel.generation >= 1)
        assert [(n.name, n.count) for n in panel.named] == [("林晚", 1), ("Isle of Vey", 1)]
        seen = panel.generation
        editor.text_area.move_cursor((2, 0))
        await pilot.press(*" Marco and 晚晚")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: panel.generation > seen and len(panel.named) == 3)
        assert dict((n.name, n.count) for n in panel.named) == {
            "林晚": 2,
            "Isle of Vey": 1,
            "Marco": 1,
        }
        # ctrl+b hides and shows it; hidden, it is not read after saves,
        # shown again, it is read at once
        await pilot.press("ctrl+b")
        assert not panel.display
        seen = panel.generation
        await pilot.press(*" Marco")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not editor.dirty and not editor.saving)
        await app.workers.wait_for_complete()
        assert panel.generation == seen
        await pilot.press("ctrl+b")
        assert panel.display
        await wait_for(pilot, lambda: panel.generation > seen)
        assert dict((n.name, n.count) for n in panel.named)["Marco"] == 2
        assert "Marco  2" in screen_text(app)
        # f3 on a name opens its page
        editor.text_area.move_cursor((1, 1))
        await pilot.press("f3")
        await wait_for(pilot, lambda: isinstance(app.screen, EntryScreen))
        assert (app.screen.kind, app.screen.entry_id) == ("character", ids["lin"])


async def test_scene_markers_are_dim_and_kept_whole(home: Path) -> None:
    from inkbench.tui.messages import OpenDocument
    from inkbench.tui.screens.editor import EditorScreen

    app, ids = _app(home)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        app.post_message(OpenDocument("chapter", ids["chapter0"]))
        await wait_for(pilot, lambda: isinstance(app.screen, EditorScreen))
        editor = app.screen
        area = editor.text_area
        before = area.text
        assert area.document.get_line(0) == f"<!-- scene:{ids['scene']} -->"
        # the marker line shows its scene's synopsis in the status line
        await settle(pilot, app)
        assert "scene: Leaving the harbor" in screen_text(app)
        # glue text to a marker, type inside it, join the next line to it: refused
        area.move_cursor((1, 0))
        await pilot.press("backspace")
        area.move_cursor((0, 5))
        await pilot.press("x", "delete")
        area.move_cursor((0, len(area.document.get_line(0))))
        await pilot.press("y")
        assert area.text == before
        # Enter at the end of a marker line is fine (a new line after it)
        await pilot.press("enter")
        assert area.text.startswith(f"<!-- scene:{ids['scene']} -->\n\nThey")
        await pilot.press("backspace")
        assert area.text == before
        # the whole marker line selected and deleted: the scene leaves the text
        from textual.widgets.text_area import Selection

        area.selection = Selection((0, 0), (1, 0))
        await pilot.press("delete")
        assert area.text == before.split("\n", 1)[1]
        await pilot.press("ctrl+s")
        await wait_for(
            pilot,
            lambda: (
                db_row(home, "SELECT position FROM scene WHERE id = ?", (ids["scene"],))[0] == -1
            ),
        )
        # the stored text round-trips exactly what the editor holds
        await settle(pilot, app)
        assert (
            db_row(home, "SELECT body FROM chapter WHERE id = ?", (ids["chapter0"],))[0]
            == area.text
        )


async def test_search_opens_bible_entries_and_chat_messages(home: Path) -> None:
    from inkbench.storage.chat import add_user_message, create_conversation
    from inkbench.storage.engine import open_database
    from inkbench.tui.screens.entry import EntryScreen
    from inkbench.tui.screens.search import SearchScreen

    app, ids = _app(home)
    db = open_database(home)
    with db.write() as s:
        conv = create_conversation(s, title="Harbor talk")
        add_user_message(s, conv.id, "Where does the lighthouse keeper live?")
        other = create_conversation(s, title="Another")
        add_user_message(s, other.id, "Nothing here")
    db.dispose()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("ctrl+f", *"Marco")
        await wait_for(
            pilot, lambda: isinstance(app.screen, SearchScreen) and app.screen.query_text == "Marco"
        )
        kinds = [h.kind for h in app.screen.hits]
        assert "character" in kinds
        app.screen.open(kinds.index("character"))
        await wait_for(pilot, lambda: isinstance(app.screen, EntryScreen))
        assert app.screen.entry_id == ids["marco"]
        await pilot.press("escape")
        await settle(pilot, app)
        await pilot.press("ctrl+f", *"lighthouse")
        await wait_for(
            pilot,
            lambda: isinstance(app.screen, SearchScreen) and app.screen.query_text == "lighthouse",
        )
        hits = app.screen.hits
        assert [h.kind for h in hits] == ["message"]
        assert "chat" in screen_text(app)
        app.screen.open(0)
        chat = None
        await wait_for(pilot, lambda: app.pane("chat") is not None)
        chat = app.pane("chat")
        await wait_for(pilot, lambda: chat.current == conv.id)
        await settle(pilot, app)
        assert "lighthouse keeper" in screen_text(app)


async def test_works_area_statistics_work_form_and_chapter_form(home: Path) -> None:
    from textual.widgets import Sparkline

    app, ids = _app(home)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("2")
        works = app.pane("works")
        await wait_for(pilot, lambda: works.works.vlist.total == 1)
        await wait_for(pilot, lambda: "Last 30 days" in screen_text(app))
        days = works.query_one(Sparkline)
        added = db_row(home, "SELECT sum(words_added) FROM writing_day")[0]
        assert sum(days.data) == added > 0
        assert "streak 1 day" in screen_text(app)
        await pilot.press("e")
        await _fill(
            pilot,
            app,
            {
                "genre": "[b]sea story",
                "status": "revising",
                "goal": "5000",
                "naming": "第{n}章",
                "description": "About the sea.",
            },
        )
        await wait_for(
            pilot,
            lambda: (
                db_row(home, "SELECT genre, status, word_goal, chapter_naming FROM work")
                == ("[b]sea story", "revising", 5000, "第{n}章")
            ),
        )
        # a bad goal: one line, nothing changed, the form back with what was typed
        from inkbench.tui.dialogs.fields_form import FieldsForm

        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, FieldsForm))
        first = app.screen
        await _fill(
            pilot,
            app,
            {"goal": "lots", "genre": "sea saga"},
            wait=lambda: isinstance(app.screen, FieldsForm) and app.screen is not first,
        )
        assert db_row(home, "SELECT word_goal, genre FROM work") == (5000, "[b]sea story")
        assert app.screen.values()["goal"] == "lots"
        assert app.screen.values()["genre"] == "sea saga"
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, FieldsForm))
        await settle(pilot, app)
        # the chapter form: status and synopsis
        await pilot.press("right")
        await settle(pilot, app)
        await pilot.press("e")
        await _fill(pilot, app, {"status": "final", "synopsis": "They [b]leave[/b]."})
        await wait_for(
            pilot,
            lambda: (
                db_row(
                    home, "SELECT status, synopsis FROM chapter WHERE id = ?", (ids["chapter0"],)
                )
                == ("final", "They [b]leave[/b].")
            ),
        )


async def test_export_from_the_works_area(home: Path, tmp_path: Path) -> None:
    app, _ids = _app(home)
    out = tmp_path / "book.epub"
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("2")
        works = app.pane("works")
        await wait_for(pilot, lambda: works.works.vlist.total == 1)
        # a bad chapter range: one line, no file
        await pilot.press("x")
        await _fill(pilot, app, {"path": str(out), "chapters": "abc"})
        await app.workers.wait_for_complete()
        await settle(pilot, app)
        assert not out.exists()
        await pilot.press("x")
        await _fill(pilot, app, {"path": str(out), "chapters": "1-2", "synopsis": ""})
        await wait_for(pilot, lambda: out.exists())
        import zipfile

        with zipfile.ZipFile(out) as z:
            names = z.namelist()
            text = "".join(
                z.read(n).decode("utf-8", "replace") for n in names if n.endswith("html")
            )
        assert "Departure" in text and "[0] Crossing" in text and "Arrival" not in text
        # markdown, by the format choice (the extension follows it)
        await pilot.press("x")
        await _fill(pilot, app, {"format": "md", "path": str(out)})
        md = out.with_suffix(".md")
        await wait_for(pilot, lambda: md.exists())
        assert "林晚" in md.read_text(encoding="utf-8")


async def test_trashed_character_is_restored_from_the_trash(home: Path) -> None:
    from inkbench.tui.widgets.list_pane import ListPane

    app, ids = _app(home)
    async with app.run_test(size=SIZE) as pilot:
        bible = await _open_bible(pilot, app)
        characters = bible.query_one("#characters-list")
        await wait_for(pilot, lambda: characters.vlist.current_row is not None)
        assert characters.vlist.current_row[1] == "Marco"
        await pilot.press("d")
        await wait_for(pilot, lambda: characters.vlist.total == 1)
        assert db_row(
            home, "SELECT deleted_at IS NOT NULL FROM character WHERE id = ?", (ids["marco"],)
        )[0]
        await pilot.press("escape")
        await settle(pilot, app)
        await pilot.press("8")
        await settle(pilot, app)
        trash = app.pane("trash").query_one(ListPane)
        await wait_for(pilot, lambda: trash.vlist.total >= 2)
        rows = [trash.vlist.row(i) for i in range(trash.vlist.total)]
        index = next(i for i, r in enumerate(rows) if r[0] == "character")
        assert rows[index][2] == "Marco"
        assert "character" in screen_text(app)
        trash.vlist.move_to(index)
        await pilot.press("r")
        await wait_for(
            pilot,
            lambda: (
                db_row(home, "SELECT deleted_at FROM character WHERE id = ?", (ids["marco"],))[0]
                is None
            ),
        )


async def test_deleting_a_tag_asks_first(home: Path) -> None:
    from inkbench.tui.dialogs.confirm import Confirm

    app, ids = _app(home)
    async with app.run_test(size=SIZE) as pilot:
        bible = await _open_bible(pilot, app)
        await pilot.press("t")
        tags = bible.query_one("#tags-list")
        await wait_for(pilot, lambda: tags.vlist.total == 1 and tags.vlist.current_row)
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, Confirm))
        app.screen.dismiss(False)
        await settle(pilot, app)
        assert db_row(home, "SELECT count(*) FROM tag")[0] == 1
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, Confirm))
        app.screen.dismiss(True)
        await wait_for(pilot, lambda: tags.vlist.total == 0)
        assert (
            db_row(home, "SELECT count(*) FROM chapter_tag WHERE tag_id = ?", (ids["tag"],))[0] == 0
        )
