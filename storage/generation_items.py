"""Generation items as the runner moves them: ``pending → running → done |
failed``, and the task's status and counts that follow. Raw ``sqlite3``
connection, the caller's transaction; the runner claims items with
``storage.leases``. Standard library only, like the other worker-path
modules.
"""

from __future__ import annotations

import sqlite3
from datetime import timedelta

from inkbench.storage.vocab import db_time, utcnow


def mark_task_running(conn: sqlite3.Connection, task_id: int) -> None:
    """A queued task is running from now (its first start is kept)."""
    now = db_time(utcnow())
    conn.execute(
        "UPDATE generation_task SET status = 'running', started_at = COALESCE(started_at, ?),"
        " updated_at = ? WHERE id = ? AND status = 'queued'",
        (now, now, task_id),
    )


def finish_task_if_done(conn: sqlite3.Connection, task_id: int) -> str | None:
    """Complete (or fail) the task when no item is left to do; its new status."""
    left = conn.execute(
        "SELECT count(*) FROM generation_item WHERE task_id = ?"
        " AND status IN ('pending', 'running')",
        (task_id,),
    ).fetchone()[0]
    if left:
        return None
    done, failed = conn.execute(
        "SELECT sum(status = 'done'), sum(status = 'failed') FROM generation_item"
        " WHERE task_id = ?",
        (task_id,),
    ).fetchone()
    status = "completed" if (done or 0) > 0 or not failed else "failed"
    error = None if status == "completed" else "every article failed; see the items' errors"
    now = db_time(utcnow())
    cur = conn.execute(
        "UPDATE generation_task SET status = ?, error = COALESCE(?, error), finished_at = ?,"
        " updated_at = ? WHERE id = ? AND status IN ('queued', 'running')",
        (status, error, now, now, task_id),
    )
    return status if cur.rowcount else None


def item_done(conn: sqlite3.Connection, item_id: int, task_id: int) -> None:
    """An item written: done, its lease released, the task's done count updated."""
    now = db_time(utcnow())
    conn.execute(
        "UPDATE generation_item SET status = 'done', error = NULL, partial_text = '',"
        " lease_owner = NULL, lease_expires_at = NULL, finished_at = ? WHERE id = ?",
        (now, item_id),
    )
    conn.execute(
        "UPDATE generation_task SET done_count = (SELECT count(*) FROM generation_item"
        " WHERE task_id = ? AND status = 'done'), updated_at = ? WHERE id = ?",
        (task_id, now, task_id),
    )


def item_retry_or_fail(
    conn: sqlite3.Connection,
    item_id: int,
    task_id: int,
    error: str,
    *,
    max_attempts: int,
    backoff_s: float,
) -> bool:
    """After a failed attempt: pending again after ``backoff_s`` while attempts
    remain (True), else failed (False). The partial text stays."""
    attempts = conn.execute(
        "SELECT attempts FROM generation_item WHERE id = ?", (item_id,)
    ).fetchone()[0]
    now = utcnow()
    error = error.splitlines()[0][:500] if error else "failed"
    if attempts < max_attempts:
        conn.execute(
            "UPDATE generation_item SET status = 'pending', error = ?, lease_owner = NULL,"
            " lease_expires_at = NULL, next_attempt_at = ? WHERE id = ?",
            (error, db_time(now + timedelta(seconds=backoff_s)), item_id),
        )
        return True
    conn.execute(
        "UPDATE generation_item SET status = 'failed', error = ?, lease_owner = NULL,"
        " lease_expires_at = NULL, finished_at = ? WHERE id = ?",
        (error, db_time(now), item_id),
    )
    conn.execute(
        "UPDATE generation_task SET failed_count = failed_count + 1, updated_at = ? WHERE id = ?",
        (db_time(now), task_id),
    )
    return False


def item_release(conn: sqlite3.Connection, item_id: int, *, error: str | None = None) -> None:
    """Hand an item back untried (paused, cancelled, offline): the attempt
    does not count."""
    conn.execute(
        "UPDATE generation_item SET status = 'pending', lease_owner = NULL,"
        " lease_expires_at = NULL, attempts = MAX(attempts - 1, 0), error = COALESCE(?, error)"
        " WHERE id = ? AND status = 'running'",
        (error, item_id),
    )


def requeue_if_idle(conn: sqlite3.Connection, task_id: int | None = None) -> int:
    """A ``running`` task with no item running (its runner stopped) is
    ``queued`` again, so the list does not claim work is under way."""
    where = "" if task_id is None else " AND t.id = :task"
    cur = conn.execute(
        "UPDATE generation_task AS t SET status = 'queued', updated_at = :now"
        " WHERE t.status = 'running' AND NOT EXISTS (SELECT 1 FROM generation_item i"
        f" WHERE i.task_id = t.id AND i.status = 'running'){where}",
        {"now": db_time(utcnow()), "task": task_id},
    )
    return cur.rowcount


def save_partial(conn: sqlite3.Connection, item_id: int, owner: str, partial: str) -> bool:
    """Keep the text streamed so far, if ``owner`` still holds the item; True if kept."""
    cur = conn.execute(
        "UPDATE generation_item SET partial_text = ? WHERE id = ? AND lease_owner = ?"
        " AND status = 'running'",
        (partial, item_id, owner),
    )
    return cur.rowcount == 1
