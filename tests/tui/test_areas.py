"""Articles, Works, Trash and Search driven through the app."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from tests.tui.helpers import db_row, screen_text, seed, settle, wait_for


async def test_new_article_trash_restore_purge(home: Path) -> None:
    from inkbench.tui.app import make_app
    from inkbench.tui.screens.editor import EditorScreen
    from inkbench.tui.widgets.list_pane import ListPane

    seed(home)
    app = make_app(home=home)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot, app)
        articles = app.pane("articles").query_one(ListPane)
        await pilot.press("n", *"[link=x] new", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, EditorScreen))
        await pilot.press("escape")
        await settle(pilot, app)
        assert articles.vlist.total == 6
        assert articles.vlist.current_row[1] == "[link=x] new"  # newest first
        await pilot.press("d")
        await settle(pilot, app)
        await wait_for(pilot, lambda: articles.vlist.total == 5)
        assert (
            db_row(
                home,
                "SELECT deleted_at IS NOT NULL FROM article WHERE title = ?",
                ("[link=x] new",),
            )[0]
            == 1
        )
        await pilot.press("8")
        await settle(pilot, app)
        trash = app.pane("trash").query_one(ListPane)
        assert trash.vlist.total == 2
        assert "[link=x] new" in screen_text(app)
        assert trash.vlist.current_row[2] == "[link=x] new"  # newest deletion first
        await pilot.press("r")
        await wait_for(pilot, lambda: trash.vlist.total == 1)
        await pilot.press("1")
        await settle(pilot, app)
        assert articles.vlist.total == 6
        # purge asks first; "n" keeps it
        await pilot.press("8")
        await settle(pilot, app)
        await pilot.press("p")
        await settle(pilot, app)
        assert "cannot be undone" in screen_text(app)
        await pilot.press("n")
        await settle(pilot, app)
        assert trash.vlist.total == 1
        await pilot.press("p", "y")
        await wait_for(pilot, lambda: trash.vlist.total == 0)
        assert db_row(home, "SELECT count(*) FROM article WHERE title = 'Old draft'")[0] == 0
        assert "The Trash is empty." in screen_text(app)


async def test_purge_refused_names_the_task(home: Path) -> None:
    from inkbench.storage.engine import open_database, raw_connect
    from inkbench.storage.trash import trash
    from inkbench.tui.app import make_app
    from inkbench.tui.widgets.list_pane import ListPane

    db = open_database(home)
    conn = raw_connect(db.path)
    conn.execute("BEGIN")
    album = conn.execute(
        "INSERT INTO album (name, description, created_at, updated_at) "
        "VALUES ('Trip [x]', '', '2026-01-01', '2026-01-01')"
    ).lastrowid
    conn.execute("COMMIT")
    conn.close()
    with db.write() as s:
        trash(s, "album", album)
    conn = raw_connect(db.path)
    conn.execute("BEGIN")
    conn.execute(
        "INSERT INTO generation_task (name, album_id, keyword, setting_name, model, "
        "article_count, status, done_count, failed_count, created_at, updated_at) "
        "VALUES ('Spring [b]posts[/b]', ?, 'k', 's', 'm', 1, 'queued', 0, 0, "
        "'2026-01-01', '2026-01-01')",
        (album,),
    )
    conn.execute("COMMIT")
    conn.close()
    db.dispose()
    app = make_app(home=home)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot, app)
        await pilot.press("8")
        await settle(pilot, app)
        trash_list = app.pane("trash").query_one(ListPane)
        assert trash_list.vlist.current_row[2] == "Trip [x]"
        await pilot.press("p", "y")
        await settle(pilot, app)
        await wait_for(
            pilot, lambda: any("Spring [b]posts[/b]" in n.message for n in app._notifications)
        )
        assert trash_list.vlist.total == 1
    conn = sqlite3.connect(home / "inkbench.db")
    assert conn.execute("SELECT count(*) FROM album").fetchone()[0] == 1
    conn.close()


async def test_works_chapters_goal_and_reorder(home: Path) -> None:
    from inkbench.tui.app import make_app
    from inkbench.tui.screens.editor import EditorScreen

    ids = seed(home)
    app = make_app(home=home)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot, app)
        await pilot.press("2")
        await settle(pilot, app)
        works = app.pane("works")
        await wait_for(pilot, lambda: works.chapters.vlist.total == 3)
        assert "Goal: 18 of 1,000 words (2%)" in screen_text(app)
        # set a goal
        await pilot.press("w", "ctrl+u", *"20", "enter")
        await wait_for(pilot, lambda: "Goal: 18 of 20 words (90%)" in screen_text(app))
        # move the first chapter down
        await pilot.press("enter")  # into the chapters
        await settle(pilot, app)
        assert works.chapters.vlist.has_focus
        await pilot.press("J")
        await wait_for(pilot, lambda: works.chapters.vlist.cursor == 1)
        order = [works.chapters.vlist.row(i)[2] for i in range(3)]
        assert order == ["[0] Crossing", "Departure", "Arrival"]
        positions = db_row(
            home,
            "SELECT group_concat(title, '|') FROM (SELECT title FROM chapter "
            "WHERE work_id = ? ORDER BY position)",
            (ids["work"],),
        )[0]
        assert positions == "[0] Crossing|Departure|Arrival"
        # a new chapter opens its editor
        await pilot.press("c", *"Epilogue", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, EditorScreen))
        await pilot.press(*"The end.", "escape")
        await settle(pilot, app)
        await app.workers.wait_for_complete()
        await wait_for(pilot, lambda: works.chapters.vlist.total == 4)
        assert works.chapters.vlist.row(3)[2] == "Epilogue"


async def test_search_highlights_and_opens_at_the_place(home: Path) -> None:
    from inkbench.tui.app import make_app
    from inkbench.tui.screens.editor import EditorScreen
    from inkbench.tui.screens.search import HIGHLIGHT, SearchScreen

    ids = seed(home)
    app = make_app(home=home)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot, app)
        await pilot.press("2")  # from any area
        await settle(pilot, app)
        await pilot.press("ctrl+f")
        await wait_for(pilot, lambda: isinstance(app.screen, SearchScreen))
        search = app.screen
        await pilot.press(*"lanterns")
        await wait_for(pilot, lambda: search.query_text == "lanterns" and search.hits)
        hit = search.hits[0]
        assert (hit.kind, hit.id) == ("article", ids["garden"])
        from inkbench.tui.screens.search import hit_content

        content = hit_content(hit)
        marked = [content.plain[s.start : s.end] for s in content.spans if s.style == HIGHLIGHT]
        assert marked == ["lanterns"]
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, EditorScreen))
        editor = app.screen
        await settle(pilot, app)
        assert editor.doc.id == ids["garden"]
        assert editor.text_area.cursor_location == (4, 25)  # "A second paragraph about |lanterns"


async def test_search_chinese_and_odd_input(home: Path) -> None:
    from inkbench.tui.app import make_app
    from inkbench.tui.screens.search import SearchScreen

    ids = seed(home)
    app = make_app(home=home)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot, app)
        await pilot.press("ctrl+f")
        await wait_for(pilot, lambda: isinstance(app.screen, SearchScreen))
        search = app.screen
        await pilot.press(*"大海")
        await wait_for(pilot, lambda: search.query_text == "大海")
        assert [(h.kind, h.id) for h in search.hits] == [("chapter", ids["chapter1"])]
        assert "The [i]Long[/i] Road" in screen_text(app)
        from inkbench.tui.screens.search import HIGHLIGHT, hit_content

        await pilot.press("ctrl+u", *"[0]")  # title match: "[0] Crossing", marked literally
        await wait_for(pilot, lambda: search.query_text == "[0]" and search.hits)
        content = hit_content(search.hits[0], 80, ("[0]",))
        marked = [content.plain[s.start : s.end] for s in content.spans if s.style == HIGHLIGHT]
        assert "[0]" in marked
        await pilot.press("ctrl+u", *'"[b] (*: NEAR')
        await wait_for(pilot, lambda: search.query_text == '"[b] (*: NEAR')
        assert search.hits == [] and "No matches." in screen_text(app)
        await pilot.press("escape")
        await settle(pilot, app)
        assert not isinstance(app.screen, SearchScreen)


async def test_large_list_pages_and_memory_bound(home: Path) -> None:
    from inkbench.storage.bulk import insert_articles
    from inkbench.storage.engine import open_database
    from inkbench.tui.app import make_app
    from inkbench.tui.widgets.list_pane import ListPane

    db = open_database(home)
    with db.raw() as conn:
        insert_articles(conn, ((f"Article {i:05d}", "") for i in range(5000)))
    db.dispose()
    app = make_app(home=home)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        vlist = app.pane("articles").query_one(ListPane).vlist
        assert vlist.total == 5000
        await pilot.press("end")
        await settle(pilot, app)
        assert vlist.cursor == 4999
        last = vlist.current_row
        await pilot.press("home")
        await settle(pilot, app)
        for _ in range(40):
            await pilot.press("pagedown")
        await settle(pilot, app)
        assert vlist.cached_rows <= vlist.cache_pages * vlist.page_size
        # a sort no index serves: pages come from a worker, the UI never waits
        await pilot.press("s")  # title
        await settle(pilot, app)
        assert vlist.sort == "title" and not vlist.fast()
        await pilot.press("end")
        await settle(pilot, app)
        assert vlist.current_row[1] == "Article 04999"
        assert "Article 04999" in screen_text(app) and " …" not in screen_text(app)
        await pilot.press("s", "s", "s")  # back to updated
        await settle(pilot, app)
        assert vlist.sort == "updated" and vlist.fast()
        await pilot.press("end")
        await settle(pilot, app)
        last = vlist.current_row
        # the far end read backwards is the same row as reading forwards
        assert (
            vlist.source.fetch(
                app.store.ui_conn, 4999, 1, sort="updated", reverse=False, text="", total=0
            )[0]
            == last
        )
