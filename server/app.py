"""``create_app(settings)``: the whole server, no import-time globals."""

from __future__ import annotations

import asyncio
import logging
from contextlib import asynccontextmanager

from fastapi import FastAPI

from inkbench.server import __version__, errors
from inkbench.server.db import Database
from inkbench.server.deps import AppState
from inkbench.server.housekeeping import purge_forever
from inkbench.server.limits import BodyLimit
from inkbench.server.routes import api_router
from inkbench.server.security import Passwords
from inkbench.server.settings import Settings
from inkbench.server.upstream import make_client

log = logging.getLogger("inkbench.server")


def create_app(settings: Settings | None = None, *, db: Database | None = None) -> FastAPI:
    settings = settings or Settings()
    database = db or Database(settings.db_url)
    if settings.migrate:
        database.migrate()
    state = AppState(settings=settings, db=database, passwords=Passwords(settings))
    state.passwords.dummy  # noqa: B018 - hash it now, not during the first login

    @asynccontextmanager
    async def lifespan(_app: FastAPI):
        state.upstream = make_client(settings)
        await state.upstream.start()
        purger = None
        if settings.purge_every > 0:
            purger = asyncio.create_task(purge_forever(state))
        try:
            yield
        finally:
            if purger is not None:
                purger.cancel()
            if state.tasks:  # let replies being pumped finish and be charged
                _done, pending = await asyncio.wait(set(state.tasks), timeout=5)
                for task in pending:
                    task.cancel()
            await state.upstream.aclose()
            if database.async_reads is not None:
                await database.async_reads.aclose()
            if db is None:
                database.dispose()

    app = FastAPI(
        title="Inkbench account server",
        version=__version__,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    app.state.inkbench = state
    errors.install(app)
    app.add_middleware(
        BodyLimit,
        limits={"/": settings.max_auth_body, "/api/ai/": settings.max_ai_body},
    )
    app.include_router(api_router)
    return app


def app_from_env() -> FastAPI:
    """For ``uvicorn --factory`` worker processes: settings from the environment."""
    return create_app(Settings.from_env())
