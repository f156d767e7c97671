"""The generation queue as the runner sees it (``storage.generation_items``):
claiming within one task or any, when the next item is due, and the pauses
the runner makes and lifts itself. Real SQLite files."""

from __future__ import annotations

from datetime import timedelta

from inkbench.storage.article_settings import create_setting
from inkbench.storage.distillations import create_distillation
from inkbench.storage.generation_items import (
    DUE_NOW,
    claim_item,
    item_retry_or_fail,
    item_task_id,
    next_due_at,
    pause_active_task,
    resume_paused_task,
    task_status,
    tasks_paused_for_service,
)
from inkbench.storage.models import utcnow
from inkbench.storage.tasks import create_task, pause_task, task_items


def _two_tasks(db) -> tuple[int, int]:
    with db.write() as s:
        d = create_distillation(s, "tea", ["How to brew?", "How to store?"])
        setting = create_setting(s, "plain", style="plain", length=300, language="en")
        first = create_task(s, distillation_id=d.id, setting_id=setting.id, count=2)
        second = create_task(s, distillation_id=d.id, setting_id=setting.id, count=1)
        return first.id, second.id


def test_a_claim_keeps_to_its_task_and_marks_it_running(db) -> None:
    first, second = _two_tasks(db)
    with db.raw() as conn:
        item = claim_item(conn, "me", 60, task_id=second)
        assert item is not None and item_task_id(conn, item) == second
        assert (task_status(conn, second), task_status(conn, first)) == ("running", "queued")
        assert claim_item(conn, "me", 60, task_id=second) is None  # its only item is taken
        other = claim_item(conn, "me", 60)
        assert other is not None and item_task_id(conn, other) == first
        assert task_status(conn, 999) is None


def test_when_the_next_item_is_due(db) -> None:
    first, _second = _two_tasks(db)
    with db.raw() as conn:
        assert next_due_at(conn, "me", task_id=first) == DUE_NOW  # pending, no backoff
        a = claim_item(conn, "me", 60, task_id=first)
        b = claim_item(conn, "other", 60, task_id=first)
        # mine do not count; another worker's lapses when its lease ends
        due = next_due_at(conn, "me", task_id=first)
        assert due is not None and utcnow() + timedelta(seconds=50) < due
        assert due < utcnow() + timedelta(seconds=70)
        item_retry_or_fail(conn, a, first, "cut", max_attempts=3, backoff_s=600)
        item_retry_or_fail(conn, b, first, "cut", max_attempts=3, backoff_s=300)
        backoff = next_due_at(conn, "me", task_id=first)
        assert backoff is not None and backoff > utcnow() + timedelta(seconds=250)
        assert backoff < utcnow() + timedelta(seconds=350)  # the sooner of the two
    with db.write() as s:
        pause_task(s, first)
    with db.raw() as conn:  # a paused task has nothing due
        assert next_due_at(conn, "me", task_id=first) is None


def test_the_runner_pauses_and_resumes_for_the_service_but_not_a_user_pause(db) -> None:
    first, second = _two_tasks(db)
    with db.raw() as conn:
        pause_active_task(conn, first, "offline", "cannot reach the server\nmore detail")
        pause_active_task(conn, second, "quota_exceeded", "quota spent")
        assert tasks_paused_for_service(conn) == [(first, "offline"), (second, "quota_exceeded")]
        assert tasks_paused_for_service(conn, task_id=second) == [(second, "quota_exceeded")]
        assert not resume_paused_task(conn, first, "quota_exceeded")  # not why it waits
        assert resume_paused_task(conn, first, "offline")
        assert task_status(conn, first) == "queued"
        assert tasks_paused_for_service(conn) == [(second, "quota_exceeded")]
    with db.read() as s:
        assert all(i.next_attempt_at is None for i in task_items(s, first))
    with db.write() as s:
        pause_task(s, first)  # the user's own pause
    with db.raw() as conn:
        assert tasks_paused_for_service(conn) == [(second, "quota_exceeded")]
        assert not resume_paused_task(conn, first, "offline")
        pause_active_task(conn, first, "offline", "x")  # a paused task stays as it is
        error = conn.execute("SELECT error FROM generation_task WHERE id = ?", (second,))
        assert error.fetchone()[0] == "quota spent"
