"""The admin path for a compromised account (``inkbench-server users ...``),
sessions' absolute lifetime, and the purge of rows nothing reads again."""

from __future__ import annotations

from datetime import timedelta

import httpx
from sqlalchemy import select, update

from inkbench.server.models import (
    AuthSession,
    IdempotencyRecord,
    RetiredRefresh,
    User,
    utcnow,
)
from tests.fakes.fixtures import PASSWORD
from tests.server.test_server_cli import admin


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def quota_status(srv, token: str) -> int:
    return httpx.get(f"{srv.api}/quota", headers=bearer(token)).status_code


def test_users_list(account_server, capsys, monkeypatch):
    account_server.add_user("bob", plan="pro")
    account_server.login("alice")
    code, out, _ = admin(
        capsys, monkeypatch, "users", "list", "--db", account_server.settings.db_url
    )
    assert code == 0
    lines = out.splitlines()
    alice = next(line for line in lines if line.startswith("alice"))
    bob = next(line for line in lines if line.startswith("bob"))
    assert alice.split()[1:4] == ["free", "active", "1"]
    assert bob.split()[1:4] == ["pro", "active", "0"]


def test_users_disable_ends_sessions_and_enable_lets_them_back(account_server, capsys, monkeypatch):
    db = account_server.settings.db_url
    pair = account_server.login("alice")
    code, out, _ = admin(capsys, monkeypatch, "users", "disable", "alice", "--db", db)
    assert code == 0 and "disabled" in out
    assert quota_status(account_server, pair["access_token"]) == 401
    r = httpx.post(
        f"{account_server.api}/auth/refresh", json={"refresh_token": pair["refresh_token"]}
    )
    assert r.status_code == 401
    r = httpx.post(
        f"{account_server.api}/auth/login", json={"username": "alice", "password": PASSWORD}
    )
    assert r.status_code == 401
    code, out, _ = admin(capsys, monkeypatch, "users", "enable", "alice", "--db", db)
    assert code == 0 and "enabled" in out
    assert quota_status(account_server, account_server.login("alice")["access_token"]) == 200


def test_users_delete(account_server, capsys, monkeypatch):
    db = account_server.settings.db_url
    token = account_server.login("alice")["access_token"]
    code, out, _ = admin(capsys, monkeypatch, "users", "delete", "alice", "--db", db)
    assert code == 0 and "deleted" in out
    assert quota_status(account_server, token) == 401
    with account_server.db.read() as s:
        assert s.scalar(select(User).where(User.username == "alice")) is None
    code, _, err = admin(capsys, monkeypatch, "users", "delete", "alice", "--db", db)
    assert code == 1 and err.strip() == "inkbench-server: no user named 'alice'"


def test_users_reset_password(account_server, capsys, monkeypatch):
    db = account_server.settings.db_url
    token = account_server.login("alice")["access_token"]
    code, out, _ = admin(
        capsys, monkeypatch, "users", "reset-password", "alice", "--db", db, stdin="brand new pw\n"
    )
    assert code == 0 and "new password" in out
    assert quota_status(account_server, token) == 401  # the old sessions are over
    assert account_server.login("alice", "brand new pw")["access_token"]
    r = httpx.post(
        f"{account_server.api}/auth/login", json={"username": "alice", "password": PASSWORD}
    )
    assert r.status_code == 401
    code, _, err = admin(
        capsys, monkeypatch, "users", "reset-password", "alice", "--db", db, stdin="short\n"
    )
    assert code == 1 and "at least 8" in err


def test_users_revoke_sessions(account_server, capsys, monkeypatch):
    db = account_server.settings.db_url
    tokens = [account_server.login("alice")["access_token"] for _ in range(2)]
    code, out, _ = admin(capsys, monkeypatch, "users", "revoke-sessions", "alice", "--db", db)
    assert code == 0 and out.strip() == "ended 2 sessions of alice"
    assert [quota_status(account_server, t) for t in tokens] == [401, 401]
    assert quota_status(account_server, account_server.login("alice")["access_token"]) == 200


def test_a_session_has_an_absolute_lifetime(server_with):
    srv = server_with(session_max_age=30 * 86400, refresh_ttl=20 * 86400)
    pair = srv.login("alice")
    # sliding refreshes keep it alive ...
    r = httpx.post(f"{srv.api}/auth/refresh", json={"refresh_token": pair["refresh_token"]})
    assert r.status_code == 200
    pair = r.json()
    # ... until it is older than session_max_age, however recently refreshed
    with srv.db.session() as s:
        s.execute(update(AuthSession).values(created_at=utcnow() - timedelta(days=31)))
    r = httpx.post(f"{srv.api}/auth/refresh", json={"refresh_token": pair["refresh_token"]})
    assert r.status_code == 401 and r.json()["error"]["code"] == "token_expired"


def test_access_tokens_never_outlive_the_session(server_with):
    srv = server_with(session_max_age=60, access_ttl=900)
    assert srv.login("alice")["expires_in"] <= 60


def test_purge_removes_retired_refresh_rows_and_stuck_claims(account_server, capsys, monkeypatch):
    db = account_server.settings.db_url
    pair = account_server.login("alice")
    r = httpx.post(
        f"{account_server.api}/auth/refresh", json={"refresh_token": pair["refresh_token"]}
    )
    assert r.status_code == 200
    with account_server.db.session() as s:
        user_id = s.scalar(select(User.id).where(User.username == "alice"))
        now = utcnow()
        s.add(
            IdempotencyRecord(
                user_id=user_id,
                key="stuck",
                request_hash="x",
                state="running",
                lease_until=now - timedelta(hours=2),  # its process died
                created_at=now - timedelta(hours=3),
            )
        )
        s.add(
            IdempotencyRecord(
                user_id=user_id,
                key="live",
                request_hash="x",
                state="running",
                lease_until=now + timedelta(minutes=5),
                created_at=now,
            )
        )
        # the session the retired token belongs to ends
        s.execute(update(AuthSession).values(revoked_at=now, revoke_reason="logout"))
    code, out, _ = admin(capsys, monkeypatch, "purge", "--db", db)
    assert code == 0 and "retired refresh 1" in out and "idempotency 1" in out
    with account_server.db.read() as s:
        assert s.scalars(select(RetiredRefresh)).all() == []
        assert [r.key for r in s.scalars(select(IdempotencyRecord))] == ["live"]


def test_the_server_purges_on_its_own(server_with):
    srv = server_with(purge_every=1)
    with srv.db.session() as s:
        user_id = s.scalar(select(User.id).where(User.username == "alice"))
        now = utcnow()
        s.add(
            IdempotencyRecord(
                user_id=user_id,
                key="stuck",
                request_hash="x",
                state="running",
                lease_until=now - timedelta(hours=2),
                created_at=now - timedelta(hours=3),
            )
        )
    import time

    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        with srv.db.read() as s:
            if s.get(IdempotencyRecord, (user_id, "stuck")) is None:
                break
        time.sleep(0.2)
    with srv.db.read() as s:
        assert s.get(IdempotencyRecord, (user_id, "stuck")) is None
