"""Users, plans and sessions. Functions take a SQLAlchemy ``session`` and
leave the commit to the caller (``Database.session()``)."""

from __future__ import annotations

import hashlib
import logging
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import bindparam, delete, func, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from inkbench.server.errors import ApiError
from inkbench.server.models import (
    AccessToken,
    AuthSession,
    LoginFailure,
    Plan,
    RetiredRefresh,
    User,
    utcnow,
)
from inkbench.server.security import (
    ACCESS_PREFIX,
    REFRESH_PREFIX,
    Passwords,
    new_token,
    same,
    token_hash,
)
from inkbench.server.settings import Settings

log = logging.getLogger("inkbench.server.auth")


class AccountError(Exception):
    """Bad input to an admin operation (CLI)."""


def username_key(name: str) -> str:
    return name.strip().casefold()


# --- plans and users (admin) --------------------------------------------------------


def list_plans(session: Session) -> list[Plan]:
    return list(session.scalars(select(Plan).order_by(Plan.name)))


def set_plan(
    session: Session, name: str, *, articles: int | None, tokens: int | None, clear: bool = False
) -> Plan:
    """Create or update a plan. ``None`` leaves a limit as it is (or
    unlimited for a new plan); a negative number means unlimited."""
    if not name or len(name) > 64:
        raise AccountError("a plan name is 1 to 64 characters")
    plan = session.get(Plan, name)
    if plan is None:
        plan = Plan(name=name)
        session.add(plan)
    if articles is not None:
        plan.articles_per_period = None if articles < 0 else articles
    if tokens is not None:
        plan.tokens_per_period = None if tokens < 0 else tokens
    session.flush()
    return plan


def add_user(
    session: Session, passwords: Passwords, username: str, password: str, *, plan: str
) -> User:
    name = username.strip()
    if not name or len(name) > 64 or any(c.isspace() for c in name):
        raise AccountError("a user name is 1 to 64 characters without spaces")
    check_password(password)
    if session.get(Plan, plan) is None:
        names = ", ".join(p.name for p in list_plans(session))
        raise AccountError(f"no plan named {plan!r} (plans: {names})")
    if session.scalar(select(User).where(User.username_key == username_key(name))):
        raise AccountError(f"user {name!r} already exists")
    user = User(
        username=name,
        username_key=username_key(name),
        password_hash=passwords.hash(password),
        plan_name=plan,
    )
    session.add(user)
    session.flush()
    return user


def set_user_plan(session: Session, username: str, plan: str) -> User:
    user = session.scalar(select(User).where(User.username_key == username_key(username)))
    if user is None:
        raise AccountError(f"no user named {username!r}")
    if session.get(Plan, plan) is None:
        raise AccountError(f"no plan named {plan!r}")
    user.plan_name = plan
    return user


def find_user(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username_key == username_key(username)))
    if user is None:
        raise AccountError(f"no user named {username!r}")
    return user


@dataclass(frozen=True)
class UserRow:
    username: str
    plan: str
    disabled: bool
    sessions: int  # live sessions
    created_at: datetime


def list_users(session: Session) -> list[UserRow]:
    now = utcnow()
    live = (
        select(AuthSession.user_id, func.count().label("n"))
        .where(AuthSession.revoked_at.is_(None), AuthSession.refresh_expires_at > now)
        .group_by(AuthSession.user_id)
        .subquery()
    )
    rows = session.execute(
        select(User, func.coalesce(live.c.n, 0))
        .outerjoin(live, live.c.user_id == User.id)
        .order_by(User.username_key)
    )
    return [
        UserRow(u.username, u.plan_name, bool(u.disabled), int(n), u.created_at) for u, n in rows
    ]


def revoke_user_sessions(session: Session, username: str, reason: str = "admin") -> int:
    """End every live session of the user; returns how many."""
    user = find_user(session, username)
    ids = list(
        session.scalars(
            select(AuthSession.id).where(
                AuthSession.user_id == user.id, AuthSession.revoked_at.is_(None)
            )
        )
    )
    for sid in ids:
        revoke_session(session, sid, reason=reason)
    return len(ids)


def set_disabled(session: Session, username: str, disabled: bool) -> User:
    """Disable (ending its sessions) or enable an account."""
    user = find_user(session, username)
    user.disabled = disabled
    if disabled:
        revoke_user_sessions(session, username, reason="disabled")
    return user


def delete_user(session: Session, username: str) -> User:
    """Delete the account with its sessions, usage and stored answers."""
    user = find_user(session, username)
    session.delete(user)
    session.flush()
    return user


def reset_password(session: Session, username: str, password_hash: str) -> User:
    """Set a new password (hashed by the caller) and end every session."""
    user = find_user(session, username)
    user.password_hash = password_hash
    revoke_user_sessions(session, username, reason="password_reset")
    return user


def check_password(password: str) -> None:
    if len(password) < 8:
        raise AccountError("a password needs at least 8 characters")


# --- login, rate limit --------------------------------------------------------------


@dataclass(frozen=True)
class Issued:
    access_token: str
    refresh_token: str
    expires_in: int
    user: User


LOGIN_LOCK = 0x1A4B_0002  # PostgreSQL advisory lock: one login's bookkeeping at a time


def _key(kind: str, *parts: str) -> str:
    """A fixed-length key: a forged 10 kB address is counted like any other."""
    digest = hashlib.sha256("\x00".join(parts).encode("utf-8", "surrogatepass")).hexdigest()
    return f"{kind}:{digest}"


def _failures(session: Session, key: str, since: datetime) -> int:
    q = select(func.count()).where(LoginFailure.key == key, LoginFailure.at > since)
    return int(session.scalar(q) or 0)


def _refused(settings: Settings) -> ApiError:
    log.warning("login refused: too many failures (address or account)")
    return ApiError(
        429,
        "rate_limited",
        f"too many failed logins; wait {settings.login_window // 60 or 1} minutes and retry",
        headers={"Retry-After": str(settings.login_window)},
    )


@dataclass(frozen=True)
class LoginAttempt:
    """An attempt let through: its failure rows, already written (they stay
    if the password is wrong), and the stored hash to check it against."""

    failure_ids: tuple[int, ...]
    stored_hash: str | None


def begin_login(session: Session, settings: Settings, username: str, address: str) -> LoginAttempt:
    """Decide whether this attempt may run and count it as a failure until
    it succeeds, in one transaction (SQLite's write lock; an advisory lock
    on PostgreSQL), so a burst of concurrent guesses cannot slip past a limit.

    Per address first: ``login_max_per_address`` failures in the window and
    the address is refused. Then per account: after ``login_max_per_user``
    failures the account backs off, but only for addresses that have failed
    on it already; a clean address may still try, so a flood of wrong
    passwords from elsewhere cannot lock the owner out.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": LOGIN_LOCK})
    now = utcnow()
    since = now - timedelta(seconds=settings.login_window)
    name = username_key(username)
    addr_key, user_key, pair_key = (
        _key("addr", address),
        _key("user", name),
        _key("pair", name, address),
    )
    if _failures(session, addr_key, since) >= settings.login_max_per_address:
        raise _refused(settings)
    if (
        _failures(session, user_key, since) >= settings.login_max_per_user
        and _failures(session, pair_key, since) > 0
    ):
        raise _refused(settings)
    rows = [LoginFailure(key=k, at=now) for k in (addr_key, user_key, pair_key)]
    session.add_all(rows)
    # rows older than the window are no use to anyone
    session.execute(
        delete(LoginFailure).where(LoginFailure.at < now - timedelta(seconds=settings.login_window))
    )
    session.flush()
    stored = session.scalar(select(User.password_hash).where(User.username_key == name))
    return LoginAttempt(tuple(r.id for r in rows), stored)


def succeed_login(
    session: Session, attempt: LoginAttempt, username: str, new_hash: str | None = None
) -> User | None:
    """The password was right: the attempt's failure rows go, and (unless
    the account is disabled) the user is returned. ``new_hash`` replaces a
    hash made with older parameters (hashed by the caller, outside this
    transaction)."""
    user = session.scalar(select(User).where(User.username_key == username_key(username)))
    if user is None or user.disabled or user.password_hash != attempt.stored_hash:
        return None  # disabled, or the password changed meanwhile: still a failure
    session.execute(delete(LoginFailure).where(LoginFailure.id.in_(attempt.failure_ids)))
    if new_hash is not None:
        user.password_hash = new_hash
    return user


def start_session(session: Session, settings: Settings, user: User) -> Issued:
    now = utcnow()
    # this user's long-dead sessions go (their tokens and retired tokens with them)
    session.execute(
        delete(AuthSession).where(
            AuthSession.user_id == user.id,
            (AuthSession.refresh_expires_at < now - timedelta(days=1))
            | (AuthSession.revoked_at < now - timedelta(days=30)),
        )
    )
    refresh = new_token(REFRESH_PREFIX)
    end = now + timedelta(seconds=settings.session_max_age)
    row = AuthSession(
        user_id=user.id,
        refresh_hash=token_hash(refresh),
        refresh_expires_at=min(now + timedelta(seconds=settings.refresh_ttl), end),
        created_at=now,
    )
    session.add(row)
    session.flush()
    access, ttl = _new_access(session, settings, row.id, now, end)
    log.info("login: user id %s, session %s", user.id, row.id)
    return Issued(access, refresh, ttl, user)


def _new_access(
    session: Session, settings: Settings, session_id: int, now: datetime, end: datetime
) -> tuple[str, int]:
    """A new access token, living ``access_ttl`` but never past the
    session's absolute ``end``; returns it and its lifetime in seconds."""
    access = new_token(ACCESS_PREFIX)
    expires = min(now + timedelta(seconds=settings.access_ttl), end)
    session.add(
        AccessToken(token_hash=token_hash(access), session_id=session_id, expires_at=expires)
    )
    # expired access tokens of any session are dead weight
    session.execute(delete(AccessToken).where(AccessToken.expires_at < now - timedelta(hours=1)))
    return access, max(0, int((expires - now).total_seconds()))


# --- tokens -------------------------------------------------------------------------


@dataclass(frozen=True)
class Principal:
    user_id: int
    username: str
    plan: str
    session_id: int
    unlimited: bool = False  # the plan limits neither articles nor tokens


# built once: a statement object memoises its cache key, so each lookup skips
# building and hashing the query (a tenth of a proxied call's CPU time)
_BY_TOKEN = (
    select(
        AccessToken.token_hash,
        AccessToken.expires_at,
        AuthSession.id,
        AuthSession.revoked_at,
        User.id,
        User.username,
        User.plan_name,
        User.disabled,
        Plan.articles_per_period,
        Plan.tokens_per_period,
    )
    .join(AuthSession, AuthSession.id == AccessToken.session_id)
    .join(User, User.id == AuthSession.user_id)
    .join(Plan, Plan.name == User.plan_name)
    .where(AccessToken.token_hash == bindparam("digest"))
)


#: the same lookup as SQLite SQL, for a bare sqlite3 connection (see authenticate_sqlite)
_BY_TOKEN_SQLITE = str(_BY_TOKEN.compile(dialect=sqlite.dialect()))


#: and as PostgreSQL SQL, for psycopg's own async connections (see authenticate_async)
_BY_TOKEN_PG = str(_BY_TOKEN.compile(dialect=postgresql.psycopg.dialect()))


def authenticate(session: Session, token: str) -> Principal:
    """The caller behind an access token: one indexed read of plain columns
    (no ORM objects; this runs on every authenticated request)."""
    digest = token_hash(token)
    return _principal(session.execute(_BY_TOKEN, {"digest": digest}).first(), digest)


def _sqlite_time(value: str | None) -> datetime | None:
    """A time as SQLAlchemy stores a ``UTCDateTime`` in SQLite (naive UTC text)."""
    return None if value is None else datetime.fromisoformat(value).replace(tzinfo=UTC)


def authenticate_sqlite(conn: sqlite3.Connection, token: str) -> Principal:
    """``authenticate`` on a bare sqlite3 connection in autocommit mode: the
    one statement is its own read transaction (a snapshot; under WAL it never
    waits for a writer). It costs ~10 µs where a SQLAlchemy session costs
    ~400 µs, and it runs before every proxied call's first token. Raises
    ``sqlite3.OperationalError`` when the database is locked."""
    digest = token_hash(token)
    rows = conn.execute(_BY_TOKEN_SQLITE, (digest,)).fetchall()  # to its end: no read lock kept
    row = None
    if rows:
        h, expires_at, sid, revoked_at, *rest = rows[0]
        row = (h, _sqlite_time(expires_at), sid, _sqlite_time(revoked_at), *rest)
    return _principal(row, digest)


async def authenticate_async(reads, token: str) -> Principal:
    """``authenticate`` on the event loop, through ``Database.async_reads``
    (PostgreSQL): no thread hop and no SQLAlchemy session before a proxied
    call's first token. Raises ``psycopg.Error`` when the read fails."""
    digest = token_hash(token)
    rows = await reads.fetch(_BY_TOKEN_PG, {"digest": digest})
    return _principal(rows[0] if rows else None, digest)


def _principal(row, digest: str) -> Principal:
    """The checks of a token lookup's row (``_BY_TOKEN``'s columns)."""
    if row is None or not same(row[0], digest):
        raise ApiError(401, "invalid_token", "the access token is not valid; log in again")
    _h, expires_at, sid, revoked_at, uid, username, plan, disabled, articles, tokens = row
    if revoked_at is not None:
        raise ApiError(401, "session_revoked", "this session was ended; log in again")
    if expires_at <= utcnow():
        raise ApiError(401, "token_expired", "the access token expired; refresh it")
    if disabled:
        raise ApiError(401, "account_disabled", "this account is disabled")
    return Principal(uid, username, plan, sid, articles is None and tokens is None)


def rotate_refresh(session: Session, settings: Settings, token: str) -> Issued:
    """Exchange a refresh token for a new pair. The old one is retired; if it
    is ever presented again, the session it belonged to is revoked."""
    now = utcnow()
    old = token_hash(token)
    new = new_token(REFRESH_PREFIX)
    # one atomic compare-and-swap: two processes never both rotate one token
    sid = session.scalar(
        update(AuthSession)
        .where(
            AuthSession.refresh_hash == old,
            AuthSession.revoked_at.is_(None),
            AuthSession.refresh_expires_at > now,
            # the absolute lifetime: no refresh extends a session past it
            AuthSession.created_at > now - timedelta(seconds=settings.session_max_age),
        )
        .values(
            refresh_hash=token_hash(new),
            refresh_expires_at=now + timedelta(seconds=settings.refresh_ttl),
        )
        .returning(AuthSession.id)
    )
    if sid is not None:
        session.add(RetiredRefresh(token_hash=old, session_id=sid, retired_at=now))
        sess = session.get(AuthSession, sid, populate_existing=True)
        end = sess.created_at + timedelta(seconds=settings.session_max_age)
        sess.refresh_expires_at = min(sess.refresh_expires_at, end)
        access, ttl = _new_access(session, settings, sid, now, end)
        user = session.get(User, sess.user_id)
        if user.disabled:
            raise ApiError(401, "account_disabled", "this account is disabled")
        log.info("refresh: session %s rotated", sid)
        return Issued(access, new, ttl, user)
    if session.get(RetiredRefresh, old) is not None:
        # the caller commits the revocation in its own transaction (revoke_reused)
        raise ApiError(
            401,
            "refresh_reused",
            "this refresh token was already used; the session is ended, log in again",
        )
    sess = session.scalar(select(AuthSession).where(AuthSession.refresh_hash == old))
    if sess is not None and sess.revoked_at is not None:
        raise ApiError(401, "session_revoked", "this session was ended; log in again")
    if sess is not None:
        raise ApiError(401, "token_expired", "the session expired; log in again")
    raise ApiError(401, "invalid_token", "the refresh token is not valid; log in again")


def revoke_reused(session: Session, token: str) -> None:
    """A retired refresh token came back: someone holds a copy. End its session."""
    retired = session.get(RetiredRefresh, token_hash(token))
    if retired is not None:
        revoke_session(session, retired.session_id, reason="refresh_reused")
        log.warning("refresh token reused: session %s revoked", retired.session_id)


def revoke_session(session: Session, session_id: int, reason: str = "logout") -> None:
    session.execute(
        update(AuthSession)
        .where(AuthSession.id == session_id, AuthSession.revoked_at.is_(None))
        .values(revoked_at=utcnow(), revoke_reason=reason)
    )
    session.execute(delete(AccessToken).where(AccessToken.session_id == session_id))
    log.info("session %s revoked (%s)", session_id, reason)
