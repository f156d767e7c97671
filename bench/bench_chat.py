"""Streaming replies and long conversations in the TUI.

- streaming: the assist preview and the Chat area append each chunk to a
  ``Log`` (never redraw the whole reply). Cost per chunk (append, then render
  every visible line, as a frame does) measured over chunks 100-200 (the
  screen already full) and over chunks 9,900-10,000 of one reply (the chunks
  between are appended without a render, to get there quickly); target: the
  late cost <= 1.5x the early one (baseline: the early one), and a chunk
  shown within 20 ms of arriving (p95 of append + render).
- a conversation of 10,000 messages opened as the Chat area opens it: its
  last page read (``tui.assist_actions.conversation_page``: the last
  ``CHAT_PAGE`` messages, their attachments, how many come before, how many
  are queued), made into the log's lines (``tui.areas.chat.chat_log_lines``)
  and written into the log with the visible lines rendered; target <= 100
  ms; baseline: the same reads done raw (an open stdlib connection, the
  page's SELECT and the two counts; no attachments, no lines made, no log). Printed for the
  record: reading and writing every message, as the area did before.
- scrolling it with every message read (all pages scrolled in): a page down
  and a jump to the end, each with the visible lines rendered (as the 100k
  lists in ``bench_tui.py``); target <= 50 ms each; baseline: the same log
  holding 100 messages.
"""

from __future__ import annotations

import asyncio
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

from bench.results import record

N_CHUNKS = 10_000


def render_visible(widget) -> None:
    for y in range(widget.size.height):
        widget.render_line(y)


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1))))]


def build(home: Path, n: int = 10_000) -> int:
    from inkbench.storage.chat import create_conversation
    from inkbench.storage.engine import open_database

    db = open_database(home)
    with db.write() as s:
        conv_id = int(create_conversation(s, "long").id)
    with db.raw() as conn:
        conn.executemany(
            "INSERT INTO chat_message (conversation_id, role, content, status, created_at) "
            "VALUES (?, ?, ?, 'done', '2026-12-01 00:00:00.000000')",
            [
                (conv_id, "user" if i % 2 == 0 else "assistant", f"消息 {i}：" + "雨下了一夜。" * 8)
                for i in range(n)
            ],
        )
    db.dispose()
    return conv_id


async def run() -> None:
    from textual.app import App, ComposeResult
    from textual.widgets import Log

    from inkbench.storage.store import Store
    from inkbench.tui.areas.chat import CHAT_PAGE, chat_log_lines, earlier_note
    from inkbench.tui.assist_actions import conversation_lines, conversation_page

    class Bare(App):
        def compose(self) -> ComposeResult:
            yield Log(highlight=False)

    app = Bare()
    async with app.run_test(size=(120, 40)) as pilot:
        log = app.query_one(Log)
        await pilot.pause()
        costs: list[float] = []
        for i in range(N_CHUNKS):
            piece = f"词{i} " if i % 2 else f"词{i}\n"  # a full screen by chunk 100
            measured = i < 200 or i >= N_CHUNKS - 100
            if not measured:  # the chunks between: appended as fast as they come
                log.write(piece)
                continue
            start = time.perf_counter()
            log.write(piece)
            render_visible(log)
            costs.append((time.perf_counter() - start) * 1000)
        early = sum(costs[100:200]) / 100  # chunks 100-200, the screen already full
        late = sum(costs[-100:]) / 100  # chunks 9,900-10,000
        record(
            "chat_stream_chunk_cost_10000_vs_100",
            value=late,
            unit="ms",
            baseline=early,
            target="ratio <= 1.5",
            met=late <= 1.5 * early,
        )
        shown = percentile(costs, 95)
        record(
            "chat_stream_chunk_shown_p95",
            value=shown,
            unit="ms",
            baseline=early,
            target="p95 <= 20 ms",
            met=shown <= 20,
        )

        with tempfile.TemporaryDirectory() as tmp:
            home = Path(tmp)
            conv_id = build(home)
            store = Store(home)
            times, base, every = [], [], []
            conn = sqlite3.connect(home / "inkbench.db")  # open, as the store's reader is
            for _round in range(5):
                start = time.perf_counter()
                conn.execute(
                    "SELECT id, role, content, status, superseded_by IS NOT NULL "
                    "FROM chat_message WHERE conversation_id = ? AND id < ? "
                    "ORDER BY id DESC LIMIT ?",
                    (conv_id, 2**63 - 1, CHAT_PAGE),
                ).fetchall()
                conn.execute(
                    "SELECT count(*) FROM chat_message WHERE conversation_id = ? AND id < ?",
                    (conv_id, 2**63 - 1),
                ).fetchone()
                conn.execute(
                    "SELECT count(*) FROM chat_message WHERE conversation_id = ? "
                    "AND status = 'queued' AND superseded_by IS NULL",
                    (conv_id,),
                ).fetchone()
                base.append((time.perf_counter() - start) * 1000)
                start = time.perf_counter()
                page = conversation_page(store, conv_id, None, CHAT_PAGE)
                log.clear()
                log.write_lines(
                    [earlier_note(page.earlier)] * bool(page.earlier) + chat_log_lines(page.lines)
                )
                render_visible(log)
                times.append((time.perf_counter() - start) * 1000)
                # for the record: every message read and written, as before paging
                start = time.perf_counter()
                out = chat_log_lines(conversation_lines(store, conv_id))
                log.clear()
                log.write_lines(out)
                render_visible(log)
                every.append((time.perf_counter() - start) * 1000)
            conn.close()
            store.close()
        value, baseline = min(times[1:]), min(base[1:])
        print(
            f"   last {CHAT_PAGE} of 10,000 messages: {value:.1f} ms; every message "
            f"read and written: {min(every[1:]):.1f} ms"
        )
        record(
            "chat_open_10000_messages",
            value=value,
            unit="ms",
            baseline=baseline,
            target="<= 100 ms",
            met=value <= 100,
        )

        # scrolling the open conversation, as the 100k lists are measured
        # (bench_tui.py): a page down and a jump to the end, each with every
        # visible line rendered; baseline: the same log holding 100 messages
        def scrolling() -> tuple[float, float]:
            def timed(action) -> float:
                start = time.perf_counter()
                action()
                render_visible(log)
                return (time.perf_counter() - start) * 1000

            def page() -> None:
                y = log.scroll_offset.y + log.size.height
                log.scroll_to(y=y, animate=False, immediate=True)

            def end() -> None:
                log.scroll_to(y=log.max_scroll_y, animate=False, immediate=True)

            pages, ends = [], []
            for _round in range(7):
                log.scroll_to(y=0, animate=False, immediate=True)
                pages.append(timed(page))
                ends.append(timed(end))
            return statistics.median(pages), statistics.median(ends)

        await pilot.pause()
        page_10k, end_10k = scrolling()
        log.clear()
        log.write_lines(out[: len(out) // 100])  # the first 100 messages
        await pilot.pause()
        page_100, end_100 = scrolling()
        for name, value, baseline in (
            ("chat_scroll_page_10000_messages", page_10k, page_100),
            ("chat_jump_to_end_10000_messages", end_10k, end_100),
        ):
            record(
                name,
                value=value,
                unit="ms",
                baseline=baseline,
                target="<= 50 ms (as the 100k lists; baseline: the log with 100 messages)",
                met=value <= 50,
            )


def main() -> None:
    asyncio.run(run())


if __name__ == "__main__":
    main()
