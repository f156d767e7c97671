"""``inkbench login | logout | quota | ai models`` as a user runs them: a
subprocess, password on stdin, tokens in a keyring file, a real server."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.fakes import fixtures as fx
from tests.fakes.fixtures import PASSWORD
from tests.fakes.servers import free_port

_fake_upstream, upstream = fx._fake_upstream, fx.upstream
account_server, keyring_file = fx.account_server, fx.keyring_file


def run(home: Path, *args: str, stdin: str = "", env: dict | None = None):
    e = {**os.environ, "INKBENCH_HOME": str(home), **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "inkbench", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=e,
        timeout=60,
    )


@pytest.fixture
def home(tmp_path) -> Path:
    h = tmp_path / "home"
    h.mkdir()
    return h


def assert_one_line_error(proc, *fragments: str) -> None:
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    for f in fragments:
        assert f in lines[0]


def test_login_quota_logout(home, account_server, keyring_file):
    proc = run(
        home, "login", "--server", account_server.url, "--user", "alice", stdin=PASSWORD + "\n"
    )
    assert proc.returncode == 0, proc.stderr
    assert "logged in" in proc.stdout and "alice" in proc.stdout
    assert PASSWORD not in proc.stdout + proc.stderr

    proc = run(home, "quota", "--json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["plan"] == "free" and data["used"] == {"articles": 0, "tokens": 0}

    proc = run(home, "quota")
    assert proc.returncode == 0 and "plan free" in proc.stdout

    (home / "config.toml").write_text('[ai]\nmodel = "fake-small"\n')
    proc = run(home, "ai", "models")
    assert proc.returncode == 0 and "fake-small  (default)" in proc.stdout

    proc = run(home, "logout")
    assert proc.returncode == 0 and "logged out alice" in proc.stdout
    proc = run(home, "quota")
    assert_one_line_error(proc, "not logged in", "inkbench login")


def test_wrong_password_is_one_line(home, account_server, keyring_file):
    proc = run(home, "login", "--server", account_server.url, "--user", "alice", stdin="nope\n")
    assert_one_line_error(proc, "wrong user name or password")


def test_server_down_is_one_line_offline(home, keyring_file):
    down = f"http://127.0.0.1:{free_port()}"
    proc = run(home, "login", "--server", down, "--user", "alice", stdin=PASSWORD + "\n")
    assert_one_line_error(proc, f"offline: cannot reach {down}", "AI work waits")


def test_no_keyring_is_one_line_naming_the_opt_in(home, account_server):
    env = {"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    proc = run(
        home,
        "login",
        "--server",
        account_server.url,
        "--user",
        "alice",
        stdin=PASSWORD + "\n",
        env=env,
    )
    assert_one_line_error(proc, "no keyring backend", 'keyring = "file"')
    # the opt-in
    (home / "config.toml").write_text('[account]\nkeyring = "file"\n')
    env["INKBENCH_KEYRING_PASSWORD"] = "a file password"
    proc = run(
        home,
        "login",
        "--server",
        account_server.url,
        "--user",
        "alice",
        stdin=PASSWORD + "\n",
        env=env,
    )
    assert proc.returncode == 0, proc.stderr
    assert (home / "keyring.cfg").exists()
    proc = run(home, "quota", "--json", env=env)
    assert proc.returncode == 0 and json.loads(proc.stdout)["plan"] == "free"
