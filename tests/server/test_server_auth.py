"""Login, refresh rotation, reuse revocation, logout, 401s, rate limits."""

from __future__ import annotations

import httpx

from tests.fakes.fixtures import PASSWORD


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def test_login_returns_tokens_and_user(account_server):
    data = account_server.login("alice")
    assert data["user"]["username"] == "alice"
    assert data["user"]["plan"] == "free"
    assert data["expires_in"] > 0
    assert data["access_token"] != data["refresh_token"]
    r = httpx.get(f"{account_server.api}/quota", headers=bearer(data["access_token"]))
    assert r.status_code == 200
    assert r.json()["plan"] == "free"


def test_tokens_are_stored_hashed_not_as_issued(account_server):
    data = account_server.login("alice")
    from sqlalchemy import text

    with account_server.db.session() as s:
        dump = " ".join(
            str(row)
            for table in ("auth_session", "access_token", "account_user")
            for row in s.execute(text(f"SELECT * FROM {table}"))
        )
    assert data["access_token"] not in dump
    assert data["refresh_token"] not in dump
    assert PASSWORD not in dump
    assert "$argon2id$" in dump


def test_wrong_password_and_unknown_user_get_the_same_401(account_server):
    for name, pw in (("alice", "wrong password"), ("nobody", "whatever1")):
        r = httpx.post(f"{account_server.api}/auth/login", json={"username": name, "password": pw})
        assert r.status_code == 401
        assert r.json() == {
            "error": {"code": "invalid_credentials", "message": "wrong user name or password"}
        }


def test_requests_without_or_with_bad_token_get_401(account_server):
    api = account_server.api
    r = httpx.get(f"{api}/quota")
    assert r.status_code == 401
    assert r.json()["error"]["code"] == "not_authenticated"
    r = httpx.get(f"{api}/quota", headers=bearer("ink_a_forged"))
    assert r.status_code == 401
    assert r.json()["error"]["code"] == "invalid_token"
    r = httpx.post(f"{api}/ai/chat/completions", json={}, headers=bearer("nope"))
    assert r.status_code == 401


def test_refresh_rotates_and_reuse_revokes_the_session(account_server):
    api = account_server.api
    first = account_server.login("alice")
    r = httpx.post(f"{api}/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert r.status_code == 200
    second = r.json()
    assert second["refresh_token"] != first["refresh_token"]
    assert httpx.get(f"{api}/quota", headers=bearer(second["access_token"])).status_code == 200

    # the old refresh token comes back (stolen copy): rejected, and the session ends
    r = httpx.post(f"{api}/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert r.status_code == 401
    assert r.json()["error"]["code"] == "refresh_reused"
    r = httpx.get(f"{api}/quota", headers=bearer(second["access_token"]))
    assert r.status_code == 401
    r = httpx.post(f"{api}/auth/refresh", json={"refresh_token": second["refresh_token"]})
    assert r.status_code == 401
    assert r.json()["error"]["code"] == "session_revoked"


def test_reuse_revokes_only_that_session(account_server):
    api = account_server.api
    a = account_server.login("alice")
    b = account_server.login("alice")
    r = httpx.post(f"{api}/auth/refresh", json={"refresh_token": a["refresh_token"]})
    assert r.status_code == 200
    rotated = r.json()
    assert httpx.get(f"{api}/quota", headers=bearer(rotated["access_token"])).status_code == 200
    r = httpx.post(f"{api}/auth/refresh", json={"refresh_token": a["refresh_token"]})
    assert r.status_code == 401 and r.json()["error"]["code"] == "refresh_reused"
    # session a is over: its access token and the rotated refresh token stop working
    for token in (rotated["access_token"], a["access_token"]):
        r = httpx.get(f"{api}/quota", headers=bearer(token))
        assert r.status_code == 401
    r = httpx.post(f"{api}/auth/refresh", json={"refresh_token": rotated["refresh_token"]})
    assert r.status_code == 401 and r.json()["error"]["code"] == "session_revoked"
    # session b goes on: its access token works and its refresh token rotates
    assert httpx.get(f"{api}/quota", headers=bearer(b["access_token"])).status_code == 200
    r = httpx.post(f"{api}/auth/refresh", json={"refresh_token": b["refresh_token"]})
    assert r.status_code == 200
    assert httpx.get(f"{api}/quota", headers=bearer(r.json()["access_token"])).status_code == 200


def test_logout_revokes(account_server):
    api = account_server.api
    data = account_server.login("alice")
    r = httpx.post(f"{api}/auth/logout", headers=bearer(data["access_token"]))
    assert r.status_code == 204
    assert httpx.get(f"{api}/quota", headers=bearer(data["access_token"])).status_code == 401
    r = httpx.post(f"{api}/auth/refresh", json={"refresh_token": data["refresh_token"]})
    assert r.status_code == 401


def test_expired_access_token_is_refused(upstream, tmp_path):
    from tests.fakes.fixtures import start_account_server, stop_account_server

    srv = start_account_server(upstream, f"sqlite:///{tmp_path / 's.db'}", access_ttl=0)
    try:
        srv.add_user("bob")
        data = srv.login("bob")
        r = httpx.get(f"{srv.api}/quota", headers=bearer(data["access_token"]))
        assert r.status_code == 401
        assert r.json()["error"]["code"] == "token_expired"
    finally:
        stop_account_server(srv)


def test_wrong_passwords_are_rate_limited_per_user(account_server):
    api = account_server.api
    limit = account_server.settings.login_max_per_user
    for _ in range(limit):
        r = httpx.post(f"{api}/auth/login", json={"username": "alice", "password": "bad guess"})
        assert r.status_code == 401
    r = httpx.post(f"{api}/auth/login", json={"username": "alice", "password": "bad guess"})
    assert r.status_code == 429
    assert r.json()["error"]["code"] == "rate_limited"
    assert "Retry-After" in r.headers
    # even the right password waits now: guessing cannot continue
    r = httpx.post(f"{api}/auth/login", json={"username": "alice", "password": PASSWORD})
    assert r.status_code == 429


def test_wrong_passwords_are_rate_limited_per_address(upstream, tmp_path):
    from tests.fakes.fixtures import start_account_server, stop_account_server

    srv = start_account_server(upstream, f"sqlite:///{tmp_path / 's.db'}", login_max_per_address=3)
    try:
        srv.add_user("carol")
        for i in range(3):  # different user names from one address
            r = httpx.post(f"{srv.api}/auth/login", json={"username": f"u{i}", "password": "x"})
            assert r.status_code == 401
        r = httpx.post(f"{srv.api}/auth/login", json={"username": "carol", "password": PASSWORD})
        assert r.status_code == 429
    finally:
        stop_account_server(srv)


def test_errors_have_one_shape(account_server):
    api = account_server.api
    r = httpx.get(f"{api}/no/such/thing")
    assert r.status_code == 404
    assert set(r.json()["error"]) == {"code", "message"}
    r = httpx.post(f"{api}/auth/login", json={"username": "alice"})
    assert r.status_code == 422
    assert r.json()["error"]["code"] == "invalid_request"
    assert "password" in r.json()["error"]["message"]
    r = httpx.post(
        f"{api}/auth/login", content=b"not json", headers={"content-type": "application/json"}
    )
    assert r.status_code == 422
    assert set(r.json()["error"]) == {"code", "message"}
    r = httpx.get(f"{api}/auth/login")
    assert r.status_code == 405
    assert r.json()["error"]["code"] == "method_not_allowed"
