"""The OpenAI-compatible HTTP client both providers share: timeouts,
retries with backoff for idempotent calls, SSE streaming, error mapping.

Retries: a transport failure is retried only when the request cannot have
reached the endpoint (it could not connect, the connect timed out, no pooled
connection came free), or when repeating it is harmless: a GET, or a POST
carrying an Idempotency-Key to an endpoint that honours it (the account
server answers a repeat from its store and charges once). A POST to a
direct provider that broke after it was sent is not repeated, since the
provider may already be billing it: the caller gets ``UpstreamError``
(``connection_lost``). Answers 502, 503, 504 and 409 ``request_in_progress``
are retried (the endpoint said it did not do the work). Once a stream has
produced text it is never silently restarted: the caller gets ``StreamCut``
and retries with the same key, which the account server answers from its
store.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import random
import socket
import time
import uuid
from collections.abc import Iterator, Sequence

import httpx

from inkbench.i18n import N_, _
from inkbench.integrations.ai.errors import (
    AuthRequired,
    Cancelled,
    Offline,
    QuotaExceeded,
    StreamCut,
    UpstreamError,
)
from inkbench.integrations.ai.provider import (
    ChatEvent,
    ChatResult,
    Done,
    Message,
    TextDelta,
    Usage,
)
from inkbench.integrations.ai.sse import iter_data
from inkbench.storage.jobs import CancelToken

RETRY_STATUS = frozenset({409, 502, 503, 504})
#: transport failures after which the request has certainly not been sent
NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


def error_from_response(resp: httpx.Response, what: str) -> Exception:
    """An error answer as the provider exception the caller can act on."""
    code, message = "", ""
    try:
        err = resp.json().get("error")
        if isinstance(err, dict):
            code, message = str(err.get("code") or err.get("type") or ""), str(err.get("message"))
        elif isinstance(err, str):
            message = err
    except (ValueError, AttributeError):
        pass
    message = (message or "").strip().splitlines()[0] if message else ""
    status = resp.status_code
    if status == 401:
        return AuthRequired(
            _("{what} refused the login ({value})").format(
                what=_(what), value=message or _("unauthorized")
            )
        )
    if status == 429 and code == "quota_exceeded":
        return QuotaExceeded(message or "")
    if not message:
        message = _("{what} answered {status}").format(what=_(what), status=status)
    return UpstreamError(
        message, code=code or ("upstream_error" if status >= 500 else ""), status=status
    )


def new_idempotency_key() -> str:
    return "ink-" + uuid.uuid4().hex


class HttpProvider:
    """An OpenAI-compatible ``/chat/completions`` and ``/models`` endpoint."""

    name = "http"
    what = N_("the AI service")  # for messages, translated where shown
    retries = 3
    backoff = 0.3  # seconds; doubled each retry, with jitter
    #: True where the endpoint answers a repeated Idempotency-Key from its
    #: store instead of doing (and billing) the work again
    honours_idempotency = False

    def __init__(
        self,
        *,
        default_model: str | None = None,
        timeout: float = 60.0,
        connect_timeout: float = 5.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.default_model = default_model
        self.timeout = timeout
        self.client = httpx.Client(
            timeout=httpx.Timeout(timeout, connect=connect_timeout),
            transport=transport,
            follow_redirects=False,
        )

    # --- hooks -----------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        raise NotImplementedError

    def auth_headers(self) -> dict[str, str]:
        return {}

    def on_unauthorized(self, used: dict[str, str]) -> bool:
        """A 401 came back for ``used`` headers: True to retry once."""
        return False

    def call_headers(self, purpose: str, key: str | None) -> dict[str, str]:
        headers = {}
        if key:
            headers["Idempotency-Key"] = key
        return headers

    def unreachable(self, exc: Exception) -> Exception:
        return Offline(self.base_url.split("/api")[0], type(exc).__name__)

    # --- plumbing ----------------------------------------------------------------------

    def close(self) -> None:
        self.client.close()

    def may_repeat(self, method: str, headers: dict[str, str] | None, exc: Exception) -> bool:
        """Whether a request that failed with ``exc`` may be sent again: it
        never left (``NOT_SENT``), or repeating it cannot do the work twice."""
        if isinstance(exc, NOT_SENT):
            return True
        if method.upper() in ("GET", "HEAD"):
            return True
        return self.honours_idempotency and bool((headers or {}).get("Idempotency-Key"))

    def _sleep(
        self, attempt: int, cancel: CancelToken | None = None, seconds: float | None = None
    ) -> None:
        """Wait before a retry (backoff with jitter, or ``seconds``); a
        cancel ends the wait and the call."""
        if seconds is None:
            seconds = self.backoff * (2**attempt) * (0.75 + random.random() / 2)
        if cancel is None:
            time.sleep(seconds)
        elif cancel.wait(seconds) or cancel.cancelled:
            raise Cancelled()

    def _send(
        self,
        method: str,
        path: str,
        *,
        json_body: dict | None = None,
        headers: dict[str, str] | None = None,
        stream: bool = False,
        retry: bool = True,
        base: str | None = None,
        cancel: CancelToken | None = None,
    ) -> httpx.Response:
        """Send, retrying transient failures, refreshing once on 401. The
        response is open when ``stream`` (the caller closes it)."""
        refreshed = False
        attempt = 0
        while True:
            auth = self.auth_headers()
            request = self.client.build_request(
                method,
                (base or self.base_url).rstrip("/") + path,
                json=json_body,
                headers={**auth, **(headers or {})},
            )
            try:
                resp = self.client.send(request, stream=stream)
            except httpx.TransportError as e:
                # a read timeout is not repeated at once: the endpoint is slow, not gone
                slow = isinstance(e, httpx.TimeoutException) and not isinstance(e, NOT_SENT)
                if (
                    retry
                    and not slow
                    and attempt < self.retries
                    and self.may_repeat(method, headers, e)
                ):
                    self._sleep(attempt, cancel)
                    attempt += 1
                    continue
                raise self._transport_error(e, method, headers) from None
            if resp.status_code == 401 and not refreshed:
                if stream:
                    resp.read()
                    resp.close()
                refreshed = True
                if self.on_unauthorized(auth):
                    continue
                raise error_from_response(resp, self.what)
            if resp.status_code in RETRY_STATUS and retry and attempt < self.retries:
                if stream:
                    resp.read()
                    resp.close()
                wait = resp.headers.get("Retry-After")
                if wait and wait.isdigit() and int(wait) <= 5:
                    self._sleep(attempt, cancel, float(wait))
                else:
                    self._sleep(attempt, cancel)
                attempt += 1
                continue
            if resp.status_code >= 400:
                if stream:
                    resp.read()
                    resp.close()
                raise error_from_response(resp, self.what)
            return resp

    def _transport_error(
        self, e: httpx.TransportError, method: str, headers: dict[str, str] | None
    ) -> Exception:
        """The provider error for a transport failure that is not retried (again)."""
        if isinstance(e, (httpx.ConnectError, httpx.ConnectTimeout)):
            return self.unreachable(e)
        if isinstance(e, httpx.TimeoutException):
            return UpstreamError(
                _("{what} did not answer within {timeout:.0f} s; retry later").format(
                    what=_(self.what), timeout=self.timeout
                ),
                code="timeout",
            )
        if not self.may_repeat(method, headers, e):
            return UpstreamError(
                _(
                    "the connection to {what} broke after the request was sent ({error}); "
                    "it was not sent again, as it may already be charged"
                ).format(what=_(self.what), error=type(e).__name__),
                code="connection_lost",
            )
        return self.unreachable(e)

    def _body(self, messages, model, max_tokens, temperature, stream) -> dict:
        model = model or self.default_model
        if not model:
            from inkbench.storage.errors import InvalidInput

            raise InvalidInput(
                _(
                    'no AI model chosen; set [ai] model = "..." in '
                    "config.toml (see `inkbench ai models`)"
                )
            )
        body: dict = {"model": model, "messages": [dict(m) for m in messages], "stream": stream}
        if stream:
            body["stream_options"] = {"include_usage": True}
        if max_tokens is not None:
            body["max_tokens"] = max_tokens
        if temperature is not None:
            body["temperature"] = temperature
        return body

    def request_fingerprint(
        self,
        messages: Sequence[Message],
        *,
        model: str | None = None,
        max_tokens: int | None = None,
        temperature: float | None = None,
        stream: bool = True,
        purpose: str = "chat",
    ) -> str:
        """SHA-256 of the exact body (and purpose) a chat call with these
        arguments sends: equal exactly when the endpoint would see the same
        request, so an Idempotency-Key can follow the body."""
        body = self._body(messages, model, max_tokens, temperature, stream)
        canonical = json.dumps(
            [body, purpose], sort_keys=True, separators=(",", ":"), ensure_ascii=False
        )
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()

    # --- the interface -----------------------------------------------------------------

    def stream_chat(
        self,
        messages: Sequence[Message],
        *,
        model: str | None = None,
        idempotency_key: str | None = None,
        max_tokens: int | None = None,
        temperature: float | None = None,
        purpose: str = "chat",
        cancel: CancelToken | None = None,
    ) -> Iterator[ChatEvent]:
        body = self._body(messages, model, max_tokens, temperature, True)
        key = idempotency_key or new_idempotency_key()
        if cancel is not None and cancel.cancelled:
            raise Cancelled()
        resp = self._send(
            "POST",
            "/chat/completions",
            json_body=body,
            headers=self.call_headers(purpose, key),
            stream=True,
            cancel=cancel,
        )
        replayed = resp.headers.get("Idempotent-Replayed") == "true"
        text: list[str] = []
        usage: dict | None = None
        finish: str | None = None
        got_model = body["model"]
        done = False
        # a cancel wakes a read that waits for data (it is checked between lines)
        unhook = cancel.on_cancel(lambda: abort_read(resp)) if cancel is not None else None
        try:
            for data in iter_data(resp.iter_lines()):
                if cancel is not None and cancel.cancelled:
                    raise Cancelled()
                if data.strip() == "[DONE]":
                    done = True
                    break
                try:
                    obj = json.loads(data)
                except ValueError:
                    continue
                if not isinstance(obj, dict):
                    continue
                if "error" in obj:
                    err = obj["error"]
                    message = err.get("message") if isinstance(err, dict) else str(err)
                    raise StreamCut("".join(text), str(message))
                got_model = obj.get("model") or got_model
                for choice in obj.get("choices") or []:
                    if not isinstance(choice, dict) or choice.get("index", 0) != 0:
                        continue
                    content = (choice.get("delta") or {}).get("content")
                    if content:
                        text.append(content)
                        yield TextDelta(content)
                    finish = choice.get("finish_reason") or finish
                if isinstance(obj.get("usage"), dict):
                    usage = obj["usage"]
        except httpx.HTTPError as e:
            if cancel is not None and cancel.cancelled:  # the read was aborted
                raise Cancelled() from None
            if isinstance(e, httpx.TimeoutException):
                raise StreamCut(
                    "".join(text), _("no data for {timeout:.0f} s").format(timeout=self.timeout)
                ) from None
            raise StreamCut("".join(text), type(e).__name__) from None
        finally:
            if unhook is not None:
                unhook()
            resp.close()
        if not done:
            if cancel is not None and cancel.cancelled:  # aborted: the body "ended"
                raise Cancelled()
            raise StreamCut("".join(text), _("the connection closed early"))
        yield Done(
            usage=_usage(usage, body, "".join(text)),
            model=got_model,
            finish_reason=finish,
            replayed=replayed,
        )

    def chat(
        self,
        messages: Sequence[Message],
        *,
        model: str | None = None,
        idempotency_key: str | None = None,
        max_tokens: int | None = None,
        temperature: float | None = None,
        purpose: str = "chat",
        cancel: CancelToken | None = None,
    ) -> ChatResult:
        body = self._body(messages, model, max_tokens, temperature, False)
        key = idempotency_key or new_idempotency_key()
        if cancel is not None and cancel.cancelled:
            raise Cancelled()
        resp = self._send(
            "POST",
            "/chat/completions",
            json_body=body,
            headers=self.call_headers(purpose, key),
            cancel=cancel,
        )
        try:
            data = resp.json()
            choice = data["choices"][0]
            text = choice["message"].get("content") or ""
        except (ValueError, KeyError, IndexError, TypeError, AttributeError):
            raise UpstreamError(
                _("{what} sent an answer that is not a chat completion").format(what=_(self.what))
            ) from None
        return ChatResult(
            text=text,
            usage=_usage(data.get("usage"), body, text),
            model=data.get("model") or body["model"],
            finish_reason=choice.get("finish_reason"),
            replayed=resp.headers.get("Idempotent-Replayed") == "true",
        )

    def models(self) -> list[str]:
        resp = self._send("GET", "/models")
        try:
            return sorted(str(m["id"]) for m in resp.json()["data"])
        except (ValueError, KeyError, TypeError):
            raise UpstreamError(
                _("{what} sent a model list that is not one").format(what=_(self.what))
            ) from None


def abort_read(resp: httpx.Response) -> None:
    """Wake a thread blocked reading ``resp`` (from any thread): shut its
    socket down, so the read ends at once with an error instead of waiting
    for data or its timeout. The connection is not reused. Closing the
    response instead is not safe while another thread reads it, and closing
    a socket does not wake a read already waiting on it; a shutdown does."""
    stream = resp.extensions.get("network_stream")
    sock = stream.get_extra_info("socket") if stream is not None else None
    if sock is None:  # a transport without sockets: the check between lines serves
        return
    with contextlib.suppress(OSError):  # already closed
        sock.shutdown(socket.SHUT_RDWR)


def _usage(usage: dict | None, body: dict, text: str) -> Usage:
    """Reported usage, or an estimate (4 characters a token) when there is none."""
    if isinstance(usage, dict):
        return Usage(
            prompt_tokens=int(usage.get("prompt_tokens") or 0),
            completion_tokens=int(usage.get("completion_tokens") or 0),
        )
    chars = sum(len(str(m.get("content", ""))) for m in body["messages"])
    return Usage(prompt_tokens=(chars + 3) // 4, completion_tokens=(len(text) + 3) // 4)
