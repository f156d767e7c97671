"""Login, refresh (rotating), logout."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Response

from inkbench.server import accounts
from inkbench.server.deps import AddressDep, CurrentUser, StateDep
from inkbench.server.errors import ApiError
from inkbench.server.models import LoginIn, RefreshIn, TokenPair, UserPublic

router = APIRouter(prefix="/auth", tags=["auth"])
log = logging.getLogger("inkbench.server.auth")


def _pair(issued: accounts.Issued) -> TokenPair:
    u = issued.user
    return TokenPair(
        access_token=issued.access_token,
        refresh_token=issued.refresh_token,
        expires_in=issued.expires_in,
        user=UserPublic(id=u.id, username=u.username, plan=u.plan_name),
    )


@router.post("/login", response_model=TokenPair)
def login(body: LoginIn, state: StateDep, address: AddressDep) -> TokenPair:
    settings = state.settings
    with state.db.session() as s:
        attempt = accounts.begin_login(s, settings, body.username, address)
    # the one slow hash of a login, outside any transaction; unknown users
    # cost the same (a dummy hash)
    passwords = state.passwords
    ok = passwords.verify(attempt.stored_hash, body.password)
    if ok:
        new_hash = None
        if passwords.needs_rehash(attempt.stored_hash):
            new_hash = passwords.hash(body.password)  # only after a parameter change
        with state.db.session() as s:
            user = accounts.succeed_login(s, attempt, body.username, new_hash)
            if user is not None:
                return _pair(accounts.start_session(s, settings, user))
    log.info("login failed")
    raise ApiError(401, "invalid_credentials", "wrong user name or password")


@router.post("/refresh", response_model=TokenPair)
def refresh(body: RefreshIn, state: StateDep) -> TokenPair:
    try:
        with state.db.session() as s:
            return _pair(accounts.rotate_refresh(s, state.settings, body.refresh_token))
    except ApiError as e:
        if e.code != "refresh_reused":
            raise
    # the revocation must be committed even though the answer is an error
    with state.db.session() as s:
        accounts.revoke_reused(s, body.refresh_token)
    raise ApiError(
        401,
        "refresh_reused",
        "this refresh token was already used; the session is ended, log in again",
    )


@router.post("/logout", status_code=204)
def logout(user: CurrentUser, state: StateDep) -> Response:
    with state.db.session() as s:
        accounts.revoke_session(s, user.session_id)
    return Response(status_code=204)
