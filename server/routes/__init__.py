"""One router per resource, joined under ``/api``."""

from fastapi import APIRouter

from inkbench.server.routes import ai, auth, health, quota

api_router = APIRouter(prefix="/api")
api_router.include_router(auth.router)
api_router.include_router(quota.router)
api_router.include_router(ai.router)
api_router.include_router(health.router)
