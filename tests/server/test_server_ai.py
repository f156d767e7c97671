"""The AI proxy: streaming and not, quota before upstream, idempotency,
upstream failures, per-user usage, models, health, and secrets in logs."""

from __future__ import annotations

import json

import httpx
import pytest

from tests.fakes.fixtures import PASSWORD


def bearer(token: str, **extra) -> dict:
    return {"Authorization": f"Bearer {token}", **extra}


def chat_body(text="hello there", *, stream=False, model="fake-small", **extra) -> dict:
    return {
        "model": model,
        "messages": [{"role": "user", "content": text}],
        "stream": stream,
    } | extra


def sse_events(raw: bytes) -> list:
    out = []
    for block in raw.decode().split("\n\n"):
        if block.startswith("data: "):
            data = block[6:]
            out.append(data if data == "[DONE]" else json.loads(data))
    return out


def streamed_text(events) -> str:
    return "".join(
        (c.get("delta") or {}).get("content") or ""
        for e in events
        if isinstance(e, dict)
        for c in e.get("choices") or []
    )


@pytest.fixture
def token(account_server) -> str:
    return account_server.login("alice")["access_token"]


def quota(srv, token) -> dict:
    return httpx.get(f"{srv.api}/quota", headers=bearer(token)).json()


def test_non_streaming_is_forwarded_and_charged(account_server, token):
    r = httpx.post(
        f"{account_server.api}/ai/chat/completions",
        json=chat_body("one two"),
        headers=bearer(token),
    )
    assert r.status_code == 200, r.text
    data = r.json()
    assert data["choices"][0]["message"]["content"] == "echo: one two"
    used = quota(account_server, token)["used"]
    assert used["tokens"] == data["usage"]["total_tokens"] > 0
    assert used["articles"] == 0


def test_streaming_passes_chunks_and_injects_usage(account_server, token, upstream):
    with httpx.stream(
        "POST",
        f"{account_server.api}/ai/chat/completions",
        json=chat_body("a b c", stream=True),
        headers=bearer(token),
    ) as r:
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("text/event-stream")
        raw = r.read()
    events = sse_events(raw)
    assert events[-1] == "[DONE]"
    assert streamed_text(events) == "echo: a b c"
    # the server asked the upstream for usage, and kept it from a caller that did not
    sent = upstream.chat_requests()[-1].body
    assert sent["stream_options"] == {"include_usage": True}
    assert not any(isinstance(e, dict) and e.get("usage") and not e["choices"] for e in events)
    assert quota(account_server, token)["used"]["tokens"] > 0


def test_streaming_usage_chunk_is_passed_when_asked(account_server, token):
    body = chat_body("x", stream=True, stream_options={"include_usage": True})
    r = httpx.post(f"{account_server.api}/ai/chat/completions", json=body, headers=bearer(token))
    usage = [e["usage"] for e in sse_events(r.content) if isinstance(e, dict) and e.get("usage")]
    assert usage and usage[0]["total_tokens"] == quota(account_server, token)["used"]["tokens"]


def test_generate_purpose_counts_an_article(account_server, token):
    r = httpx.post(
        f"{account_server.api}/ai/chat/completions",
        json=chat_body(),
        headers=bearer(token, **{"X-Inkbench-Purpose": "generate"}),
    )
    assert r.status_code == 200
    assert quota(account_server, token)["used"]["articles"] == 1


@pytest.mark.parametrize("stream", [False, True])
def test_quota_exceeded_is_429_before_any_upstream_call(account_server, token, upstream, stream):
    account_server.set_plan("free", articles=None, tokens=5)
    api = account_server.api
    upstream.behaviour.words = 100
    r = httpx.post(f"{api}/ai/chat/completions", json=chat_body("w " * 10), headers=bearer(token))
    # the last call may overrun by its prompt; its reply is cut to what was left
    assert r.status_code == 200
    assert r.json()["usage"]["completion_tokens"] == 1
    calls = len(upstream.chat_requests())
    r = httpx.post(
        f"{api}/ai/chat/completions", json=chat_body(stream=stream), headers=bearer(token)
    )
    assert r.status_code == 429
    assert r.json()["error"]["code"] == "quota_exceeded"
    assert len(upstream.chat_requests()) == calls
    assert quota(account_server, token)["remaining"]["tokens"] == 0


def test_article_limit_refuses_generate_but_not_chat(account_server, token, upstream):
    account_server.set_plan("free", articles=0, tokens=None)
    api = account_server.api
    r = httpx.post(
        f"{api}/ai/chat/completions",
        json=chat_body(),
        headers=bearer(token, **{"X-Inkbench-Purpose": "generate"}),
    )
    assert r.status_code == 429
    assert upstream.chat_requests() == []
    r = httpx.post(f"{api}/ai/chat/completions", json=chat_body(), headers=bearer(token))
    assert r.status_code == 200


@pytest.mark.parametrize("stream", [False, True])
def test_idempotent_retry_returns_same_result_and_charges_once(
    account_server, token, upstream, stream
):
    api = account_server.api
    headers = bearer(token, **{"Idempotency-Key": "item-42-attempt"})
    first = httpx.post(f"{api}/ai/chat/completions", json=chat_body(stream=stream), headers=headers)
    upstream.behaviour.reply = "a different answer"  # a second upstream call would show
    second = httpx.post(
        f"{api}/ai/chat/completions", json=chat_body(stream=stream), headers=headers
    )
    assert first.status_code == second.status_code == 200
    assert second.headers.get("Idempotent-Replayed") == "true"
    if stream:
        assert streamed_text(sse_events(first.content)) == "echo: hello there"
        assert streamed_text(sse_events(second.content)) == "echo: hello there"
        assert sse_events(second.content)[-1] == "[DONE]"
    else:
        assert first.json() == second.json()
    assert len(upstream.chat_requests()) == 1
    assert len(account_server.usage_rows("alice")) == 1


def test_same_key_with_a_different_body_is_refused(account_server, token):
    api = account_server.api
    headers = bearer(token, **{"Idempotency-Key": "k1"})
    httpx.post(f"{api}/ai/chat/completions", json=chat_body("one"), headers=headers)
    r = httpx.post(f"{api}/ai/chat/completions", json=chat_body("two"), headers=headers)
    assert r.status_code == 422
    assert r.json()["error"]["code"] == "idempotency_key_reused"


def test_keys_are_per_user(account_server, upstream):
    account_server.add_user("bob")
    a = account_server.login("alice")["access_token"]
    b = account_server.login("bob")["access_token"]
    api = account_server.api
    httpx.post(
        f"{api}/ai/chat/completions",
        json=chat_body(),
        headers=bearer(a, **{"Idempotency-Key": "k"}),
    )
    r = httpx.post(
        f"{api}/ai/chat/completions",
        json=chat_body(),
        headers=bearer(b, **{"Idempotency-Key": "k"}),
    )
    assert r.status_code == 200
    assert "Idempotent-Replayed" not in r.headers  # bob never sees alice's stored answer
    assert len(upstream.chat_requests()) == 2


def test_upstream_cut_mid_stream_is_an_error_event_and_not_charged(account_server, token):
    api = account_server.api
    headers = bearer(token, **{"Idempotency-Key": "cut-1"})
    body = chat_body("one two three four five six", stream=True)
    account_server.upstream.behaviour.fail_next("cut")
    r = httpx.post(f"{api}/ai/chat/completions", json=body, headers=headers)
    events = sse_events(r.content)
    assert "[DONE]" not in events
    assert events[-1]["error"]["code"] == "upstream_error"
    assert 0 < len(streamed_text(events)) < len("echo: one two three four five six")
    assert account_server.usage_rows() == []
    # the retry with the same key goes upstream again and is charged once
    r = httpx.post(f"{api}/ai/chat/completions", json=body, headers=headers)
    assert streamed_text(sse_events(r.content)) == "echo: one two three four five six"
    assert len(account_server.usage_rows()) == 1


def test_client_gone_mid_stream_is_finished_charged_once_and_replayed(
    account_server, token, upstream
):
    """The client's connection drops half way: the server still reads the
    reply to its end, charges it once, and replays it on the retry."""
    upstream.behaviour.words = 40
    upstream.behaviour.chunk_delay = 0.02
    api = account_server.api
    headers = bearer(token, **{"Idempotency-Key": "gone-1"})
    with httpx.stream(
        "POST", f"{api}/ai/chat/completions", json=chat_body(stream=True), headers=headers
    ) as r:
        for n, _ in enumerate(r.iter_raw()):
            if n == 3:
                break  # leaving the block closes the connection mid-stream
    r = httpx.post(
        f"{api}/ai/chat/completions", json=chat_body(stream=True), headers=headers, timeout=10
    )
    assert r.status_code == 200
    assert streamed_text(sse_events(r.content)) == "".join(f"w{i} " for i in range(40)).strip()
    assert len(upstream.chat_requests()) == 1
    assert len(account_server.usage_rows()) == 1


@pytest.mark.parametrize(
    ("mode", "status", "code"),
    [
        ("500", 502, "upstream_error"),
        ("slow", 504, "upstream_timeout"),
        ("429", 503, "upstream_busy"),
    ],
)
@pytest.mark.parametrize("stream", [False, True])
def test_upstream_failures_map_to_clear_codes(
    account_server, token, upstream, mode, status, code, stream
):
    upstream.behaviour.fail_next(mode)
    r = httpx.post(
        f"{account_server.api}/ai/chat/completions",
        json=chat_body(stream=stream),
        headers=bearer(token, **{"Idempotency-Key": f"f-{mode}"}),
        timeout=10,
    )
    assert r.status_code == status
    assert r.json()["error"]["code"] == code
    assert account_server.usage_rows() == []
    # nothing stored under the key: the retry runs
    r = httpx.post(
        f"{account_server.api}/ai/chat/completions",
        json=chat_body(stream=stream),
        headers=bearer(token, **{"Idempotency-Key": f"f-{mode}"}),
    )
    assert r.status_code == 200


def test_upstream_down_is_502(account_server, token):
    account_server.app.state.inkbench.upstream.base = "http://127.0.0.1:9/v1/"  # nothing listens
    r = httpx.post(
        f"{account_server.api}/ai/chat/completions", json=chat_body(), headers=bearer(token)
    )
    assert r.status_code == 502
    assert r.json()["error"]["code"] == "upstream_unreachable"


def test_bad_chat_requests_are_refused_before_upstream(account_server, token, upstream):
    api = account_server.api
    for body in ({"messages": []}, {"model": "m"}, {"model": "m", "messages": []}):
        r = httpx.post(f"{api}/ai/chat/completions", json=body, headers=bearer(token))
        assert r.status_code == 422
        assert r.json()["error"]["code"] == "invalid_request"
    r = httpx.post(f"{api}/ai/chat/completions", content=b"{", headers=bearer(token))
    assert r.status_code == 400
    assert upstream.chat_requests() == []


def test_one_user_cannot_see_another_users_usage(account_server):
    account_server.add_user("bob")
    a = account_server.login("alice")["access_token"]
    b = account_server.login("bob")["access_token"]
    httpx.post(f"{account_server.api}/ai/chat/completions", json=chat_body(), headers=bearer(a))
    assert quota(account_server, a)["used"]["tokens"] > 0
    assert quota(account_server, b)["used"] == {"articles": 0, "tokens": 0}
    # no parameter lets bob ask for alice
    r = httpx.get(f"{account_server.api}/quota?user=alice&user_id=1", headers=bearer(b))
    assert r.json()["used"]["tokens"] == 0


def test_models_lists_upstream_models(account_server, token):
    r = httpx.get(f"{account_server.api}/ai/models", headers=bearer(token))
    assert r.status_code == 200
    assert "fake-small" in [m["id"] for m in r.json()["data"]]
    assert httpx.get(f"{account_server.api}/ai/models").status_code == 401


def test_health_reports_database_upstream_and_the_version_only_to_users(account_server, token):
    r = httpx.get(f"{account_server.api}/health")
    assert r.status_code == 200
    data = r.json()
    assert data["database"] == "ok" and data["upstream"] == "ok" and data["status"] == "ok"
    assert "version" not in data  # an anonymous caller learns no version
    bad = httpx.get(f"{account_server.api}/health", headers=bearer("ink_a_forged")).json()
    assert "version" not in bad
    assert httpx.get(f"{account_server.api}/health", headers=bearer(token)).json()["version"]


def test_health_can_be_configured_to_show_the_version(server_with):
    srv = server_with(health_shows_version=True)
    assert httpx.get(f"{srv.api}/health").json()["version"]


def test_no_token_or_password_in_any_log_line(account_server, upstream):
    api = account_server.api
    r = httpx.post(f"{api}/auth/login", json={"username": "alice", "password": "not-the-password"})
    assert r.status_code == 401
    pair = account_server.login("alice")
    access, refresh = pair["access_token"], pair["refresh_token"]
    httpx.post(f"{api}/ai/chat/completions", json=chat_body(), headers=bearer(access))
    httpx.post(f"{api}/ai/chat/completions", json=chat_body(stream=True), headers=bearer(access))
    new = httpx.post(f"{api}/auth/refresh", json={"refresh_token": refresh}).json()
    httpx.post(f"{api}/auth/refresh", json={"refresh_token": refresh})  # reuse
    httpx.get(f"{api}/quota", headers=bearer("ink_a_forged-token-value"))
    httpx.post(f"{api}/auth/logout", headers=bearer(new["access_token"]))
    logs = account_server.logs.text
    assert "login" in logs and "/api/ai/chat/completions" in logs  # the capture works
    for secret in (
        PASSWORD,
        "not-the-password",
        access,
        refresh,
        new["access_token"],
        new["refresh_token"],
        "ink_a_forged-token-value",
    ):
        assert secret not in logs


def test_upstream_key_comes_from_the_named_variable_and_stays_out_of_logs(
    upstream, tmp_path, monkeypatch
):
    from tests.fakes.fixtures import start_account_server, stop_account_server

    monkeypatch.setenv("MY_UPSTREAM_KEY", "sk-upstream-secret-1")
    upstream.behaviour.require_key = "sk-upstream-secret-1"
    srv = start_account_server(
        upstream, f"sqlite:///{tmp_path / 's.db'}", upstream_key_env="MY_UPSTREAM_KEY"
    )
    try:
        srv.add_user("zoe")
        token = srv.login("zoe")["access_token"]
        for stream in (False, True):
            r = httpx.post(
                f"{srv.api}/ai/chat/completions",
                json=chat_body(stream=stream),
                headers=bearer(token),
            )
            assert r.status_code == 200
        assert httpx.get(f"{srv.api}/ai/models", headers=bearer(token)).status_code == 200
        upstream.behaviour.require_key = "another key"
        r = httpx.post(f"{srv.api}/ai/chat/completions", json=chat_body(), headers=bearer(token))
        assert r.status_code == 502
        assert r.json()["error"] == {
            "code": "upstream_error",
            "message": "the AI service refused the server's key",
        }
        assert "chat:" in srv.logs.text  # the capture saw the calls
        assert "sk-upstream-secret-1" not in srv.logs.text
    finally:
        stop_account_server(srv)
