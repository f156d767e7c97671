"""The shell: every area one key away, markup-safe lists, the palette, help,
keymap overrides from config.toml, the status bar fed by messages."""

from __future__ import annotations

from pathlib import Path

from tests.tui.helpers import TRICKY_TITLES, screen_text, seed, settle, wait_for


async def test_every_area_opens_with_its_key(home: Path) -> None:
    from inkbench.tui.app import make_app
    from inkbench.tui.areas import AREAS

    seed(home)
    app = make_app(home=home)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        for area in AREAS:
            await pilot.press(area.key)
            await settle(pilot, app)
            pane = app.pane(area.id)
            assert isinstance(pane, area.load()), area.id
            assert pane.display and app.query_one("#areas").current == f"area-{area.id}"
            assert area.title in screen_text(app)


async def test_titles_with_markup_show_literally(home: Path) -> None:
    from inkbench.tui.app import make_app

    seed(home)
    app = make_app(home=home)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        text = screen_text(app)
        for title in TRICKY_TITLES:
            assert title in text, title
        await pilot.press("2")
        await settle(pilot, app)
        text = screen_text(app)
        assert "The [i]Long[/i] Road" in text
        assert "[0] Crossing" in text
        # the filter shows what was typed literally too
        await pilot.press("1", "slash", *"[/")
        await settle(pilot, app)
        text = screen_text(app)
        assert "2 articles matching “[/”" in text  # "[/" and "[b]x[/b]"


async def test_list_filter_and_sort(home: Path) -> None:
    from inkbench.tui.app import make_app
    from inkbench.tui.widgets.list_pane import ListPane

    seed(home)
    app = make_app(home=home)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        pane = app.pane("articles").query_one(ListPane)
        assert pane.vlist.total == 5  # one more is in the Trash
        await pilot.press("slash", *"garden")
        await settle(pilot, app)
        assert pane.vlist.total == 1
        assert pane.vlist.current_row[1] == "Garden notes"
        await pilot.press("escape")  # back to the list, filter kept
        assert app.focused is pane.vlist
        await pilot.press("slash", "ctrl+u")  # clear the filter
        await settle(pilot, app)
        assert pane.vlist.total == 5
        await pilot.press("escape", "s")  # sort by title
        await settle(pilot, app)
        assert pane.vlist.sort == "title"
        titles = [pane.vlist.row(i)[1] for i in range(pane.vlist.total)]
        assert titles == sorted(titles, key=str.lower)


async def test_palette_reaches_area_actions(home: Path) -> None:
    from inkbench.tui.app import make_app
    from inkbench.tui.dialogs.ask_text import AskText

    seed(home)
    app = make_app(home=home)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        await pilot.press("ctrl+p")
        await settle(pilot, app)
        await pilot.press(*"go to trash")
        await settle(pilot, app)
        await pilot.press("enter")
        await settle(pilot, app)
        assert app.query_one("#areas").current == "area-trash"
        # an action of another area, run from here
        await pilot.press("ctrl+p")
        await settle(pilot, app)
        await pilot.press(*"works: new chapter")
        await settle(pilot, app)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, AskText))
        assert app.query_one("#areas").current == "area-works"


async def test_help_lists_keys_and_ids(home: Path) -> None:
    from inkbench.tui.app import make_app
    from inkbench.tui.screens.help import HelpScreen

    app = make_app(home=home)
    async with app.run_test(size=(120, 50)) as pilot:
        await settle(pilot, app)
        await pilot.press("f1")
        await settle(pilot, app)
        assert isinstance(app.screen, HelpScreen)
        text = app.screen.table().plain
        for binding_id in ("app.search", "area.trash", "editor.save", "trash.purge", "list.sort"):
            assert binding_id in text
        await pilot.press("escape")
        await settle(pilot, app)
        assert not isinstance(app.screen, HelpScreen)


async def test_keymap_override_and_bad_entries(home: Path) -> None:
    from inkbench.tui.app import make_app
    from inkbench.tui.screens.search import SearchScreen

    home.mkdir(parents=True, exist_ok=True)
    (home / "config.toml").write_text(
        "[keymap]\n"
        '"area.trash" = "t"\n'
        '"app.search" = "ctrl+k"\n'
        '"no.such.binding" = "x"\n'
        '"area.works" = "ctrl+nosuchkey"\n'
        "[ui]\n"
        'theme = "textual-light"\n'
    )
    app = make_app(home=home)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        messages = [n.message for n in app._notifications]
        assert any("area.works" in m and "nosuchkey" in m for m in messages)
        # the ids are checked once the first screen is up
        await wait_for(
            pilot, lambda: any("no.such.binding" in n.message for n in app._notifications)
        )
        assert app.theme == "textual-light"
        await pilot.press("t")
        await settle(pilot, app)
        assert app.query_one("#areas").current == "area-trash"
        await pilot.press("2")  # the bad override kept the default
        await settle(pilot, app)
        assert app.query_one("#areas").current == "area-works"
        await pilot.press("ctrl+k")
        await settle(pilot, app)
        assert isinstance(app.screen, SearchScreen)


async def test_broken_config_falls_back_to_defaults(home: Path) -> None:
    from inkbench.tui.app import make_app

    home.mkdir(parents=True, exist_ok=True)
    (home / "config.toml").write_text("[keymap\n")
    app = make_app(home=home)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        assert any("not valid TOML" in n.message for n in app._notifications)
        await pilot.press("8")
        await settle(pilot, app)
        assert app.query_one("#areas").current == "area-trash"


async def test_status_bar_follows_messages(home: Path) -> None:
    from inkbench.tui.app import make_app
    from inkbench.tui.messages import AccountChanged, ConnectivityChanged, JobFinished, JobProgress

    app = make_app(home=home)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot, app)
        app.post_message(ConnectivityChanged(True))
        app.post_message(AccountChanged("ann [b]", plan="pro", quota="12 articles left"))
        app.post_message(JobProgress("ocr", "OCR", 3, 10))
        app.post_message(JobProgress("ocr", "OCR", 4, 10))
        await settle(pilot, app)
        line = str(app.status.render())
        assert "online" in line and "ann [b] · pro · 12 articles left" in line
        assert "OCR 40% (4/10)" in line
        app.post_message(JobFinished("ocr", "OCR", ok=False, message="2 images [failed]"))
        app.post_message(ConnectivityChanged(False, "server down"))
        await settle(pilot, app)
        line = str(app.status.render())
        assert "OCR" not in line and "offline (server down)" in line
        assert any(n.message == "2 images [failed]" for n in app._notifications)


async def test_theme_toggles(home: Path) -> None:
    from inkbench.tui.app import make_app

    app = make_app(home=home)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        dark = app.current_theme.dark
        await pilot.press("ctrl+t")
        assert app.current_theme.dark is not dark


def _ids_in_source() -> set[str]:
    """Every ``Binding(..., id="...")`` written in the source of inkbench.tui,
    read from the files themselves (not from the registry under test)."""
    import ast

    import inkbench.tui

    ids: set[str] = set()
    root = Path(inkbench.tui.__file__).parent
    for path in root.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Binding":
                for kw in node.keywords:
                    if kw.arg == "id" and isinstance(kw.value, ast.Constant):
                        ids.add(kw.value.value)
    return ids


async def test_help_lists_every_binding_id_declared_in_the_tui(home: Path) -> None:
    from inkbench.tui.app import make_app
    from inkbench.tui.areas import AREAS
    from inkbench.tui.screens.help import HelpScreen

    declared = _ids_in_source() | {a.binding_id for a in AREAS}  # area ids are built in a loop
    # the Generate dialogs' ids were missing from help before it was derived
    assert {"dialog.create", "setting.save", "preview.edit", "preview.new"} <= declared
    app = make_app(home=home)
    async with app.run_test(size=(120, 50)) as pilot:
        await settle(pilot, app)
        await pilot.press("f1")
        await settle(pilot, app)
        assert isinstance(app.screen, HelpScreen)
        listed = app.screen.table().plain
    missing = sorted(i for i in declared if i not in listed)
    assert not missing, f"not in help: {missing}"
