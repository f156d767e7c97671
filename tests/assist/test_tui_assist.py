"""The editor's AI assist and the Chat area in the real app (``run_test``),
against the real account server in front of the fake upstream: the reply
streams into a preview, the text is untouched until accepted, and accepting
is one undoable edit saved as an ``ai`` revision linked to its request."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from tests.tui.helpers import screen_text, settle, wait_for


def rows(home: Path, sql: str, *params) -> list[tuple]:
    conn = sqlite3.connect(home / "inkbench.db")
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


async def test_editor_assist_previews_then_accepts_as_one_edit(logged_in, novel, upstream) -> None:
    from inkbench.tui.app import make_app
    from inkbench.tui.messages import OpenDocument
    from inkbench.tui.screens.assist_preview import AssistMenu, AssistPreview
    from inkbench.tui.screens.editor import EditorScreen

    upstream.behaviour.reply = "天亮了，雨还没停。"
    before = rows(logged_in, "SELECT body FROM chapter WHERE id = ?", novel["chapter"])[0][0]
    app = make_app(home=logged_in)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot, app)
        app.post_message(OpenDocument("chapter", novel["chapter"]))
        await wait_for(pilot, lambda: isinstance(app.screen, EditorScreen))
        await settle(pilot, app)
        editor = app.screen
        editor.text_area.move_cursor(editor.text_area.document.end)
        await pilot.press("ctrl+g")
        await wait_for(pilot, lambda: isinstance(app.screen, AssistMenu))
        await pilot.press("enter")  # the first action: continue at the cursor
        await wait_for(pilot, lambda: isinstance(app.screen, AssistPreview))
        preview = app.screen
        await wait_for(pilot, lambda: preview.result is not None, timeout=20)
        assert "天亮了，雨还没停。" in screen_text(app)
        assert editor.text_area.text == before  # untouched until accepted
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen is editor)
        assert editor.text_area.text == before + "天亮了，雨还没停。"
        await wait_for(
            pilot,
            lambda: (
                rows(logged_in, "SELECT count(*) FROM chapter_revision WHERE kind = 'ai'")[0][0]
                == 1
            ),
            timeout=10,
        )
        (rev,) = rows(
            logged_in,
            "SELECT v.body, a.name, r.model FROM chapter_revision v "
            "JOIN ai_request r ON r.id = v.ai_request_id "
            "JOIN assistant a ON a.id = r.assistant_id WHERE v.kind = 'ai'",
        )
        assert rev == (before + "天亮了，雨还没停。", "continue", "fake-small")
        editor.text_area.undo()  # one edit: one undo brings the text back
        assert editor.text_area.text == before
        # from the revision, one key opens the request that wrote it
        from inkbench.tui.dialogs.show_text import ShowText
        from inkbench.tui.screens.revisions import RevisionsScreen

        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: isinstance(app.screen, RevisionsScreen))
        await settle(pilot, app)
        history = app.screen
        index = next(i for i, r in enumerate(history.revisions) if r.kind == "ai")
        from textual.widgets import OptionList

        history.query_one(OptionList).highlighted = index
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, ShowText))
        shown = app.screen.text
        assert "continue" in shown and "fake-small" in shown and "ok" in shown


async def test_editor_assist_discard_leaves_only_the_log(logged_in, novel, upstream) -> None:
    from inkbench.tui.app import make_app
    from inkbench.tui.messages import OpenDocument
    from inkbench.tui.screens.assist_preview import AssistMenu, AssistPreview
    from inkbench.tui.screens.editor import EditorScreen

    upstream.behaviour.reply = "不要这个。"
    app = make_app(home=logged_in)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot, app)
        app.post_message(OpenDocument("chapter", novel["chapter"]))
        await wait_for(pilot, lambda: isinstance(app.screen, EditorScreen))
        editor = app.screen
        before = editor.text_area.text
        await pilot.press("ctrl+g")
        await wait_for(pilot, lambda: isinstance(app.screen, AssistMenu))
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, AssistPreview))
        preview = app.screen
        await wait_for(pilot, lambda: preview.result is not None, timeout=20)
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is editor)
        assert editor.text_area.text == before
    assert rows(logged_in, "SELECT count(*) FROM chapter_revision WHERE kind = 'ai'") == [(0,)]
    assert rows(logged_in, "SELECT request_type, status FROM ai_request") == [("continue", "ok")]


async def test_chat_area_sends_and_streams(logged_in, upstream) -> None:
    from inkbench.storage.chat import create_conversation
    from inkbench.storage.engine import open_database
    from inkbench.tui.app import make_app

    db = open_database(logged_in)
    with db.write() as s:
        create_conversation(s, "茶馆 [b]x[/b]")
    db.dispose()
    upstream.behaviour.reply = "可以去青石镇。"
    app = make_app(home=logged_in)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot, app)
        await pilot.press("9")
        await wait_for(pilot, lambda: "茶馆 [b]x[/b]" in screen_text(app))
        app.query_one("#chat-input").focus()
        await pilot.press(*"去哪里")
        await pilot.press("enter")
        await wait_for(pilot, lambda: "可以去青石镇。" in screen_text(app), timeout=20)
        # the usage log, one key away; regrouped by key
        from inkbench.tui.screens.usage import UsageScreen

        app.query_one("#chat-list").focus()
        await pilot.press("u")
        await wait_for(pilot, lambda: isinstance(app.screen, UsageScreen))
        usage = app.screen
        await wait_for(pilot, lambda: len(usage.rows) == 1)
        assert usage.rows[0].requests == 1 and usage.rows[0].prompt_tokens > 0
        await pilot.press("m")
        await wait_for(pilot, lambda: [r.key for r in usage.rows] == ["fake-small"])
        assert usage.rows[0].cost is not None and usage.rows[0].cost > 0
        assert "fake-small" in screen_text(app)
        await pilot.press("p")
        await wait_for(pilot, lambda: [r.key for r in usage.rows] == ["chat"])
    assert rows(logged_in, "SELECT role, content, status FROM chat_message ORDER BY id") == [
        ("user", "去哪里", "done"),
        ("assistant", "可以去青石镇。", "done"),
    ]


async def test_chat_log_keeps_blank_lines_and_streams_a_reply_on_its_own_lines(
    logged_in, upstream
) -> None:
    """The log shows a blank line between messages and between a message's
    paragraphs, and a streamed reply starts on its own line under the
    message sent (Textual's ``Log.write_lines`` drops empty lines)."""
    from inkbench.storage.chat import create_conversation
    from inkbench.storage.engine import open_database
    from inkbench.tui.app import make_app
    from inkbench.tui.areas.chat import ChatArea

    db = open_database(logged_in)
    with db.write() as s:
        create_conversation(s, "paragraphs")
    db.dispose()
    upstream.behaviour.words = 12
    upstream.behaviour.chunk_delay = 0.3
    app = make_app(home=logged_in)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot, app)
        await pilot.press("9")
        await wait_for(pilot, lambda: "paragraphs" in screen_text(app))
        log = app.query_one(ChatArea).log_view
        app.query_one("#chat-input").focus()
        await pilot.press(*"first")
        await pilot.press("enter")
        # while the reply streams: the message sent, a blank line, then the reply
        await wait_for(pilot, lambda: any(line.startswith("AI:") for line in log.lines))
        assert log.lines[:4] == ["You:", "first", "", "AI:"]
        await wait_for(pilot, lambda: "w11" in screen_text(app), timeout=20)
        await wait_for(pilot, lambda: app.query_one(ChatArea)._streaming is None)
        await settle(pilot, app)
        # shown again from the database: each message then a blank line
        await wait_for(pilot, lambda: log.lines[:4] == ["You:", "first", "", "AI:"])
        assert log.lines[5:7] == ["", ""] and log.lines[4].startswith("w0")
