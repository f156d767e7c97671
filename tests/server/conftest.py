from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.fakes.fixtures import (  # noqa: F401
    _fake_upstream,
    account_server,
    keyring_file,
    start_account_server,
    stop_account_server,
    upstream,
)


@pytest.fixture
def server_with(upstream, tmp_path: Path) -> Iterator[Callable]:  # noqa: F811
    """``server_with(**settings)``: an account server with those settings
    (SQLite in tmp, user "alice"); stopped after the test."""
    started = []

    def start(**overrides):
        srv = start_account_server(
            upstream, f"sqlite:///{tmp_path / f'server{len(started)}.db'}", **overrides
        )
        started.append(srv)
        srv.add_user("alice")
        return srv

    yield start
    for srv in started:
        stop_account_server(srv)
