"""When ``integrations/ai/http.py`` sends a request again after a transport
failure: only when it cannot have reached the endpoint, or when repeating it
cannot do (and bill) the work twice. A real HTTP server on 127.0.0.1 that
reads each request whole and then drops the connection without answering."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator

import pytest

from inkbench.integrations.ai.credentials import StoredSession
from inkbench.integrations.ai.direct import DirectProvider
from inkbench.integrations.ai.errors import Offline, UpstreamError
from inkbench.integrations.ai.server import ServerProvider
from inkbench.settings import load_settings

MESSAGES = [{"role": "user", "content": "write about tea"}]
COMPLETION = {
    "id": "c1",
    "object": "chat.completion",
    "model": "m",
    "choices": [{"index": 0, "message": {"role": "assistant", "content": "tea"}}],
    "usage": {"prompt_tokens": 3, "completion_tokens": 1},
}


class RawServer:
    """Accepts connections, reads each request (head and body) and then
    either closes the connection without a word (``drop``) or answers with
    a chat completion. Every request read is recorded."""

    def __init__(self, *, drop: bool, listen_after: float = 0.0) -> None:
        self.drop = drop
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.listen_after = listen_after
        self.requests: list[tuple[str, dict[str, str], bytes]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> RawServer:
        if not self.listen_after:
            self.sock.listen(16)
        self._thread.start()
        return self

    def close(self) -> None:
        self._stop.set()
        self.sock.close()
        self._thread.join(timeout=5)

    def _serve(self) -> None:
        if self.listen_after:  # bound but refusing connections until then
            time.sleep(self.listen_after)
            self.sock.listen(16)
        self.sock.settimeout(0.1)
        while not self._stop.is_set():
            try:
                conn, _addr = self.sock.accept()
            except (TimeoutError, OSError):
                continue
            with conn:
                self._handle(conn)

    def _handle(self, conn: socket.socket) -> None:
        conn.settimeout(5)
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = conn.recv(65536)
            if not chunk:
                return
            data += chunk
        head, body = data.split(b"\r\n\r\n", 1)
        lines = head.decode("latin-1").split("\r\n")
        headers = {k.strip().lower(): v.strip() for k, v in (h.split(":", 1) for h in lines[1:])}
        length = int(headers.get("content-length", "0"))
        while len(body) < length:
            chunk = conn.recv(65536)
            if not chunk:
                break
            body += chunk
        self.requests.append((lines[0], headers, body))
        if self.drop:
            conn.shutdown(socket.SHUT_RDWR)  # read it all, answer nothing
            return
        payload = json.dumps(COMPLETION).encode()
        conn.sendall(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n"
            + f"Content-Length: {len(payload)}\r\n\r\n".encode()
            + payload
        )


@pytest.fixture
def dropping() -> Iterator[RawServer]:
    srv = RawServer(drop=True).start()
    yield srv
    srv.close()


def _direct(url: str) -> DirectProvider:
    p = DirectProvider(url + "/v1", default_model="m", timeout=5)
    p.backoff = 0.01
    return p


def test_direct_post_dropped_after_sending_is_sent_once(dropping: RawServer) -> None:
    provider = _direct(dropping.url)
    try:
        with pytest.raises(UpstreamError) as err:
            provider.chat(MESSAGES)
    finally:
        provider.close()
    assert len(dropping.requests) == 1
    assert dropping.requests[0][0].startswith("POST /v1/chat/completions")
    assert err.value.code == "connection_lost" and not err.value.retryable
    assert "\n" not in str(err.value) and "may already be charged" in str(err.value)


def test_direct_stream_dropped_after_sending_is_sent_once(dropping: RawServer) -> None:
    provider = _direct(dropping.url)
    try:
        with pytest.raises(UpstreamError) as err:
            list(provider.stream_chat(MESSAGES, idempotency_key="k-1"))
    finally:
        provider.close()
    # a direct provider does not honour the key: one request, never a second bill
    assert len(dropping.requests) == 1
    assert err.value.code == "connection_lost"


def test_get_dropped_is_retried(dropping: RawServer) -> None:
    provider = _direct(dropping.url)
    try:
        with pytest.raises(Offline):
            provider.models()
    finally:
        provider.close()
    assert len(dropping.requests) == provider.retries + 1
    assert all(r[0].startswith("GET /v1/models") for r in dropping.requests)


def test_account_server_post_with_key_is_retried_with_the_same_key(
    dropping: RawServer, tmp_path
) -> None:
    config = load_settings(tmp_path)
    session = StoredSession(
        server=dropping.url,
        username="alice",
        plan="free",
        access_token="a",
        refresh_token="r",
        access_expires_at=time.time() + 900,
    )
    provider = ServerProvider(config, session=session)
    provider.backoff = 0.01
    try:
        with pytest.raises(Offline):
            provider.chat(MESSAGES, model="m", idempotency_key="ink-same")
    finally:
        provider.close()
    assert len(dropping.requests) == provider.retries + 1
    assert {r[1]["idempotency-key"] for r in dropping.requests} == {"ink-same"}


def test_a_refused_connect_is_retried_and_then_answered() -> None:
    srv = RawServer(drop=False, listen_after=0.05).start()
    provider = _direct(srv.url)
    provider.backoff = 0.2
    try:
        result = provider.chat(MESSAGES)
    finally:
        provider.close()
        srv.close()
    assert result.text == "tea"
    assert len(srv.requests) == 1
