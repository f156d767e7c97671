"""ServerProvider and DirectProvider against a real account server and the
fake upstream over real HTTP on 127.0.0.1, tokens in a keyring file."""

from __future__ import annotations

import threading
from pathlib import Path

import httpx
import pytest

from inkbench.integrations.ai import credentials
from inkbench.integrations.ai.errors import (
    AuthRequired,
    Cancelled,
    Offline,
    QuotaExceeded,
    StreamCut,
    UpstreamError,
)
from inkbench.integrations.ai.factory import get_provider
from inkbench.integrations.ai.provider import AIProvider, Done, TextDelta
from inkbench.integrations.ai.server import ServerProvider, health, login, logout
from inkbench.settings import AccountSettings, AISettings, Settings
from inkbench.storage.jobs import CancelToken
from tests.fakes import fixtures as fx
from tests.fakes.fixtures import PASSWORD
from tests.fakes.servers import free_port

# the shared fixtures (real servers on 127.0.0.1, a keyring file in tmp)
_fake_upstream, upstream = fx._fake_upstream, fx.upstream
account_server, keyring_file = fx.account_server, fx.keyring_file

MESSAGES = [{"role": "user", "content": "write about tea"}]


@pytest.fixture
def config(tmp_path: Path, account_server, keyring_file) -> Settings:
    return Settings(
        account=AccountSettings(server=account_server.url),
        ai=AISettings(model="fake-small", timeout=5),
        home=tmp_path / "home",
    )


@pytest.fixture
def provider(config, account_server) -> ServerProvider:
    login(config, server=account_server.url, username="alice", password=PASSWORD)
    p = get_provider(config.home, config)
    p.backoff = 0.01
    yield p
    p.close()


def collect(events) -> tuple[str, Done]:
    text, done = [], None
    for e in events:
        if isinstance(e, TextDelta):
            assert done is None, "a delta after Done"
            text.append(e.text)
        else:
            done = e
    return "".join(text), done


def test_login_keeps_tokens_in_the_keyring_only(config, account_server, keyring_file):
    session = login(config, server=account_server.url, username="alice", password=PASSWORD)
    assert session.plan == "free"
    stored = credentials.load_session(config)
    assert stored.access_token == session.access_token
    assert "account_2dsession" in keyring_file.read_text()  # the test keyring's file
    home_files = (
        " ".join(p.read_text(errors="replace") for p in config.home.rglob("*") if p.is_file())
        if config.home.exists()
        else ""
    )
    assert session.access_token not in home_files


def test_provider_satisfies_the_interface(provider):
    assert isinstance(provider, AIProvider)
    assert provider.name == "server"


def test_stream_chat_yields_deltas_then_usage(provider, account_server):
    text, done = collect(provider.stream_chat(MESSAGES))
    assert text == "echo: write about tea"
    assert done.usage.completion_tokens == 4 and done.usage.prompt_tokens == 3
    assert done.finish_reason == "stop"
    assert provider.quota().used.tokens == done.usage.total_tokens


def test_stream_deltas_arrive_as_they_are_produced(provider, upstream):
    """The first delta reaches the caller while the upstream is still writing."""
    upstream.behaviour.words = 30
    upstream.behaviour.chunk_delay = 0.05
    events = provider.stream_chat(MESSAGES)
    first = next(events)
    assert isinstance(first, TextDelta)
    # the upstream has not finished: it has not been asked for usage yet by the time
    # we read one delta, so the server cannot have recorded anything
    assert provider.quota().used.tokens == 0
    text, _ = collect(events)
    assert first.text + text == "".join(f"w{i} " for i in range(30)).strip()


def test_chat_returns_text_and_usage(provider):
    result = provider.chat(MESSAGES, purpose="generate")
    assert result.text == "echo: write about tea"
    assert result.usage.total_tokens == 7
    q = provider.quota()
    assert q.used.articles == 1 and q.plan == "free"


def test_every_chat_call_sends_an_idempotency_key(provider, upstream, account_server):
    provider.chat(MESSAGES)
    list(provider.stream_chat(MESSAGES))
    from sqlalchemy import select

    from inkbench.server.models import UsageEvent

    with account_server.db.session() as s:
        keys = list(s.scalars(select(UsageEvent.idempotency_key)))
    assert len(keys) == 2 and all(keys) and keys[0] != keys[1]


@pytest.mark.parametrize("stream", [False, True])
def test_retry_with_same_key_is_charged_once(provider, upstream, account_server, stream):
    def call():
        if stream:
            return collect(provider.stream_chat(MESSAGES, idempotency_key="item-7"))[0]
        return provider.chat(MESSAGES, idempotency_key="item-7").text

    first = call()
    second = call()
    assert first == second == "echo: write about tea"
    assert len(upstream.chat_requests()) == 1
    assert len(account_server.usage_rows()) == 1


def test_stream_cut_half_way_is_reported_and_retry_is_charged_once(
    provider, upstream, account_server
):
    upstream.behaviour.words = 10
    upstream.behaviour.fail_next("cut")
    got = []
    with pytest.raises(StreamCut) as info:
        for e in provider.stream_chat(MESSAGES, idempotency_key="cut-item"):
            if isinstance(e, TextDelta):
                got.append(e.text)
    assert info.value.partial_text == "".join(got) != ""
    assert "cut off" in str(info.value) and "\n" not in str(info.value)
    assert info.value.retryable
    text, _ = collect(provider.stream_chat(MESSAGES, idempotency_key="cut-item"))
    assert text == "".join(f"w{i} " for i in range(10)).strip()
    assert len(account_server.usage_rows()) == 1


def test_quota_exceeded_raises_before_upstream(provider, account_server, upstream):
    account_server.set_plan("free", articles=None, tokens=1)
    provider.chat(MESSAGES)
    n = len(upstream.chat_requests())
    with pytest.raises(QuotaExceeded) as info:
        list(provider.stream_chat(MESSAGES))
    assert "resets" in str(info.value)
    with pytest.raises(QuotaExceeded):
        provider.chat(MESSAGES)
    assert len(upstream.chat_requests()) == n
    assert provider.quota().exhausted


def test_upstream_failure_is_retried_then_reported(provider, upstream):
    upstream.behaviour.fail_next("500", times=2)  # the third attempt succeeds
    assert provider.chat(MESSAGES).text == "echo: write about tea"
    upstream.behaviour.fail_next("500", times=10)
    with pytest.raises(UpstreamError) as info:
        provider.chat(MESSAGES)
    assert info.value.code == "upstream_error" and info.value.retryable


def expire_access_tokens(srv) -> None:
    """The server forgets every access token, as when they expire."""
    from sqlalchemy import delete

    from inkbench.server.models import AccessToken

    with srv.db.session() as s:
        s.execute(delete(AccessToken))


def refreshes(srv) -> int:
    """How many refresh tokens the server has exchanged (one row per refresh)."""
    from sqlalchemy import func, select

    from inkbench.server.models import RetiredRefresh

    with srv.db.session() as s:
        return s.scalar(select(func.count()).select_from(RetiredRefresh))


def refresh_requests(srv) -> int:
    """How many refresh requests reached the server, answered or refused."""
    return sum("POST /api/auth/refresh" in line for line in srv.logs.lines)


def test_expired_access_token_is_refreshed_once_automatically(provider, config, account_server):
    before = credentials.load_session(config)
    provider.chat(MESSAGES)
    # the next call gets 401, refreshes, retries; the keyring holds the rotated pair
    assert refreshes(account_server) == 0  # a valid token needs none
    expire_access_tokens(account_server)
    assert provider.chat(MESSAGES).text
    assert refreshes(account_server) == 1
    assert refresh_requests(account_server) == 1
    assert provider.chat(MESSAGES).text  # the new token is kept: no second refresh
    assert refreshes(account_server) == 1
    after = credentials.load_session(config)
    assert after.refresh_token != before.refresh_token
    assert after.access_token != before.access_token


def test_concurrent_401s_refresh_once_and_keep_the_session(provider, config, account_server):
    others = [get_provider(config.home, config) for _ in range(3)]
    for p in [provider, *others]:
        assert p.session.username == "alice"  # each holds the same tokens in memory
    expire_access_tokens(account_server)
    errors = []

    def work(p):
        try:
            p.chat(MESSAGES)
        except Exception as e:  # collected and asserted below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(p,)) for p in [provider, *others]]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    # four providers met a 401 at once: one of them refreshed, the others used its tokens
    assert refreshes(account_server) == 1
    assert refresh_requests(account_server) == 1
    # had two of them spent one refresh token, the server would have ended the session
    assert provider.quota().plan == "free"


def test_revoked_session_raises_auth_required_and_forgets_tokens(provider, config, account_server):
    session = credentials.load_session(config)
    r = httpx.post(
        f"{account_server.api}/auth/refresh", json={"refresh_token": session.refresh_token}
    )
    assert r.status_code == 200  # someone else rotated it (a stolen copy)
    expire_access_tokens(account_server)
    with pytest.raises(AuthRequired) as info:
        provider.chat(MESSAGES)
    assert "inkbench login" in str(info.value)
    assert credentials.load_session(config) is None


def test_not_logged_in_raises_auth_required(config):
    p = get_provider(config.home, config)
    with pytest.raises(AuthRequired, match="inkbench login"):
        p.chat(MESSAGES)


def test_logout_ends_the_session_on_the_server(provider, config, account_server):
    token = credentials.load_session(config).access_token
    assert "logged out alice" in logout(config)
    assert credentials.load_session(config) is None
    r = httpx.get(f"{account_server.api}/quota", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 401


def test_cancel_stops_the_stream(provider, upstream):
    upstream.behaviour.words = 50
    upstream.behaviour.chunk_delay = 0.01
    seen = []
    token = CancelToken()
    with pytest.raises(Cancelled):
        for e in provider.stream_chat(MESSAGES, cancel=token):
            seen.append(e)
            if len(seen) >= 3:
                token.cancel()
    assert len(seen) == 3


def test_models(provider):
    assert "fake-small" in provider.models()


def test_server_down_is_offline_not_a_traceback(config, tmp_path):
    down = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(Offline) as info:
        login(config, server=down, username="alice", password=PASSWORD)
    assert str(info.value).startswith(f"offline: cannot reach {down}")
    assert "\n" not in str(info.value)
    with pytest.raises(Offline):
        health(down)
    # logged in, then the server goes away
    credentials.save_session(
        config,
        credentials.StoredSession(down, "alice", "free", "ink_a_x", "ink_r_x", 2e9),
    )
    p = get_provider(config.home, config)
    p.backoff = 0.01
    with pytest.raises(Offline):
        list(p.stream_chat(MESSAGES))
    with pytest.raises(Offline):
        p.quota()


def test_a_server_url_without_scheme_is_refused(config):
    from inkbench.storage.errors import InvalidInput

    with pytest.raises(InvalidInput, match="http://"):
        login(config, server="localhost:8765", username="alice", password=PASSWORD)


def test_health(account_server):
    data = health(account_server.url)
    assert data["status"] == "ok" and data["database"] == "ok"


# --- direct provider ------------------------------------------------------------------


@pytest.fixture
def direct_config(tmp_path, upstream, keyring_file) -> Settings:
    return Settings(
        ai=AISettings(provider="direct", base_url=upstream.url, model="fake-small", timeout=5),
        home=tmp_path / "home",
    )


def test_direct_provider_needs_no_login_and_uses_the_key_from_the_keyring(direct_config, upstream):
    upstream.behaviour.require_key = "sk-local-123"
    credentials.set_api_key(direct_config, upstream.url, "sk-local-123")
    p = get_provider(direct_config.home, direct_config)
    assert p.name == "direct"
    text, done = collect(p.stream_chat(MESSAGES))
    assert text == "echo: write about tea" and done.usage.total_tokens == 7
    assert p.chat(MESSAGES).text == "echo: write about tea"
    assert "fake-large" in p.models()


def test_direct_provider_quota_is_the_local_usage_log(direct_config, upstream):
    from inkbench.integrations.ai.usage import log_request
    from inkbench.storage.engine import open_database

    db = open_database(direct_config.home)
    log_request(db, provider="direct", model="m", prompt_tokens=10, completion_tokens=5)
    log_request(db, provider="server", model="m", prompt_tokens=1000, completion_tokens=0)
    db.dispose()
    q = get_provider(direct_config.home, direct_config).quota()
    assert q.plan == "direct"
    assert q.used.tokens == 15 and q.used.articles == 1
    assert q.limit.tokens is None and not q.exhausted


def test_direct_provider_wrong_key_is_auth_error(direct_config, upstream):
    upstream.behaviour.require_key = "right"
    p = get_provider(direct_config.home, direct_config)
    with pytest.raises(AuthRequired, match="needs an API key; store it with `inkbench ai key`"):
        p.chat(MESSAGES)
    credentials.set_api_key(direct_config, upstream.url, "wrong")
    p = get_provider(direct_config.home, direct_config)
    with pytest.raises(AuthRequired, match="refused the API key"):
        list(p.stream_chat(MESSAGES))


def test_direct_provider_offline(direct_config, tmp_path):
    cfg = Settings(
        ai=AISettings(provider="direct", base_url=f"http://127.0.0.1:{free_port()}/v1", model="m"),
        home=direct_config.home,
    )
    p = get_provider(cfg.home, cfg)
    p.backoff = 0.01
    with pytest.raises(Offline):
        p.chat(MESSAGES)


def test_direct_provider_works_with_no_keyring_when_the_endpoint_needs_no_key(
    tmp_path, upstream, monkeypatch
):
    """A local Ollama on a headless box: no keyring backend, no key, no login."""
    import keyring
    from keyring.backends import fail

    monkeypatch.delenv("PYTHON_KEYRING_BACKEND", raising=False)
    before = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        cfg = Settings(
            ai=AISettings(provider="direct", base_url=upstream.url, model="fake-small", timeout=5),
            home=tmp_path / "home",
        )
        p = get_provider(cfg.home, cfg)
        assert p.chat(MESSAGES).text == "echo: write about tea"
        upstream.behaviour.require_key = "needed"
        with pytest.raises(AuthRequired, match="needs an API key"):
            get_provider(cfg.home, cfg).chat(MESSAGES)
    finally:
        keyring.set_keyring(before)
