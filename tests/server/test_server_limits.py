"""Request bodies: capped (from Content-Length and while a chunked body
streams in) with 413 in the error shape, and the AI proxy knows who is
asking before it reads a byte; reads do not wait for SQLite's write lock."""

from __future__ import annotations

import socket
import sqlite3

import httpx

from tests.fakes.fixtures import PASSWORD


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def test_an_oversized_login_body_is_413_from_its_content_length(server_with):
    srv = server_with(max_auth_body=1024)
    r = httpx.post(
        f"{srv.api}/auth/login", json={"username": "alice", "password": "x" * 2000}, timeout=10
    )
    assert r.status_code == 413
    error = r.json()["error"]
    assert error["code"] == "too_large" and "1024 bytes" in error["message"]
    # a body under the cap is served as before
    ok = httpx.post(f"{srv.api}/auth/login", json={"username": "alice", "password": PASSWORD})
    assert ok.status_code == 200


def test_a_chunked_body_is_cut_off_at_the_cap(server_with):
    srv = server_with(max_auth_body=4096, max_ai_body=64 * 1024)
    token = srv.login("alice")["access_token"]

    def chunks(total: int):
        yield b'{"model": "fake-small", "messages": [{"role": "user", "content": "'
        for _ in range(total // 1024):
            yield b"a" * 1024
        yield b'"}]}'

    r = httpx.post(
        f"{srv.api}/ai/chat/completions", content=chunks(200 * 1024), headers=bearer(token)
    )
    assert "content-length" not in r.request.headers  # it really was chunked
    assert r.status_code == 413 and r.json()["error"]["code"] == "too_large"
    login = httpx.post(
        f"{srv.api}/auth/login",
        content=(b"x" * 1024 for _ in range(10)),
        headers={"Content-Type": "application/json"},
    )
    assert login.status_code == 413
    small = httpx.post(
        f"{srv.api}/ai/chat/completions", content=chunks(2048), headers=bearer(token)
    )
    assert small.status_code == 200


def test_the_ai_proxy_refuses_a_stranger_before_reading_the_body(server_with):
    srv = server_with()
    # headers announce a large body that never comes: a server reading the
    # body first would wait for it; one that authenticates first answers
    with socket.create_connection(("127.0.0.1", srv.server.port), timeout=10) as sock:
        sock.sendall(
            b"POST /api/ai/chat/completions HTTP/1.1\r\nHost: x\r\n"
            b"Authorization: Bearer ink_a_forged\r\nContent-Type: application/json\r\n"
            b"Content-Length: 4000000\r\n\r\n"
        )
        sock.settimeout(5)
        head = sock.recv(4096)
    assert head.startswith(b"HTTP/1.1 401")


def test_token_lookups_do_not_wait_for_the_write_lock(server_with, tmp_path):
    srv = server_with()
    token = srv.login("alice")["access_token"]
    holder = sqlite3.connect(tmp_path / "server0.db", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another process is writing
    try:
        # a reader queued behind the writer would wait out the busy timeout (30 s)
        r = httpx.get(f"{srv.api}/quota", headers=bearer(token), timeout=10)
        assert r.status_code == 200
    finally:
        holder.execute("ROLLBACK")
        holder.close()
