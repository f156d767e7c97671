"""Plans' limits per calendar month (UTC) and the usage counted against them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import bindparam, delete, func, insert, select
from sqlalchemy.orm import Session

from inkbench.server.errors import ApiError
from inkbench.server.models import Plan, QuotaReservation, UsageEvent, User, utcnow

PURPOSES = ("chat", "generate", "distill")  # a label; what counts is decided in reserve()


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
    """Use this period. ``used_*`` is what settled calls cost; ``reserved_*``
    is held by calls still in flight; remaining takes both off the limit."""

    plan: str
    start: datetime
    end: datetime
    limit_articles: int | None
    limit_tokens: int | None
    used_articles: int
    used_tokens: int
    reserved_articles: int = 0
    reserved_tokens: int = 0

    @staticmethod
    def _left(limit: int | None, spent: int) -> int | None:
        return None if limit is None else max(0, limit - spent)

    @property
    def remaining_articles(self) -> int | None:
        return self._left(self.limit_articles, self.used_articles + self.reserved_articles)

    @property
    def remaining_tokens(self) -> int | None:
        return self._left(self.limit_tokens, self.used_tokens + self.reserved_tokens)

    def public(self) -> dict:
        return {
            "plan": self.plan,
            "period_start": iso(self.start),
            "period_end": iso(self.end),
            "limit": {"articles": self.limit_articles, "tokens": self.limit_tokens},
            "used": {"articles": self.used_articles, "tokens": self.used_tokens},
            "remaining": {"articles": self.remaining_articles, "tokens": self.remaining_tokens},
        }


def _state_query():
    """The plan, this period's settled use and what calls in flight hold, in
    one statement. One statement is one snapshot under PostgreSQL's READ
    COMMITTED: read in two, a call settling in between (its reservation
    deleted, its usage inserted, one commit) was missed by both reads, and
    looked free to the next reservation."""
    usage, held = UsageEvent.__table__.c, QuotaReservation.__table__.c
    uid = bindparam("uid")
    in_period = (usage.user_id == uid, usage.at >= bindparam("start"), usage.at < bindparam("end"))
    live = (held.user_id == uid, held.expires_at > bindparam("now"))
    return (
        select(
            Plan.name,
            Plan.articles_per_period,
            Plan.tokens_per_period,
            select(func.coalesce(func.sum(usage.articles), 0)).where(*in_period).scalar_subquery(),
            select(func.coalesce(func.sum(usage.prompt_tokens + usage.completion_tokens), 0))
            .where(*in_period)
            .scalar_subquery(),
            select(func.coalesce(func.sum(held.articles), 0)).where(*live).scalar_subquery(),
            select(func.coalesce(func.sum(held.tokens), 0)).where(*live).scalar_subquery(),
        )
        .join_from(User, Plan, Plan.name == User.plan_name)
        .where(User.id == uid)
    )


_STATE = _state_query()  # built once: its compiled form is cached by the statement


def quota_state(session: Session, user_id: int) -> QuotaState:
    """The user's plan and use this period, as one consistent snapshot."""
    start, end = period()
    row = session.execute(
        _STATE, {"uid": user_id, "start": start, "end": end, "now": utcnow()}
    ).one()
    return QuotaState(
        plan=row[0],
        start=start,
        end=end,
        limit_articles=row[1],
        limit_tokens=row[2],
        used_articles=int(row[3]),
        used_tokens=int(row[4]),
        reserved_articles=int(row[5]),
        reserved_tokens=int(row[6]),
    )


def _exceeded(q: QuotaState, what: str) -> ApiError:
    return ApiError(
        429,
        "quota_exceeded",
        f"the {q.plan} plan's {what} for this period are used up; it resets at {iso(q.end)}",
    )


def prompt_reserve(body: dict) -> int:
    """An upper estimate of the prompt's tokens, for the reservation: half
    the UTF-8 bytes of every text part (no tokenizer gives fewer than one
    token per 4 bytes of English, and CJK runs about one per 3 bytes) plus
    a few per message for the roles and separators."""
    total = 0
    for m in body.get("messages") or []:
        total += 4
        content = m.get("content") if isinstance(m, dict) else None
        if isinstance(content, str):
            total += (len(content.encode("utf-8")) + 1) // 2
        elif isinstance(content, list):
            for part in content:
                if isinstance(part, dict):
                    total += (len(str(part.get("text", "")).encode("utf-8")) + 1) // 2
    return total


@dataclass(frozen=True)
class Reservation:
    """What a call may use: ``max_tokens`` is the cap the upstream request
    must carry (``None``: leave the caller's as it is)."""

    id: int
    max_tokens: int | None
    articles: int
    tokens: int


def lock_user(session: Session, user_id: int) -> None:
    """Serialise reservations of one user. SQLite write transactions already
    hold the database's write lock (BEGIN IMMEDIATE); PostgreSQL locks the
    user's row ``FOR NO KEY UPDATE``.

    Not ``FOR UPDATE``: every insert of a row that references the user
    (an idempotency claim, a reservation, a usage row) takes ``FOR KEY
    SHARE`` on it for the foreign key, which ``FOR UPDATE`` conflicts with.
    Two calls that had each inserted such a row and then asked ``FOR
    UPDATE`` waited for each other: PostgreSQL's deadlock detector killed
    one after a second (the soak's 500s). ``FOR NO KEY UPDATE`` still
    excludes every other reservation of the user and ignores key shares.
    Taking it again in the same transaction is a no-op."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(User.id).where(User.id == user_id).with_for_update(key_share=True))


def requested_max_tokens(body: dict) -> int | None:
    for name in ("max_completion_tokens", "max_tokens"):
        value = body.get(name)
        if isinstance(value, int) and not isinstance(value, bool) and value > 0:
            return value
    return None


def reserve(
    session: Session,
    *,
    user_id: int,
    purpose: str,
    body: dict,
    article_min_tokens: int,
    ttl: int,
    default_max_tokens: int = 4096,
) -> Reservation:
    """Check the plan and set aside what this call may use, atomically.

    The server decides what counts: a completion is one article when it is
    labelled ``generate`` *or* its reply has ``article_min_tokens`` tokens
    or more (per choice), so leaving the label off avoids nothing. Every
    call therefore reserves an article while the plan has one left; once
    articles are used up a ``generate`` call is refused and any other call
    is capped below ``article_min_tokens`` (it cannot become an article).
    With a token limit, a call runs while any tokens remain: ``max_tokens``
    is capped (to ``default_max_tokens`` when the caller set none) so that
    the prompt estimate plus ``n`` replies fit in what remains (a reply gets
    at least one token), and all of it is held until the call settles. The
    first call to find the plan nearly spent therefore holds the rest, and
    calls after it are refused: together they overrun the plan by at most
    that one call's prompt beyond what was left, the reservation rounding.
    """
    lock_user(session, user_id)
    q = quota_state(session, user_id)
    n = body.get("n") if isinstance(body.get("n"), int) and body.get("n", 0) > 0 else 1
    cap = requested_max_tokens(body)
    articles = 1
    if q.remaining_articles == 0:
        if purpose == "generate":
            raise _exceeded(q, "articles")
        articles = 0
        cap = min(cap or article_min_tokens - 1, article_min_tokens - 1)
    tokens = 0
    if q.remaining_tokens is not None:
        if q.remaining_tokens == 0:
            raise _exceeded(q, "tokens")
        # the reply is capped to what the prompt leaves (at least one token;
        # a call asking no cap gets default_max_tokens, so calls in parallel
        # do not each hold the whole plan)
        prompt = prompt_reserve(body)
        per_choice = max(1, (q.remaining_tokens - prompt) // n)
        cap = min(cap or default_max_tokens, per_choice)
        tokens = prompt + n * cap
    now = utcnow()
    row = QuotaReservation(
        user_id=user_id,
        tokens=tokens,
        articles=articles,
        created_at=now,
        expires_at=now + timedelta(seconds=ttl),
    )
    session.add(row)
    session.flush()
    changed = cap if cap != requested_max_tokens(body) else None
    return Reservation(row.id, changed, articles, tokens)


def release(session: Session, reservation_id: int) -> None:
    """The call failed and costs nothing: give back what it held (also how a
    call's reservation is settled)."""
    session.execute(_DELETE_RESERVATION, {"rid": reservation_id})


_DELETE_RESERVATION = delete(QuotaReservation.__table__).where(
    QuotaReservation.__table__.c.id == bindparam("rid")
)


def counts_as_article(purpose: str, completion_tokens: int, n: int, min_tokens: int) -> bool:
    return purpose == "generate" or completion_tokens >= min_tokens * max(1, n)


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
    article: bool | None = None,
    reservation_id: int | None = None,
) -> None:
    """Charge one call (settling its reservation, if any, in the same
    transaction). ``article`` None: labelled ``generate``."""
    if reservation_id is not None:
        release(session, reservation_id)
    # one Core INSERT built once, not an ORM object: this runs once per
    # proxied call, and the unit of work cost more than the write itself
    session.execute(
        _INSERT_USAGE,
        {
            "user_id": user_id,
            "at": utcnow(),
            "model": model[:200],
            "purpose": purpose,
            "prompt_tokens": max(0, int(prompt_tokens)),
            "completion_tokens": max(0, int(completion_tokens)),
            "articles": 1 if (purpose == "generate" if article is None else article) else 0,
            "estimated": estimated,
            "idempotency_key": idempotency_key,
        },
    )


_INSERT_USAGE = insert(UsageEvent.__table__)
