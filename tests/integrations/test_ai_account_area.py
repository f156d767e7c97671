# ruff: noqa: F811  (pytest fixtures imported from tests.fakes are used as arguments)
"""The Account area in the real app (``run_test``) against a real account
server: status, log in, quota bars, log out, offline, provider choice, and
user text shown literally."""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path

from tests.fakes.fixtures import (  # noqa: F401
    PASSWORD,
    _fake_upstream,
    account_server,
    keyring_file,
    upstream,
)


def _visible_text(app) -> str:
    svg = app.export_screenshot()
    return unescape("".join(re.findall(r"<text[^>]*>(.*?)</text>", svg))).replace("\xa0", " ")


async def _settle(app, pilot) -> None:
    await app.workers.wait_for_complete()
    await pilot.pause(0.2)
    await app.workers.wait_for_complete()
    await pilot.pause(0.1)


async def test_login_quota_logout_in_the_account_area(
    home: Path, account_server, keyring_file
) -> None:
    from inkbench.tui.app import make_app
    from inkbench.tui.areas.account import AccountArea

    home.mkdir(parents=True, exist_ok=True)
    (home / "config.toml").write_text(f'[account]\nserver = "{account_server.url}"\n')
    account_server.add_user("[b]bob[/b]")
    app = make_app(home=home)
    async with app.run_test(size=(130, 40)) as pilot:
        await pilot.pause(0.3)
        await pilot.press("7")
        await _settle(app, pilot)
        pane = app.pane("account")
        assert isinstance(pane, AccountArea)
        assert "not logged in" in _visible_text(app)
        assert app.status.online is True

        pane.query_one("#user").value = "[b]bob[/b]"
        pane.query_one("#password").value = PASSWORD
        pane.query_one("#password").focus()
        await pilot.press("enter")
        await _settle(app, pilot)
        text = _visible_text(app)
        assert "[b]bob[/b] · plan free" in text  # literally, not bold "bob"
        assert "0 used of 300,000 · 300,000 left" in text
        assert pane.query_one("#password").value == ""
        assert app.status.username == "[b]bob[/b]" and app.status.quota

        await pilot.press("ctrl+o")
        await _settle(app, pilot)
        assert "not logged in" in _visible_text(app)
        assert app.status.username is None


async def test_wrong_password_and_offline_are_one_line(
    home: Path, account_server, keyring_file
) -> None:
    from inkbench.tui.app import make_app

    home.mkdir(parents=True, exist_ok=True)
    (home / "config.toml").write_text(f'[account]\nserver = "{account_server.url}"\n')
    app = make_app(home=home)
    async with app.run_test(size=(130, 40)) as pilot:
        await pilot.pause(0.3)
        await pilot.press("7")
        await _settle(app, pilot)
        pane = app.pane("account")
        pane.query_one("#user").value = "alice"
        pane.query_one("#password").value = "wrong password"
        await pilot.press("ctrl+l")
        await _settle(app, pilot)
        assert "login failed: wrong user name or password" in _visible_text(app)

        account_server.server.stop()
        await pilot.press("ctrl+r")
        await _settle(app, pilot)
        text = _visible_text(app)
        assert "offline" in text and f"cannot reach {account_server.url}" in text
        assert app.status.online is False


async def test_provider_choice_is_written_to_config(home: Path, upstream, keyring_file) -> None:
    from inkbench.settings import load_settings
    from inkbench.tui.app import make_app

    home.mkdir(parents=True, exist_ok=True)
    (home / "config.toml").write_text(f'[ai]\nbase_url = "{upstream.url}"\n')
    app = make_app(home=home)
    async with app.run_test(size=(130, 40)) as pilot:
        await pilot.pause(0.3)
        await pilot.press("7")
        await _settle(app, pilot)
        await pilot.press("f6")
        await _settle(app, pilot)
        assert load_settings(home).ai.provider == "direct"
        text = _visible_text(app)
        assert f"Direct endpoint {upstream.url}" in text and "online" in text
        assert "this database's own usage log" in text
        await pilot.press("f6")
        await _settle(app, pilot)
        assert load_settings(home).ai.provider == "server"
