"""The upstream OpenAI-compatible API: one shared aiohttp session per process,
and the mapping of its failures to this server's error codes.

aiohttp, not httpx: to a streamed reply's first chunk httpx spent ~1.0 ms
of CPU per call in this process (building the request, its pure-Python
HTTP/1.1 state machine, anyio's stream layers), aiohttp ~0.3 ms (its
parser and writer are in C): most of what the proxy added to the time to
first token (bench/README.md, Account server)."""

from __future__ import annotations

import json
import logging

import aiohttp

from inkbench.server.errors import ApiError
from inkbench.server.settings import Settings

log = logging.getLogger("inkbench.server.upstream")


KEEPALIVE_EXPIRY = 2.0  # seconds an idle upstream connection is kept
#: what a call to the upstream can fail with before or while it answers
TRANSPORT_ERRORS = (aiohttp.ClientError, TimeoutError)


class Upstream:
    """The upstream API: ``get``, ``post`` and ``stream`` of a path below its
    base URL. Open it in the running event loop (``start``); ``aclose`` at
    shutdown."""

    def __init__(self, settings: Settings) -> None:
        self.base = settings.upstream_url.rstrip("/") + "/"
        self.headers = {"Content-Type": "application/json"}
        if settings.upstream_key:
            self.headers["Authorization"] = f"Bearer {settings.upstream_key}"
        # connect: the connection's deadline; sock_read: the longest silence
        # between two reads (a stream may run longer, if it keeps talking)
        self.timeout = aiohttp.ClientTimeout(
            total=None,
            sock_connect=settings.upstream_connect_timeout,
            sock_read=settings.upstream_read_timeout,
        )
        self.session: aiohttp.ClientSession | None = None

    async def start(self) -> None:
        """Open the session and its connection pool (in the running loop)."""
        # idle connections are dropped before the upstream's own idle timeout
        # (uvicorn's is 5 s): with equal timeouts a call could pick a
        # connection the upstream was closing that moment and fail with
        # upstream_unreachable (once in a soak)
        connector = aiohttp.TCPConnector(
            limit=200, limit_per_host=0, keepalive_timeout=KEEPALIVE_EXPIRY
        )
        self.session = aiohttp.ClientSession(
            connector=connector, timeout=self.timeout, headers=self.headers
        )

    async def aclose(self) -> None:
        if self.session is not None:
            await self.session.close()

    async def get(self, path: str, *, timeout: float | None = None) -> tuple[int, bytes]:
        """GET ``path``: its status and body."""
        options = {"timeout": aiohttp.ClientTimeout(total=timeout)} if timeout else {}
        async with self.session.get(self.base + path, **options) as resp:
            return resp.status, await resp.read()

    async def post(self, path: str, body: dict) -> tuple[int, bytes]:
        """POST ``body`` as JSON to ``path``: its status and body."""
        async with self.session.post(self.base + path, data=_json(body)) as resp:
            return resp.status, await resp.read()

    async def stream(self, path: str, body: dict) -> aiohttp.ClientResponse:
        """POST ``body`` to ``path`` and return once the headers are in; the
        caller reads ``resp.content`` and must ``release()`` or ``close()`` it."""
        return await self.session.post(self.base + path, data=_json(body))


def _json(body: dict) -> bytes:
    return json.dumps(body, ensure_ascii=False).encode("utf-8")


def make_client(settings: Settings) -> Upstream:
    """The upstream client for ``settings`` (``start`` it in the event loop)."""
    return Upstream(settings)


def _upstream_message(body: bytes) -> str:
    try:
        data = json.loads(body)
        err = data.get("error") if isinstance(data, dict) else None
        if isinstance(err, dict) and err.get("message"):
            return str(err["message"])
        if isinstance(err, str):
            return err
    except ValueError:
        pass
    text = body.decode("utf-8", "replace").strip()
    return text.splitlines()[0][:200] if text else ""


def status_error(status: int, body: bytes) -> ApiError:
    """An upstream answer that is not a success, as our error."""
    detail = _upstream_message(body)
    said = f": {detail}" if detail else ""
    if status in (401, 403):
        return ApiError(502, "upstream_error", "the AI service refused the server's key")
    if status == 429:
        return ApiError(503, "upstream_busy", f"the AI service is busy (429){said}; retry shortly")
    if status == 404:
        return ApiError(404, "model_not_found", f"the AI service does not know it{said}")
    if 400 <= status < 500:
        return ApiError(400, "bad_request", f"the AI service rejected the request{said}")
    return ApiError(502, "upstream_error", f"the AI service failed ({status}){said}")


def transport_error(exc: Exception) -> ApiError:
    log.warning("upstream call failed: %s: %s", type(exc).__name__, exc)
    if isinstance(exc, TimeoutError):
        return ApiError(504, "upstream_timeout", "the AI service did not answer in time")
    return ApiError(502, "upstream_unreachable", "the AI service cannot be reached")
