"""Distillations and their topics: a keyword and the reader questions
(topics) derived from it, in the order the user keeps them.

Rule 2: a distillation or topic an active task uses cannot be deleted
(``storage.usage`` names the task).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, text
from sqlmodel import Session, select

from inkbench.i18n import N_, _
from inkbench.storage.errors import InvalidInput, NotFound, non_empty
from inkbench.storage.models import Distillation, Topic, utcnow
from inkbench.storage.usage import refuse_if_in_use


@dataclass(frozen=True)
class DistillationSummary:
    """A distillation as the lists show it, with its topic count."""

    id: int
    keyword: str
    model: str
    topics: int
    created_at: datetime


def create_distillation(
    session: Session, keyword: str, questions: Iterable[str] = (), *, model: str = ""
) -> Distillation:
    """A new distillation of ``keyword`` with ``questions`` as its first topics."""
    now = utcnow()
    d = Distillation(
        keyword=non_empty(keyword, N_("the keyword")), model=model, created_at=now, updated_at=now
    )
    session.add(d)
    session.flush()
    for q in questions:
        if q and q.strip():
            add_topic(session, d.id, q)
    return d


def get_distillation(session: Session, distillation_id: int) -> Distillation:
    """The distillation with this id, or ``NotFound``."""
    d = session.get(Distillation, distillation_id)
    if d is None:
        raise NotFound(
            _(
                "no distillation with id {distillation_id}; `inkbench distillation list` shows them"
            ).format(distillation_id=distillation_id)
        )
    return d


def list_distillations(
    session: Session, *, offset: int = 0, limit: int = 100
) -> list[DistillationSummary]:
    """A page of distillations, newest first."""
    rows = session.connection().execute(
        text(
            "SELECT d.id, d.keyword, d.model, (SELECT count(*) FROM topic t"
            " WHERE t.distillation_id = d.id), d.created_at FROM distillation d"
            " ORDER BY d.id DESC LIMIT :limit OFFSET :offset"
        ),
        {"limit": limit, "offset": offset},
    )
    return [DistillationSummary(r[0], r[1], r[2], r[3], _time(r[4])) for r in rows.all()]


def count_distillations(session: Session) -> int:
    """How many distillations there are."""
    return session.exec(select(func.count()).select_from(Distillation)).one()


def rename_distillation(session: Session, distillation_id: int, keyword: str) -> Distillation:
    """Change a distillation's keyword."""
    d = get_distillation(session, distillation_id)
    d.keyword = non_empty(keyword, N_("the keyword"))
    d.updated_at = utcnow()
    session.add(d)
    session.flush()
    return d


def delete_distillation(session: Session, distillation_id: int) -> None:
    """Delete it and its topics (refused while an active task uses it)."""
    d = get_distillation(session, distillation_id)
    refuse_if_in_use(session, "distillation", d.id, f'"{d.keyword}"')
    for t in list_topics(session, d.id):
        refuse_if_in_use(session, "topic", t.id, f'"{t.question}"')
    session.delete(d)
    session.flush()


def list_topics(session: Session, distillation_id: int) -> list[Topic]:
    """A distillation's topics in their order."""
    return list(
        session.exec(
            select(Topic)
            .where(Topic.distillation_id == distillation_id)
            .order_by(Topic.position, Topic.id)
        ).all()
    )


def get_topic(session: Session, topic_id: int) -> Topic:
    """The topic with this id, or ``NotFound``."""
    t = session.get(Topic, topic_id)
    if t is None:
        raise NotFound(_("no topic with id {topic_id}").format(topic_id=topic_id))
    return t


def add_topic(
    session: Session, distillation_id: int, question: str, *, position: int | None = None
) -> Topic:
    """A topic at the end (or at ``position``, moving the later ones down)."""
    get_distillation(session, distillation_id)
    topics = list_topics(session, distillation_id)
    t = Topic(distillation_id=distillation_id, question=non_empty(question, N_("a topic")))
    if position is None or position >= len(topics):
        topics.append(t)
    else:
        topics.insert(max(0, position), t)
    session.add(t)
    _renumber(session, topics)
    return t


def edit_topic(session: Session, topic_id: int, question: str) -> Topic:
    """Change a topic's question."""
    t = get_topic(session, topic_id)
    t.question = non_empty(question, N_("a topic"))
    session.add(t)
    session.flush()
    return t


def delete_topic(session: Session, topic_id: int) -> None:
    """Delete a topic (refused while an active task uses it); the rest close up."""
    t = get_topic(session, topic_id)
    refuse_if_in_use(session, "topic", t.id, f'"{t.question}"')
    did = t.distillation_id
    session.delete(t)
    session.flush()
    _renumber(session, list_topics(session, did))


def reorder_topics(session: Session, distillation_id: int, topic_ids: Sequence[int]) -> None:
    """Put the topics in the order given (every topic exactly once)."""
    topics = {t.id: t for t in list_topics(session, distillation_id)}
    if sorted(topic_ids) != sorted(topics):
        raise InvalidInput(_("the new order must list each topic of the distillation once"))
    _renumber(session, [topics[i] for i in topic_ids])


def move_topic(session: Session, topic_id: int, delta: int) -> None:
    """Move a topic up (negative) or down by ``delta`` places."""
    t = get_topic(session, topic_id)
    topics = list_topics(session, t.distillation_id)
    i = next(n for n, x in enumerate(topics) if x.id == t.id)
    j = max(0, min(len(topics) - 1, i + delta))
    topics.insert(j, topics.pop(i))
    _renumber(session, topics)


def _renumber(session: Session, topics: list[Topic]) -> None:
    for n, t in enumerate(topics):
        t.position = n
        session.add(t)
    session.flush()


def _time(value) -> datetime:
    return datetime.fromisoformat(value) if isinstance(value, str) else value
