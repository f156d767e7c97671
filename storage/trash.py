"""The Trash: trash, restore and purge for every trashable entity.

Trashing sets ``deleted_at`` on the row alone; what it owns (a work's
chapters, an album's images, a knowledge base's documents) stays untouched,
hidden with it, and comes back with it on restore. Purging deletes the row
for good and its owned rows by ON DELETE CASCADE.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import text
from sqlmodel import Session

from inkbench.i18n import _
from inkbench.storage.bible import bible_changed
from inkbench.storage.errors import InvalidInput, NotFound
from inkbench.storage.models import TRASHABLE, utcnow
from inkbench.storage.usage import entity_label, refuse_if_in_use

# entity -> column used as its display name
_TITLE = {
    "article": "title",
    "work": "title",
    "chapter": "title",
    "album": "name",
    "image": "original_name",
    "knowledge_base": "name",
    "kb_document": "title",
    "character": "name",
    "world_entry": "title",
}

# entities whose names the text is searched for: trashing or restoring one
# changes what the chapters mention
_NAMED = ("character", "world_entry")


@dataclass(frozen=True)
class TrashedItem:
    entity: str
    id: int
    title: str
    deleted_at: datetime


def _model(entity: str):
    try:
        return TRASHABLE[entity]
    except KeyError:
        raise InvalidInput(
            _("unknown kind {entity!r}; use one of: {choices}").format(
                entity=entity, choices=", ".join(TRASHABLE)
            )
        ) from None


def _get(session: Session, entity: str, row_id: int):
    row = session.get(_model(entity), row_id)
    if row is None:
        raise NotFound(
            _("no {what} with id {row_id}").format(what=entity_label(entity), row_id=row_id)
        )
    return row


def trash(session: Session, entity: str, row_id: int) -> None:
    row = _get(session, entity, row_id)
    if row.deleted_at is not None:
        return
    refuse_if_in_use(session, entity, row_id, f'"{getattr(row, _TITLE[entity])}"')
    row.deleted_at = utcnow()
    session.add(row)
    session.flush()
    if entity in _NAMED:
        bible_changed(session, row.work_id)


def restore(session: Session, entity: str, row_id: int) -> None:
    row = _get(session, entity, row_id)
    if row.deleted_at is None:
        return
    row.deleted_at = None
    session.add(row)
    session.flush()
    if entity in _NAMED:
        bible_changed(session, row.work_id)


def purge(session: Session, entity: str, row_id: int) -> None:
    """Delete a trashed row for good (with everything it owns)."""
    row = _get(session, entity, row_id)
    if row.deleted_at is None:
        raise InvalidInput(
            _("{what} {row_id} is not in the Trash; trash it first").format(
                what=entity_label(entity), row_id=row_id
            )
        )
    refuse_if_in_use(session, entity, row_id, f'"{getattr(row, _TITLE[entity])}"')
    session.delete(row)
    session.flush()


def list_trash(session: Session, *, limit: int = 200, offset: int = 0) -> list[TrashedItem]:
    """Everything in the Trash, newest first, one page at a time."""
    parts = [
        f"SELECT '{entity}' AS entity, id, {col} AS title, deleted_at FROM {model.__tablename__}"
        " WHERE deleted_at IS NOT NULL"
        for entity, model in TRASHABLE.items()
        for col in [_TITLE[entity]]
    ]
    sql = " UNION ALL ".join(parts) + " ORDER BY deleted_at DESC LIMIT :limit OFFSET :offset"
    rows = session.connection().execute(text(sql), {"limit": limit, "offset": offset})
    out = []
    for entity, row_id, title, deleted_at in rows:
        when = datetime.fromisoformat(deleted_at) if isinstance(deleted_at, str) else deleted_at
        out.append(TrashedItem(entity, row_id, title or "", when))
    return out


def empty_trash(session: Session) -> int:
    """Purge everything in the Trash; returns how many rows were purged."""
    n = 0
    for entity, model in TRASHABLE.items():
        ids = session.connection().execute(
            text(f"SELECT id FROM {model.__tablename__} WHERE deleted_at IS NOT NULL")
        )
        for (row_id,) in ids.fetchall():
            if session.get(model, row_id) is not None:  # not gone with a purged parent
                purge(session, entity, row_id)
                n += 1
    return n
