# ruff: noqa: F811  (pytest fixtures imported from tests.fakes are used as arguments)
"""The client warns once, in one line, when the account server is plain
http:// on another machine. No traffic leaves this machine: requests to the
remote-looking server go through an HTTP proxy on 127.0.0.1 that refuses
them (so the name is never even looked up)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from inkbench.integrations.ai.plain_http import is_plain_remote, note_server, set_sink
from tests.fakes.fixtures import (  # noqa: F401
    _fake_upstream,
    account_server,
    keyring_file,
    upstream,
)
from tests.fakes.servers import free_port
from tests.tui.helpers import settle

REMOTE = "http://inkbench.example:8765"


@pytest.fixture
def refusing_proxy(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Environment sending every http:// request to a closed port on 127.0.0.1."""
    proxy = f"http://127.0.0.1:{free_port()}"
    env = {"HTTP_PROXY": proxy, "http_proxy": proxy, "ALL_PROXY": proxy, "all_proxy": proxy}
    env |= {"NO_PROXY": "", "no_proxy": ""}
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    return env


def test_which_urls_draw_the_warning() -> None:
    for url in (REMOTE, "http://10.1.2.3", "http://account.local/", "HTTP://Example.COM"):
        assert is_plain_remote(url), url
    for url in (
        "https://inkbench.example",
        "http://127.0.0.1:8765",
        "http://127.9.9.9",
        "http://localhost:8765",
        "http://app.localhost",
        "http://[::1]:8765",
        "not a url",
    ):
        assert not is_plain_remote(url), url


def test_the_warning_is_given_once_a_session() -> None:
    said: list[str] = []
    set_sink(said.append)
    try:
        assert note_server("http://127.0.0.1:8765") is False
        assert note_server(REMOTE) is True
        assert note_server(REMOTE) is False
        assert note_server("http://another.example") is False
    finally:
        set_sink(None)
    assert len(said) == 1 and "\n" not in said[0]
    assert REMOTE in said[0] and "https://" in said[0]


def _login(home: Path, server: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    exe = str(Path(sys.executable).with_name("inkbench"))
    return subprocess.run(
        [exe, "--home", str(home), "login", "--server", server, "--user", "alice"],
        input="correct horse battery\n",
        capture_output=True,
        text=True,
        env={**os.environ, **env, "LANGUAGE": "en"},
        timeout=60,
    )


def test_cli_login_to_a_plain_remote_server_warns_once(
    home: Path, keyring_file, refusing_proxy
) -> None:
    done = _login(home, REMOTE, refusing_proxy)
    assert done.returncode == 1  # the proxy refused: offline
    warnings = [line for line in done.stderr.splitlines() if "plain http://" in line]
    assert warnings == [
        f"warning: {REMOTE} is plain http:// on another machine, so your password, "
        "tokens and texts cross the network unencrypted; use https://"
    ]
    assert "offline" in done.stderr


def test_cli_login_to_a_loopback_server_does_not_warn(
    home: Path, keyring_file, account_server
) -> None:
    done = _login(home, account_server.url, {})
    assert done.returncode == 0, done.stderr
    assert "plain http://" not in done.stderr + done.stdout


async def test_the_tui_shows_the_warning_once(home: Path, refusing_proxy) -> None:
    from inkbench.tui.app import make_app
    from tests.tui.helpers import seed

    seed(home)
    (home / "config.toml").write_text(f'[account]\nserver = "{REMOTE}"\n', encoding="utf-8")
    app = make_app(home=home, language="en")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        for _ in range(100):
            notes = [n.message for n in app._notifications if "plain http://" in n.message]
            if notes:
                break
            await pilot.pause(0.05)
        assert len(notes) == 1 and REMOTE in notes[0]
        await pilot.press("7")  # the Account area checks again: no second notice
        await settle(pilot, app)
        assert len([n for n in app._notifications if "plain http://" in n.message]) == 1
