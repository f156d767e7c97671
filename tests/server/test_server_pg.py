"""PostgreSQL: two server instances on one database behave as one (sessions,
rotation, idempotency, rate limits and usage all live in the database).

Runs when INKBENCH_TEST_PG holds a URL such as
``postgresql+psycopg://postgres@127.0.0.1:5432/inkbench_test`` (see README,
Account server); each test works in a schema of its own and drops it after.
"""

from __future__ import annotations

import os
import threading
import uuid

import httpx
import pytest

from tests.fakes.fixtures import PASSWORD, start_account_server, stop_account_server

PG_URL = os.environ.get("INKBENCH_TEST_PG")
pytestmark = pytest.mark.skipif(
    not PG_URL, reason="INKBENCH_TEST_PG is not set (a PostgreSQL URL for the server tests)"
)


def _with_schema(url: str, schema: str) -> str:
    sep = "&" if "?" in url else "?"
    return f"{url}{sep}options=-csearch_path%3D{schema}"


@pytest.fixture
def pg_url():
    from sqlalchemy import create_engine, text

    pytest.importorskip("psycopg", reason="PostgreSQL tests need psycopg: pip install '.[pg]'")
    schema = "ink_" + uuid.uuid4().hex[:12]
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    yield _with_schema(PG_URL, schema)
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    admin.dispose()


@pytest.fixture
def two_servers(upstream, pg_url):
    a = start_account_server(upstream, pg_url)
    b = start_account_server(upstream, pg_url)
    a.add_user("alice")
    b.users["alice"] = PASSWORD
    yield a, b
    stop_account_server(a)
    stop_account_server(b)


def bearer(token: str, **extra) -> dict:
    return {"Authorization": f"Bearer {token}", **extra}


def test_sessions_and_rotation_are_shared(two_servers):
    a, b = two_servers
    pair = a.login("alice")
    assert httpx.get(f"{b.api}/quota", headers=bearer(pair["access_token"])).status_code == 200
    r = httpx.post(f"{b.api}/auth/refresh", json={"refresh_token": pair["refresh_token"]})
    assert r.status_code == 200
    new = r.json()
    r = httpx.post(f"{a.api}/auth/refresh", json={"refresh_token": pair["refresh_token"]})
    assert r.json()["error"]["code"] == "refresh_reused"
    assert httpx.get(f"{b.api}/quota", headers=bearer(new["access_token"])).status_code == 401
    r = httpx.post(f"{b.api}/auth/refresh", json={"refresh_token": new["refresh_token"]})
    assert r.status_code == 401 and r.json()["error"]["code"] == "session_revoked"


def test_idempotent_retry_on_the_other_instance_is_replayed(two_servers, upstream):
    a, b = two_servers
    token = a.login("alice")["access_token"]
    body = {"model": "fake-small", "messages": [{"role": "user", "content": "hi"}]}
    headers = bearer(token, **{"Idempotency-Key": "across"})
    first = httpx.post(f"{a.api}/ai/chat/completions", json=body, headers=headers)
    second = httpx.post(f"{b.api}/ai/chat/completions", json=body, headers=headers)
    assert first.json() == second.json()
    assert second.headers["Idempotent-Replayed"] == "true"
    assert len(upstream.chat_requests()) == 1
    q = httpx.get(f"{b.api}/quota", headers=bearer(token)).json()
    assert q["used"]["tokens"] == first.json()["usage"]["total_tokens"]


def test_concurrent_same_key_reaches_upstream_once(two_servers, upstream):
    a, b = two_servers
    upstream.behaviour.words = 20
    upstream.behaviour.chunk_delay = 0.02
    token = a.login("alice")["access_token"]
    body = {"model": "fake-small", "messages": [{"role": "user", "content": "x"}], "stream": True}
    results = []

    def call(srv):
        r = httpx.post(
            f"{srv.api}/ai/chat/completions",
            json=body,
            headers=bearer(token, **{"Idempotency-Key": "race"}),
            timeout=15,
        )
        results.append(r.status_code)

    threads = [threading.Thread(target=call, args=(s,)) for s in (a, b, a, b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [200] * 4
    assert len(upstream.chat_requests()) == 1
    assert len(a.usage_rows()) == 1


def test_the_ai_route_judges_a_token_as_every_other_route(two_servers, upstream):
    """On PostgreSQL the AI route looks its token up on the event loop
    (psycopg's async connections), the other routes through SQLAlchemy."""
    from tests.server.test_server_proxy_path import check_token_verdicts

    check_token_verdicts(two_servers[0], upstream)
    assert "token lookup on the event loop failed" not in two_servers[0].logs.text


def test_login_rate_limit_is_shared(two_servers):
    a, b = two_servers
    limit = a.settings.login_max_per_user
    for i in range(limit):
        srv = a if i % 2 else b
        r = httpx.post(f"{srv.api}/auth/login", json={"username": "alice", "password": "bad"})
        assert r.status_code == 401
    r = httpx.post(f"{a.api}/auth/login", json={"username": "alice", "password": "bad"})
    assert r.status_code == 429


def test_concurrent_start_ups_migrate_once(pg_url):
    from inkbench.server.db import Database

    errors = []

    def migrate():
        db = Database(pg_url)
        try:
            db.migrate()
        except Exception as e:  # collected and asserted below
            errors.append(e)
        finally:
            db.dispose()

    threads = [threading.Thread(target=migrate) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []


def test_concurrent_calls_on_both_instances_cannot_overrun_the_plan(two_servers, upstream):
    from concurrent.futures import ThreadPoolExecutor

    a, b = two_servers
    a.set_plan("free", articles=None, tokens=1000)
    token = a.login("alice")["access_token"]
    upstream.behaviour.words = 150
    upstream.behaviour.chunk_delay = 0.01

    def one(i: int) -> int:
        srv = a if i % 2 else b
        r = httpx.post(
            f"{srv.api}/ai/chat/completions",
            json={"model": "fake-small", "messages": [{"role": "user", "content": f"r {i}"}]},
            headers=bearer(token),
            timeout=30,
        )
        return r.status_code

    with ThreadPoolExecutor(16) as pool:
        statuses = list(pool.map(one, range(16)))
    assert set(statuses) <= {200, 429} and 429 in statuses
    rows = a.usage_rows()
    assert len(rows) == statuses.count(200)
    # the reservation rounding: the last call admitted may overrun by its prompt
    assert sum(r.prompt_tokens + r.completion_tokens for r in rows) <= 1000 + 10


def test_a_concurrent_login_burst_on_both_instances_cannot_pass_the_limit(two_servers):
    from concurrent.futures import ThreadPoolExecutor

    a, b = two_servers
    limit = a.settings.login_max_per_user

    def one(i: int) -> int:
        srv = a if i % 2 else b
        r = httpx.post(
            f"{srv.api}/auth/login", json={"username": "alice", "password": "bad"}, timeout=30
        )
        return r.status_code

    with ThreadPoolExecutor(20) as pool:
        statuses = list(pool.map(one, range(20)))
    assert statuses.count(401) <= limit


def test_concurrent_keyed_calls_on_a_limited_plan_are_all_served_once(two_servers, upstream):
    """Each call claims its own Idempotency-Key and reserves quota in one
    transaction. The claim's row references the user, so the user's lock
    must not conflict with that reference: with ``FOR UPDATE`` two such
    calls deadlocked and PostgreSQL aborted one (a 500)."""
    from concurrent.futures import ThreadPoolExecutor

    a, b = two_servers
    a.set_plan("free", articles=1000, tokens=1_000_000)
    token = a.login("alice")["access_token"]
    upstream.behaviour.words = 5

    def one(i: int) -> int:
        srv = a if i % 2 else b
        r = httpx.post(
            f"{srv.api}/ai/chat/completions",
            json={"model": "fake-small", "messages": [{"role": "user", "content": f"k {i}"}]},
            headers=bearer(token, **{"Idempotency-Key": f"key-{i}"}),
            timeout=60,
        )
        return r.status_code

    with ThreadPoolExecutor(24) as pool:
        statuses = list(pool.map(one, range(48)))
    assert statuses == [200] * 48
    keys = sorted(r.idempotency_key for r in a.usage_rows())
    assert keys == sorted(f"key-{i}" for i in range(48))


def test_a_settle_between_a_reservations_reads_is_not_counted_twice_as_free(pg_url):
    """Under READ COMMITTED every statement sees its own snapshot. A
    reservation that read the settled usage and the held reservations in two
    statements could see a call settle between them: its usage not yet, its
    reservation no longer. The call then looked free and a second call was
    given the same remaining tokens (a plan of 1,000 tokens ended at 1,083, once in a
    few runs of the test above). Here the settle commits right after the
    reservation's read of the usage, every time."""
    from sqlalchemy import event, select

    from inkbench.server import quota
    from inkbench.server.accounts import add_user, set_plan
    from inkbench.server.db import Database
    from inkbench.server.errors import ApiError
    from inkbench.server.models import User
    from inkbench.server.security import Passwords
    from tests.fakes.fixtures import cheap_settings

    db = Database(pg_url)
    other = Database(pg_url)
    try:
        db.migrate()
        with db.session() as s:
            set_plan(s, "small", articles=None, tokens=1000)
            add_user(s, Passwords(cheap_settings()), "carol", PASSWORD, plan="small")
        with db.session() as s:
            user_id = s.execute(select(User.id)).scalar_one()
            quota.record_usage(
                s,
                user_id=user_id,
                model="m",
                purpose="chat",
                prompt_tokens=12,
                completion_tokens=901,
            )
        body = {"model": "m", "messages": [{"role": "user", "content": "x"}], "max_tokens": 82}
        with db.session() as s:  # a call in flight holds the last 87 tokens
            held = quota.reserve(
                s, user_id=user_id, purpose="chat", body=body, article_min_tokens=300, ttl=600
            )
        assert held.tokens == 87  # its prompt's estimate (5) and its reply's cap (82)

        settled = []

        def settle_now(conn, cursor, statement, *args) -> None:
            if "usage_event" in statement and not settled:
                settled.append(True)
                with other.session() as s:  # the call in flight settles: it used all 87
                    quota.record_usage(
                        s,
                        user_id=user_id,
                        model="m",
                        purpose="chat",
                        prompt_tokens=5,
                        completion_tokens=82,
                        reservation_id=held.id,
                    )

        event.listen(db.engine, "after_cursor_execute", settle_now)
        with pytest.raises(ApiError) as refused, db.session() as s:
            quota.reserve(
                s, user_id=user_id, purpose="chat", body=body, article_min_tokens=300, ttl=600
            )
        assert settled and refused.value.code == "quota_exceeded"
    finally:
        db.dispose()
        other.dispose()
