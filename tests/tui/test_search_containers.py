"""Works, albums and knowledge bases are found by name and pinyin in the
global search; Enter opens their area with the list filtered to them."""

from __future__ import annotations

from pathlib import Path

from tests.tui.helpers import settle, wait_for


def _seed(home: Path) -> None:
    from inkbench.storage.engine import open_database
    from inkbench.storage.works import create_work

    db = open_database(home)
    with db.write() as s:
        create_work(s, "雾港往事", genre="悬疑")
        create_work(s, "Another [b]work[/b]")


async def test_a_work_hit_opens_the_works_area_filtered(home: Path) -> None:
    from inkbench.tui.app import make_app
    from inkbench.tui.screens.search import SearchScreen
    from inkbench.tui.widgets.list_pane import ListPane

    _seed(home)
    app = make_app(home=home)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot, app)
        await pilot.press("ctrl+f")
        await wait_for(pilot, lambda: isinstance(app.screen, SearchScreen))
        search = app.screen
        await pilot.press(*"wgws")
        await wait_for(pilot, lambda: search.query_text == "wgws" and bool(search.hits))
        assert [(h.kind, h.title) for h in search.hits] == [("work", "雾港往事")]
        await pilot.press("down", "enter")
        await wait_for(pilot, lambda: not isinstance(app.screen, SearchScreen))
        await wait_for(pilot, lambda: app.query_one("#tabs").current == "works")
        works = app.pane("works").query(ListPane).first()
        await wait_for(pilot, lambda: works.vlist.total == 1)
        assert works.vlist.current_row[1] == "雾港往事"
