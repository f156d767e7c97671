"""Seed data and small helpers for the TUI tests (no ``inkbench demo``: each
test inserts what it shows, with fixed times so screens are deterministic)."""

from __future__ import annotations

import asyncio
import re
import sqlite3
from html import unescape
from pathlib import Path

TRICKY_TITLES = ("[b]x[/b]", "[/", "[0]", "[link=x]")
FIXED_TIME = "2026-01-02 03:04:05.000000"


def seed(home: Path) -> dict[str, int]:
    """A small workbench: tricky article titles, a work with chapters and a
    goal, something in the Trash. Returns ids by name."""
    from inkbench.storage.articles import create_article
    from inkbench.storage.engine import open_database
    from inkbench.storage.trash import trash
    from inkbench.storage.works import create_chapter, create_work

    db = open_database(home)
    ids: dict[str, int] = {}
    with db.write() as s:
        for i, title in enumerate(TRICKY_TITLES):
            a = create_article(s, title, f"Body of article {i} with a [red]tag[/red].\n")
            ids[f"tricky{i}"] = a.id
        a = create_article(
            s,
            "Garden notes",
            "# Garden\n\nThe quiet garden in winter.\n\nA second paragraph about lanterns.\n"
            "中文写作很有意思。\n",
        )
        ids["garden"] = a.id
        a = create_article(s, "Old draft", "Nothing much.")
        ids["old"] = a.id
        w = create_work(s, "The [i]Long[/i] Road", genre="novel", word_goal=1000)
        ids["work"] = w.id
        for n, (title, body) in enumerate(
            [
                ("Departure", "They left at dawn. The harbor was quiet.\n"),
                ("[0] Crossing", "Waves. 大海很大。\n"),
                ("Arrival", "A lantern in the window.\n"),
            ]
        ):
            c = create_chapter(s, w.id, title, body)
            ids[f"chapter{n}"] = c.id
        trash(s, "article", ids["old"])
    db.dispose()
    fix_times(home)
    return ids


def fix_times(home: Path) -> None:
    from inkbench.storage.engine import raw_connect

    conn = raw_connect(home / "inkbench.db")
    conn.isolation_level = ""  # `with conn` commits
    with conn:
        for table in ("article", "work", "chapter"):
            conn.execute(f"UPDATE {table} SET created_at = ?, updated_at = ?", (FIXED_TIME,) * 2)
            conn.execute(
                f"UPDATE {table} SET deleted_at = ? WHERE deleted_at IS NOT NULL", (FIXED_TIME,)
            )
    conn.close()


def screen_text(app) -> str:
    """The text on screen, as the terminal shows it."""
    svg = app.export_screenshot()
    text = "".join(re.findall(r"<text[^>]*>(.*?)</text>", svg))
    return unescape(text).replace("\xa0", " ")


def db_row(home: Path, sql: str, params: tuple = ()):
    conn = sqlite3.connect(home / "inkbench.db")
    try:
        return conn.execute(sql, params).fetchone()
    finally:
        conn.close()


async def wait_for(pilot, predicate, timeout: float = 30.0, step: float = 0.05) -> None:
    """Pause until ``predicate()`` is true (fails the test after ``timeout``)."""
    loops = int(timeout / step)
    for _ in range(loops):
        if predicate():
            return
        await pilot.pause(step)
    assert predicate(), "condition not reached"


async def settle(pilot, app) -> None:
    """Until nothing is left to do: workers done, messages handled, and every
    virtual list's requested pages arrived (a loaded machine can take several
    rounds)."""
    from inkbench.tui.widgets.virtual_list import VirtualList

    for _ in range(50):
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        await asyncio.sleep(0)
        if not any(v._pending for v in app.screen.query(VirtualList)):
            return
        await asyncio.sleep(0.05)
