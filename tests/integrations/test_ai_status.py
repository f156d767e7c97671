"""The account status the TUI shows, and the provider choice it writes."""

from __future__ import annotations

import tomllib

from inkbench.integrations.ai.server import login
from inkbench.integrations.ai.status import account_status
from inkbench.settings import (
    AccountSettings,
    AISettings,
    Settings,
    load_settings,
    set_ai_provider,
)
from tests.fakes import fixtures as fx
from tests.fakes.fixtures import PASSWORD
from tests.fakes.servers import free_port

_fake_upstream, upstream = fx._fake_upstream, fx.upstream
account_server, keyring_file = fx.account_server, fx.keyring_file


def cfg(tmp_path, server: str) -> Settings:
    return Settings(
        account=AccountSettings(server=server), ai=AISettings(model="fake-small"), home=tmp_path
    )


def test_online_logged_in_with_quota(tmp_path, account_server, keyring_file):
    c = cfg(tmp_path, account_server.url)
    st = account_status(tmp_path, c)
    assert st.online and st.username is None and st.message == "not logged in"
    login(c, server=account_server.url, username="alice", password=PASSWORD)
    st = account_status(tmp_path, c)
    assert st.online and st.username == "alice" and st.plan == "free"
    assert st.quota.limit.tokens == 300_000
    assert st.quota_line == "300k tokens · 30 articles left"
    assert st.version


def test_offline_keeps_who_was_logged_in(tmp_path, account_server, keyring_file):
    c = cfg(tmp_path, account_server.url)
    login(c, server=account_server.url, username="alice", password=PASSWORD)
    account_server.server.stop()
    st = account_status(tmp_path, c, timeout=1)
    assert not st.online and st.username == "alice"
    assert st.message.startswith(f"offline: cannot reach {account_server.url}")


def test_direct_status(tmp_path, upstream, keyring_file):
    c = Settings(ai=AISettings(provider="direct", base_url=upstream.url), home=tmp_path)
    st = account_status(tmp_path, c)
    assert st.provider == "direct" and st.online and st.quota.plan == "direct"
    down = Settings(
        ai=AISettings(provider="direct", base_url=f"http://127.0.0.1:{free_port()}/v1"),
        home=tmp_path,
    )
    assert not account_status(tmp_path, down, timeout=1).online


def test_set_ai_provider_keeps_the_rest_of_the_file(tmp_path):
    path = tmp_path / "config.toml"
    set_ai_provider(tmp_path, "direct")
    assert load_settings(tmp_path).ai.provider == "direct"
    path.write_text(
        '# mine\n[keymap]\n"app.quit" = "ctrl+x"\n\n[ai]\nmodel = "m"  # note\n'
        'provider = "direct"\n[account]\nuser = "a"\n'
    )
    set_ai_provider(tmp_path, "server")
    data = tomllib.loads(path.read_text())
    assert data["ai"] == {"model": "m", "provider": "server"}
    assert data["keymap"] == {"app.quit": "ctrl+x"} and data["account"] == {"user": "a"}
    assert path.read_text().startswith("# mine\n")
    path.write_text('[ai]\nmodel = "m"\n')
    set_ai_provider(tmp_path, "direct")
    assert tomllib.loads(path.read_text())["ai"] == {"provider": "direct", "model": "m"}
