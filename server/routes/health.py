"""For load balancers and the client's online/offline check."""

from __future__ import annotations

import time

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from inkbench.server import __version__
from inkbench.server.deps import AppState, StateDep, authenticate_token, bearer_token
from inkbench.server.errors import ApiError
from inkbench.server.upstream import TRANSPORT_ERRORS

router = APIRouter(tags=["health"])
UPSTREAM_CHECK_EVERY = 10.0  # seconds; clients poll, the upstream is asked less often


async def _upstream(state: AppState) -> str:
    checked, verdict = state.upstream_health
    if time.monotonic() - checked < UPSTREAM_CHECK_EVERY:
        return verdict
    try:
        status, _body = await state.upstream.get("models", timeout=3.0)
        verdict = "ok" if status < 400 else f"error {status}"
    except TRANSPORT_ERRORS:
        verdict = "unreachable"
    state.upstream_health = (time.monotonic(), verdict)
    return verdict


async def _shows_version(request: Request, state: AppState) -> bool:
    """The version helps an attacker pick exploits: only callers with a
    valid token see it, unless ``health_shows_version`` is set."""
    if state.settings.health_shows_version:
        return True
    if not request.headers.get("authorization"):
        return False
    try:
        await state.reading(authenticate_token, bearer_token(request))
    except ApiError:
        return False
    return True


@router.get("/health")
async def health(request: Request, state: StateDep) -> JSONResponse:
    try:
        await run_in_threadpool(state.db.ping)
        database = "ok"
    except Exception:
        database = "unreachable"
    upstream = await _upstream(state)
    ok = database == "ok" and upstream == "ok"
    answer = {"status": "ok" if ok else "degraded", "database": database, "upstream": upstream}
    if database == "ok" and await _shows_version(request, state):
        answer["version"] = __version__
    return JSONResponse(answer, status_code=200 if database == "ok" else 503)
