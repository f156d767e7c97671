# ruff: noqa: F811  (pytest fixtures imported from tests.fakes are used as arguments)
"""A cancel stops a streamed reply that is waiting for data: the read is
aborted at once (not left to its timeout) and the caller gets ``Cancelled``.
The real fake upstream over HTTP, stalled before its first word."""

from __future__ import annotations

import threading
import time

from inkbench.integrations.ai.direct import DirectProvider
from inkbench.integrations.ai.errors import Cancelled
from inkbench.storage.jobs import CancelToken
from tests.fakes.fixtures import _fake_upstream, upstream  # noqa: F401


def test_a_cancel_aborts_a_stream_waiting_for_data(upstream) -> None:
    upstream.behaviour.words = 3
    upstream.behaviour.chunk_delay = 600  # the first word never comes
    provider = DirectProvider(upstream.url, default_model="fake-small", timeout=300)
    token = CancelToken()
    outcome: list[object] = []

    def read() -> None:
        try:
            outcome.extend(provider.stream_chat([{"role": "user", "content": "tea"}], cancel=token))
        except Exception as e:
            outcome.append(e)

    reader = threading.Thread(target=read, daemon=True)
    try:
        reader.start()
        deadline = time.monotonic() + 30
        while not upstream.chat_requests():
            assert time.monotonic() < deadline, "the request never arrived"
            time.sleep(0.02)
        token.cancel()
        reader.join(timeout=30)
        assert not reader.is_alive(), "the read waited on after the cancel"
        assert len(outcome) == 1 and isinstance(outcome[0], Cancelled)
        # the provider goes on working: the aborted connection is not reused
        upstream.behaviour.chunk_delay = 0
        events = list(provider.stream_chat([{"role": "user", "content": "tea"}]))
        assert "".join(getattr(e, "text", "") for e in events) == "w0 w1 w2"
    finally:
        provider.close()
