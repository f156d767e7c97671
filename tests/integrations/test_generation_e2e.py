# ruff: noqa: F811  (pytest fixtures imported from tests.fakes are used as arguments)
"""Generation end to end: the real account server (uvicorn, SQLite) in front
of the fake OpenAI-compatible upstream, over real HTTP; real SQLite files;
the CLI runner as a real subprocess for the SIGKILL case."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import docx
import pytest

from inkbench.integrations.ai.factory import get_provider
from inkbench.integrations.ai.server import login
from inkbench.integrations.export import export_articles
from inkbench.integrations.generation.distill import distill
from inkbench.integrations.generation.runner import Runner
from inkbench.integrations.kb_import import import_documents
from inkbench.settings import load_settings
from inkbench.storage.article_settings import ensure_default_settings, find_setting
from inkbench.storage.errors import InUse
from inkbench.storage.targets import create_target
from inkbench.storage.tasks import create_task, get_task, task_items
from inkbench.storage.trash import trash
from tests.fakes.fixtures import (  # noqa: F401
    _fake_upstream,
    account_server,
    keyring_file,
    upstream,
)
from tests.fakes.servers import ThreadedServer
from tests.integrations.test_export import add_album, png_bytes

ARTICLE = (
    "# Heat pumps, plainly\n\n"
    "A heat pump moves heat instead of making it, which is why it is efficient.\n\n"
    "## Noise\n\nModern units are about as loud as a fridge.\n\n"
    "## Cost\n\nInstallation costs depend on the house.\n\n"
    "In short: ask an installer for a survey."
)
TOPICS = [
    "Are heat pumps noisy at night?",
    "What does a heat pump cost to install?",
    "Do heat pumps work in a cold winter?",
]
KB_TEXT = (
    "# Heat pump handbook\n\n## Noise\n\nOutdoor units run at 40 to 50 decibels; "
    "night mode lowers noise further.\n\n## Installation cost\n\nA typical installation "
    "cost is quoted after a site survey; grants cover part of it.\n\n## Winter\n\n"
    "Cold climate models keep working in winter down to minus 25 degrees.\n"
)


@pytest.fixture
def ai(home: Path, db, account_server, keyring_file):
    """A data home logged in to the account server as alice."""
    (home / "config.toml").write_text(
        f'[account]\nserver = "{account_server.url}"\n\n[ai]\nmodel = "fake-small"\ntimeout = 10\n',
        encoding="utf-8",
    )
    config = load_settings(home)
    login(
        config, server=account_server.url, username="alice", password=account_server.users["alice"]
    )
    provider = get_provider(home)
    yield provider
    provider.close()


def _inputs(
    db,
    home: Path,
    tmp_path: Path,
    provider,
    upstream,
    *,
    count: int = 3,
    album: bool = True,
    kb: bool = True,
) -> int:
    """Distil (through the AI), import a KB, an album with OCR text, a
    target; create a task; returns its id."""
    upstream.behaviour.reply = json.dumps(TOPICS)
    d = distill(db, provider, "heat pumps")
    assert d.topics == TOPICS
    kb_id = album_id = None
    if kb:
        doc = tmp_path / "handbook.md"
        doc.write_text(KB_TEXT, encoding="utf-8")
        kb_id = import_documents(db, "HVAC", [doc]).kb_id
    if album:
        album_id, _ = add_album(
            db,
            "site photos",
            [
                ("decibel-meter.png", "noise meter 45 decibels at night", png_bytes("red")),
                ("invoice.png", "installation cost invoice total", png_bytes("green")),
                ("snow.png", "outdoor unit in winter snow", png_bytes("white")),
            ],
        )
    with db.write() as s:
        ensure_default_settings(s)
        target = create_target(s, "WarmCo", pitch="installs heat pumps", site="warm.example")
        task = create_task(
            s,
            distillation_id=d.distillation_id,
            setting_id=find_setting(s, "Blog post").id,
            count=count,
            knowledge_base_id=kb_id,
            album_id=album_id,
            target_id=target.id,
            name="winter campaign",
        )
    upstream.behaviour.reply = ARTICLE
    return task.id


def _rows(db, sql: str, *params):
    with db.raw(write=False) as conn:
        return conn.execute(sql, params).fetchall()


def test_distill_run_and_articles_carry_their_provenance(
    db, home, tmp_path, ai, upstream, account_server, capsys
) -> None:
    task_id = _inputs(db, home, tmp_path, ai, upstream)
    events = []
    stats = Runner(db, ai, on_event=events.append).run(once=True)
    assert stats.done == 3 and stats.failed == 0
    with db.read() as s:
        task = get_task(s, task_id)
        assert (task.status, task.done_count) == ("completed", 3)
        items = task_items(s, task_id)
    arts = _rows(
        db, "SELECT id, title, body, origin, generation_item_id, topic_id FROM article ORDER BY id"
    )
    assert len(arts) == 3
    assert {a[4] for a in arts} == {i.id for i in items}
    for art_id, title, body, origin, item_id, topic_id in arts:
        item = next(i for i in items if i.id == item_id)
        assert (title, origin, topic_id) == ("Heat pumps, plainly", "generated", item.topic_id)
        assert "A heat pump moves heat" in body
        sources = _rows(
            db,
            "SELECT s.chunk_id, s.document_title, c.text FROM article_source s"
            " JOIN kb_chunk c ON c.id = s.chunk_id WHERE s.article_id = ?",
            art_id,
        )
        assert sources and all(r[1] == "Heat pump handbook" for r in sources)
        images = _rows(db, "SELECT image_id FROM article_image WHERE article_id = ?", art_id)
        assert len(images) == 2
        assert all(f"inkbench-image:{i[0]})" in body for i in images)
        assert _rows(db, "SELECT kind FROM article_revision WHERE article_id = ?", art_id) == [
            ("ai",)
        ]
    # the best chunk and image for each topic were chosen
    noise_item = next(i for i in items if "noisy" in i.topic_text)
    noise_art = next(a for a in arts if a[4] == noise_item.id)
    first_source = _rows(
        db,
        "SELECT c.text FROM article_source s JOIN kb_chunk c ON"
        " c.id = s.chunk_id WHERE s.article_id = ? ORDER BY s.position",
        noise_art[0],
    )[0][0]
    assert "decibels" in first_source
    first_image = _rows(
        db,
        "SELECT i.original_name FROM article_image ai JOIN image i"
        " ON i.id = ai.image_id WHERE ai.article_id = ? ORDER BY ai.position",
        noise_art[0],
    )[0][0]
    assert first_image == "decibel-meter.png"
    # the prompt carried the passages and the call to action
    prompts = [
        r.body["messages"][-1]["content"]
        for r in upstream.state.chat_requests()
        if r.body and r.body.get("stream")
    ]
    assert len(prompts) == 3
    assert all("WarmCo" in p and "Heat pump handbook" in p for p in prompts)
    # streamed deltas add up to each reply, and usage was logged per request
    deltas = [e.text for e in events if e.kind == "delta" and e.item_id == noise_item.id]
    assert "".join(deltas) == ARTICLE
    assert len(deltas) > 10
    usage = _rows(
        db,
        "SELECT purpose, status, generation_item_id, completion_tokens FROM ai_request ORDER BY id",
    )
    assert [u[0] for u in usage] == ["distill", "generate", "generate", "generate"]
    assert all(u[1] == "ok" and u[3] > 0 for u in usage)
    # provenance is visible from the article (CLI)
    from inkbench.cli import main

    assert main(["--home", str(home), "article", "provenance", str(noise_art[0])]) == 0
    shown = capsys.readouterr().out
    assert "keyword: heat pumps" in shown and "topic: Are heat pumps noisy at night?" in shown
    assert "source 1: Heat pump handbook › Noise\n" in shown
    assert "image 1: decibel-meter.png from album site photos" in shown
    # exports open, with their images
    out = export_articles(db, None, "docx", tmp_path / "docx")
    assert len(out) == 3
    assert len(docx.Document(out[0].path).inline_shapes) == 2
    md = export_articles(db, [arts[0][0]], "md", tmp_path / "md")
    text = Path(md[0].path).read_text(encoding="utf-8")
    assert text.count("](images/") == 2
    for name in os.listdir(tmp_path / "md" / "images"):
        assert (tmp_path / "md" / "images" / name).stat().st_size > 0
    # after the task finished its inputs can go, and it stays readable
    with db.write() as s:
        trash(s, "knowledge_base", task.knowledge_base_id)
        trash(s, "album", task.album_id)
    with db.read() as s:
        assert get_task(s, task_id).knowledge_base_name == "HVAC"


def test_stream_cut_is_retried_with_the_same_key_and_charged_once(
    db,
    home,
    tmp_path,
    ai,
    upstream,
    account_server,
) -> None:
    task_id = _inputs(db, home, tmp_path, ai, upstream, count=1, album=False, kb=False)
    upstream.behaviour.fail_next("cut")
    events = []
    stats = Runner(db, ai, on_event=events.append).run(once=True)
    assert stats.done == 1
    assert [e.kind for e in events if e.kind.startswith("item_")] == [
        "item_started",
        "item_retry",
        "item_done",
    ]
    streams = [r for r in upstream.state.chat_requests() if r.body and r.body.get("stream")]
    assert len(streams) == 2  # the cut one and the retry
    assert len(_rows(db, "SELECT id FROM article")) == 1
    with db.read() as s:
        assert get_task(s, task_id).status == "completed"
    generate_usage = [u for u in account_server.usage_rows("alice") if getattr(u, "articles", 0)]
    assert len(generate_usage) == 1  # the cut attempt and the retry: charged once


def test_quota_spent_mid_task_pauses_it_and_more_quota_resumes(
    db,
    home,
    tmp_path,
    ai,
    upstream,
    account_server,
) -> None:
    task_id = _inputs(db, home, tmp_path, ai, upstream, count=4)
    account_server.set_plan("free", articles=2, tokens=None)
    events = []
    stats = Runner(db, ai, on_event=events.append).run(once=True)
    assert stats.done == 2 and stats.paused == 1
    with db.read() as s:
        task = get_task(s, task_id)
        assert (task.status, task.pause_reason, task.done_count) == ("paused", "quota_exceeded", 2)
        assert "quota" in task.error
        assert [i.status for i in task_items(s, task_id)] == ["done", "done", "pending", "pending"]
    assert any(e.kind == "task_paused" and "quota" in e.message for e in events)
    # what a paused task uses cannot be deleted, and the refusal names it
    with db.write() as s, pytest.raises(InUse, match=r'task #\d+ "winter campaign" \(paused\)'):
        trash(s, "album", task.album_id)
    account_server.set_plan("free", articles=10, tokens=None)
    stats = Runner(db, ai).run(once=True)
    assert stats.done == 2
    with db.read() as s:
        assert get_task(s, task_id).status == "completed"
    assert len(_rows(db, "SELECT id FROM article")) == 4


def test_server_down_pauses_the_task_and_it_resumes_when_back(
    db,
    home,
    tmp_path,
    ai,
    upstream,
    account_server,
) -> None:
    task_id = _inputs(db, home, tmp_path, ai, upstream, count=3, album=False)
    runner = Runner(db, ai, poll_seconds=0.1, health_backoff_max=0.5)
    assert runner.process_next()  # one article while the server is up
    account_server.server.stop()
    thread = threading.Thread(target=runner.run, daemon=True)
    thread.start()
    replacement = None
    try:
        deadline = time.monotonic() + 30
        while True:
            with db.read() as s:
                task = get_task(s, task_id)
            if task.status == "paused":
                break
            assert time.monotonic() < deadline, "the task never paused"
            time.sleep(0.05)
        assert task.pause_reason == "offline" and "offline" in task.error
        assert [i.status for i in task_items_of(db, task_id)] == ["done", "pending", "pending"]
        from inkbench.server.app import create_app

        replacement = ThreadedServer(
            create_app(account_server.settings), port=account_server.server.port
        ).start()
        deadline = time.monotonic() + 30
        while get_status(db, task_id) != "completed":
            assert time.monotonic() < deadline, "the task never resumed"
            time.sleep(0.05)
    finally:
        runner.stop()
        thread.join(timeout=30)
        if replacement is not None:
            replacement.stop()
    assert len(_rows(db, "SELECT id FROM article")) == 3


def task_items_of(db, task_id: int):
    with db.read() as s:
        return task_items(s, task_id)


def get_status(db, task_id: int) -> str:
    with db.read() as s:
        return get_task(s, task_id).status


def test_sigkill_mid_task_then_rerun_writes_each_item_once(
    db,
    home,
    tmp_path,
    ai,
    upstream,
    account_server,
) -> None:
    task_id = _inputs(db, home, tmp_path, ai, upstream, count=3, album=False)
    upstream.behaviour.reply = None
    upstream.behaviour.words = 250
    upstream.behaviour.chunk_delay = 0.01  # 2.5 s per article: the heartbeat saves some
    exe = str(Path(sys.executable).with_name("inkbench"))
    proc = subprocess.Popen(
        [exe, "--home", str(home), "generate", "run", "--lease", "3"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while True:  # kill it while an item is half written, after one is done
            rows = _rows(
                db,
                "SELECT status, length(partial_text) FROM generation_item WHERE task_id = ?",
                task_id,
            )
            done = sum(1 for st, _n in rows if st == "done")
            midway = any(st == "running" and n > 0 for st, n in rows)
            if done >= 1 and midway:
                break
            assert proc.poll() is None, proc.stderr.read().decode()
            assert time.monotonic() < deadline, "the runner made no progress"
            time.sleep(0.02)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        if proc.stderr is not None:
            proc.stderr.close()
    conn = sqlite3.connect(db.path)
    try:
        stuck = conn.execute(
            "SELECT count(*) FROM generation_item WHERE status = 'running' AND partial_text != ''"
        ).fetchone()[0]
    finally:
        conn.close()
    assert stuck == 1  # the reply so far was saved while it streamed
    upstream.behaviour.chunk_delay = 0.0
    rerun = subprocess.run(
        [exe, "--home", str(home), "generate", "run", "--once"],
        capture_output=True,
        text=True,
        timeout=90,
    )
    assert rerun.returncode == 0, rerun.stderr
    per_item = _rows(
        db,
        "SELECT i.id, i.status, count(a.id) FROM generation_item i LEFT JOIN"
        " article a ON a.generation_item_id = i.id WHERE i.task_id = ?"
        " GROUP BY i.id",
        task_id,
    )
    assert [(st, n) for _i, st, n in per_item] == [("done", 1)] * 3
    assert get_status(db, task_id) == "completed"
    # the killed item's request finished on the server and was paid for; the
    # rerun sent the same key and got that answer: one article charged per item
    charged = [u for u in account_server.usage_rows("alice") if getattr(u, "articles", 0)]
    assert sum(u.articles for u in charged) == 3
    body = _rows(db, "SELECT body FROM article LIMIT 1")[0][0]
    assert body.startswith("w0 w1") and "w249" in body


def test_pause_and_stop_mid_stream_hand_the_item_back_untried(
    db, home, tmp_path, ai, upstream, account_server
) -> None:
    from inkbench.storage.tasks import pause_task, resume_task

    task_id = _inputs(db, home, tmp_path, ai, upstream, count=2, album=False, kb=False)
    upstream.behaviour.reply = None
    upstream.behaviour.words = 400
    upstream.behaviour.chunk_delay = 0.01
    deltas: dict[int, list[str]] = {}

    def on_event(e) -> None:
        if e.kind == "delta":
            deltas.setdefault(e.item_id, []).append(e.text)
        elif e.kind == "item_started":
            deltas[e.item_id] = []  # a new attempt streams from the start

    runner = Runner(db, ai, heartbeat_seconds=0.1, poll_seconds=0.1, on_event=on_event)
    thread = threading.Thread(target=runner.run, daemon=True)
    thread.start()
    first, second = (i.id for i in task_items_of(db, task_id))
    deadline = time.monotonic() + 40
    while len(deltas.get(first, [])) < 20:
        assert time.monotonic() < deadline
        time.sleep(0.01)
    with db.write() as s:  # the Tasks area (or another process) pauses it
        pause_task(s, task_id)
    while any(i.status == "running" for i in task_items_of(db, task_id)):
        assert time.monotonic() < deadline, "the runner never let go"
        time.sleep(0.02)
    items = task_items_of(db, task_id)
    assert get_status(db, task_id) == "paused"
    assert [(i.status, i.attempts) for i in items] == [("pending", 0), ("pending", 0)]
    assert items[0].partial_text.startswith("w0 w1")  # what streamed was kept
    assert len(deltas[first]) < 400
    with db.write() as s:
        resume_task(s, task_id)
    # the first item is asked again with the same Idempotency-Key; then the second streams
    while len(deltas.get(second, [])) < 20:
        assert time.monotonic() < deadline
        time.sleep(0.01)
    runner.stop()  # the UI's stop: the item in hand goes back, the request is logged cancelled
    thread.join(timeout=30)
    assert not thread.is_alive()
    items = task_items_of(db, task_id)
    assert [(i.status, i.attempts) for i in items] == [("done", 1), ("pending", 0)]
    body = _rows(db, "SELECT body FROM article WHERE generation_item_id = ?", first)[0][0]
    assert body.startswith("w0 w1") and "w399" in body  # whole, nothing lost
    assert _rows(db, "SELECT count(*) FROM article")[0][0] == 1
    statuses = [
        r[0]
        for r in _rows(db, "SELECT status FROM ai_request WHERE purpose = 'generate' ORDER BY id")
    ]
    assert statuses == ["cancelled", "ok", "cancelled"]


def test_two_runner_processes_share_the_queue_without_doing_an_item_twice(
    db, home, tmp_path, ai, upstream, account_server
) -> None:
    task_id = _inputs(db, home, tmp_path, ai, upstream, count=6, album=False, kb=False)
    upstream.behaviour.chunk_delay = 0.01  # long enough for the two to overlap
    exe = str(Path(sys.executable).with_name("inkbench"))
    procs = [
        subprocess.Popen(
            [exe, "--home", str(home), "generate", "run", "--once"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [o[1] for o in outs]
    per_item = _rows(
        db,
        "SELECT count(a.id) FROM generation_item i LEFT JOIN article a"
        " ON a.generation_item_id = i.id WHERE i.task_id = ? GROUP BY i.id",
        task_id,
    )
    assert [n for (n,) in per_item] == [1] * 6
    generate_calls = [r for r in upstream.state.chat_requests() if r.body and r.body.get("stream")]
    assert len(generate_calls) == 6  # no item was asked for twice
    written = [
        line
        for out, _err in outs
        for line in out.splitlines()
        if "written" in line and line.startswith("task")
    ]
    assert len(written) == 6


def test_sigterm_stops_the_cli_runner_cleanly_handing_the_item_back(
    db, home, tmp_path, ai, upstream, account_server
) -> None:
    task_id = _inputs(db, home, tmp_path, ai, upstream, count=1, album=False, kb=False)
    upstream.behaviour.reply = None
    upstream.behaviour.words = 400
    upstream.behaviour.chunk_delay = 0.01
    exe = str(Path(sys.executable).with_name("inkbench"))
    proc = subprocess.Popen(
        [exe, "--home", str(home), "generate", "run"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while not _rows(
        db, "SELECT 1 FROM generation_item WHERE status = 'running' AND partial_text != ''"
    ):
        assert proc.poll() is None and time.monotonic() < deadline
        time.sleep(0.02)
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert "0 articles written" in out
    items = task_items_of(db, task_id)
    assert [(i.status, i.attempts, i.lease_owner) for i in items] == [("pending", 0, None)]
    assert items[0].partial_text.startswith("w0 w1")
    assert get_status(db, task_id) == "queued"  # still to do; any runner picks it up


def test_upstream_errors_retry_with_backoff_then_fail_and_can_be_retried(
    db, home, tmp_path, ai, upstream, account_server
) -> None:
    from inkbench.storage.tasks import retry_failed_items

    task_id = _inputs(db, home, tmp_path, ai, upstream, count=1, album=False, kb=False)
    upstream.behaviour.fail_next("500", times=50)
    events = []
    stats = Runner(
        db, ai, on_event=events.append, max_attempts=2, stream_retries=0, backoff_seconds=0.05
    ).run(once=True)
    assert (stats.done, stats.retried, stats.failed) == (0, 1, 1)
    with db.read() as s:
        task = get_task(s, task_id)
        item = task_items(s, task_id)[0]
    assert (task.status, task.failed_count) == ("failed", 1)
    assert (item.status, item.attempts) == ("failed", 2)
    assert item.error and "\n" not in item.error
    assert [k for k in (e.kind for e in events) if k.startswith("item_")] == [
        "item_started",
        "item_retry",
        "item_started",
        "item_failed",
    ]
    logged = _rows(db, "SELECT status FROM ai_request WHERE purpose = 'generate'")
    assert logged == [("error",), ("error",)]
    upstream.behaviour._fail.clear()
    with db.write() as s:
        assert retry_failed_items(s, task_id) == 1
    assert Runner(db, ai).run(once=True).done == 1
    assert get_status(db, task_id) == "completed"
