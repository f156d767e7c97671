"""Generation items as the runner moves them: ``pending → running → done |
failed``, and the task's status and counts that follow: claiming one
(``storage.leases``), when the next is due, and the pauses the runner makes
and lifts itself (offline, quota). Raw ``sqlite3`` connection, the caller's
transaction. Standard library only, like the other worker-path
modules.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta

from inkbench.i18n import _
from inkbench.storage import leases
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
    error = None if status == "completed" else _("every article failed; see the items' errors")
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


def claim_item(
    conn: sqlite3.Connection, owner: str, lease_seconds: float, *, task_id: int | None = None
) -> int | None:
    """Claim the next claimable item (of task ``task_id`` only, if given)
    for ``owner`` with a lease, and mark its task running; the item's id, or
    None when nothing is claimable. Must run in a write transaction."""
    scope, params = ("1", None) if task_id is None else ("task_id = :task", {"task": task_id})
    item_id = leases.claim(
        conn, leases.GENERATION, owner, lease_seconds, scope=scope, scope_params=params
    )
    if item_id is not None:
        mark_task_running(conn, item_task_id(conn, item_id))
    return item_id


def item_task_id(conn: sqlite3.Connection, item_id: int) -> int:
    """The task item ``item_id`` belongs to."""
    row = conn.execute("SELECT task_id FROM generation_item WHERE id = ?", (item_id,)).fetchone()
    return row[0]


def task_status(conn: sqlite3.Connection, task_id: int) -> str | None:
    """The task's status; None when the task is gone."""
    row = conn.execute("SELECT status FROM generation_task WHERE id = ?", (task_id,)).fetchone()
    return row[0] if row is not None else None


#: what ``next_due_at`` answers for an item that can be claimed now
DUE_NOW = datetime.min.replace(tzinfo=UTC)


def next_due_at(
    conn: sqlite3.Connection, owner: str, *, task_id: int | None = None
) -> datetime | None:
    """When an item of an active task (of ``task_id`` only, if given) can
    next be claimed by ``owner``: a pending one waiting out its backoff
    (``DUE_NOW`` for one due already), or one another worker holds whose
    lease will lapse (that worker may have died); None when there is none."""
    scope, params = ("1", {}) if task_id is None else ("task_id = :task", {"task": task_id})
    row = conn.execute(
        "SELECT min(CASE WHEN status = 'pending' THEN coalesce(next_attempt_at, '')"
        " ELSE lease_expires_at END) FROM generation_item"
        " WHERE status IN ('pending', 'running') AND (lease_owner IS NULL"
        " OR lease_owner != :me) AND task_id IN (SELECT id FROM generation_task"
        f" WHERE status IN ('queued', 'running')) AND ({scope})",
        {**params, "me": owner},
    ).fetchone()
    if row is None or row[0] is None:
        return None
    if row[0] == "":
        return DUE_NOW
    return datetime.fromisoformat(row[0]).replace(tzinfo=UTC)


#: pause reasons the runner lifts itself once the server answers (and the quota allows)
SERVICE_PAUSES = ("offline", "quota_exceeded")


def tasks_paused_for_service(
    conn: sqlite3.Connection, *, task_id: int | None = None
) -> list[tuple[int, str]]:
    """Tasks (``task_id`` only, if given) paused offline or for quota:
    (id, pause reason) each."""
    scope, params = ("1", {}) if task_id is None else ("id = :task", {"task": task_id})
    rows = conn.execute(
        "SELECT id, pause_reason FROM generation_task WHERE status = 'paused'"
        f" AND pause_reason IN ('offline', 'quota_exceeded') AND ({scope})",
        params,
    ).fetchall()
    return [(r[0], r[1]) for r in rows]


def resume_paused_task(conn: sqlite3.Connection, task_id: int, reason: str) -> bool:
    """Queue again a task that is still paused for ``reason``; its items
    waiting out a backoff may start at once. True if it was resumed."""
    cur = conn.execute(
        "UPDATE generation_task SET status = 'queued', pause_reason = NULL,"
        " error = NULL, updated_at = ? WHERE id = ? AND status = 'paused'"
        " AND pause_reason = ?",
        (db_time(utcnow()), task_id, reason),
    )
    if not cur.rowcount:
        return False
    conn.execute(
        "UPDATE generation_item SET next_attempt_at = NULL"
        " WHERE task_id = ? AND status = 'pending'",
        (task_id,),
    )
    return True


def pause_active_task(conn: sqlite3.Connection, task_id: int, reason: str, message: str) -> None:
    """Pause a queued or running task for ``reason`` (``offline``,
    ``quota_exceeded``, ``login_required``), ``message``'s first line as
    its error; a task in any other state is left as it is."""
    conn.execute(
        "UPDATE generation_task SET status = 'paused', pause_reason = ?, error = ?,"
        " updated_at = ? WHERE id = ? AND status IN ('queued', 'running')",
        (reason, message.splitlines()[0][:500], db_time(utcnow()), task_id),
    )
