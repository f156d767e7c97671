"""Request body caps: checked from Content-Length before anything is read,
and counted while a body (chunked or lying about its length) streams in.
Over the cap the answer is ``413 too_large`` in the usual error shape."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from inkbench.server.errors import error_body


def _mib(n: int) -> str:
    return f"{n / (1024 * 1024):g} MiB" if n >= 1024 * 1024 else f"{n} bytes"


class BodyTooLarge(HTTPException):
    """Raised from ``receive`` once a body passes its cap; FastAPI passes an
    ``HTTPException`` through its body parsing, and the app's handler turns it
    into the 413 error shape."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the request body is larger than {_mib(limit)}; send less")


class BodyLimit:
    """ASGI middleware: ``limits`` maps a path prefix to its cap in bytes (the
    longest matching prefix wins; paths matching none are not capped)."""

    def __init__(self, app: ASGIApp, limits: dict[str, int]) -> None:
        self.app = app
        self.limits = sorted(limits.items(), key=lambda kv: -len(kv[0]))

    def limit_for(self, path: str) -> int | None:
        for prefix, limit in self.limits:
            if path.startswith(prefix):
                return limit
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope.get("path", ""))
        if limit is None:
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers") or ():
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = -1
                if declared > limit:
                    await _refuse(send, BodyTooLarge(limit).detail)
                    return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise BodyTooLarge(limit)
            return message

        await self.app(scope, counted, send)


async def _refuse(send: Send, message: str) -> None:
    import json

    body = json.dumps(error_body("too_large", message)).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
