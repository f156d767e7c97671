"""For load balancers and the client's online/offline check."""

from __future__ import annotations

import time

import httpx
from fastapi import APIRouter
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from inkbench.server import __version__
from inkbench.server.deps import AppState, StateDep

router = APIRouter(tags=["health"])
UPSTREAM_CHECK_EVERY = 10.0  # seconds; clients poll, the upstream is asked less often


async def _upstream(state: AppState) -> str:
    checked, verdict = state.upstream_health
    if time.monotonic() - checked < UPSTREAM_CHECK_EVERY:
        return verdict
    try:
        resp = await state.upstream.get("models", timeout=3.0)
        verdict = "ok" if resp.status_code < 400 else f"error {resp.status_code}"
    except httpx.HTTPError:
        verdict = "unreachable"
    state.upstream_health = (time.monotonic(), verdict)
    return verdict


@router.get("/health")
async def health(state: StateDep) -> JSONResponse:
    try:
        await run_in_threadpool(state.db.ping)
        database = "ok"
    except Exception:
        database = "unreachable"
    upstream = await _upstream(state)
    ok = database == "ok" and upstream == "ok"
    return JSONResponse(
        {
            "status": "ok" if ok else "degraded",
            "version": __version__,
            "database": database,
            "upstream": upstream,
        },
        status_code=200 if database == "ok" else 503,
    )
