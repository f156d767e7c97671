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
