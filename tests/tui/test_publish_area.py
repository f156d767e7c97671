"""Publishing from the TUI: p on an article queues it for a chosen account;
the Publish area (0) runs the queue with g, shows the post's place, and the
Articles area says where the article went. A real folder target."""

from __future__ import annotations

from pathlib import Path

from tests.tui.helpers import db_row, screen_text, seed, settle, wait_for


def _notices(app) -> str:
    return " ".join(str(n.message) for n in app._notifications)


def _folder_account(home: Path, site: Path) -> None:
    from inkbench.storage.engine import open_database
    from inkbench.storage.publish_accounts import add_account

    db = open_database(home)
    with db.raw() as conn:
        add_account(conn, "my-site", "folder", format="hugo", path=str(site))


async def test_publish_an_article_to_a_folder_from_the_tui(home: Path, tmp_path: Path) -> None:
    from inkbench.tui.app import make_app
    from inkbench.tui.dialogs.choose_account import ChooseAccount
    from inkbench.tui.widgets.list_pane import ListPane

    ids = seed(home)
    site = tmp_path / "site"
    site.mkdir()
    _folder_account(home, site)
    app = make_app(home=home)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot, app)
        articles = app.pane("articles").query_one(ListPane)
        # the newest article first: put the cursor on "Garden notes"
        while articles.vlist.current_row[1] != "Garden notes":
            await pilot.press("down")
        await pilot.press("p")
        await wait_for(pilot, lambda: isinstance(app.screen, ChooseAccount))
        assert "my-site" in screen_text(app)
        await pilot.press("enter")
        await wait_for(
            pilot,
            lambda: db_row(home, "SELECT count(*) FROM publication")[0] == 1,
        )
        await wait_for(pilot, lambda: "Queued for publishing" in _notices(app))
        await pilot.press("0")
        await settle(pilot, app)
        queue = app.pane("publish").query_one("#publish-queue", ListPane)
        assert queue.vlist.total == 1
        await pilot.press("g")
        await wait_for(
            pilot,
            lambda: db_row(home, "SELECT status FROM publication")[0] == "published",
            timeout=60,
        )
        pages = list(site.glob("content/posts/*/index.md"))
        assert len(pages) == 1
        assert "The quiet garden in winter." in pages[0].read_text(encoding="utf-8")
        await pilot.press("g")  # stop the runner
        await settle(pilot, app)
        await wait_for(pilot, lambda: "Garden notes → my-site" in screen_text(app))
        await pilot.press("1")
        await settle(pilot, app)
        assert db_row(home, "SELECT status FROM article WHERE id = ?", (ids["garden"],))[0] == (
            "published"
        )
        await wait_for(pilot, lambda: "my-site: published" in screen_text(app))


async def test_publish_without_accounts_says_how_to_add_one(home: Path) -> None:
    from inkbench.tui.app import make_app

    seed(home)
    app = make_app(home=home)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot, app)
        await pilot.press("p")
        await wait_for(pilot, lambda: "inkbench publish account add" in _notices(app))
        assert db_row(home, "SELECT count(*) FROM publication")[0] == 0


async def test_marked_articles_go_to_several_accounts_at_once(home: Path, tmp_path: Path) -> None:
    """x marks articles (one with a markup-like title); p publishes the
    marked ones; space in the dialog ticks more than one account. Each
    (article, account) is queued once."""
    from inkbench.tui.app import make_app
    from inkbench.tui.dialogs.choose_account import ChooseAccount
    from inkbench.tui.widgets.list_pane import ListPane

    ids = seed(home)
    _folder_account(home, tmp_path / "one")
    from inkbench.storage.engine import open_database
    from inkbench.storage.publish_accounts import add_account

    with open_database(home).raw() as conn:
        add_account(conn, "other-site", "folder", format="hexo", path=str(tmp_path / "two"))
    app = make_app(home=home)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot, app)
        articles = app.pane("articles").query_one(ListPane)

        async def go_to(article_id: int) -> None:
            await pilot.press("home")
            for _ in range(articles.vlist.total):
                if articles.vlist.current_row[0] == article_id:
                    return
                await pilot.press("down")
            raise AssertionError(f"no article {article_id}")

        await go_to(ids["tricky0"])
        await pilot.press("x")
        await go_to(ids["garden"])
        await pilot.press("x")
        await wait_for(pilot, lambda: "2 articles marked" in screen_text(app))
        assert articles.vlist.marks == {ids["tricky0"], ids["garden"]}
        await pilot.press("p")
        await wait_for(pilot, lambda: isinstance(app.screen, ChooseAccount))
        assert "2 marked articles" in screen_text(app)
        await pilot.press("space", "down", "space", "enter")
        await wait_for(pilot, lambda: db_row(home, "SELECT count(*) FROM publication")[0] == 4)
        await wait_for(pilot, lambda: "Queued for publishing" in _notices(app))
        pairs = {
            (r[0], r[1]) for r in _rows(home, "SELECT article_id, account_name FROM publication")
        }
        assert pairs == {
            (a, n) for a in (ids["tricky0"], ids["garden"]) for n in ("my-site", "other-site")
        }
        await settle(pilot, app)
        assert articles.vlist.marks == set()  # queued: the marks are cleared


def _rows(home: Path, sql: str) -> list[tuple]:
    import sqlite3

    conn = sqlite3.connect(home / "inkbench.db")
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()
