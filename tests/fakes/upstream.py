"""A small OpenAI-compatible upstream for tests and benchmarks.

``GET /v1/models`` and ``POST /v1/chat/completions`` (streaming SSE and not),
with usage. The reply is deterministic: ``reply`` if set, else
"echo: <last user message>", sent as one chunk per word (a word is a token),
cut at ``max_tokens`` / ``max_completion_tokens`` (finish_reason "length").

Failure modes, chosen per request by the model name or for the next N
requests by ``fail_next``:

- ``fake-500``: answer 500 with an OpenAI error body
- ``fake-cut``: stream half the reply, then drop the connection
- ``fake-slow``: wait ``slow_delay`` seconds before answering
- ``fake-429``: answer 429

Run it standalone: ``python -m tests.fakes.upstream --port 9000``.
In tests: ``with FakeUpstream() as up: up.url`` (``http://127.0.0.1:PORT/v1``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, StreamingResponse
from starlette.routing import Route

if TYPE_CHECKING:
    from tests.fakes.servers import ThreadedServer

MODELS = ("fake-small", "fake-large", "fake-500", "fake-cut", "fake-slow", "fake-429")
FAILURES = ("500", "cut", "slow", "429")


@dataclass
class Behaviour:
    """What the fake does; tests change it between requests."""

    reply: str | None = None
    chunk_delay: float = 0.0  # seconds between streamed chunks
    slow_delay: float = 5.0  # before answering, in "slow" mode
    words: int | None = None  # reply with this many words ("w0 w1 ...") instead
    require_key: str | None = None
    _fail: list[str] = field(default_factory=list)

    def fail_next(self, mode: str, times: int = 1) -> None:
        assert mode in FAILURES, mode
        self._fail.extend([mode] * times)


@dataclass
class Seen:
    path: str
    body: dict | None
    headers: dict[str, str]
    peer: str = ""  # the caller's address and port: one per TCP connection


class FakeState:
    def __init__(self) -> None:
        self.behaviour = Behaviour()
        self.requests: list[Seen] = []
        self.lock = threading.Lock()

    def record(self, seen: Seen) -> None:
        with self.lock:
            self.requests.append(seen)

    def chat_requests(self) -> list[Seen]:
        with self.lock:
            return [r for r in self.requests if r.path.endswith("/chat/completions")]

    def reset(self) -> None:
        with self.lock:
            self.requests.clear()
        self.behaviour = Behaviour()

    def failure_for(self, model: str) -> str | None:
        if model.startswith("fake-") and model[5:] in FAILURES:
            return model[5:]
        with self.lock:
            return self.behaviour._fail.pop(0) if self.behaviour._fail else None


def _tokens(text: str) -> int:
    return len(text.split())


def reply_words(state: FakeState, body: dict) -> list[str]:
    b = state.behaviour
    if b.words is not None:
        return [f"w{i}" if i == b.words - 1 else f"w{i} " for i in range(b.words)]
    if b.reply is not None:
        text = b.reply
    else:
        last = ""
        for m in body.get("messages") or []:
            if isinstance(m, dict) and m.get("role") == "user":
                last = str(m.get("content", ""))
        text = f"echo: {last}"
    words = text.split(" ")
    return [w if i == len(words) - 1 else w + " " for i, w in enumerate(words)]


def max_words(body: dict) -> int | None:
    """The reply's cap: ``max_completion_tokens`` or ``max_tokens`` (one
    token per word here), as a real model honours it."""
    for name in ("max_completion_tokens", "max_tokens"):
        value = body.get(name)
        if isinstance(value, int) and value > 0:
            return value
    return None


def create_app(state: FakeState) -> Starlette:
    def check_key(request: Request):
        need = state.behaviour.require_key
        if need and request.headers.get("authorization") != f"Bearer {need}":
            return JSONResponse(
                {"error": {"message": "invalid api key", "type": "invalid_request_error"}},
                status_code=401,
            )
        return None

    async def models(request: Request):
        state.record(Seen(request.url.path, None, dict(request.headers)))
        if (bad := check_key(request)) is not None:
            return bad
        return JSONResponse(
            {
                "object": "list",
                "data": [
                    {"id": m, "object": "model", "created": 0, "owned_by": "fake"} for m in MODELS
                ],
            }
        )

    async def chat(request: Request):
        body = await request.json()
        peer = f"{request.client.host}:{request.client.port}" if request.client else ""
        state.record(Seen(request.url.path, body, dict(request.headers), peer))
        if (bad := check_key(request)) is not None:
            return bad
        model = body.get("model", "")
        failure = state.failure_for(model)
        if failure == "500":
            return JSONResponse(
                {"error": {"message": "the model crashed", "type": "server_error"}},
                status_code=500,
            )
        if failure == "429":
            return JSONResponse(
                {"error": {"message": "rate limited", "type": "rate_limit"}}, status_code=429
            )
        if failure == "slow":
            await asyncio.sleep(state.behaviour.slow_delay)
        words = reply_words(state, body)
        cap = max_words(body)
        finish_reason = "stop"
        if cap is not None and len(words) > cap:
            words, finish_reason = words[:cap], "length"
        prompt = sum(
            _tokens(str(m.get("content", "")))
            for m in body.get("messages") or []
            if isinstance(m, dict)
        )
        usage = {
            "prompt_tokens": prompt,
            "completion_tokens": len(words),
            "total_tokens": prompt + len(words),
        }
        cid = f"chatcmpl-fake{len(state.requests)}"
        created = int(time.time())
        if not body.get("stream"):
            return JSONResponse(
                {
                    "id": cid,
                    "object": "chat.completion",
                    "created": created,
                    "model": model,
                    "choices": [
                        {
                            "index": 0,
                            "message": {"role": "assistant", "content": "".join(words)},
                            "finish_reason": finish_reason,
                        }
                    ],
                    "usage": usage,
                }
            )
        include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
        delay = state.behaviour.chunk_delay

        def chunk(delta: dict, finish: str | None = None) -> bytes:
            obj = {
                "id": cid,
                "object": "chat.completion.chunk",
                "created": created,
                "model": model,
                "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
            }
            return b"data: " + json.dumps(obj).encode() + b"\n\n"

        async def gen():
            yield chunk({"role": "assistant", "content": ""})
            for i, w in enumerate(words):
                if failure == "cut" and i >= max(1, len(words) // 2):
                    raise ConnectionAbortedError("fake upstream cut the stream")
                if delay:
                    await asyncio.sleep(delay)
                yield chunk({"content": w})
            yield chunk({}, finish_reason)
            if include_usage:
                obj = {
                    "id": cid,
                    "object": "chat.completion.chunk",
                    "created": created,
                    "model": model,
                    "choices": [],
                    "usage": usage,
                }
                yield b"data: " + json.dumps(obj).encode() + b"\n\n"
            yield b"data: [DONE]\n\n"

        return StreamingResponse(gen(), media_type="text/event-stream")

    return Starlette(
        routes=[
            Route("/v1/models", models, methods=["GET"]),
            Route("/v1/chat/completions", chat, methods=["POST"]),
        ]
    )


class FakeUpstream:
    """The fake in a background thread on a free port of 127.0.0.1."""

    def __init__(self) -> None:
        self.state = FakeState()
        self.app = create_app(self.state)
        self.server: ThreadedServer | None = None

    @property
    def behaviour(self) -> Behaviour:
        return self.state.behaviour

    @property
    def url(self) -> str:
        return f"{self.server.base}/v1"

    def chat_requests(self) -> list[Seen]:
        return self.state.chat_requests()

    def reset(self) -> None:
        self.state.reset()

    def start(self) -> FakeUpstream:
        from tests.fakes.servers import ThreadedServer

        self.server = ThreadedServer(self.app).start()
        return self

    def stop(self) -> None:
        if self.server:
            self.server.stop()

    def __enter__(self) -> FakeUpstream:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def main() -> None:
    import uvicorn

    parser = argparse.ArgumentParser(description="fake OpenAI-compatible upstream")
    parser.add_argument("--port", type=int, default=9000)
    parser.add_argument("--chunk-delay", type=float, default=0.0)
    parser.add_argument("--words", type=int)
    args = parser.parse_args()
    state = FakeState()
    state.behaviour.chunk_delay = args.chunk_delay
    state.behaviour.words = args.words
    uvicorn.run(create_app(state), host="127.0.0.1", port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
