"""Purging rows nothing will read again. The server runs ``purge`` once at
start and then every ``purge_every`` seconds in each worker process (the
deletes are idempotent, so several workers on one database do no harm);
``inkbench-server purge`` runs it on demand."""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from inkbench.server.models import (
    AccessToken,
    AuthSession,
    IdempotencyRecord,
    LoginFailure,
    QuotaReservation,
    RetiredRefresh,
    utcnow,
)
from inkbench.server.settings import Settings

log = logging.getLogger("inkbench.server.housekeeping")


def purge(session: Session, settings: Settings) -> dict[str, int]:
    """Delete what has no further use; returns rows deleted per kind.

    - access tokens expired for an hour;
    - retired refresh tokens whose session can no longer be refreshed
      (expired, past its absolute lifetime, or revoked): reuse detection
      only matters while the session could be taken over;
    - sessions expired or revoked for a day (their rows above go with them);
    - idempotency records: answers older than ``idempotency_ttl``, and
      claims stuck in ``running`` whose lease lapsed (their process died
      without charging; a retry starts afresh);
    - quota reservations past ``expires_at`` (their process died);
    - login failures older than the rate-limit window.
    """
    now = utcnow()
    dead_session = or_(
        AuthSession.refresh_expires_at < now,
        AuthSession.revoked_at.is_not(None),
        AuthSession.created_at < now - timedelta(seconds=settings.session_max_age),
    )
    counts = {}
    counts["access_tokens"] = session.execute(
        delete(AccessToken).where(AccessToken.expires_at < now - timedelta(hours=1))
    ).rowcount
    counts["retired_refresh"] = session.execute(
        delete(RetiredRefresh).where(
            RetiredRefresh.session_id.in_(select(AuthSession.id).where(dead_session))
        )
    ).rowcount
    long_dead = or_(
        AuthSession.refresh_expires_at < now - timedelta(days=1),
        AuthSession.revoked_at < now - timedelta(days=1),
    )
    old_ids = select(AuthSession.id).where(long_dead)
    session.execute(delete(AccessToken).where(AccessToken.session_id.in_(old_ids)))
    session.execute(delete(RetiredRefresh).where(RetiredRefresh.session_id.in_(old_ids)))
    counts["sessions"] = session.execute(delete(AuthSession).where(long_dead)).rowcount
    answers_kept_since = now - timedelta(seconds=settings.idempotency_ttl)
    counts["idempotency"] = session.execute(
        delete(IdempotencyRecord).where(
            or_(
                (IdempotencyRecord.state == "done")
                & (IdempotencyRecord.created_at < answers_kept_since),
                (IdempotencyRecord.state == "running")
                & (IdempotencyRecord.lease_until < now - timedelta(seconds=60)),
            )
        )
    ).rowcount
    counts["reservations"] = session.execute(
        delete(QuotaReservation).where(QuotaReservation.expires_at < now)
    ).rowcount
    counts["login_failures"] = session.execute(
        delete(LoginFailure).where(LoginFailure.at < now - timedelta(seconds=settings.login_window))
    ).rowcount
    if any(counts.values()):
        log.info("purged %s", ", ".join(f"{k} {v}" for k, v in counts.items() if v))
    return counts


async def purge_forever(state) -> None:
    """The server's purge loop (``state`` is the app's ``AppState``)."""
    import asyncio

    while True:
        try:
            await state.in_db(purge, state.settings)
        except Exception as e:  # a busy or unreachable database: next time
            log.warning("purge failed: %s", type(e).__name__)
        await asyncio.sleep(state.settings.purge_every)
