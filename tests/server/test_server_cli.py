"""``inkbench-server`` as an operator runs it: adduser, plans, and serving
with two worker processes sharing one database."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import httpx
import pytest

from tests.fakes.servers import free_port

CHEAP = {
    "INKBENCH_SERVER_ARGON2_TIME_COST": "1",
    "INKBENCH_SERVER_ARGON2_MEMORY_KIB": "64",
    "INKBENCH_SERVER_ARGON2_PARALLELISM": "1",
}


def server_cli(*args: str, stdin: str = "", env: dict | None = None):
    return subprocess.run(
        [sys.executable, "-m", "inkbench.server.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **CHEAP, **(env or {})},
    )


def streamed_text(body: str) -> str:
    out = []
    for line in body.splitlines():
        if line.startswith("data: {"):
            for choice in json.loads(line[6:]).get("choices") or []:
                out.append((choice.get("delta") or {}).get("content") or "")
    return "".join(out)


@pytest.fixture
def db_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'server.db'}"


def admin(capsys, monkeypatch, *args: str, stdin: str = "") -> tuple[int, str, str]:
    """``inkbench-server ARGS`` through its ``main`` in this process (the same
    code path, without paying for an interpreter start each time)."""
    import io

    from inkbench.server.cli import main

    for k, v in CHEAP.items():
        monkeypatch.setenv(k, v)
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_adduser_as_an_operator_runs_it(db_url):
    p = server_cli("--db", db_url, "adduser", "bob", "--plan", "pro", stdin="a long password\n")
    assert p.returncode == 0, p.stderr
    assert "added user bob" in p.stdout and "plan pro" in p.stdout
    p = server_cli("adduser", "bob", "--db", db_url, stdin="another password\n")
    assert p.returncode == 1 and p.stderr.strip() == "inkbench-server: user 'bob' already exists"


def test_adduser_refusals_and_plans(db_url, capsys, monkeypatch):
    code, _, err = admin(
        capsys,
        monkeypatch,
        "adduser",
        "carol",
        "--plan",
        "gold",
        "--db",
        db_url,
        stdin="a long password\n",
    )
    assert code == 1 and "no plan named 'gold'" in err and len(err.strip().splitlines()) == 1
    code, _, err = admin(capsys, monkeypatch, "--db", db_url, "adduser", "dave", stdin="short\n")
    assert code == 1 and "at least 8" in err
    code, out, _ = admin(
        capsys,
        monkeypatch,
        "plans",
        "set",
        "gold",
        "--articles",
        "5",
        "--tokens",
        "-1",
        "--db",
        db_url,
    )
    assert code == 0 and "gold: 5 articles, unlimited tokens" in out
    code, out, _ = admin(capsys, monkeypatch, "plans", "--db", db_url)
    assert code == 0
    rows = {line.split()[0]: line.split()[1:] for line in out.splitlines()[1:]}
    assert rows["gold"] == ["5", "unlimited"] and "free" in rows and "pro" in rows
    code, _, _ = admin(
        capsys, monkeypatch, "--db", db_url, "adduser", "erin", stdin="a long password\n"
    )
    assert code == 0
    code, out, _ = admin(capsys, monkeypatch, "userplan", "erin", "gold", "--db", db_url)
    assert code == 0 and "erin is on plan gold" in out
    code, _, err = admin(capsys, monkeypatch, "userplan", "nobody", "gold", "--db", db_url)
    assert code == 1 and "no user named 'nobody'" in err


def test_bad_database_url_is_one_line(tmp_path):
    p = server_cli("--db", f"sqlite:///{tmp_path}/no/such/dir/x.db", "plans")
    assert p.returncode == 1 and "Traceback" not in p.stderr
    assert p.stderr.startswith("inkbench-server: cannot open the server database")


def test_serve_with_two_workers(db_url, upstream, tmp_path):
    password = "operator password 1"
    assert server_cli("--db", db_url, "adduser", "erin", stdin=password + "\n").returncode == 0
    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "inkbench.server.cli",
            "--db",
            db_url,
            "--upstream",
            upstream.url,
            "--port",
            str(port),
            "--workers",
            "2",
            "--log-level",
            "debug",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, **CHEAP},
    )
    base = f"http://127.0.0.1:{port}/api"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert proc.poll() is None and time.monotonic() < deadline, "server did not start"
            time.sleep(0.1)
        # many calls spread over both workers: sessions, rotation and idempotency
        # all live in the database, so which worker answers does not matter
        pair = httpx.post(
            f"{base}/auth/login", json={"username": "erin", "password": password}
        ).json()
        tokens = [pair["access_token"], pair["refresh_token"]]
        headers = {"Authorization": f"Bearer {pair['access_token']}"}
        for _ in range(3):
            r = httpx.post(
                f"{base}/ai/chat/completions",
                json={
                    "model": "fake-small",
                    "messages": [{"role": "user", "content": "hi"}],
                    "stream": True,
                },
                headers={**headers, "Idempotency-Key": "same"},
            )
            assert r.status_code == 200
            assert streamed_text(r.text) == "echo: hi"
        assert len(upstream.chat_requests()) == 1
        refreshed = None
        for _ in range(4):
            r = httpx.post(f"{base}/auth/refresh", json={"refresh_token": tokens[-1]})
            assert r.status_code == 200
            refreshed = r.json()
            tokens += [refreshed["access_token"], refreshed["refresh_token"]]
        q = httpx.get(
            f"{base}/quota", headers={"Authorization": f"Bearer {refreshed['access_token']}"}
        ).json()
        assert q["used"]["tokens"] > 0
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            out, _ = proc.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, _ = proc.communicate()
    assert "Started parent process" in out or "Uvicorn running" in out
    for secret in [password, *tokens]:
        assert secret not in out
