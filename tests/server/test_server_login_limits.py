"""Login rate limits hold under concurrency and forgery, and cannot be
turned against the account's owner; a login hashes the password once."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx

from tests.fakes.fixtures import PASSWORD


def attempt(srv, user="alice", password="wrong password", forwarded: str | None = None) -> int:
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    r = httpx.post(
        f"{srv.api}/auth/login",
        json={"username": user, "password": password},
        headers=headers,
        timeout=30,
    )
    if r.status_code == 429:
        assert r.json()["error"]["code"] == "rate_limited"
    return r.status_code


def test_a_concurrent_burst_of_guesses_cannot_pass_the_limit(server_with):
    srv = server_with(login_max_per_user=5, login_max_per_address=5)
    with ThreadPoolExecutor(20) as pool:
        statuses = list(pool.map(lambda _i: attempt(srv), range(20)))
    assert statuses.count(401) <= 5
    assert statuses.count(429) >= 15


def test_the_trusted_proxys_hop_is_the_address(server_with):
    srv = server_with(trust_forwarded_for=True, login_max_per_address=3)
    # the client writes whatever it likes on the left; the proxy appends
    # the address it saw on the right
    statuses = [
        attempt(srv, user=f"nobody{i}", forwarded=f"10.0.0.{i}, 203.0.113.9") for i in range(6)
    ]
    assert statuses == [401, 401, 401, 429, 429, 429]
    # another real address is not affected
    assert attempt(srv, user="nobody", forwarded="10.0.0.1, 203.0.113.10") == 401


def test_a_long_forged_address_is_counted_not_truncated_away(server_with):
    srv = server_with(trust_forwarded_for=True, login_max_per_address=3)
    forged = "1" * 5000
    statuses = [attempt(srv, user=f"nobody{i}", forwarded=forged) for i in range(5)]
    assert statuses == [401, 401, 401, 429, 429]


def test_wrong_passwords_from_elsewhere_do_not_lock_the_owner_out(server_with):
    srv = server_with(trust_forwarded_for=True, login_max_per_user=5)
    # a flood of wrong guesses for alice from many addresses
    for i in range(12):
        attempt(srv, forwarded=f"198.51.100.{i}")
    # the attackers' addresses are now refused on this account ...
    assert attempt(srv, forwarded="198.51.100.3") == 429
    assert attempt(srv, password=PASSWORD, forwarded="198.51.100.3") == 429
    # ... and the owner, from an address with no failures, logs in
    assert attempt(srv, password=PASSWORD, forwarded="192.0.2.7") == 200


def test_a_login_hashes_the_password_once(account_server):
    hasher = account_server.app.state.inkbench.passwords  # the real one, counted
    calls = []
    verify, hash_ = hasher.verify, hasher.hash

    def counted_verify(*args, **kwargs):
        calls.append("verify")
        return verify(*args, **kwargs)

    def counted_hash(*args, **kwargs):
        calls.append("hash")
        return hash_(*args, **kwargs)

    hasher.verify, hasher.hash = counted_verify, counted_hash
    try:
        account_server.login("alice")
        assert calls == ["verify"]
        calls.clear()
        assert attempt(account_server) == 401
        assert calls == ["verify"]
    finally:
        del hasher.verify, hasher.hash
