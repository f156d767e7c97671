"""The upstream OpenAI-compatible API: one shared httpx client per process,
and the mapping of its failures to this server's error codes."""

from __future__ import annotations

import json
import logging

import httpx

from inkbench.server.errors import ApiError
from inkbench.server.settings import Settings

log = logging.getLogger("inkbench.server.upstream")


KEEPALIVE_EXPIRY = 2.0  # seconds an idle upstream connection is kept


def make_client(settings: Settings) -> httpx.AsyncClient:
    headers = {}
    if settings.upstream_key:
        headers["Authorization"] = f"Bearer {settings.upstream_key}"
    return httpx.AsyncClient(
        base_url=settings.upstream_url.rstrip("/") + "/",
        headers=headers,
        timeout=httpx.Timeout(
            settings.upstream_read_timeout, connect=settings.upstream_connect_timeout
        ),
        # idle connections are dropped before the upstream's own idle timeout
        # (uvicorn's is 5 s, httpx's default expiry too): with equal timeouts
        # a call could pick a connection the upstream was closing that
        # moment and fail with upstream_unreachable (once in a soak)
        limits=httpx.Limits(
            max_connections=200, max_keepalive_connections=50, keepalive_expiry=KEEPALIVE_EXPIRY
        ),
    )


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
    if isinstance(exc, httpx.TimeoutException):
        return ApiError(504, "upstream_timeout", "the AI service did not answer in time")
    return ApiError(502, "upstream_unreachable", "the AI service cannot be reached")
