"""Revisions of articles and chapters: snapshot, list, diff, restore.

Kinds: ``manual`` (the user saved a version), ``autosave`` (the editor's
periodic save; consecutive autosaves of identical text are not repeated),
``ai`` (text written by the AI), ``restore`` (the text as it was just before
an older revision was restored, so a restore never loses anything).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from inkbench.i18n import _
from inkbench.storage.chapter_text import chapter_word_count, text_changed
from inkbench.storage.errors import InvalidInput, NotFound
from inkbench.storage.models import (
    REVISION_KINDS,
    Article,
    ArticleRevision,
    Chapter,
    ChapterRevision,
    utcnow,
)
from inkbench.storage.text import word_count

_OWNERS = {
    "article": (Article, ArticleRevision, "article_id"),
    "chapter": (Chapter, ChapterRevision, "chapter_id"),
}


@dataclass(frozen=True)
class RevisionInfo:
    id: int
    kind: str
    title: str
    word_count: int
    created_at: datetime


def _spec(owner: str):
    try:
        return _OWNERS[owner]
    except KeyError:
        raise InvalidInput(
            _("revisions exist for articles and chapters, not {owner!r}").format(owner=owner)
        ) from None


def snapshot(session: Session, owner: str, owner_id: int, kind: str):
    """Record the current text of an article or chapter as a revision.

    An autosave identical to the newest revision is skipped (returns None)."""
    if kind not in REVISION_KINDS:
        raise InvalidInput(
            _("unknown revision kind {kind!r}; use one of {kinds}").format(
                kind=kind, kinds=REVISION_KINDS
            )
        )
    model, rev_model, fk_col = _spec(owner)
    row = session.get(model, owner_id)
    if row is None:
        raise NotFound(_("no {owner} with id {owner_id}").format(owner=owner, owner_id=owner_id))
    if kind == "autosave":
        latest = session.exec(
            select(rev_model)
            .where(getattr(rev_model, fk_col) == owner_id)
            .order_by(rev_model.id.desc())
            .limit(1)
        ).first()
        if latest is not None and latest.body == row.body and latest.title == row.title:
            return None
    rev = rev_model(
        **{fk_col: owner_id},
        kind=kind,
        title=row.title,
        body=row.body,
        word_count=row.word_count,
        created_at=utcnow(),
    )
    session.add(rev)
    session.flush()
    return rev


def list_revisions(
    session: Session, owner: str, owner_id: int, *, limit: int = 100, offset: int = 0
) -> list[RevisionInfo]:
    _model, rev_model, fk_col = _spec(owner)
    rows = session.exec(
        select(
            rev_model.id,
            rev_model.kind,
            rev_model.title,
            rev_model.word_count,
            rev_model.created_at,
        )
        .where(getattr(rev_model, fk_col) == owner_id)
        .order_by(rev_model.id.desc())
        .limit(limit)
        .offset(offset)
    ).all()
    return [RevisionInfo(*r) for r in rows]


def get_revision(session: Session, owner: str, revision_id: int):
    _model, rev_model, _fk = _spec(owner)
    rev = session.get(rev_model, revision_id)
    if rev is None:
        raise NotFound(
            _("no {owner} revision with id {revision_id}").format(
                owner=owner, revision_id=revision_id
            )
        )
    return rev


def diff(old: str, new: str, *, old_label: str = "before", new_label: str = "after") -> str:
    """A unified diff of two texts, line by line."""
    return "".join(
        difflib.unified_diff(
            old.splitlines(keepends=True),
            new.splitlines(keepends=True),
            fromfile=old_label,
            tofile=new_label,
        )
    )


def restore_revision(session: Session, owner: str, revision_id: int):
    """Put an old revision's text back. The text it replaces is kept first as
    a ``restore`` revision, so nothing is lost."""
    model, _rev_model, fk_col = _spec(owner)
    rev = get_revision(session, owner, revision_id)
    row = session.get(model, getattr(rev, fk_col))
    snapshot(session, owner, row.id, "restore")
    words_before = row.word_count
    row.title = rev.title
    row.body = rev.body
    row.word_count = chapter_word_count(rev.body) if owner == "chapter" else word_count(rev.body)
    row.updated_at = utcnow()
    session.add(row)
    session.flush()
    if owner == "chapter":  # mentions, scene order and statistics follow the text
        text_changed(session, row, words_before)
    return row
