"""What routes need, as ``Annotated`` dependencies: the app's state, the
database, and the caller (``CurrentUser``) from the bearer token."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool

from inkbench.server.accounts import (
    Principal,
    authenticate,
    authenticate_async,
    authenticate_sqlite,
)
from inkbench.server.db import Database
from inkbench.server.errors import ApiError
from inkbench.server.security import Passwords
from inkbench.server.settings import Settings
from inkbench.server.upstream import Upstream

T = TypeVar("T")
log = logging.getLogger("inkbench.server")


@dataclass
class AppState:
    settings: Settings
    db: Database
    passwords: Passwords
    upstream: Upstream | None = None
    tasks: set[asyncio.Task] = field(default_factory=set)  # streams still being pumped
    upstream_health: tuple[float, str] = (0.0, "unknown")  # a cache, not state

    async def in_db(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
        """Run ``fn(session, ...)`` in one write transaction on a worker thread."""

        def work() -> T:
            with self.db.session() as s:
                return fn(s, *args, **kwargs)

        return await run_in_threadpool(work)

    async def reading(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
        """Run ``fn(session, ...)`` in one read transaction on a worker thread."""

        def work() -> T:
            with self.db.read() as s:
                return fn(s, *args, **kwargs)

        return await run_in_threadpool(work)

    async def authenticate(self, token: str) -> Principal:
        """The caller behind a bearer token. On SQLite the lookup runs on the
        event loop itself, on a bare connection (see
        ``Database.quick_connection``); if it finds the database locked past
        ``QUICK_BUSY_MS`` it waits on a worker thread instead, so the loop
        never waits for a lock. Elsewhere (PostgreSQL, across a network) on a
        worker thread."""
        if self.db.has_quick_reads:
            try:
                return _refused_with_header(authenticate_sqlite, self.db.quick_connection(), token)
            except sqlite3.OperationalError:  # locked: wait for it off the loop
                pass
        elif self.db.async_reads is not None:
            try:
                return await _refused_with_header_async(self.db.async_reads, token)
            except ApiError:
                raise
            except Exception:  # psycopg's connection failed: the pool's way, which pings
                log.warning("token lookup on the event loop failed", exc_info=True)
        return await self.reading(authenticate_token, token)


async def get_state(request: Request) -> AppState:
    """The app's state. ``async``: FastAPI runs a plain ``def`` dependency on
    the thread pool, a round trip through another thread for every request."""
    return request.app.state.inkbench


StateDep = Annotated[AppState, Depends(get_state)]


async def client_address(request: Request, state: StateDep) -> str:  # async: see get_state
    if state.settings.trust_forwarded_for:
        # the right-most hop is the one our trusted proxy added; anything to
        # its left was sent by the client and proves nothing
        forwarded = request.headers.get("x-forwarded-for")
        if forwarded and forwarded.split(",")[-1].strip():
            return forwarded.split(",")[-1].strip()
    return request.client.host if request.client else "unknown"


AddressDep = Annotated[str, Depends(client_address)]


def bearer_token(request: Request) -> str:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(
            401,
            "not_authenticated",
            "this needs a bearer token; log in first",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return token.strip()


def authenticate_token(session, token: str) -> Principal:
    """``authenticate`` with the header a refused bearer token gets."""
    return _refused_with_header(authenticate, session, token)


async def _refused_with_header_async(reads, token: str) -> Principal:
    try:
        return await authenticate_async(reads, token)
    except ApiError as e:
        e.headers = {"WWW-Authenticate": 'Bearer error="invalid_token"'}
        raise


def _refused_with_header(lookup: Callable[..., Principal], *args: Any) -> Principal:
    try:
        return lookup(*args)
    except ApiError as e:
        e.headers = {"WWW-Authenticate": 'Bearer error="invalid_token"'}
        raise


def current_user(request: Request, state: StateDep) -> Principal:
    token = bearer_token(request)
    with state.db.read() as s:
        return authenticate_token(s, token)


CurrentUser = Annotated[Principal, Depends(current_user)]
