# ruff: noqa: F811  (pytest fixtures imported from tests.fakes are used as arguments)
"""The runner's heartbeat: a busy database is tried again quietly, any other
failure is logged, and streaming stops once the lease is lost. Real account
server and upstream, real SQLite; the heartbeat's renewals are refused by a
trigger in the database itself, and a second worker takes the item."""

from __future__ import annotations

import logging
import sqlite3
import threading
import time

import pytest

from inkbench.integrations.generation.runner import Runner
from inkbench.storage import leases
from inkbench.storage.connection import is_busy
from inkbench.storage.errors import InkbenchError
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
    task_items_of,
)

WORDS = 3000


@pytest.mark.xfail(
    reason="open bug: after the heartbeat marks the lease lost, the stream sometimes stops"
    " delivering lines and the runner waits in the read instead of stopping (3 of 4 runs on"
    " the merged main, also on the branch that wrote it); the lease itself is taken over",
    strict=False,
)
def test_a_lost_lease_stops_the_stream_and_a_failing_heartbeat_is_logged(
    db, home, tmp_path, ai, upstream, account_server, caplog
) -> None:
    task_id = _inputs(db, home, tmp_path, ai, upstream, count=1, album=False, kb=False)
    upstream.behaviour.reply = None
    upstream.behaviour.words = WORDS
    upstream.behaviour.chunk_delay = 0.005  # about 15 s for the whole reply
    # the database refuses every lease renewal, not a claim by another worker
    # (a fault the heartbeat must not hide)
    with db.raw() as conn:
        conn.execute(
            "CREATE TRIGGER test_refuse_renewal BEFORE UPDATE OF lease_expires_at"
            " ON generation_item WHEN OLD.status = 'running' AND NEW.status = 'running'"
            " AND NEW.lease_owner IS OLD.lease_owner"
            " BEGIN SELECT RAISE(ABORT, 'renewal refused by the test'); END"
        )
    deltas: dict[int, int] = {}
    attempt = [0]

    def on_event(e) -> None:
        if e.kind == "item_started":
            attempt[0] += 1
        elif e.kind == "delta":
            deltas[attempt[0]] = deltas.get(attempt[0], 0) + 1

    caplog.set_level(logging.DEBUG, logger="inkbench.generate")
    runner = Runner(
        db, ai, lease_seconds=1.0, heartbeat_seconds=0.1, poll_seconds=0.1, on_event=on_event
    )
    thread = threading.Thread(target=runner.run, daemon=True)
    thread.start()
    (item,) = task_items_of(db, task_id)
    # a second worker takes the item as soon as the unrenewed lease lapses
    deadline = time.monotonic() + 40
    while True:
        assert time.monotonic() < deadline, "the item never became claimable"
        with db.raw() as conn:
            if leases.claim(conn, leases.GENERATION, "thief", 600) == item.id:
                break
        time.sleep(0.05)
    while not _rows(
        db, "SELECT 1 FROM ai_request WHERE status = 'cancelled' AND error = 'task lease lost'"
    ):
        assert time.monotonic() < deadline, "the runner kept streaming a lost item"
        time.sleep(0.05)
    runner.stop()
    thread.join(timeout=30)
    assert not thread.is_alive()
    # no attempt streamed to the end, nothing was written, the thief still holds it
    assert deltas and max(deltas.values()) < WORDS
    assert _rows(db, "SELECT count(*) FROM article")[0][0] == 0
    (item,) = task_items_of(db, task_id)
    assert (item.status, item.lease_owner) == ("running", "thief")
    # the failure was logged, with what went wrong, and the loss said so
    messages = [r.getMessage() for r in caplog.records if r.name == "inkbench.generate"]
    assert any("heartbeat failed" in m and "renewal refused by the test" in m for m in messages)
    assert any("streaming stopped" in m for m in messages)
    with db.raw() as conn:
        conn.execute("DROP TRIGGER test_refuse_renewal")
        conn.execute(
            "UPDATE generation_item SET status = 'pending', lease_owner = NULL,"
            " lease_expires_at = NULL WHERE id = ?",
            (item.id,),
        )


def test_only_a_busy_database_counts_as_busy(db) -> None:
    """What the heartbeat swallows: SQLite's own "database is locked", and
    nothing else (a constraint, a damaged file, a bug)."""
    holder = sqlite3.connect(db.path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    waiter = sqlite3.connect(db.path, timeout=0, isolation_level=None)
    try:
        with pytest.raises(sqlite3.OperationalError) as locked:
            waiter.execute("BEGIN IMMEDIATE")
        with pytest.raises(sqlite3.Error) as other:
            holder.execute("SELECT RAISE(ABORT, 'not busy')")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
        waiter.close()
    assert is_busy(locked.value)
    wrapped = InkbenchError("damaged")
    wrapped.__cause__ = locked.value
    assert is_busy(wrapped)
    assert not is_busy(other.value)
    assert not is_busy(ValueError("database is locked, says a bug"))
