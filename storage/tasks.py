"""Generation tasks: creating one (an item per article), listing them and
their items, and the user's transitions (pause, resume, cancel, retry,
delete).

States: ``queued → running → completed | failed | cancelled`` and ``paused``
(with ``pause_reason``: ``user``, ``quota_exceeded``, ``offline``,
``login_required``); progress is the count of items done. A task shows the
live names of what it uses and keeps their names for when they are purged
(``storage.task_names``), so it stays readable after they are gone. The
runner's item transitions are in ``storage.generation_items``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, text
from sqlmodel import Session, select

from inkbench.i18n import _
from inkbench.storage.article_settings import get_setting
from inkbench.storage.distillations import get_distillation, list_topics
from inkbench.storage.errors import InvalidInput, NotFound
from inkbench.storage.models import (
    ACTIVE_TASK_STATUSES,
    Album,
    ArticleSetting,
    ConversionTarget,
    GenerationItem,
    GenerationTask,
    KnowledgeBase,
    utcnow,
)
from inkbench.storage.targets import get_target
from inkbench.storage.task_names import TaskNames, task_names, task_names_of
from inkbench.storage.vocab import status_name

PAUSE_REASONS = ("user", "quota_exceeded", "offline", "login_required")
MAX_ARTICLES_PER_TASK = 1000


@dataclass(frozen=True)
class TaskSummary:
    """A task as the lists show it, with the live names of what it uses."""

    id: int
    name: str
    keyword: str
    setting_name: str
    status: str
    pause_reason: str | None
    error: str | None
    article_count: int
    done_count: int
    failed_count: int
    model: str
    created_at: datetime
    knowledge_base_name: str | None = None
    album_name: str | None = None
    target_name: str | None = None


def _summary(t: GenerationTask, names: TaskNames | None) -> TaskSummary:
    return TaskSummary(
        t.id,
        t.name,
        t.keyword,
        names.setting if names else t.setting_name,
        t.status,
        t.pause_reason,
        t.error,
        t.article_count,
        t.done_count,
        t.failed_count,
        t.model,
        t.created_at,
        names.knowledge_base if names else t.knowledge_base_name,
        names.album if names else t.album_name,
        names.target if names else t.target_name,
    )


def _driver(session: Session) -> sqlite3.Connection:
    """The stdlib connection under the session, in its transaction."""
    return session.connection().connection.driver_connection


def resource_names(session: Session, task_id: int) -> TaskNames:
    """The live names of what the task uses (stored ones for what was purged)."""
    names = task_names_of(_driver(session), task_id)
    if names is None:
        get_task(session, task_id)  # raises NotFound with the usual message
    return names


def create_task(
    session: Session,
    *,
    distillation_id: int,
    setting_id: int,
    count: int,
    topic_ids: Sequence[int] | None = None,
    knowledge_base_id: int | None = None,
    album_id: int | None = None,
    target_id: int | None = None,
    model: str = "",
    name: str = "",
) -> GenerationTask:
    """A queued task with one item per article: the chosen topics (all by
    default) in order, cycling when ``count`` is larger."""
    if not 1 <= int(count) <= MAX_ARTICLES_PER_TASK:
        raise InvalidInput(_("the article count must be 1 to {n}").format(n=MAX_ARTICLES_PER_TASK))
    d = get_distillation(session, distillation_id)
    setting = get_setting(session, setting_id)
    topics = list_topics(session, d.id)
    if topic_ids:
        by_id = {t.id: t for t in topics}
        missing = [i for i in topic_ids if i not in by_id]
        if missing:
            raise InvalidInput(
                _("topic(s) {choices} are not in distillation {id}").format(
                    choices=", ".join(map(str, missing)), id=d.id
                )
            )
        topics = [by_id[i] for i in dict.fromkeys(topic_ids)]
    if not topics:
        raise InvalidInput(
            _('distillation "{keyword}" has no topics; add some first').format(keyword=d.keyword)
        )
    kb = album = target = None
    if knowledge_base_id is not None:
        kb = session.get(KnowledgeBase, knowledge_base_id)
        if kb is None or kb.deleted_at is not None:
            raise NotFound(
                _("no knowledge base with id {knowledge_base_id}").format(
                    knowledge_base_id=knowledge_base_id
                )
            )
    if album_id is not None:
        album = session.get(Album, album_id)
        if album is None or album.deleted_at is not None:
            raise NotFound(_("no album with id {album_id}").format(album_id=album_id))
    if target_id is not None:
        target = get_target(session, target_id)
    now = utcnow()
    task = GenerationTask(
        name=(name or "").strip() or f"{d.keyword} × {count}",
        distillation_id=d.id,
        setting_id=setting.id,
        album_id=album.id if album else None,
        knowledge_base_id=kb.id if kb else None,
        target_id=target.id if target else None,
        keyword=d.keyword,
        setting_name=setting.name,
        album_name=album.name if album else None,
        knowledge_base_name=kb.name if kb else None,
        target_name=target.name if target else None,
        model=model or "",
        article_count=int(count),
        status="queued",
        created_at=now,
        updated_at=now,
    )
    session.add(task)
    session.flush()
    for n in range(int(count)):
        topic = topics[n % len(topics)]
        session.add(
            GenerationItem(
                task_id=task.id,
                topic_id=topic.id,
                topic_text=topic.question,
                position=n,
                created_at=now,
            )
        )
    session.flush()
    return task


def get_task(session: Session, task_id: int) -> GenerationTask:
    """The task with this id, or ``NotFound``."""
    t = session.get(GenerationTask, task_id)
    if t is None:
        raise NotFound(
            _("no generation task with id {task_id}; `inkbench task list` shows them").format(
                task_id=task_id
            )
        )
    return t


def list_tasks(
    session: Session, *, offset: int = 0, limit: int = 100, status: str | None = None
) -> list[TaskSummary]:
    """A page of tasks, newest first, optionally of one status."""
    stmt = select(GenerationTask)
    if status:
        stmt = stmt.where(GenerationTask.status == status)
    stmt = stmt.order_by(GenerationTask.id.desc()).offset(offset).limit(limit)
    tasks = session.exec(stmt).all()
    names = task_names(_driver(session), [t.id for t in tasks])
    return [_summary(t, names.get(t.id)) for t in tasks]


def count_tasks(session: Session, *, status: str | None = None) -> int:
    """How many tasks there are (of one status, if given)."""
    stmt = select(func.count()).select_from(GenerationTask)
    if status:
        stmt = stmt.where(GenerationTask.status == status)
    return session.exec(stmt).one()


def task_items(session: Session, task_id: int) -> list[GenerationItem]:
    """A task's items in their order."""
    return list(
        session.exec(
            select(GenerationItem)
            .where(GenerationItem.task_id == task_id)
            .order_by(GenerationItem.position)
        ).all()
    )


def item_inputs(
    session: Session, item_id: int
) -> tuple[GenerationItem, GenerationTask, ArticleSetting | None, ConversionTarget | None]:
    """What an item's request is built from: the item, its task, the task's
    article setting and conversion target (None where the task has none, or
    it was deleted while the task ran)."""
    item = session.get(GenerationItem, item_id)
    task = session.get(GenerationTask, item.task_id)
    setting = session.get(ArticleSetting, task.setting_id) if task.setting_id else None
    target = session.get(ConversionTarget, task.target_id) if task.target_id else None
    return item, task, setting, target


def item_articles(session: Session, task_id: int) -> dict[int, int]:
    """item id -> article id for the task's written items."""
    rows = session.connection().execute(
        text(
            "SELECT a.generation_item_id, a.id FROM article a JOIN generation_item i"
            " ON i.id = a.generation_item_id WHERE i.task_id = :t"
        ),
        {"t": task_id},
    )
    return {r[0]: r[1] for r in rows}


def _set_status(session: Session, task: GenerationTask, status: str, **fields) -> GenerationTask:
    task.status = status
    for k, v in fields.items():
        setattr(task, k, v)
    task.updated_at = utcnow()
    session.add(task)
    session.flush()
    return task


def pause_task(
    session: Session, task_id: int, reason: str = "user", error: str | None = None
) -> GenerationTask:
    """Pause a queued or running task for ``reason``; a user's pause is not overridden."""
    if reason not in PAUSE_REASONS:
        raise InvalidInput(_("unknown pause reason {reason!r}").format(reason=reason))
    task = get_task(session, task_id)
    if task.status == "paused":
        if reason != "user" and task.pause_reason != "user":
            return _set_status(session, task, "paused", pause_reason=reason, error=error)
        return task
    if task.status not in ("queued", "running"):
        raise InvalidInput(
            _("task {id} is {status}; only a queued or running task pauses").format(
                id=task.id, status=status_name(task.status)
            )
        )
    return _set_status(session, task, "paused", pause_reason=reason, error=error)


def resume_task(session: Session, task_id: int) -> GenerationTask:
    """A paused task queued again; items waiting out a backoff may start at once."""
    task = get_task(session, task_id)
    if task.status != "paused":
        raise InvalidInput(
            _("task {id} is {status}, not paused").format(
                id=task.id, status=status_name(task.status)
            )
        )
    # items waiting out a backoff may start at once
    session.connection().execute(
        text(
            "UPDATE generation_item SET next_attempt_at = NULL"
            " WHERE task_id = :t AND status = 'pending'"
        ),
        {"t": task.id},
    )
    return _set_status(session, task, "queued", pause_reason=None, error=None)


def cancel_task(session: Session, task_id: int) -> GenerationTask:
    """Cancel an active task."""
    task = get_task(session, task_id)
    if task.status not in ACTIVE_TASK_STATUSES:
        raise InvalidInput(
            _("task {id} is already {status}").format(id=task.id, status=status_name(task.status))
        )
    return _set_status(session, task, "cancelled", finished_at=utcnow())


def retry_failed_items(session: Session, task_id: int) -> int:
    """Failed items back to pending for one more try each, the task queued
    again. Attempts are kept; the retry's Idempotency-Key follows its request
    body (the server kept no answer for a failed call, so it runs anew)."""
    task = get_task(session, task_id)
    if task.status == "cancelled":
        raise InvalidInput(_("task {id} was cancelled; create a new one").format(id=task.id))
    n = (
        session.connection()
        .execute(
            text(
                "UPDATE generation_item SET status = 'pending', error = NULL,"
                " next_attempt_at = NULL WHERE task_id = :t AND status = 'failed'"
            ),
            {"t": task.id},
        )
        .rowcount
    )
    if n:
        _set_status(
            session,
            task,
            "queued",
            failed_count=max(0, task.failed_count - n),
            finished_at=None,
            error=None,
            pause_reason=None,
        )
    return n


def delete_task(session: Session, task_id: int) -> None:
    """Delete a finished task and its items (its articles stay)."""
    task = get_task(session, task_id)
    if task.status in ACTIVE_TASK_STATUSES:
        raise InvalidInput(
            _('task #{id} "{name}" is {status}; cancel it first').format(
                id=task.id, name=task.name, status=status_name(task.status)
            )
        )
    session.delete(task)
    session.flush()
