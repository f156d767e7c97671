"""What the AI proxy does between a request and the upstream: the upstream
connection is kept across streamed calls."""

from __future__ import annotations

import httpx

STREAM = {"model": "fake-small", "messages": [{"role": "user", "content": "hi"}], "stream": True}


def _stream(srv, token: str) -> str:
    with httpx.stream(
        "POST",
        f"{srv.api}/ai/chat/completions",
        json=STREAM,
        headers={"Authorization": f"Bearer {token}"},
        timeout=60,
    ) as r:
        assert r.status_code == 200
        return r.read().decode()


def test_streamed_calls_reuse_one_upstream_connection(account_server, upstream):
    token = account_server.login("alice")["access_token"]
    for _ in range(3):
        assert "[DONE]" in _stream(account_server, token)
    peers = {seen.peer for seen in upstream.chat_requests()}
    # the relay reads each reply to its end, so the connection goes back to
    # the pool instead of being closed half-read
    assert len(upstream.chat_requests()) == 3 and len(peers) == 1


def test_the_ai_route_judges_a_token_as_every_other_route(account_server, upstream):
    """The AI route looks its token up on a bare SQLite connection (the hot
    path); its verdicts are the ones the other routes give, header included,
    and none reaches the upstream. (On PostgreSQL: test_server_pg.py.)"""
    check_token_verdicts(account_server, upstream)


def check_token_verdicts(srv, upstream) -> None:
    """The AI route's and /quota's answers to a valid, forged, expired,
    disabled and revoked token are the same; only the valid one is sent on."""
    from datetime import timedelta

    from sqlalchemy import update

    from inkbench.server.models import AccessToken, AuthSession, User, utcnow

    body = {"model": "fake-small", "messages": [{"role": "user", "content": "hi"}]}

    def verdicts(token: str) -> list[tuple[int, str | None, str | None]]:
        headers = {"Authorization": f"Bearer {token}"}
        out = []
        for r in (
            httpx.post(f"{srv.api}/ai/chat/completions", json=body, headers=headers),
            httpx.get(f"{srv.api}/quota", headers=headers),
        ):
            code = r.json().get("error", {}).get("code") if r.status_code != 200 else None
            out.append((r.status_code, code, r.headers.get("www-authenticate")))
        return out

    refused = 'Bearer error="invalid_token"'
    token = srv.login("alice")["access_token"]
    assert verdicts(token) == [(200, None, None)] * 2
    assert verdicts("ink_a_forged") == [(401, "invalid_token", refused)] * 2
    with srv.db.session() as s:
        s.execute(update(AccessToken).values(expires_at=utcnow() - timedelta(seconds=1)))
    assert verdicts(token) == [(401, "token_expired", refused)] * 2
    # the rows as an admin's commands leave them (these also delete the
    # session's access tokens; the lookup checks the rows all the same)
    token = srv.login("alice")["access_token"]
    with srv.db.session() as s:
        s.execute(update(User).values(disabled=True))
    assert verdicts(token) == [(401, "account_disabled", refused)] * 2
    with srv.db.session() as s:
        s.execute(update(User).values(disabled=False))
        s.execute(update(AuthSession).values(revoked_at=utcnow()))
    assert verdicts(token) == [(401, "session_revoked", refused)] * 2
    assert len(upstream.chat_requests()) == 1  # the first, accepted call only
