# ruff: noqa: F811  (pytest fixtures imported from tests.fakes are used as arguments)
"""A generation item's Idempotency-Key follows its request body: the real
account server (uvicorn, SQLite) in front of the fake upstream, real SQLite.

The server completes and stores a streamed answer even when the client has
gone away. A rerun with the same body gets that answer under the same key;
a rerun whose body changed (the setting was edited, say) must use a new key,
since the server refuses a key reused for another request (422)."""

from __future__ import annotations

import threading
import time

from sqlalchemy import select

from inkbench.integrations.generation.runner import Runner
from inkbench.storage.article_settings import find_setting, update_setting
from tests.fakes.fixtures import (  # noqa: F401
    _fake_upstream,
    account_server,
    keyring_file,
    upstream,
)
from tests.integrations.test_generation_e2e import (  # noqa: F401
    _inputs,
    _rows,
    ai,
    get_status,
    task_items_of,
)


def _server_records(account_server) -> dict[str, str]:
    from inkbench.server.models import IdempotencyRecord

    with account_server.db.session() as s:
        return {
            r.key: r.state
            for r in s.scalars(select(IdempotencyRecord))
            if r.key.startswith("inkbench-gen-")  # not the distillation's
        }


def _stop_mid_stream_and_let_the_server_finish(db, ai, account_server) -> str:
    """Stream the item until 20 words arrived, then drop it (the runner
    stops); wait until the server stored the whole answer. Returns its key."""
    seen: list[str] = []
    runner = Runner(db, ai, heartbeat_seconds=0.1, poll_seconds=0.1)

    def on_event(e) -> None:
        if e.kind == "delta":
            seen.append(e.text)
            if len(seen) == 20:
                runner.stop()

    runner.on_event = on_event
    thread = threading.Thread(target=runner.run, daemon=True)
    thread.start()
    thread.join(timeout=60)
    assert not thread.is_alive()
    assert 20 <= len(seen) < 300  # the client never got the whole answer
    deadline = time.monotonic() + 60
    while "done" not in _server_records(account_server).values():
        assert time.monotonic() < deadline, "the server never completed the answer"
        time.sleep(0.05)
    (key,) = [k for k, state in _server_records(account_server).items() if state == "done"]
    return key


def test_a_changed_request_gets_a_new_key_and_the_item_is_written(
    db, home, tmp_path, ai, upstream, account_server
) -> None:
    task_id = _inputs(db, home, tmp_path, ai, upstream, count=1, album=False, kb=True)
    upstream.behaviour.reply = None
    upstream.behaviour.words = 300
    upstream.behaviour.chunk_delay = 0.005
    first_key = _stop_mid_stream_and_let_the_server_finish(db, ai, account_server)
    (item,) = task_items_of(db, task_id)
    assert (item.status, item.attempts) == ("pending", 0)
    # the user edits the setting the task uses: the request is rebuilt from it
    with db.write() as s:
        update_setting(s, find_setting(s, "Blog post").id, style="short sentences, no jargon")
    stats = Runner(db, ai, max_attempts=1, stream_retries=0).run(once=True)
    (item,) = task_items_of(db, task_id)
    assert (item.status, item.error) == ("done", None)
    assert stats.done == 1 and get_status(db, task_id) == "completed"
    body = _rows(db, "SELECT body FROM article WHERE generation_item_id = ?", item.id)[0][0]
    assert body.startswith("w0 w1") and "w299" in body
    last = [r for r in upstream.state.chat_requests() if r.body and r.body.get("stream")][-1]
    assert "short sentences, no jargon" in str(last.body["messages"])
    keys = [r[0] for r in _rows(db, "SELECT idempotency_key FROM ai_request WHERE status = 'ok'")]
    assert keys[-1] != first_key and set(_server_records(account_server)) == {first_key, keys[-1]}


def test_an_unchanged_request_reuses_its_key_and_gets_the_stored_answer(
    db, home, tmp_path, ai, upstream, account_server
) -> None:
    task_id = _inputs(db, home, tmp_path, ai, upstream, count=1, album=False, kb=True)
    upstream.behaviour.reply = None
    upstream.behaviour.words = 300
    upstream.behaviour.chunk_delay = 0.005
    first_key = _stop_mid_stream_and_let_the_server_finish(db, ai, account_server)
    streamed = len([r for r in upstream.state.chat_requests() if r.body and r.body.get("stream")])
    assert Runner(db, ai, max_attempts=1, stream_retries=0).run(once=True).done == 1
    (item,) = task_items_of(db, task_id)
    assert item.status == "done"
    # answered from the server's store: the upstream was not asked again
    assert streamed == len(
        [r for r in upstream.state.chat_requests() if r.body and r.body.get("stream")]
    )
    keys = [r[0] for r in _rows(db, "SELECT idempotency_key FROM ai_request WHERE status = 'ok'")]
    assert keys[-1] == first_key
    body = _rows(db, "SELECT body FROM article WHERE generation_item_id = ?", item.id)[0][0]
    assert "w299" in body
