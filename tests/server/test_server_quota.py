"""Quota decided by the server: what counts as an article does not depend
on a header the client chooses, and tokens and articles are reserved before
the upstream call, so concurrent calls cannot overrun the plan."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx
import openai


def bearer(token: str, **extra) -> dict:
    return {"Authorization": f"Bearer {token}", **extra}


def body(text: str = "write please", **extra) -> dict:
    return {"model": "fake-small", "messages": [{"role": "user", "content": text}]} | extra


def used(srv, token) -> dict:
    return httpx.get(f"{srv.api}/quota", headers=bearer(token)).json()["used"]


def test_the_stock_openai_client_is_charged_an_article_for_an_article(server_with, upstream):
    srv = server_with(article_min_tokens=50)
    srv.set_plan("free", articles=1, tokens=None)
    token = srv.login("alice")["access_token"]
    client = openai.OpenAI(base_url=f"{srv.api}/ai", api_key=token, max_retries=0)
    upstream.behaviour.words = 200  # an article-sized reply, no purpose header sent
    first = client.chat.completions.create(
        model="fake-small", messages=[{"role": "user", "content": "an article"}]
    )
    assert len(first.choices[0].message.content.split()) == 200
    assert used(srv, token)["articles"] == 1
    # the plan's one article is spent: a second call cannot produce another,
    # whatever it calls itself; its reply is cut below an article's size
    for headers in ({}, {"X-Inkbench-Purpose": "chat"}, {"X-Inkbench-Purpose": "distill"}):
        second = client.chat.completions.create(
            model="fake-small",
            messages=[{"role": "user", "content": "another article"}],
            extra_headers=headers,
        )
        assert len(second.choices[0].message.content.split()) < 50
        assert second.choices[0].finish_reason == "length"
    assert used(srv, token)["articles"] == 1
    assert upstream.chat_requests()[-1].body["max_tokens"] == 49
    r = httpx.post(
        f"{srv.api}/ai/chat/completions",
        json=body(),
        headers=bearer(token, **{"X-Inkbench-Purpose": "generate"}),
    )
    assert r.status_code == 429 and r.json()["error"]["code"] == "quota_exceeded"


def test_short_replies_are_not_articles(server_with, upstream):
    srv = server_with(article_min_tokens=50)
    token = srv.login("alice")["access_token"]
    r = httpx.post(f"{srv.api}/ai/chat/completions", json=body("hi"), headers=bearer(token))
    assert r.status_code == 200
    assert used(srv, token)["articles"] == 0


def _burst(srv, token, n: int, *, stream: bool = False, headers=None) -> list[int]:
    def one(i: int) -> int:
        with httpx.Client(timeout=30) as c:
            r = c.post(
                f"{srv.api}/ai/chat/completions",
                json=body(f"request {i}", stream=stream),
                headers=bearer(token, **(headers or {})),
            )
            r.read()
            return r.status_code

    with ThreadPoolExecutor(n) as pool:
        return list(pool.map(one, range(n)))


def test_concurrent_calls_cannot_overrun_the_token_limit(server_with, upstream):
    srv = server_with()
    srv.set_plan("free", articles=None, tokens=1000)
    token = srv.login("alice")["access_token"]
    upstream.behaviour.words = 150
    upstream.behaviour.chunk_delay = 0.01  # the calls overlap
    statuses = _burst(srv, token, 16, stream=True)
    assert set(statuses) <= {200, 429} and 200 in statuses and 429 in statuses
    rows = srv.usage_rows("alice")
    assert len(rows) == statuses.count(200)
    # the reservation rounding: the last call admitted may overrun by its prompt
    assert sum(r.prompt_tokens + r.completion_tokens for r in rows) <= 1000 + 10
    # every call the upstream saw carried a cap: together they fit the plan
    sent = [r.body.get("max_tokens") for r in upstream.chat_requests()]
    assert len(sent) == statuses.count(200)
    assert all(isinstance(m, int) and m > 0 for m in sent)


def test_concurrent_generate_calls_cannot_overrun_the_article_limit(server_with, upstream):
    srv = server_with()
    srv.set_plan("free", articles=3, tokens=None)
    token = srv.login("alice")["access_token"]
    upstream.behaviour.chunk_delay = 0.02
    statuses = _burst(srv, token, 10, headers={"X-Inkbench-Purpose": "generate"})
    assert statuses.count(200) == 3 and statuses.count(429) == 7
    assert used(srv, token)["articles"] == 3
    assert len(upstream.chat_requests()) == 3


def test_a_failed_call_gives_its_reservation_back(server_with, upstream):
    srv = server_with()
    srv.set_plan("free", articles=1, tokens=None)
    token = srv.login("alice")["access_token"]
    upstream.behaviour.fail_next("500")
    hdr = bearer(token, **{"X-Inkbench-Purpose": "generate"})
    r = httpx.post(f"{srv.api}/ai/chat/completions", json=body(), headers=hdr)
    assert r.status_code == 502
    r = httpx.post(f"{srv.api}/ai/chat/completions", json=body(), headers=hdr)
    assert r.status_code == 200
    assert used(srv, token)["articles"] == 1


def test_parallel_calls_without_max_tokens_do_not_each_hold_the_plan(server_with, upstream):
    srv = server_with(default_max_tokens=200)
    srv.set_plan("free", articles=None, tokens=10_000)
    token = srv.login("alice")["access_token"]
    upstream.behaviour.words = 100
    upstream.behaviour.chunk_delay = 0.01
    assert _burst(srv, token, 8, stream=True) == [200] * 8
    assert {r.body["max_tokens"] for r in upstream.chat_requests()} == {200}


def test_quota_counts_reservations_of_calls_in_flight(server_with, upstream):
    srv = server_with(reservation_ttl=3600)
    srv.set_plan("free", articles=None, tokens=100)
    token = srv.login("alice")["access_token"]
    upstream.behaviour.words = 40
    upstream.behaviour.chunk_delay = 0.05
    with httpx.stream(
        "POST",
        f"{srv.api}/ai/chat/completions",
        json=body("x", stream=True),
        headers=bearer(token),
    ) as r:
        chunks = r.iter_raw()
        next(chunks)  # the call is running: its reservation is held
        q = httpx.get(f"{srv.api}/quota", headers=bearer(token)).json()
        assert q["used"]["tokens"] == 0 and q["remaining"]["tokens"] < 100
        for _ in chunks:
            pass
    q = httpx.get(f"{srv.api}/quota", headers=bearer(token)).json()
    assert q["used"]["tokens"] + q["remaining"]["tokens"] == 100
