"""Pytest fixtures: a fake upstream, the account server on 127.0.0.1 (real
uvicorn, real SQLite), and a keyring file backend in a temp dir.

Use them from a test module or conftest::

    from tests.fakes.fixtures import account_server, upstream, keyring_file  # noqa: F401
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from tests.fakes.servers import ThreadedServer
from tests.fakes.upstream import FakeUpstream

PASSWORD = "correct horse battery"


def cheap_settings(**overrides):
    """Server settings for tests: cheap argon2, short waits."""
    from inkbench.server.settings import Settings

    base = dict(
        argon2_time_cost=1,
        argon2_memory_kib=64,
        argon2_parallelism=1,
        upstream_read_timeout=2.0,
        upstream_connect_timeout=2.0,
        idempotency_wait=5.0,
    )
    base.update(overrides)
    return Settings(**base)


class LogCapture(logging.Handler):
    """Every log record of the process, formatted, at DEBUG."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.lines: list[str] = []
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.lines.append(self.format(record))
        except Exception:  # a record that cannot format is still evidence
            self.lines.append(f"{record.name} {record.msg!r} {record.args!r}")

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


@dataclass
class AccountServer:
    upstream: FakeUpstream
    settings: object
    server: ThreadedServer
    app: object
    logs: LogCapture
    users: dict[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return self.server.base

    @property
    def api(self) -> str:
        return self.server.base + "/api"

    @property
    def db(self):
        return self.app.state.inkbench.db

    def add_user(self, name: str, password: str = PASSWORD, plan: str = "free") -> None:
        from inkbench.server.accounts import add_user
        from inkbench.server.security import Passwords

        with self.db.session() as s:
            add_user(s, Passwords(self.settings), name, password, plan=plan)
        self.users[name] = password

    def set_plan(self, name: str, *, articles: int | None, tokens: int | None) -> None:
        from inkbench.server.accounts import set_plan

        with self.db.session() as s:
            set_plan(s, name, articles=articles, tokens=tokens)

    def login(self, name: str, password: str | None = None) -> dict:
        r = httpx.post(
            f"{self.api}/auth/login",
            json={"username": name, "password": password or self.users.get(name, PASSWORD)},
        )
        assert r.status_code == 200, r.text
        return r.json()

    def usage_rows(self, username: str | None = None) -> list:
        from sqlalchemy import select

        from inkbench.server.models import UsageEvent, User

        with self.db.session() as s:
            q = select(UsageEvent).join(User, User.id == UsageEvent.user_id)
            if username:
                q = q.where(User.username == username)
            return list(s.scalars(q))


@pytest.fixture(scope="session")
def _fake_upstream() -> Iterator[FakeUpstream]:
    with FakeUpstream() as up:
        yield up


@pytest.fixture
def upstream(_fake_upstream: FakeUpstream) -> Iterator[FakeUpstream]:
    """The fake upstream, reset for this test (behaviour and request log)."""
    _fake_upstream.reset()
    yield _fake_upstream
    _fake_upstream.reset()


def start_account_server(upstream: FakeUpstream, db_url: str, **overrides) -> AccountServer:
    from inkbench.server.app import create_app

    settings = cheap_settings(db_url=db_url, upstream_url=upstream.url, **overrides)
    logs = LogCapture()
    logging.getLogger().addHandler(logs)
    logging.getLogger().setLevel(logging.DEBUG)
    app = create_app(settings)
    server = ThreadedServer(app).start()
    return AccountServer(upstream, settings, server, app, logs)


def stop_account_server(srv: AccountServer) -> None:
    srv.server.stop()
    logging.getLogger().removeHandler(srv.logs)
    logging.getLogger().setLevel(logging.WARNING)


@pytest.fixture
def account_server(upstream: FakeUpstream, tmp_path: Path) -> Iterator[AccountServer]:
    """A fresh account server (SQLite in tmp) on a free port, with user "alice"."""
    srv = start_account_server(upstream, f"sqlite:///{tmp_path / 'server.db'}")
    srv.add_user("alice")
    yield srv
    stop_account_server(srv)


@pytest.fixture
def keyring_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """keyrings.alt's plaintext file backend in tmp, chosen explicitly (in
    this process and, through the environment, in subprocesses)."""
    import keyring
    from keyrings.alt.file import PlaintextKeyring

    data = tmp_path / "xdg-data"
    monkeypatch.setenv("XDG_DATA_HOME", str(data))
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyrings.alt.file.PlaintextKeyring")
    before = keyring.get_keyring()
    backend = PlaintextKeyring()
    backend.file_path = str(data / "python_keyring" / "keyring_pass.cfg")
    keyring.set_keyring(backend)
    yield Path(backend.file_path)
    keyring.set_keyring(before)
