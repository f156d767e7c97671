"""Plans' limits per calendar month (UTC) and the usage counted against them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from inkbench.server.errors import ApiError
from inkbench.server.models import Plan, UsageEvent, User, utcnow

PURPOSES = ("chat", "generate", "distill")  # "generate" is one article


def period(now: datetime | None = None) -> tuple[datetime, datetime]:
    now = (now or utcnow()).astimezone(UTC)
    start = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    end = (
        start.replace(year=start.year + 1, month=1)
        if start.month == 12
        else start.replace(month=start.month + 1)
    )
    return start, end


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class QuotaState:
    plan: str
    start: datetime
    end: datetime
    limit_articles: int | None
    limit_tokens: int | None
    used_articles: int
    used_tokens: int

    @staticmethod
    def _left(limit: int | None, used: int) -> int | None:
        return None if limit is None else max(0, limit - used)

    @property
    def remaining_articles(self) -> int | None:
        return self._left(self.limit_articles, self.used_articles)

    @property
    def remaining_tokens(self) -> int | None:
        return self._left(self.limit_tokens, self.used_tokens)

    def public(self) -> dict:
        return {
            "plan": self.plan,
            "period_start": iso(self.start),
            "period_end": iso(self.end),
            "limit": {"articles": self.limit_articles, "tokens": self.limit_tokens},
            "used": {"articles": self.used_articles, "tokens": self.used_tokens},
            "remaining": {"articles": self.remaining_articles, "tokens": self.remaining_tokens},
        }


def quota_state(session: Session, user_id: int) -> QuotaState:
    start, end = period()
    user = session.get(User, user_id)
    plan = session.get(Plan, user.plan_name)
    row = session.execute(
        select(
            func.coalesce(func.sum(UsageEvent.articles), 0),
            func.coalesce(func.sum(UsageEvent.prompt_tokens + UsageEvent.completion_tokens), 0),
        ).where(UsageEvent.user_id == user_id, UsageEvent.at >= start, UsageEvent.at < end)
    ).one()
    return QuotaState(
        plan=plan.name,
        start=start,
        end=end,
        limit_articles=plan.articles_per_period,
        limit_tokens=plan.tokens_per_period,
        used_articles=int(row[0]),
        used_tokens=int(row[1]),
    )


def require_quota(session: Session, user_id: int, purpose: str) -> QuotaState:
    """Raise 429 ``quota_exceeded`` when this request may not run."""
    q = quota_state(session, user_id)
    spent_tokens = q.remaining_tokens == 0
    spent_articles = purpose == "generate" and q.remaining_articles == 0
    if spent_tokens or spent_articles:
        what = "tokens" if spent_tokens else "articles"
        raise ApiError(
            429,
            "quota_exceeded",
            f"the {q.plan} plan's {what} for this period are used up; it resets at {iso(q.end)}",
        )
    return q


def record_usage(
    session: Session,
    *,
    user_id: int,
    model: str,
    purpose: str,
    prompt_tokens: int,
    completion_tokens: int,
    estimated: bool = False,
    idempotency_key: str | None = None,
) -> None:
    session.add(
        UsageEvent(
            user_id=user_id,
            model=model[:200],
            purpose=purpose,
            prompt_tokens=max(0, int(prompt_tokens)),
            completion_tokens=max(0, int(completion_tokens)),
            articles=1 if purpose == "generate" else 0,
            estimated=estimated,
            idempotency_key=idempotency_key,
        )
    )
