"""Snapshots of the main screens with seeded data (fixed times, fixed sizes,
no clocks on screen, cursors not blinking). Update after reading the report:
``pytest tests/tui/test_snapshots.py --snapshot-update``."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest

from tests.tui.helpers import seed, settle, wait_for

SIZE = (110, 32)


@pytest.fixture
def snap_home(request, monkeypatch) -> Path:
    # a fixed path, so nothing on screen can depend on a random directory
    home = Path(tempfile.gettempdir()) / "inkbench-snapshots" / request.node.name
    shutil.rmtree(home, ignore_errors=True)
    monkeypatch.setenv("INKBENCH_HOME", str(home))
    seed(home)
    yield home
    shutil.rmtree(home, ignore_errors=True)


def make(home: Path):
    from inkbench.tui.app import make_app

    return make_app(home=home)


async def steady(pilot) -> None:
    from inkbench.tui.messages import AccountChanged, ConnectivityChanged

    app = pilot.app
    await settle(pilot, app)
    # the status bar in a known state, whatever the connectivity check found
    app.post_message(ConnectivityChanged(False, "no server in tests"))
    app.post_message(AccountChanged(None))
    from textual.widgets import Input, TextArea

    for widget in app.screen.query(Input):
        widget.cursor_blink = False
    for widget in app.screen.query(TextArea):
        widget.cursor_blink = False
    await settle(pilot, app)


def test_articles_list(snap_compare, snap_home: Path) -> None:
    assert snap_compare(make(snap_home), terminal_size=SIZE, run_before=steady)


def test_works_and_chapters(snap_compare, snap_home: Path) -> None:
    async def run(pilot) -> None:
        await steady(pilot)
        await pilot.press("2")
        works = pilot.app.pane("works")
        await wait_for(pilot, lambda: works.query("#chapters") and works.chapters.vlist.total == 3)
        await steady(pilot)

    assert snap_compare(make(snap_home), terminal_size=SIZE, run_before=run)


def test_trash(snap_compare, snap_home: Path) -> None:
    async def run(pilot) -> None:
        await steady(pilot)
        await pilot.press("8")
        await steady(pilot)

    assert snap_compare(make(snap_home), terminal_size=SIZE, run_before=run)


def test_editor(snap_compare, snap_home: Path) -> None:
    async def run(pilot) -> None:
        from inkbench.tui.screens.editor import EditorScreen

        await steady(pilot)
        await pilot.press("slash", *"garden", "enter", "enter")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, EditorScreen))
        editor = pilot.app.screen
        await wait_for(pilot, lambda: editor.counted_version == editor.version)
        await steady(pilot)

    assert snap_compare(make(snap_home), terminal_size=SIZE, run_before=run)


def test_search_results(snap_compare, snap_home: Path) -> None:
    async def run(pilot) -> None:
        from inkbench.tui.screens.search import SearchScreen

        await steady(pilot)
        await pilot.press("ctrl+f", *"quiet")
        await wait_for(
            pilot,
            lambda: (
                isinstance(pilot.app.screen, SearchScreen)
                and pilot.app.screen.query_text == "quiet"
            ),
        )
        await steady(pilot)

    assert snap_compare(make(snap_home), terminal_size=SIZE, run_before=run)


# --- the same screens in Chinese, and the chrome at 80×24 in both languages ------------


@pytest.fixture
def zh():
    """The interface in Chinese for one test (English again afterwards)."""
    from inkbench import i18n

    i18n.set_language("zh")
    yield
    i18n.set_language("en")


def test_articles_list_zh(snap_compare, snap_home: Path, zh) -> None:
    assert snap_compare(make(snap_home), terminal_size=SIZE, run_before=steady)


def test_works_and_chapters_zh(snap_compare, snap_home: Path, zh) -> None:
    assert snap_compare(make(snap_home), terminal_size=SIZE, run_before=_open_works)


def test_trash_zh(snap_compare, snap_home: Path, zh) -> None:
    assert snap_compare(make(snap_home), terminal_size=SIZE, run_before=_press("8"))


def test_albums_zh(snap_compare, snap_home: Path, zh) -> None:
    assert snap_compare(make(snap_home), terminal_size=SIZE, run_before=_press("3"))


def test_albums(snap_compare, snap_home: Path) -> None:
    assert snap_compare(make(snap_home), terminal_size=SIZE, run_before=_press("3"))


def test_help_zh(snap_compare, snap_home: Path, zh) -> None:
    assert snap_compare(make(snap_home), terminal_size=SIZE, run_before=_press("f1"))


def test_help(snap_compare, snap_home: Path) -> None:
    assert snap_compare(make(snap_home), terminal_size=SIZE, run_before=_press("f1"))


def test_editor_zh(snap_compare, snap_home: Path, zh) -> None:
    assert snap_compare(make(snap_home), terminal_size=SIZE, run_before=_open_editor)


def test_search_results_zh(snap_compare, snap_home: Path, zh) -> None:
    assert snap_compare(make(snap_home), terminal_size=SIZE, run_before=_search)


def test_articles_80x24(snap_compare, snap_home: Path) -> None:
    assert snap_compare(make(snap_home), terminal_size=(80, 24), run_before=steady)


def test_articles_80x24_zh(snap_compare, snap_home: Path, zh) -> None:
    assert snap_compare(make(snap_home), terminal_size=(80, 24), run_before=steady)


def test_works_80x24_zh(snap_compare, snap_home: Path, zh) -> None:
    assert snap_compare(make(snap_home), terminal_size=(80, 24), run_before=_open_works)


def _press(*keys: str):
    async def run(pilot) -> None:
        await steady(pilot)
        await pilot.press(*keys)
        await steady(pilot)

    return run


async def _open_works(pilot) -> None:
    await steady(pilot)
    await pilot.press("2")
    works = pilot.app.pane("works")
    await wait_for(pilot, lambda: works.query("#chapters") and works.chapters.vlist.total == 3)
    await steady(pilot)


async def _open_editor(pilot) -> None:
    from inkbench.tui.screens.editor import EditorScreen

    await steady(pilot)
    await pilot.press("slash", *"garden", "enter", "enter")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, EditorScreen))
    editor = pilot.app.screen
    await wait_for(pilot, lambda: editor.counted_version == editor.version)
    await steady(pilot)


async def _search(pilot) -> None:
    from inkbench.tui.screens.search import SearchScreen

    await steady(pilot)
    await pilot.press("ctrl+f", *"quiet")
    await wait_for(
        pilot,
        lambda: (
            isinstance(pilot.app.screen, SearchScreen) and pilot.app.screen.query_text == "quiet"
        ),
    )
    await steady(pilot)


# --- the novel: story bible and outline (characters, a world tree, scenes, tags) -------


@pytest.fixture
def novel_home(snap_home: Path) -> Path:
    """The snapshot home with a story bible on its work (tests/tui/novel_seed.py)."""
    import sqlite3

    from tests.tui.novel_seed import seed_novel

    conn = sqlite3.connect(snap_home / "inkbench.db")
    work = conn.execute("SELECT id FROM work").fetchone()[0]
    chapters = [r[0] for r in conn.execute("SELECT id FROM chapter ORDER BY position")]
    conn.close()
    ids = {"work": work} | {f"chapter{n}": c for n, c in enumerate(chapters)}
    seed_novel(snap_home, ids)
    return snap_home


async def _open_bible(pilot) -> None:
    from inkbench.tui.screens.bible import BibleScreen

    await _open_works(pilot)
    await pilot.press("b")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, BibleScreen))
    await steady(pilot)
    await pilot.press("down")  # 林晚: her details beside the list
    await steady(pilot)


async def _open_outline(pilot) -> None:
    from inkbench.tui.screens.outline import OutlineScreen

    await _open_works(pilot)
    await pilot.press("O")
    await wait_for(
        pilot, lambda: isinstance(pilot.app.screen, OutlineScreen) and pilot.app.screen.loaded
    )
    await steady(pilot)


def test_bible(snap_compare, novel_home: Path) -> None:
    assert snap_compare(make(novel_home), terminal_size=SIZE, run_before=_open_bible)


def test_bible_zh(snap_compare, novel_home: Path, zh) -> None:
    assert snap_compare(make(novel_home), terminal_size=SIZE, run_before=_open_bible)


def test_outline(snap_compare, novel_home: Path) -> None:
    assert snap_compare(make(novel_home), terminal_size=SIZE, run_before=_open_outline)


def test_outline_zh(snap_compare, novel_home: Path, zh) -> None:
    assert snap_compare(make(novel_home), terminal_size=SIZE, run_before=_open_outline)
