"""The TUI reads config.toml through the one settings model: the documented
config starts without a warning, an unknown key is one notice."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.test_settings import readme_config
from tests.tui.helpers import seed, settle


@pytest.fixture(autouse=True)
def _no_keyring_password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("INKBENCH_KEYRING_PASSWORD", raising=False)


def warnings(app) -> list[str]:
    return [n.message for n in app._notifications if n.severity in ("warning", "error")]


async def test_the_documented_config_starts_without_a_warning(home: Path) -> None:
    from inkbench.tui.app import make_app

    # the database exists first: with provider = "direct" the account monitor opens it
    # too, and two first-time migrations in one process race (reported, not fixed here)
    seed(home)
    (home / "config.toml").write_text(readme_config(), encoding="utf-8")
    app = make_app(home=home)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        assert warnings(app) == []
        assert app.settings.account.user == "alice"  # the file was read
        assert app.theme == app.settings.ui.theme
        await pilot.press("ctrl+k")  # [keymap] "app.search" = "ctrl+k" applies
        await settle(pilot, app)
        from inkbench.tui.screens.search import SearchScreen

        assert isinstance(app.screen, SearchScreen)


async def test_an_unknown_key_is_one_notice_naming_file_and_key(home: Path) -> None:
    from inkbench.tui.app import make_app

    home.mkdir(parents=True, exist_ok=True)
    (home / "config.toml").write_text('[ui]\nthem = "nord"\n[account]\nuser = "bo"\n')
    app = make_app(home=home)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        [notice] = warnings(app)
        assert str(home / "config.toml") in notice and "ui.them" in notice
        assert app.settings.account.user == "bo"
