"""Generation: the runner's cost beside the AI's own time, and streaming
cost per chunk as the reply grows. Each figure beside a raw baseline from
this run, against the fake OpenAI-compatible upstream over real HTTP.

- ``generation.runner_per_item``: wall time per article through the runner
  (claim with a lease, KB retrieval, prompt, quota check, streamed reply
  with heartbeat and partial saves, image choice, the one write transaction)
  vs the upstream's own time for the same reply: a bare httpx loop streaming
  the same request straight from the upstream. Target ratio <= 1.15.
- ``generation.stream_chunk_cost``: the runner thread's CPU time per
  streamed chunk (first to last delta: SSE parsing, the event to an
  ``on_event`` callback that appends it; waiting for the network excluded)
  for a 10,000-chunk reply vs a 100-chunk reply. Flat means ratio <= 1.5.
- ``generation.view_append_cost``: the Tasks area's way of showing a reply
  (``Log.write`` of each delta in a headless Textual app, refreshed as it
  goes) per chunk at 10,000 chunks vs 100. Flat means ratio <= 1.5.

``INKBENCH_BENCH_GEN_ITEMS`` sets the number of articles (default 10).
"""

from __future__ import annotations

import asyncio
import os
import statistics
import tempfile
import time
from pathlib import Path

import httpx

from bench.results import record

ITEMS = int(os.environ.get("INKBENCH_BENCH_GEN_ITEMS", "10"))
WORDS = 400  # chunks per article reply
CHUNK_DELAY = 0.001  # the fake model's time between chunks (a fast model)


def _setup(home: Path, upstream_url: str, count: int):
    from inkbench.integrations.ai.direct import DirectProvider
    from inkbench.storage import blobs
    from inkbench.storage.article_settings import ensure_default_settings, find_setting
    from inkbench.storage.bulk import insert_chunks
    from inkbench.storage.distillations import create_distillation
    from inkbench.storage.engine import open_database
    from inkbench.storage.knowledge import create_kb
    from inkbench.storage.models import db_time, utcnow
    from inkbench.storage.tasks import create_task

    db = open_database(home)
    with db.write() as s:
        kb = create_kb(s, "bench kb")
        d = create_distillation(
            s, "heat pumps", [f"Question {i} about heat pump noise and cost?" for i in range(8)]
        )
        ensure_default_settings(s)
        setting_id = find_setting(s, "Blog post").id
    now = db_time(utcnow())
    with db.raw() as conn:
        doc = conn.execute(
            "INSERT INTO kb_document (kb_id, title, source, format, text, char_count, created_at)"
            " VALUES (?, 'handbook', '', 'text', '', 0, ?)",
            (kb.id, now),
        ).lastrowid
        insert_chunks(
            conn,
            doc,
            [
                (f"section {i}", f"heat pump noise cost winter passage {i} " * 20)
                for i in range(2000)
            ],
        )
        album = conn.execute(
            "INSERT INTO album (name, description, created_at, updated_at) VALUES ('a', '', ?, ?)",
            (now, now),
        ).lastrowid
        for i in range(200):
            sha = f"{i:064x}"
            blobs.register(conn, sha, 1)
            conn.execute(
                "INSERT INTO image (album_id, blob_sha, original_name, size_bytes, ocr_status,"
                " ocr_text, ocr_attempts, created_at) VALUES (?, ?, ?, 1, 'done', ?, 0, ?)",
                (album, sha, f"{i}.png", f"photo {i} of a heat pump" if i % 3 else "a cat", now),
            )
    with db.write() as s:
        create_task(
            s,
            distillation_id=d.id,
            setting_id=setting_id,
            count=count,
            knowledge_base_id=kb.id,
            album_id=album,
            model="fake-small",
        )
    provider = DirectProvider(upstream_url, default_model="fake-small", home=home)
    return db, provider


def _bare_stream(url: str, body: dict) -> float:
    """The upstream's own time: stream one reply with nothing else done."""
    start = time.perf_counter()
    with (
        httpx.Client(timeout=30) as client,
        client.stream("POST", f"{url}/chat/completions", json=body) as resp,
    ):
        for line in resp.iter_lines():
            if line == "data: [DONE]":
                break
    return time.perf_counter() - start


def bench_runner_per_item(upstream) -> None:
    from inkbench.integrations.generation.runner import Runner

    upstream.behaviour.words = WORDS
    upstream.behaviour.chunk_delay = CHUNK_DELAY
    runner_times: list[float] = []
    bare_times: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        db, provider = _setup(Path(tmp), upstream.url, ITEMS)
        try:
            runner = Runner(db, provider)
            for _ in range(ITEMS):  # interleaved, so load on the machine hits both alike
                start = time.perf_counter()
                assert runner.process_next()
                runner_times.append(time.perf_counter() - start)
                # the same request the runner sent, straight to the upstream
                body = dict(upstream.chat_requests()[-1].body)
                bare_times.append(_bare_stream(upstream.url, body))
            assert runner.stats.done == ITEMS, runner.stats
        finally:
            provider.close()
            db.dispose()
    value = statistics.median(runner_times)
    base = statistics.median(bare_times)
    record(
        "generation.runner_per_item",
        value=value * 1000,
        unit="ms",
        baseline=base * 1000,
        target="ratio <= 1.15 (runner vs the upstream's own streaming time)",
        met=value / base <= 1.15,
    )


def _per_chunk(upstream, words: int) -> float:
    from inkbench.integrations.generation.runner import Runner

    upstream.behaviour.words = words
    upstream.behaviour.chunk_delay = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        db, provider = _setup(Path(tmp), upstream.url, 1)
        stamps: list[float] = []
        shown: list[str] = []

        def on_event(e) -> None:
            if e.kind == "delta":
                shown.append(e.text)  # what a view does: append the new text
                stamps.append(time.thread_time())  # the runner thread's own CPU time

        try:
            Runner(db, provider, on_event=on_event).run(once=True)
        finally:
            provider.close()
            db.dispose()
    assert len(stamps) == words
    return (stamps[-1] - stamps[0]) / (words - 1)


def bench_stream_chunk_cost(upstream) -> None:
    small = min(_per_chunk(upstream, 100) for _ in range(5))
    large = min(_per_chunk(upstream, 10_000) for _ in range(2))
    record(
        "generation.stream_chunk_cost",
        value=large * 1e6,
        unit="us/chunk",
        baseline=small * 1e6,
        target="ratio <= 1.5 (10,000-chunk reply vs 100-chunk reply)",
        met=large / small <= 1.5,
    )


def _view_per_chunk(chunks: int) -> float:
    from textual.app import App
    from textual.widgets import Log

    words = [("\n\n" if i % 60 == 59 else "") + f"word{i} " for i in range(chunks)]

    class View(App):
        def compose(self):
            yield Log(highlight=False)

    async def run() -> float:
        app = View()
        async with app.run_test(size=(100, 30)) as pilot:
            log = app.query_one(Log)
            start = time.perf_counter()
            for n, w in enumerate(words, 1):
                log.write(w)
                if n % 100 == 0:  # the screen refreshes as deltas arrive
                    await pilot.pause()
            await pilot.pause()
            return (time.perf_counter() - start) / chunks

    return asyncio.run(run())


def bench_view_append_cost() -> None:
    small = min(_view_per_chunk(100) for _ in range(5))
    large = _view_per_chunk(10_000)
    record(
        "generation.view_append_cost",
        value=large * 1e6,
        unit="us/chunk",
        baseline=small * 1e6,
        target="ratio <= 1.5 (Log append at 10,000 chunks vs 100)",
        met=large / small <= 1.5,
    )


def main() -> None:
    import logging

    logging.getLogger().setLevel(logging.WARNING)
    from tests.fakes.upstream import FakeUpstream

    with FakeUpstream() as upstream:
        bench_runner_per_item(upstream)
        bench_stream_chunk_cost(upstream)
    bench_view_append_cost()


if __name__ == "__main__":
    main()
