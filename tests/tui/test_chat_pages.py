"""A long conversation opens with its last page of messages and reads the
pages before as the log is scrolled to its top, each message once, in order,
the message that was in view staying in view."""

from __future__ import annotations

from pathlib import Path

from tests.tui.helpers import settle, wait_for

N = 450  # more than two pages


def _seed(home: Path) -> int:
    from inkbench.storage.chat import create_conversation
    from inkbench.storage.engine import open_database

    db = open_database(home)
    with db.write() as s:
        conv_id = int(create_conversation(s, "long [b]talk[/b]").id)
    with db.raw() as conn:
        conn.executemany(
            "INSERT INTO chat_message (conversation_id, role, content, status, created_at) "
            "VALUES (?, ?, ?, ?, '2026-12-01 00:00:00')",
            [
                (
                    conv_id,
                    "user" if i % 2 == 0 else "assistant",
                    f"message {i}\nsecond line [i]{i}[/i]",
                    "queued" if i == 3 else "done",
                )
                for i in range(N)
            ],
        )
        first = conn.execute(
            "SELECT min(id) FROM chat_message WHERE conversation_id = ?", (conv_id,)
        ).fetchone()[0]
        conn.execute(
            "INSERT INTO chat_attachment (message_id, kind, ref_id, title, content, cut) "
            "VALUES (?, 'article', 1, 'an [b]old[/b] note', 'text', 0)",
            (first,),
        )
    db.dispose()
    return conv_id


async def test_a_long_conversation_opens_at_its_last_page_and_reads_back(home: Path) -> None:
    from inkbench.tui.app import make_app
    from inkbench.tui.areas.chat import CHAT_PAGE, ChatArea

    _seed(home)
    app = make_app(home=home)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        await pilot.press("9")
        area = app.query_one(ChatArea)
        log = area.log_view
        await wait_for(pilot, lambda: any(f"message {N - 1}" == line for line in log.lines))
        assert area.earlier == N - CHAT_PAGE
        assert log.lines[0] == f"↑ {N - CHAT_PAGE} earlier messages: scroll up to read them"
        assert f"message {N - CHAT_PAGE}" in log.lines
        assert f"message {N - CHAT_PAGE - 1}" not in log.lines
        # the queued message is counted though its page is not read
        assert "1 queued" in str(app.query_one("#chat-status").render())
        await settle(pilot, app)
        assert log.scroll_offset.y == log.max_scroll_y  # the latest in view
        # to the top: the page before comes in above, the same line in view
        for pages_read in (1, 2):
            first_shown = log.lines[1]  # below the note
            log.scroll_to(y=0, animate=False, immediate=True)
            await wait_for(
                pilot, lambda n=pages_read: area.earlier == max(0, N - (n + 1) * CHAT_PAGE)
            )
            await settle(pilot, app)
            assert log.lines[log.scroll_offset.y] == first_shown
        assert area.earlier == 0
        assert not log.lines[0].startswith("↑")
        shown = [line for line in log.lines if line.startswith("message ")]
        assert shown == [f"message {i}" for i in range(N)]
        assert "+ attached: article 1 “an [b]old[/b] note”" in log.lines
