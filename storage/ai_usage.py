"""The usage log (``ai_request``): one row appended per AI call
(``log_request``), its totals since a time (the direct provider's quota is
this month's), and the log summed for people: requests, tokens, time,
errors and an estimated cost, per day, model, assistant or purpose."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlmodel import Session

from inkbench.i18n import _
from inkbench.storage.errors import InvalidInput
from inkbench.storage.models import AiRequest
from inkbench.storage.vocab import USAGE_GROUPS

if TYPE_CHECKING:
    from inkbench.storage.engine import Database

# group -> SQL expression of the key
GROUPS: dict[str, str] = {
    "day": "substr(r.created_at, 1, 10)",
    "model": "r.model",
    "assistant": "COALESCE(a.name, '')",
    "purpose": "r.request_type",
}
assert tuple(GROUPS) == USAGE_GROUPS


@dataclass(frozen=True)
class UsageRow:
    """One group's totals. ``cost`` is None when a model in it has no price."""

    key: str
    requests: int
    prompt_tokens: int
    completion_tokens: int
    duration_ms: int
    errors: int
    cost: float | None

    def to_dict(self) -> dict:
        """For ``--json``."""
        return asdict(self)


def usage_report(
    conn: sqlite3.Connection,
    *,
    by: str = "day",
    since: date | None = None,
    prices: Mapping[str, tuple[float, float]] | None = None,
) -> list[UsageRow]:
    """Totals per ``by`` (day, model, assistant, purpose) since ``since``
    (a UTC day), ordered by key; ``prices`` maps a model to its price per
    million (prompt, completion) tokens."""
    if by not in GROUPS:
        raise InvalidInput(
            _("cannot group usage by {by!r}; use one of {groups}").format(
                by=by, groups=", ".join(GROUPS)
            )
        )
    prices = prices or {}
    where, params = "", []
    if since is not None:
        where, params = "WHERE r.created_at >= ?", [since.isoformat()]
    sql = (
        f"SELECT {GROUPS[by]} AS k, r.model, count(*), sum(r.prompt_tokens), "
        "sum(r.completion_tokens), sum(r.duration_ms), "
        "sum(r.status NOT IN ('ok')) "
        "FROM ai_request r LEFT JOIN assistant a ON a.id = r.assistant_id "
        f"{where} GROUP BY k, r.model ORDER BY k, r.model"
    )
    totals: dict[str, list] = {}
    for key, model, n, prompt, completion, duration, errors in conn.execute(sql, params):
        t = totals.setdefault(key or "", [0, 0, 0, 0, 0, 0.0])
        t[0] += n
        t[1] += prompt or 0
        t[2] += completion or 0
        t[3] += duration or 0
        t[4] += errors or 0
        price = prices.get(model)
        if price is None:
            if prompt or completion:
                t[5] = None
        elif t[5] is not None:
            t[5] += ((prompt or 0) * price[0] + (completion or 0) * price[1]) / 1_000_000
    return [
        UsageRow(k, *v[:5], cost=None if v[5] is None else round(v[5], 6))
        for k, v in sorted(totals.items())
    ]


def log_request(
    db: Database,
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
    """The log's totals over a period."""

    requests: int
    articles: int  # calls with purpose "generate" that succeeded
    prompt_tokens: int
    completion_tokens: int

    @property
    def tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens


def month_start(now: datetime | None = None) -> datetime:
    """The first moment of ``now``'s month (UTC)."""
    now = now or datetime.now(UTC)
    return now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def next_month_start(now: datetime | None = None) -> datetime:
    """The first moment of the month after ``now``'s (UTC)."""
    start = month_start(now)
    return (
        start.replace(year=start.year + 1, month=1)
        if start.month == 12
        else start.replace(month=start.month + 1)
    )


def local_usage(db: Database, *, since: datetime, provider: str | None = None) -> LocalUsage:
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
