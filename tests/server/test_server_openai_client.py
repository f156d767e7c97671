"""The official ``openai`` client, pointed at ``/api/ai`` with an access
token as its API key, works unchanged: streaming, not, models, errors."""

from __future__ import annotations

import openai
import pytest


@pytest.fixture
def client(account_server):
    token = account_server.login("alice")["access_token"]
    c = openai.OpenAI(base_url=f"{account_server.api}/ai", api_key=token, max_retries=0)
    yield c
    c.close()


def test_non_streaming(client):
    r = client.chat.completions.create(
        model="fake-small", messages=[{"role": "user", "content": "hi there"}]
    )
    assert r.choices[0].message.content == "echo: hi there"
    assert r.usage.total_tokens == 5


def test_streaming_without_usage_gets_only_choices(client):
    stream = client.chat.completions.create(
        model="fake-small", messages=[{"role": "user", "content": "one two"}], stream=True
    )
    parts = [chunk.choices[0].delta.content or "" for chunk in stream]  # never an empty choices
    assert "".join(parts) == "echo: one two"


def test_streaming_with_usage(client, account_server):
    stream = client.chat.completions.create(
        model="fake-small",
        messages=[{"role": "user", "content": "one two"}],
        stream=True,
        stream_options={"include_usage": True},
    )
    chunks = list(stream)
    assert chunks[-1].usage.completion_tokens == 3
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == "echo: one two"
    assert len(account_server.usage_rows("alice")) == 1


def test_idempotency_key_through_the_client(client, upstream):
    for _ in range(2):
        r = client.chat.completions.create(
            model="fake-small",
            messages=[{"role": "user", "content": "same"}],
            extra_headers={"Idempotency-Key": "openai-1"},
        )
        assert r.choices[0].message.content == "echo: same"
    assert len(upstream.chat_requests()) == 1


def test_models(client):
    assert "fake-small" in [m.id for m in client.models.list()]


def test_errors_surface_as_openai_errors(client, account_server, upstream):
    account_server.set_plan("free", articles=None, tokens=0)
    with pytest.raises(openai.RateLimitError) as info:
        client.chat.completions.create(
            model="fake-small", messages=[{"role": "user", "content": "x"}]
        )
    assert info.value.code == "quota_exceeded"
    assert upstream.chat_requests() == []
    bad = openai.OpenAI(base_url=f"{account_server.api}/ai", api_key="nope", max_retries=0)
    with pytest.raises(openai.AuthenticationError):
        bad.models.list()
    bad.close()


def test_mid_stream_failure_raises_in_the_client(client, upstream):
    upstream.behaviour.words = 10
    upstream.behaviour.fail_next("cut")
    stream = client.chat.completions.create(
        model="fake-small", messages=[{"role": "user", "content": "x"}], stream=True
    )
    with pytest.raises(openai.APIError):
        for _ in stream:
            pass
