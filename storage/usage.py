"""Rule 2: what an active generation task uses cannot be deleted or trashed."""

from __future__ import annotations

from sqlalchemy import text
from sqlmodel import Session

from inkbench.storage.errors import InUse
from inkbench.storage.models import ACTIVE_TASK_STATUSES

# entity name -> generation_task column that references it
TASK_REFERENCES = {
    "album": "album_id",
    "knowledge_base": "knowledge_base_id",
    "distillation": "distillation_id",
    "article_setting": "setting_id",
    "conversion_target": "target_id",
}

_LABEL = {
    "album": "album",
    "knowledge_base": "knowledge base",
    "distillation": "distillation",
    "article_setting": "article setting",
    "conversion_target": "conversion target",
    "image": "image",
    "kb_document": "document",
    "topic": "topic",
}


def _describe(task_id: int, name: str, status: str) -> str:
    label = f'#{task_id} "{name}"' if name else f"#{task_id}"
    return f"generation task {label} ({status})"


def active_task_using(session: Session, entity: str, row_id: int) -> str | None:
    """A description of an active task that uses the row, or None."""
    active = tuple(ACTIVE_TASK_STATUSES)
    params = {"id": row_id, "a": active[0], "b": active[1], "c": active[2]}
    if entity in TASK_REFERENCES:
        sql = (
            f"SELECT id, name, status FROM generation_task WHERE {TASK_REFERENCES[entity]} = :id"
            " AND status IN (:a, :b, :c) ORDER BY id LIMIT 1"
        )
    elif entity == "image":  # through its album
        sql = (
            "SELECT t.id, t.name, t.status FROM generation_task t JOIN image i"
            " ON i.album_id = t.album_id WHERE i.id = :id AND t.status IN (:a, :b, :c)"
            " ORDER BY t.id LIMIT 1"
        )
    elif entity == "kb_document":  # through its knowledge base
        sql = (
            "SELECT t.id, t.name, t.status FROM generation_task t JOIN kb_document d"
            " ON d.kb_id = t.knowledge_base_id WHERE d.id = :id AND t.status IN (:a, :b, :c)"
            " ORDER BY t.id LIMIT 1"
        )
    elif entity == "topic":
        sql = (
            "SELECT t.id, t.name, t.status FROM generation_task t JOIN generation_item i"
            " ON i.task_id = t.id WHERE i.topic_id = :id AND t.status IN (:a, :b, :c)"
            " ORDER BY t.id LIMIT 1"
        )
    else:
        return None
    row = session.connection().execute(text(sql), params).first()
    return _describe(*row) if row else None


def refuse_if_in_use(session: Session, entity: str, row_id: int, what: str) -> None:
    task = active_task_using(session, entity, row_id)
    if task:
        raise InUse(
            f"cannot delete {_LABEL.get(entity, entity)} {what}: {task} uses it; "
            "cancel the task or wait for it to finish"
        )
