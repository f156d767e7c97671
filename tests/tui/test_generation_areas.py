# ruff: noqa: F811  (pytest fixtures imported from tests.fakes are used as arguments)
"""The Knowledge, Generate and Tasks areas in the real app (``run_test``):
user and AI text shown literally, and the runner streaming a reply into the
Tasks area by appending only the new text."""

from __future__ import annotations

from pathlib import Path

from inkbench.storage.article_settings import ensure_default_settings, find_setting
from inkbench.storage.distillations import create_distillation
from inkbench.storage.engine import open_database
from inkbench.storage.knowledge import create_kb
from inkbench.storage.tasks import create_task
from tests.fakes.fixtures import _fake_upstream, account_server, keyring_file, upstream  # noqa: F401

REPLY = "# Odd [b]title[/b]\n\nBody with [red]markup-like[/red] text and [/] too.\n\nSecond."


def _seed(home: Path, count: int = 1) -> tuple[int, int]:
    db = open_database(home)
    with db.write() as s:
        create_kb(s, "kb [x]")
        d = create_distillation(s, "heat [b]pumps[/b]", ["Are they [red]noisy[/red]?", "Cost?"])
        ensure_default_settings(s)
        task = create_task(
            s,
            distillation_id=d.id,
            setting_id=find_setting(s, "Blog post").id,
            count=count,
            name="t [/]",
        )
    db.dispose()
    return d.id, task.id


def _visible_text(app) -> str:
    import re
    from html import unescape

    svg = app.export_screenshot()
    return unescape("".join(re.findall(r"<text[^>]*>(.*?)</text>", svg))).replace("\xa0", " ")


async def test_knowledge_and_generate_show_user_text_literally(home: Path) -> None:
    from textual.widgets import Input

    from inkbench.tui.app import make_app
    from inkbench.tui.areas.generate import GenerateArea
    from inkbench.tui.areas.knowledge import KnowledgeArea
    from inkbench.tui.dialogs.prompt_preview import PromptPreview
    from inkbench.tui.dialogs.setting_editor import SettingEditor
    from inkbench.tui.dialogs.task_dialog import TaskDialog

    _seed(home)
    app = make_app(home=home)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(0.5)
        await pilot.press("4")
        await pilot.pause(0.3)
        assert isinstance(app.pane("knowledge"), KnowledgeArea)
        assert "kb [x]" in _visible_text(app)
        doc = home.parent / "odd [1].md"
        doc.write_text("# Guide [b]\n\n## Part\n\nText of the part.\n", encoding="utf-8")
        await pilot.press("i")  # import into the highlighted base
        await pilot.pause(0.2)
        app.screen.query_one(Input).value = f"'{doc}'"
        await pilot.press("enter")
        await pilot.pause(0.2)
        await app.workers.wait_for_complete()
        await pilot.pause(0.3)
        text = _visible_text(app)
        assert "Guide [b]" in text and "Text of the part." in text
        await pilot.press("5")
        await pilot.pause(0.3)
        assert isinstance(app.pane("generate"), GenerateArea)
        text = _visible_text(app)
        assert "heat [b]pumps[/b]" in text and "Are they [red]noisy[/red]?" in text
        await pilot.press("v")  # the final prompt of a setting, for the highlighted topic
        await app.workers.wait_for_complete()
        await pilot.pause(0.3)
        assert isinstance(app.screen, PromptPreview)
        prompt = app.screen.query_one("#prompt").text
        assert "Are they [red]noisy[/red]?" in prompt and "heat [b]pumps[/b]" in prompt
        await pilot.press("ctrl+e")  # edit the setting: the preview follows
        await app.workers.wait_for_complete()
        await pilot.pause(0.3)
        assert isinstance(app.screen, SettingEditor)
        app.screen.query_one("#style", Input).value = "terse [i]and[/i] dry"
        await pilot.press("ctrl+s")
        await pilot.pause(0.2)
        await app.workers.wait_for_complete()
        await pilot.pause(0.3)
        assert isinstance(app.screen, PromptPreview)
        assert "terse [i]and[/i] dry" in app.screen.query_one("#prompt").text
        # a new setting from this one, refused (a length out of range): the
        # editor comes back with everything typed, to correct and save again
        await pilot.press("ctrl+n")
        await app.workers.wait_for_complete()
        await pilot.pause(0.3)
        assert isinstance(app.screen, SettingEditor)
        editor = app.screen
        assert editor.query_one("#name", Input).value.endswith(" (copy)")
        editor.query_one("#length", Input).value = "5"
        editor.query_one("#template").load_text("Write about {{topic}}, [b]my way[/b].")
        await pilot.press("ctrl+s")
        await app.workers.wait_for_complete()
        await pilot.pause(0.3)
        assert isinstance(app.screen, SettingEditor) and app.screen is not editor
        assert any("between 50 and 20000" in str(n.message) for n in app._notifications)
        again = app.screen
        assert again.query_one("#template").text == "Write about {{topic}}, [b]my way[/b]."
        assert again.query_one("#name", Input).value.endswith(" (copy)")
        again.query_one("#length", Input).value = "500"
        await pilot.press("ctrl+s")
        await app.workers.wait_for_complete()
        await pilot.pause(0.3)
        assert isinstance(app.screen, PromptPreview)
        await pilot.press("escape")
        await pilot.pause(0.2)
        await pilot.press("t")  # create a task: the dialog offers the settings
        await app.workers.wait_for_complete()
        await pilot.pause(0.3)
        assert isinstance(app.screen, TaskDialog)
        await pilot.press("ctrl+s")
        await app.workers.wait_for_complete()
        await pilot.pause(0.3)
    db = open_database(home)
    with db.raw(write=False) as conn:
        rows = conn.execute("SELECT article_count FROM generation_task ORDER BY id").fetchall()
    db.dispose()
    assert rows == [(1,), (2,)]  # the seeded task and the one made in the dialog


async def test_tasks_area_streams_the_reply_appending_only_new_text(
    home: Path, account_server, keyring_file, upstream
) -> None:
    from textual.widgets import Log

    from inkbench.integrations.ai.server import login
    from inkbench.settings import load_settings
    from inkbench.tui.app import make_app
    from inkbench.tui.areas.tasks import TasksArea
    from inkbench.tui.dialogs.show_text import ShowText

    (home / "config.toml").parent.mkdir(parents=True, exist_ok=True)
    (home / "config.toml").write_text(
        f'[account]\nserver = "{account_server.url}"\n\n[ai]\nmodel = "fake-small"\n',
        encoding="utf-8",
    )
    _dist, task_id = _seed(home)
    login(
        load_settings(home),
        server=account_server.url,
        username="alice",
        password=account_server.users["alice"],
    )
    upstream.behaviour.reply = REPLY
    app = make_app(home=home)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(0.5)
        await pilot.press("6")
        await pilot.pause(0.3)
        pane = app.pane("tasks")
        assert isinstance(pane, TasksArea)
        await pilot.press("g")  # start the runner
        db = open_database(home)
        try:
            for _ in range(200):
                await pilot.pause(0.1)
                with db.raw(write=False) as conn:
                    status = conn.execute(
                        "SELECT status FROM generation_task WHERE id = ?", (task_id,)
                    ).fetchone()[0]
                if status == "completed":
                    break
            assert status == "completed"
            await pilot.pause(0.3)
            log = pane.query_one("#stream", Log)
            shown = "\n".join(log.lines)
            # every delta appended once: the reply appears whole, exactly once
            assert shown.count("Body with [red]markup-like[/red] text and [/] too.") == 1
            assert shown.startswith(REPLY.split("\n")[0])
            assert "article 1 written" in shown
            await pilot.press("i")  # the task's items, each with its article
            for _ in range(50):  # (the runner worker keeps running meanwhile)
                await pilot.pause(0.1)
                if isinstance(app.screen, ShowText):
                    break
            items_text = app.screen.query_one("#text").text
            assert "[done] Are they [red]noisy[/red]? → article 1" in items_text
            await pilot.press("escape")
            await pilot.press("g")  # stop the runner
            await app.workers.wait_for_complete()
        finally:
            db.dispose()


async def test_tasks_area_without_a_login_pauses_the_task_saying_so(
    home: Path, keyring_file
) -> None:
    from inkbench.tui.app import make_app

    _dist, task_id = _seed(home)
    app = make_app(home=home)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(0.5)
        await pilot.press("6")
        await pilot.pause(0.3)
        await pilot.press("g")
        db = open_database(home)
        try:
            for _ in range(100):
                await pilot.pause(0.1)
                with db.raw(write=False) as conn:
                    status, reason, error = conn.execute(
                        "SELECT status, pause_reason, error FROM generation_task WHERE id = ?",
                        (task_id,),
                    ).fetchone()
                if status == "paused":
                    break
            assert (status, reason) == ("paused", "login_required")
            assert "inkbench login" in error
            await pilot.press("g")
            await app.workers.wait_for_complete()
            await pilot.pause(0.3)
            assert "paused (login_required)" in _visible_text(app)
        finally:
            db.dispose()
