"""The Chat area's attach, edit, regenerate, copy and export keys, and the
editor's context preview, in the real app against the real account server
in front of the fake upstream."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from tests.assist.conftest import LIN
from tests.tui.helpers import screen_text, settle, wait_for


def rows(home: Path, sql: str, *params) -> list[tuple]:
    conn = sqlite3.connect(home / "inkbench.db")
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


async def test_chat_area_attach_regenerate_edit_copy_export(
    logged_in, novel, upstream, tmp_path
) -> None:
    from inkbench.storage.chat import create_conversation
    from inkbench.storage.engine import open_database
    from inkbench.tui.app import make_app
    from inkbench.tui.areas.chat import ChatArea
    from inkbench.tui.dialogs.ask_text import AskText
    from inkbench.tui.dialogs.choose import Choose
    from inkbench.tui.screens.editor import EditorScreen

    (lin,) = rows(logged_in, "SELECT id FROM character WHERE name = '林晚'")[0]
    db = open_database(logged_in)
    with db.write() as s:
        create_conversation(s, "第二章 [b]谈[/b]", chapter_id=novel["chapter"])
    db.dispose()
    upstream.behaviour.reply = "第一个回答。"
    app = make_app(home=logged_in)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot, app)
        await pilot.press("9")
        await wait_for(pilot, lambda: "第二章 [b]谈[/b]" in screen_text(app))
        area = app.query_one(ChatArea)
        # a: attach, the conversation's chapter offered
        app.query_one("#chat-list").focus()
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, AskText))
        assert app.screen.value == f"chapter:{novel['chapter']}"
        await pilot.press("enter")
        await wait_for(pilot, lambda: len(area.pending) == 1)
        area.attach(f"character:{lin}")  # as another screen would
        await wait_for(pilot, lambda: len(area.pending) == 2)
        assert "林晚" in screen_text(app)
        app.query_one("#chat-input").focus()
        await pilot.press(*"她是谁")
        await pilot.press("enter")
        await wait_for(pilot, lambda: "第一个回答。" in screen_text(app), timeout=20)
        await settle(pilot, app)
        sent = upstream.chat_requests()[-1].body["messages"][-1]["content"]
        assert LIN in sent and "她想起了母亲。" in sent and sent.endswith("她是谁")
        assert area.pending == []
        # r: regenerate the reply; the old one stays, superseded
        upstream.behaviour.reply = "第二个回答。"
        app.query_one("#chat-list").focus()
        await pilot.press("r")
        await wait_for(pilot, lambda: "第二个回答。" in screen_text(app), timeout=20)
        await settle(pilot, app)
        assert "第一个回答。" in screen_text(app)
        assert rows(
            logged_in, "SELECT count(*) FROM chat_message WHERE superseded_by IS NOT NULL"
        ) == [(2,)]
        # the resent message kept its attachments
        assert LIN in upstream.chat_requests()[-1].body["messages"][-1]["content"]
        # e: edit the message and send it again
        upstream.behaviour.reply = "第三个回答。"
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, Choose))
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, AskText))
        assert app.screen.value == "她是谁"
        app.screen.query_one("#answer").value = "她从哪里来"
        await pilot.press("enter")
        await wait_for(pilot, lambda: "第三个回答。" in screen_text(app), timeout=20)
        await settle(pilot, app)
        assert upstream.chat_requests()[-1].body["messages"][-1]["content"].endswith("她从哪里来")
        assert rows(
            logged_in,
            "SELECT role, content FROM chat_message WHERE superseded_by IS NULL ORDER BY id",
        ) == [("user", "她从哪里来"), ("assistant", "第三个回答。")]
        # x: export as Markdown
        out = tmp_path / "chat.md"
        await pilot.press("x")
        await wait_for(pilot, lambda: isinstance(app.screen, AskText))
        app.screen.query_one("#answer").value = str(out)
        await pilot.press("enter")
        await wait_for(pilot, lambda: out.exists())
        text = out.read_text(encoding="utf-8")
        assert "第三个回答。" in text and "第一个回答。" not in text
        # c: the reply into the chapter as a new revision, opened in the editor
        await settle(pilot, app)
        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(app.screen, EditorScreen), timeout=20)
        await wait_for(pilot, lambda: "第三个回答。" in app.screen.text_area.text)
    assert rows(
        logged_in,
        "SELECT r.request_type FROM chapter_revision v JOIN ai_request r "
        "ON r.id = v.ai_request_id WHERE v.kind = 'ai'",
    ) == [("chat",)]


async def test_editor_previews_the_exact_context_without_sending(
    logged_in, novel, upstream
) -> None:
    from inkbench.tui.app import make_app
    from inkbench.tui.dialogs.show_text import ShowText
    from inkbench.tui.messages import OpenDocument
    from inkbench.tui.screens.assist_preview import AssistMenu
    from inkbench.tui.screens.editor import EditorScreen

    app = make_app(home=logged_in)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot, app)
        app.post_message(OpenDocument("chapter", novel["chapter"]))
        await wait_for(pilot, lambda: isinstance(app.screen, EditorScreen))
        await settle(pilot, app)
        editor = app.screen
        editor.text_area.insert("\n晚上，阿晚回到[b]药铺[/b]。")  # unsaved text counts
        await pilot.press("f4")
        await wait_for(pilot, lambda: isinstance(app.screen, AssistMenu))
        await pilot.press("enter")  # continue at the cursor
        await wait_for(pilot, lambda: isinstance(app.screen, ShowText), timeout=20)
        shown = app.screen.text
    assert "--- system ---" in shown and LIN in shown and "[b]药铺[/b]" in shown
    assert upstream.chat_requests() == []  # nothing was sent


async def test_editor_assist_offline_can_be_queued(
    logged_in, novel, upstream, account_server
) -> None:
    from inkbench.tui.app import make_app
    from inkbench.tui.messages import OpenDocument
    from inkbench.tui.screens.assist_preview import AssistMenu, AssistPreview
    from inkbench.tui.screens.editor import EditorScreen

    account_server.server.stop()
    app = make_app(home=logged_in)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot, app)
        app.post_message(OpenDocument("chapter", novel["chapter"]))
        await wait_for(pilot, lambda: isinstance(app.screen, EditorScreen))
        await settle(pilot, app)
        editor = app.screen
        await pilot.press("ctrl+g")
        await wait_for(pilot, lambda: isinstance(app.screen, AssistMenu))
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, AssistPreview))
        preview = app.screen
        await wait_for(pilot, lambda: preview.can_queue, timeout=20)
        await pilot.press("q")
        await wait_for(pilot, lambda: app.screen is editor)
    assert rows(
        logged_in,
        "SELECT c.chapter_id, m.status FROM chat_message m JOIN conversation c "
        "ON c.id = m.conversation_id",
    ) == [(novel["chapter"], "queued")]
    assert upstream.chat_requests() == []
