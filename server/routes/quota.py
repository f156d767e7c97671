"""The caller's plan, limits and use this period (only ever the caller's)."""

from __future__ import annotations

from fastapi import APIRouter

from inkbench.server.deps import CurrentUser, StateDep
from inkbench.server.models import QuotaPublic
from inkbench.server.quota import quota_state

router = APIRouter(tags=["quota"])


@router.get("/quota", response_model=QuotaPublic)
def get_quota(user: CurrentUser, state: StateDep) -> dict:
    with state.db.read() as s:
        return quota_state(s, user.user_id).public()
