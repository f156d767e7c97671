"""Rule 2: what an active generation task uses cannot be deleted or trashed."""

from __future__ import annotations

from sqlalchemy import text
from sqlmodel import Session

from inkbench.i18n import N_, _
from inkbench.storage.errors import InUse
from inkbench.storage.models import ACTIVE_TASK_STATUSES
from inkbench.storage.vocab import status_name

# entity name -> generation_task column that references it
TASK_REFERENCES = {
    "album": "album_id",
    "knowledge_base": "knowledge_base_id",
    "distillation": "distillation_id",
    "article_setting": "setting_id",
    "conversion_target": "target_id",
}

#: each kind of row as people call it (translated where shown)
_LABEL = {
    "article": N_("article"),
    "work": N_("work"),
    "chapter": N_("chapter"),
    "album": N_("album"),
    "knowledge_base": N_("knowledge base"),
    "distillation": N_("distillation"),
    "article_setting": N_("article setting"),
    "conversion_target": N_("conversion target"),
    "image": N_("image"),
    "kb_document": N_("document"),
    "topic": N_("topic"),
    "character": N_("character"),
    "world_entry": N_("world entry"),
}


def entity_label(entity: str) -> str:
    """A kind of row (``knowledge_base``) as people call it, in the current language."""
    return _(_LABEL[entity]) if entity in _LABEL else entity.replace("_", " ")


def _describe(task_id: int, name: str, status: str) -> str:
    label = f'#{task_id} "{name}"' if name else f"#{task_id}"
    return _("generation task {label} ({status})").format(label=label, status=status_name(status))


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


def _active_publication(session: Session, article_id: int) -> tuple | None:
    return (
        session.connection()
        .execute(
            text(
                "SELECT id, account_name, status FROM publication WHERE article_id = :id"
                " AND status IN ('queued', 'publishing') ORDER BY id LIMIT 1"
            ),
            {"id": article_id},
        )
        .first()
    )


def refuse_if_in_use(session: Session, entity: str, row_id: int, what: str) -> None:
    """``InUse`` naming the active task (or, for an article, the queued or
    running publication) that uses the row."""
    if entity == "article":
        pub = _active_publication(session, row_id)
        if pub:
            raise InUse(
                _(
                    "cannot delete article {what}: publication #{id} to {account} is {status};"
                    " cancel it (`inkbench publish cancel {id}`) or wait for it to finish"
                ).format(what=what, id=pub[0], account=pub[1], status=status_name(pub[2]))
            )
    task = active_task_using(session, entity, row_id)
    if task:
        raise InUse(
            _(
                "cannot delete {kind} {what}: {task} uses it; cancel "
                "the task or wait for it to finish"
            ).format(kind=entity_label(entity), what=what, task=task)
        )
