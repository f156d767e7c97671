"""The TUI's global search and list filters find Chinese however it was
written: full-width letters, traditional or simplified, titles by pinyin."""

from __future__ import annotations

from pathlib import Path

from tests.tui.helpers import fix_times, settle, wait_for

WIDE = "我在学习Ｐｙｔｈｏｎ和ＳＱＬｉｔｅ"


def _seed(home: Path) -> dict[str, int]:
    from inkbench.storage.articles import create_article
    from inkbench.storage.engine import open_database

    db = open_database(home)
    ids = {}
    with db.write() as s:
        ids["wide"] = create_article(s, WIDE, "全角字母的文章。").id
        ids["narrow"] = create_article(s, "Python notes", "About Python.").id
        ids["trad"] = create_article(s, "鳳凰單叢", "烏龍茶。").id
        ids["simp"] = create_article(s, "凤凰单丛的冲泡", "乌龙茶。").id
        ids["other"] = create_article(s, "Garden", "Nothing here.").id
    db.dispose()
    fix_times(home)
    return ids


async def test_global_search_folds_width_script_and_pinyin(home: Path) -> None:
    from inkbench.tui.app import make_app
    from inkbench.tui.screens.search import HIGHLIGHT, SearchScreen, hit_content

    ids = _seed(home)
    app = make_app(home=home)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot, app)
        await pilot.press("ctrl+f")
        await wait_for(pilot, lambda: isinstance(app.screen, SearchScreen))
        search = app.screen
        cases = {
            "Python": {ids["wide"], ids["narrow"]},
            "Ｐｙｔｈｏｎ": {ids["wide"], ids["narrow"]},
            "凤凰单丛": {ids["trad"], ids["simp"]},
            "鳳凰單叢": {ids["trad"], ids["simp"]},
            "fhdc": {ids["trad"], ids["simp"]},
        }
        for query, expected in cases.items():
            await pilot.press("ctrl+u", *query)
            await wait_for(pilot, lambda q=query: search.query_text == q and bool(search.hits))
            assert {h.id for h in search.hits} == expected, query
        # the title as written, marked where the folded query matched
        await pilot.press("ctrl+u", *"凤凰单丛")
        await wait_for(pilot, lambda: search.query_text == "凤凰单丛" and bool(search.hits))
        [trad] = [h for h in search.hits if h.id == ids["trad"]]
        content = hit_content(trad, 80, ("凤凰单丛",))
        marked = [content.plain[s.start : s.end] for s in content.spans if s.style == HIGHLIGHT]
        assert "鳳凰單叢" in marked
        search.query_one("#query").value = "。，！"  # (the pilot has no keys for these)
        await wait_for(pilot, lambda: search.query_text == "。，！")
        assert search.hits == []


async def test_list_filter_folds_width_script_and_pinyin(home: Path) -> None:
    from inkbench.tui.app import make_app
    from inkbench.tui.widgets.list_pane import ListPane

    ids = _seed(home)
    app = make_app(home=home)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot, app)
        pane = app.pane("articles").query_one(ListPane)
        assert pane.vlist.total == 5
        cases = {
            "python": {ids["wide"], ids["narrow"]},
            "Ｐｙｔｈｏｎ": {ids["wide"], ids["narrow"]},
            "凤凰单丛": {ids["trad"], ids["simp"]},
            "鳳凰單叢": {ids["trad"], ids["simp"]},
            "fhdc": {ids["trad"], ids["simp"]},
            "fenghuang": {ids["trad"], ids["simp"]},
            "𠀀": set(),
        }
        await pilot.press("slash")
        for typed, expected in cases.items():
            await pilot.press("ctrl+u", *typed)
            await settle(pilot, app)
            shown = {pane.vlist.row(i)[0] for i in range(pane.vlist.total)}
            assert shown == expected, typed
