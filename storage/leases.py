"""Work queues in the database: claim one row atomically, with a lease.

A worker claims work in one statement (``UPDATE … WHERE id = (SELECT …)
RETURNING id``) inside a ``BEGIN IMMEDIATE`` transaction, so two workers, in
any number of processes, never take the same row. The claim writes the
worker's name and a lease expiry; the worker renews the lease while it works.
A row whose lease has expired (its worker was killed) is claimable again, so
a crash loses at most the item in hand, and another worker takes it back.

The OCR queue (images) and the generation queue (items) are two ``Queue``
specs over the same functions.
"""

from __future__ import annotations

import os
import socket
import sqlite3
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from inkbench.storage.vocab import db_time, utcnow


@dataclass(frozen=True)
class Queue:
    table: str
    status: str
    owner: str
    expires: str
    next_attempt: str
    attempts: str
    started: str
    where: str = "1"  # extra condition on claimable rows (may use :now)
    pending: str = "pending"  # the status of a row waiting for a worker
    running: str = "running"  # the status of a claimed row


IMAGE_OCR = Queue(
    table="image",
    status="ocr_status",
    owner="ocr_lease_owner",
    expires="ocr_lease_expires_at",
    next_attempt="ocr_next_attempt_at",
    attempts="ocr_attempts",
    started="ocr_started_at",
    where="deleted_at IS NULL AND album_id IN (SELECT id FROM album WHERE deleted_at IS NULL)",
)

GENERATION = Queue(
    table="generation_item",
    status="status",
    owner="lease_owner",
    expires="lease_expires_at",
    next_attempt="next_attempt_at",
    attempts="attempts",
    started="started_at",
    where="task_id IN (SELECT id FROM generation_task WHERE status IN ('queued', 'running'))",
)


# Publications wait for their scheduled time and for their account to be
# usable (not paused: its credentials were refused).
PUBLICATION = Queue(
    table="publication",
    status="status",
    owner="lease_owner",
    expires="lease_expires_at",
    next_attempt="next_attempt_at",
    attempts="attempts",
    started="started_at",
    where="(scheduled_at IS NULL OR scheduled_at <= :now) AND account_id IN"
    " (SELECT id FROM publish_account WHERE NOT paused)",
    pending="queued",
    running="publishing",
)


def worker_name(kind: str) -> str:
    """A name unique to this worker: host, pid and a random part."""
    return f"{kind}:{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def _claimable(q: Queue) -> str:
    return (
        f"(({q.status} = '{q.pending}' AND ({q.next_attempt} IS NULL OR {q.next_attempt} <= :now))"
        f" OR ({q.status} = '{q.running}' AND {q.expires} < :now)) AND ({q.where})"
    )


def claim(
    conn: sqlite3.Connection,
    q: Queue,
    owner: str,
    lease_seconds: float,
    *,
    now: datetime | None = None,
    scope: str = "1",
    scope_params: dict | None = None,
) -> int | None:
    """Take the next claimable row (lowest id) for ``owner``; its id or None.

    ``scope`` narrows the choice (e.g. ``"task_id = :task"``). Must run in a
    write transaction (``db.raw()`` or ``db.write()``)."""
    now = now or utcnow()
    params = {
        "now": db_time(now),
        "owner": owner,
        "expires": db_time(now + timedelta(seconds=lease_seconds)),
        **(scope_params or {}),
    }
    row = conn.execute(
        f"UPDATE {q.table} SET {q.status} = '{q.running}', {q.owner} = :owner,"
        f" {q.expires} = :expires, {q.attempts} = {q.attempts} + 1, {q.started} = :now"
        f" WHERE id = (SELECT id FROM {q.table} WHERE {_claimable(q)} AND ({scope})"
        " ORDER BY id LIMIT 1) RETURNING id",
        params,
    ).fetchone()
    return row[0] if row else None


def renew(
    conn: sqlite3.Connection, q: Queue, row_id: int, owner: str, lease_seconds: float
) -> bool:
    """Extend the lease; False if the row is no longer ours (lease lost)."""
    expires = db_time(utcnow() + timedelta(seconds=lease_seconds))
    cur = conn.execute(
        f"UPDATE {q.table} SET {q.expires} = ? WHERE id = ? AND {q.owner} = ?"
        f" AND {q.status} = '{q.running}'",
        (expires, row_id, owner),
    )
    return cur.rowcount == 1


def still_ours(conn: sqlite3.Connection, q: Queue, row_id: int, owner: str) -> bool:
    row = conn.execute(
        f"SELECT 1 FROM {q.table} WHERE id = ? AND {q.owner} = ? AND {q.status} = '{q.running}'",
        (row_id, owner),
    ).fetchone()
    return row is not None


def release_expired(conn: sqlite3.Connection, q: Queue, *, now: datetime | None = None) -> int:
    """Put rows whose lease expired back to ``pending`` (e.g. at start-up, so
    nothing stays ``running`` after a crash); returns how many."""
    cur = conn.execute(
        f"UPDATE {q.table} SET {q.status} = '{q.pending}', {q.owner} = NULL,"
        f" {q.expires} = NULL WHERE {q.status} = '{q.running}' AND {q.expires} < ?",
        (db_time(now or utcnow()),),
    )
    return cur.rowcount


def release_owned(conn: sqlite3.Connection, q: Queue, owner: str) -> int:
    """A worker shutting down cleanly hands back what it holds."""
    cur = conn.execute(
        f"UPDATE {q.table} SET {q.status} = '{q.pending}', {q.owner} = NULL,"
        f" {q.expires} = NULL, {q.attempts} = MAX({q.attempts} - 1, 0)"
        f" WHERE {q.status} = '{q.running}' AND {q.owner} = ?",
        (owner,),
    )
    return cur.rowcount
