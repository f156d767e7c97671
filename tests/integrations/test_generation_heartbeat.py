# ruff: noqa: F811  (pytest fixtures imported from tests.fakes are used as arguments)
"""The runner's heartbeat: a busy database is tried again quietly, any other
failure is logged, and streaming stops once the lease is lost, even while
the read waits for data. Real account server and upstream, real SQLite; a
second worker takes the item, or the database itself refuses the renewals
(a trigger)."""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from datetime import timedelta

import pytest

from inkbench.integrations.ai.direct import DirectProvider
from inkbench.integrations.generation.runner import Runner
from inkbench.storage import leases
from inkbench.storage.connection import is_busy
from inkbench.storage.errors import InkbenchError
from inkbench.storage.vocab import utcnow
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


class _Heard(logging.Handler):
    """Sets ``event`` when a record of ``logger`` says ``text``."""

    def __init__(self, text: str) -> None:
        super().__init__(level=logging.DEBUG)
        self.text = text
        self.event = threading.Event()

    def emit(self, record: logging.LogRecord) -> None:
        if self.text in record.getMessage():
            self.event.set()


def _requests_of(db, item_id: int) -> list[tuple[str, str]]:
    return [
        (r[0], r[1])
        for r in _rows(
            db,
            "SELECT status, error FROM ai_request WHERE generation_item_id = ? ORDER BY id",
            item_id,
        )
    ]


def test_a_lease_another_worker_takes_stops_the_stream_and_nothing_is_written(
    db, home, tmp_path, ai, upstream, account_server, caplog
) -> None:
    """The runner is streaming when another worker takes its item (the
    runner's lease is over by that worker's clock): the next heartbeat
    notices, the stream stops at once, and the item stays the other's."""
    task_id = _inputs(db, home, tmp_path, ai, upstream, count=1, album=False, kb=False)
    upstream.behaviour.reply = None
    upstream.behaviour.words = WORDS
    upstream.behaviour.chunk_delay = 0.005  # about 15 s for the whole reply
    streaming, stolen, idle_after = threading.Event(), threading.Event(), threading.Event()
    deltas = [0]
    kinds: list[str] = []

    def on_event(e) -> None:
        kinds.append(e.kind)
        if e.kind == "delta":
            deltas[0] += 1
            streaming.set()
        elif e.kind == "idle" and stolen.is_set():
            idle_after.set()  # the runner is done with the item it held

    caplog.set_level(logging.DEBUG, logger="inkbench.generate")
    runner = Runner(db, ai, heartbeat_seconds=0.1, poll_seconds=0.1, on_event=on_event)
    thread = threading.Thread(target=runner.run, daemon=True)
    thread.start()
    try:
        assert streaming.wait(60), "the runner never streamed"
        (item,) = task_items_of(db, task_id)
        with db.raw() as conn:  # a worker whose clock is past the runner's lease
            later = utcnow() + timedelta(seconds=2 * runner.lease_seconds)
            assert leases.claim(conn, leases.GENERATION, "thief", 600, now=later) == item.id
        stolen.set()
        assert idle_after.wait(60), "the runner kept streaming a lost item"
    finally:
        runner.stop()
        thread.join(timeout=30)
    assert not thread.is_alive()
    # the stream stopped short, nothing was written, the other worker holds the item
    assert 0 < deltas[0] < WORDS
    assert "item_done" not in kinds and "item_retry" not in kinds
    assert _rows(db, "SELECT count(*) FROM article")[0][0] == 0
    (item,) = task_items_of(db, task_id)
    assert (item.status, item.lease_owner) == ("running", "thief")
    assert _requests_of(db, item.id) == [("cancelled", "task lease lost")]
    messages = [r.getMessage() for r in caplog.records if r.name == "inkbench.generate"]
    assert any("another runner holds the item" in m and "streaming stopped" in m for m in messages)


def test_a_failing_heartbeat_is_logged_and_a_stalled_stream_stops_when_the_lease_lapses(
    db, home, tmp_path, upstream, keyring_file, caplog
) -> None:
    """Renewals fail (a fault the heartbeat must not hide): it logs what went
    wrong, and once a whole lease has passed unrenewed it stops the item,
    even though the stream is waiting for data that is not coming (the read
    is aborted, not left to its 300 s timeout). Stopping the runner aborts
    such a read too. A direct provider, so nothing between the client and
    the stalled upstream times out first."""
    provider = DirectProvider(upstream.url, default_model="fake-small", timeout=300, home=home)
    try:
        task_id = _inputs(db, home, tmp_path, provider, upstream, count=1, album=False, kb=False)
        upstream.behaviour.reply = None
        upstream.behaviour.words = 3
        upstream.behaviour.chunk_delay = 600  # the first word never comes
        started: list[int] = []
        kinds: list[str] = []
        second_attempt = threading.Event()

        def on_event(e) -> None:
            kinds.append(e.kind)
            if e.kind == "item_started":
                started.append(e.item_id)
                if len(started) == 2:
                    second_attempt.set()  # the first attempt is over

        caplog.set_level(logging.DEBUG, logger="inkbench.generate")
        lost = _Heard("streaming stopped")
        logging.getLogger("inkbench.generate").addHandler(lost)
        runner = Runner(
            db,
            provider,
            lease_seconds=1.0,
            heartbeat_seconds=0.1,
            poll_seconds=0.1,
            on_event=on_event,
        )
        thread = threading.Thread(target=runner.run, daemon=True)
        thread.start()
        try:
            deadline = time.monotonic() + 60
            while not any(r.body and r.body.get("stream") for r in upstream.chat_requests()):
                assert time.monotonic() < deadline, "the runner never asked"
                time.sleep(0.02)
            # the request is out and its answer stalls; from now on the database
            # refuses every renewal of the lease
            with db.raw() as conn:
                conn.execute(
                    "CREATE TRIGGER test_refuse_renewal BEFORE UPDATE OF lease_expires_at"
                    " ON generation_item WHEN OLD.status = 'running' AND NEW.status = 'running'"
                    " AND NEW.lease_owner IS OLD.lease_owner"
                    " BEGIN SELECT RAISE(ABORT, 'renewal refused by the test'); END"
                )
            assert lost.event.wait(60), "the heartbeat never gave the lease up"
            assert second_attempt.wait(60), "the runner waited in the read of a lost item"
        finally:
            runner.stop()  # also aborts the second attempt's stalled read
            thread.join(timeout=30)
            logging.getLogger("inkbench.generate").removeHandler(lost)
        assert not thread.is_alive(), "stopping the runner left it waiting in the read"
        (item,) = task_items_of(db, task_id)
        requests = _requests_of(db, item.id)
        assert requests[0] == ("cancelled", "task lease lost")
        assert requests[-1] == ("cancelled", "cancelled")  # the stop
        assert "item_retry" not in kinds  # no read ran into its timeout
        assert _rows(db, "SELECT count(*) FROM article")[0][0] == 0
        assert (item.status, item.lease_owner) == ("pending", None)  # handed back at the stop
        # the failure was logged with what went wrong, and the loss said why
        messages = [r.getMessage() for r in caplog.records if r.name == "inkbench.generate"]
        assert any("heartbeat failed" in m and "renewal refused by the test" in m for m in messages)
        assert any("could not be renewed for its whole term" in m for m in messages)
        with db.raw() as conn:
            conn.execute("DROP TRIGGER test_refuse_renewal")
    finally:
        provider.close()


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
