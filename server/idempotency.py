"""Idempotency-Key records: a retried request returns the stored answer and
is charged once. A request claims its key with a lease (renewed while it
streams); if its process dies the lease lapses and a retry takes over."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from inkbench.server.errors import ApiError
from inkbench.server.models import IdempotencyRecord, utcnow

MAX_KEY = 200


def request_hash(body: dict, purpose: str) -> str:
    canonical = json.dumps([body, purpose], sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Outcome:
    state: str  # "claimed", "done", "running"
    kind: str = "json"
    status_code: int | None = None
    body: str | None = None


def claim(
    session: Session, *, user_id: int, key: str, req_hash: str, lease: int, ttl: int
) -> Outcome:
    """Claim ``key`` for this request, or report what another attempt left."""
    now = utcnow()
    # stored answers older than the ttl are forgotten (this user's, so the
    # table stays small without a separate clean-up job)
    session.execute(
        delete(IdempotencyRecord).where(
            IdempotencyRecord.user_id == user_id,
            IdempotencyRecord.created_at < now - timedelta(seconds=ttl),
            IdempotencyRecord.state == "done",
        )
    )
    rec = session.get(IdempotencyRecord, (user_id, key))
    if rec is None:
        try:
            with session.begin_nested():
                session.add(
                    IdempotencyRecord(
                        user_id=user_id,
                        key=key,
                        request_hash=req_hash,
                        state="running",
                        lease_until=now + timedelta(seconds=lease),
                        created_at=now,
                    )
                )
            return Outcome("claimed")
        except IntegrityError:  # another process claimed it a moment ago
            rec = session.get(IdempotencyRecord, (user_id, key), populate_existing=True)
            if rec is None:
                return Outcome("running")
    if rec.request_hash != req_hash:
        raise ApiError(
            422,
            "idempotency_key_reused",
            "this Idempotency-Key was used for a different request; use a new key",
        )
    if rec.state == "done":
        return Outcome("done", rec.kind, rec.status_code, rec.body)
    # running: take it over only when its lease has lapsed (its process died)
    taken = session.execute(
        update(IdempotencyRecord)
        .where(
            IdempotencyRecord.user_id == user_id,
            IdempotencyRecord.key == key,
            IdempotencyRecord.state == "running",
            IdempotencyRecord.lease_until < now,
        )
        .values(lease_until=now + timedelta(seconds=lease))
    ).rowcount
    return Outcome("claimed" if taken else "running")


def renew(session: Session, *, user_id: int, key: str, lease: int) -> None:
    session.execute(
        update(IdempotencyRecord)
        .where(IdempotencyRecord.user_id == user_id, IdempotencyRecord.key == key)
        .values(lease_until=utcnow() + timedelta(seconds=lease))
    )


def release(session: Session, *, user_id: int, key: str) -> None:
    """The attempt failed and charged nothing: a retry starts afresh."""
    session.execute(
        delete(IdempotencyRecord).where(
            IdempotencyRecord.user_id == user_id,
            IdempotencyRecord.key == key,
            IdempotencyRecord.state == "running",
        )
    )


def complete(
    session: Session, *, user_id: int, key: str, kind: str, status_code: int, body: str
) -> None:
    session.execute(
        update(IdempotencyRecord)
        .where(IdempotencyRecord.user_id == user_id, IdempotencyRecord.key == key)
        .values(state="done", kind=kind, status_code=status_code, body=body)
    )
