"""The local usage log (``ai_request``): one row per AI call.

The generation runner calls ``log_request`` once per item it sends; the
direct provider's quota is the sum of this log over the current month.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlmodel import Session

from inkbench.storage.models import AiRequest


def log_request(
    db,
    *,
    provider: str,
    model: str,
    prompt_tokens: int = 0,
    completion_tokens: int = 0,
    duration_ms: int = 0,
    status: str = "ok",
    error: str | None = None,
    purpose: str = "generate",
    request_type: str | None = None,
    idempotency_key: str | None = None,
    generation_item_id: int | None = None,
    work_id: int | None = None,
    chapter_id: int | None = None,
    article_id: int | None = None,
    conversation_id: int | None = None,
    assistant_id: int | None = None,
    partial_reply: str | None = None,
    session: Session | None = None,
) -> int:
    """Append one row; ``status`` is "ok", "error", "incomplete" or
    "cancelled". ``request_type`` says what it was for (continue, polish, …,
    chat, generate, distill; default: ``purpose``); the ids link what it
    served; ``partial_reply`` keeps what arrived of a reply cut off
    mid-stream (an ``incomplete`` request). Pass ``session`` to write inside
    the caller's transaction, else ``db.write()`` is used. Returns the row id."""
    row = AiRequest(
        generation_item_id=generation_item_id,
        work_id=work_id,
        chapter_id=chapter_id,
        article_id=article_id,
        conversation_id=conversation_id,
        assistant_id=assistant_id,
        request_type=request_type or purpose,
        purpose=purpose,
        provider=provider,
        model=model,
        prompt_tokens=int(prompt_tokens),
        completion_tokens=int(completion_tokens),
        duration_ms=int(duration_ms),
        status=status,
        error=(error or None) and error.splitlines()[0][:500],
        idempotency_key=idempotency_key,
        partial_reply=partial_reply or None,
    )
    if session is not None:
        session.add(row)
        session.flush()
        return int(row.id)
    with db.write() as s:
        s.add(row)
        s.flush()
        return int(row.id)


@dataclass(frozen=True)
class LocalUsage:
    requests: int
    articles: int  # calls with purpose "generate" that succeeded
    prompt_tokens: int
    completion_tokens: int

    @property
    def tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens


def month_start(now: datetime | None = None) -> datetime:
    now = now or datetime.now(UTC)
    return now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def next_month_start(now: datetime | None = None) -> datetime:
    start = month_start(now)
    return (
        start.replace(year=start.year + 1, month=1)
        if start.month == 12
        else start.replace(month=start.month + 1)
    )


def local_usage(db, *, since: datetime, provider: str | None = None) -> LocalUsage:
    """Totals of the log since ``since`` (optionally for one provider)."""
    since = since.astimezone(UTC)
    t = AiRequest
    stmt = select(
        func.count(),
        func.coalesce(func.sum(t.prompt_tokens), 0),
        func.coalesce(func.sum(t.completion_tokens), 0),
    ).where(t.created_at >= since)
    arts = select(func.count()).where(
        t.created_at >= since,
        t.purpose == "generate",
        t.status == "ok",
    )
    if provider:
        stmt = stmt.where(t.provider == provider)
        arts = arts.where(t.provider == provider)
    with db.read() as s:
        n, p, c = s.execute(stmt).one()
        a = s.execute(arts).scalar_one()
    return LocalUsage(requests=n, articles=a, prompt_tokens=p, completion_tokens=c)
