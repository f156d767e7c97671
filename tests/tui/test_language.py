"""The TUI in Chinese and English: the language at start-up, every area's
words, the palette finding commands by either name, switching the language
from the palette (kept in config.toml, nothing lost), layout at 80×24."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from inkbench import i18n
from tests.tui.helpers import db_row, screen_text, seed, settle, wait_for


@pytest.fixture(autouse=True)
def _english_afterwards():
    yield
    i18n.set_language("en")


async def test_every_area_speaks_chinese(home: Path) -> None:
    from inkbench.tui.app import make_app
    from inkbench.tui.areas import AREAS

    seed(home)
    app = make_app(home=home, language="zh")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        text = screen_text(app)
        assert "文章" in text and "回收站" in text and "无后台任务" in text
        assert "Articles" not in text and "no background jobs" not in text
        for area in AREAS:
            await pilot.press(area.key)
            await settle(pilot, app)
            text = screen_text(app)
            assert i18n._(area.title) in text, area.id
        await pilot.press("8")
        await settle(pilot, app)
        text = screen_text(app)
        assert "类型" in text and "删除时间" in text  # column headers
        assert "Old draft" in text  # names stay as they are


async def test_palette_finds_commands_by_chinese_and_english_names(home: Path) -> None:
    from inkbench.tui.app import make_app

    seed(home)
    app = make_app(home=home, language="zh")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        await pilot.press("ctrl+p")
        await settle(pilot, app)
        await pilot.press(*"前往回收站")
        await settle(pilot, app)
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.query_one("#areas").current == "area-trash")
        await pilot.press("ctrl+p")
        await settle(pilot, app)
        await pilot.press(*"go to works")
        await settle(pilot, app)
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.query_one("#areas").current == "area-works")


async def test_switching_language_from_the_palette(home: Path) -> None:
    from inkbench.tui.app import make_app
    from inkbench.tui.screens.editor import EditorScreen

    seed(home)
    config = home / "config.toml"
    config.write_text('# mine\n[ui]\ntheme = "textual-dark"  # keep\n\n[ai]\nprovider = "server"\n')
    app = make_app(home=home, language="en")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        assert "Articles" in screen_text(app)
        await pilot.press("enter")  # open the first article
        await wait_for(pilot, lambda: isinstance(app.screen, EditorScreen))
        editor = app.screen
        await pilot.press("ctrl+home", *"Unsaved words ")
        await pilot.press("ctrl+p")
        await settle(pilot, app)
        await pilot.press(*"language: 简体中文")
        await settle(pilot, app)
        await pilot.press("enter")
        await wait_for(pilot, lambda: i18n.language() == "zh" and len(app.screen_stack) == 1)
        await settle(pilot, app)
        text = screen_text(app)
        assert "文章" in text and "按标题筛选" in text and "命令" in text
        assert "Articles" not in text
        # the editor saved on the way out
        sql = "SELECT body FROM article WHERE id = ?"
        await wait_for(pilot, lambda: "Unsaved words" in db_row(home, sql, (editor.doc.id,))[0])
    kept = config.read_text()
    assert kept.startswith("# mine\n[ui]\n")
    assert 'theme = "textual-dark"  # keep' in kept and 'provider = "server"' in kept
    assert tomllib.loads(kept)["ui"]["language"] == "zh"


@pytest.mark.parametrize("language", ["en", "zh"])
async def test_chrome_fits_80_by_24(home: Path, language: str) -> None:
    """Tabs, footer and status bar are whole at 80×24: every tab's key shows,
    the current tab's whole name, the others' names whole or shortened with …
    (nine English names need 83 cells), the palette's key is not cut, the
    status bar fits."""
    from inkbench.tui.app import make_app
    from inkbench.tui.areas import AREAS
    from inkbench.tui.messages import ConnectivityChanged

    seed(home)
    app = make_app(home=home, language=language)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        app.post_message(ConnectivityChanged(False, "offline: cannot reach the server " * 3))
        for key in ("1", "2", "3", "8"):
            await pilot.press(key)
            await settle(pilot, app)
            text = screen_text(app)
            tabs = text.splitlines()[0]
            for area in AREAS:
                title = i18n._(area.title)
                if area.id == app.query_one("#tabs").current or language == "zh":
                    assert f"{area.key} {title}" in tabs, (language, area.id)
                else:  # whole, or its start and …
                    shown = tabs.split(f"{area.key} ", 1)[1]
                    assert shown.startswith(title) or (
                        "…" in shown and title.startswith(shown.split("…")[0])
                    ), (language, area.id, tabs)
            assert f"^p {i18n._('Commands')}" in text
            assert i18n._("no background jobs") in text


def test_cli_and_tui_take_the_language_from_config(tmp_path: Path) -> None:
    """``[ui] language`` in the home's config.toml beats the locale; ``--lang`` beats both."""
    import os
    import subprocess
    import sys

    (tmp_path / "config.toml").write_text('[ui]\nlanguage = "zh"\n')
    env = {k: v for k, v in os.environ.items() if k not in ("LANG", "LC_ALL", "LC_MESSAGES")}
    env["LANG"] = "C.UTF-8"

    def run(*args: str) -> str:
        return subprocess.run(
            [sys.executable, "-m", "inkbench", "--home", str(tmp_path), *args],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
        ).stdout

    assert run("--help").startswith("用法：inkbench")
    assert run("--lang", "en", "--help").startswith("usage: inkbench")


def test_set_ui_language_changes_one_line(tmp_path: Path) -> None:
    from inkbench.settings import set_ui_language

    config = tmp_path / "config.toml"
    original = '# top\n[ui]  # the interface\ntheme = "nord"\n\n[ai]\nlanguage = "kept"\n'
    config.write_text(original)
    set_ui_language(tmp_path, "zh")
    text = config.read_text()
    assert text == original.replace(
        "[ui]  # the interface\n", '[ui]  # the interface\nlanguage = "zh"\n'
    )
    set_ui_language(tmp_path, "en")
    assert config.read_text() == text.replace('language = "zh"', 'language = "en"')
    with pytest.raises(Exception, match="zh"):
        set_ui_language(tmp_path, "fr")


async def test_textual_system_commands_are_translated(home: Path) -> None:
    """Every system command Textual puts in the palette is listed in
    ``tui.textual_text`` (a Textual upgrade that adds one fails here)."""
    from textual.app import App

    from inkbench.tui.app import make_app

    app = make_app(home=home, language="zh")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        english = list(App.get_system_commands(app, app.screen))
        shown = list(app.get_system_commands(app.screen))
        assert english and len(shown) == len(english)
        for original, translated in zip(english, shown, strict=True):
            assert translated.title != original.title, original.title
            assert translated.help != original.help, original.help
        await pilot.press("ctrl+p")
        await settle(pilot, app)
        assert "搜索命令" in screen_text(app)
