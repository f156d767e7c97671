"""Tokens only in a keyring: a machine without one gets one clear line and
the opt-in; the opt-in (an encrypted file) works and does not leak."""

from __future__ import annotations

import keyring
import pytest
from keyring.backends import chainer, fail
from keyrings.alt.file import PlaintextKeyring

from inkbench.integrations.ai import credentials
from inkbench.integrations.ai.errors import KeyringUnavailable
from inkbench.settings import AccountSettings, Settings, load_settings

SESSION = credentials.StoredSession(
    "http://127.0.0.1:1", "alice", "free", "ink_a_secret-access", "ink_r_secret-refresh", 2e9
)


@pytest.fixture
def restore_keyring():
    before = keyring.get_keyring()
    yield
    keyring.set_keyring(before)


def test_no_backend_gives_one_line_with_the_opt_in(tmp_path, restore_keyring):
    keyring.set_keyring(fail.Keyring())
    cfg = Settings(home=tmp_path)
    with pytest.raises(KeyringUnavailable) as info:
        credentials.save_session(cfg, SESSION)
    message = str(info.value)
    assert "\n" not in message
    assert "no keyring backend" in message
    assert 'keyring = "file"' in message and "INKBENCH_KEYRING_PASSWORD" in message


def test_an_empty_chainer_is_no_backend(tmp_path, restore_keyring, monkeypatch):
    monkeypatch.setattr(chainer.ChainerBackend, "backends", [])
    keyring.set_keyring(chainer.ChainerBackend())
    with pytest.raises(KeyringUnavailable, match="no usable keyring"):
        credentials.load_session(Settings(home=tmp_path))


def test_plaintext_file_is_not_picked_silently(tmp_path, restore_keyring, monkeypatch):
    monkeypatch.delenv("PYTHON_KEYRING_BACKEND", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "no-keyringrc"))
    backend = PlaintextKeyring()
    backend.file_path = str(tmp_path / "plain.cfg")
    keyring.set_keyring(backend)
    with pytest.raises(KeyringUnavailable, match="does not pick on its own"):
        credentials.save_session(Settings(home=tmp_path), SESSION)
    assert not (tmp_path / "plain.cfg").exists()
    # chosen explicitly, it is used
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyrings.alt.file.PlaintextKeyring")
    credentials.save_session(Settings(home=tmp_path), SESSION)
    assert credentials.load_session(Settings(home=tmp_path)) == SESSION


def test_encrypted_file_opt_in_round_trips_and_hides_tokens(tmp_path, monkeypatch, restore_keyring):
    keyring.set_keyring(fail.Keyring())  # no OS keyring at all
    (tmp_path / "config.toml").write_text('[account]\nkeyring = "file"\n')
    monkeypatch.delenv("INKBENCH_KEYRING_PASSWORD", raising=False)
    cfg = load_settings(tmp_path)
    assert cfg.account == AccountSettings(keyring="file")
    with pytest.raises(KeyringUnavailable, match="INKBENCH_KEYRING_PASSWORD"):
        credentials.save_session(cfg, SESSION)
    monkeypatch.setenv("INKBENCH_KEYRING_PASSWORD", "file password")
    cfg = load_settings(tmp_path)  # the password is read with the settings
    credentials.save_session(cfg, SESSION)
    assert credentials.load_session(cfg) == SESSION
    raw = (tmp_path / "keyring.cfg").read_text()
    assert "ink_a_secret-access" not in raw and "ink_r_secret-refresh" not in raw
    credentials.set_api_key(cfg, "http://x/v1", "sk-hidden")
    assert credentials.get_api_key(cfg, "http://x/v1/") == "sk-hidden"
    assert "sk-hidden" not in (tmp_path / "keyring.cfg").read_text()
    # a wrong password is one line, not a traceback
    monkeypatch.setenv("INKBENCH_KEYRING_PASSWORD", "wrong")
    with pytest.raises(KeyringUnavailable) as info:
        credentials.load_session(load_settings(tmp_path))
    assert "\n" not in str(info.value) and "INKBENCH_KEYRING_PASSWORD" in str(info.value)
    credentials.clear_session(cfg)
    credentials.clear_session(cfg)  # twice is fine
    assert credentials.load_session(cfg) is None


def test_config_problems_are_one_line_and_keep_the_default(tmp_path):
    (tmp_path / "config.toml").write_text('[account]\nkeyring = "post-it"\n')
    cfg = load_settings(tmp_path)
    assert cfg.account.keyring == "system"
    [problem] = cfg.problems
    assert "account.keyring" in problem and "'system' or 'file'" in problem
    (tmp_path / "config.toml").write_text("[ai\n")
    [problem] = load_settings(tmp_path).problems
    assert "not valid TOML" in problem and "\n" not in problem
