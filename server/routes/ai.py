"""The OpenAI-compatible proxy: ``/api/ai/models`` and
``/api/ai/chat/completions`` (streaming and not), with quota checked before
any upstream call and ``Idempotency-Key`` honoured."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from dataclasses import dataclass, field
from typing import Annotated, Any

import aiohttp
from fastapi import APIRouter, Header, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse

from inkbench.server import idempotency, quota
from inkbench.server.accounts import Principal
from inkbench.server.deps import AppState, CurrentUser, StateDep, bearer_token
from inkbench.server.errors import ApiError, error_body
from inkbench.server.upstream import TRANSPORT_ERRORS, status_error, transport_error

router = APIRouter(prefix="/ai", tags=["ai"])
log = logging.getLogger("inkbench.server.ai")
REPLAYED = {"Idempotent-Replayed": "true"}
SSE_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
STREAM_BACKLOG = 64  # reads' worth of events held for a client slower than the model
DRAIN_LIMIT = 64 * 1024  # bytes after [DONE] read to keep the upstream connection


@router.get("/models")
async def list_models(_user: CurrentUser, state: StateDep) -> JSONResponse:
    try:
        status, content = await state.upstream.get("models")
    except TRANSPORT_ERRORS as e:
        raise transport_error(e) from None
    if status >= 400:
        raise status_error(status, content)
    try:
        data = json.loads(content)
    except ValueError:
        raise ApiError(
            502, "upstream_error", "the AI service sent a model list that is not JSON"
        ) from None
    return JSONResponse(data)


# --- the call ---------------------------------------------------------------------


def _estimate(chars: int) -> int:
    return (chars + 3) // 4


def _prompt_chars(body: dict) -> int:
    total = 0
    for m in body.get("messages") or []:
        content = m.get("content") if isinstance(m, dict) else None
        if isinstance(content, str):
            total += len(content)
        elif isinstance(content, list):
            total += sum(len(p.get("text", "")) for p in content if isinstance(p, dict))
    return total


@dataclass
class Call:
    state: AppState
    user: Principal
    body: dict  # as sent upstream (its max_tokens capped by the reservation)
    purpose: str
    key: str | None
    reservation: quota.Reservation | None = None
    started: float = field(default_factory=time.monotonic)

    @property
    def model(self) -> str:
        return str(self.body.get("model", ""))

    async def release(self) -> None:
        """The call failed: free its key and give back its reservation."""
        reservation = self.reservation
        if not self.key and reservation is None:
            return

        def work(s) -> None:
            if self.key:
                idempotency.release(s, user_id=self.user.user_id, key=self.key)
            if reservation is not None:
                quota.release(s, reservation.id)

        await self.state.in_db(work)

    async def finish(
        self, *, usage: dict | None, text_chars: int, model: str, kind: str, stored: str | None
    ) -> None:
        """Charge the call (settling its reservation) and store its answer,
        in one transaction."""
        estimated = not isinstance(usage, dict)
        u = usage if isinstance(usage, dict) else {}
        prompt = (
            int(u.get("prompt_tokens") or 0)
            if not estimated
            else _estimate(_prompt_chars(self.body))
        )
        completion = (
            int(u.get("completion_tokens") or 0) if not estimated else _estimate(text_chars)
        )
        n = self.body.get("n") if isinstance(self.body.get("n"), int) else 1
        article = quota.counts_as_article(
            self.purpose, completion, n, self.state.settings.article_min_tokens
        )

        def work(s) -> None:
            quota.record_usage(
                s,
                user_id=self.user.user_id,
                model=model or self.model,
                purpose=self.purpose,
                prompt_tokens=prompt,
                completion_tokens=completion,
                estimated=estimated,
                idempotency_key=self.key,
                article=article,
                reservation_id=self.reservation.id if self.reservation else None,
            )
            if self.key and stored is not None:
                idempotency.complete(
                    s,
                    user_id=self.user.user_id,
                    key=self.key,
                    kind=kind,
                    status_code=200,
                    body=stored,
                )

        await self.state.in_db(work)
        log.info(
            "chat: user %s model %s purpose %s tokens %s+%s%s in %.0f ms",
            self.user.user_id,
            model or self.model,
            self.purpose,
            prompt,
            completion,
            " (estimated)" if estimated else "",
            (time.monotonic() - self.started) * 1000,
        )


async def _read_body(request: Request) -> dict:
    try:
        body = json.loads(await request.body())
    except (ValueError, UnicodeDecodeError):
        raise ApiError(400, "bad_request", "the request body is not valid JSON") from None
    if not isinstance(body, dict):
        raise ApiError(400, "bad_request", "the request body must be a JSON object")
    if not isinstance(body.get("model"), str) or not body["model"]:
        raise ApiError(422, "invalid_request", "model: a model name is required")
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise ApiError(422, "invalid_request", "messages: a non-empty list is required")
    return body


def _first_lease(settings) -> int:
    """A claim outlives the longest upstream wait of a non-streamed call (a
    stream renews its claim as chunks arrive), so no retry takes over a call
    that is still running."""
    return max(settings.idempotency_lease, int(settings.upstream_read_timeout) + 30)


def _reserve(s, call: Call) -> quota.Reservation:
    settings = call.state.settings
    return quota.reserve(
        s,
        user_id=call.user.user_id,
        purpose=call.purpose,
        body=call.body,
        article_min_tokens=settings.article_min_tokens,
        ttl=settings.reservation_ttl,
        default_max_tokens=settings.default_max_tokens,
    )


async def _claim(call: Call, req_hash: str) -> idempotency.Outcome:
    """Claim the key; while another attempt runs, wait for its answer. A
    claim taken over reserves quota in the same transaction."""
    settings = call.state.settings
    deadline = time.monotonic() + settings.idempotency_wait

    def attempt(s) -> idempotency.Outcome:
        if not call.user.unlimited:
            # the user's lock first, before the claim writes anything: the
            # transaction then waits on one lock only (see quota.lock_user)
            quota.lock_user(s, call.user.user_id)
        outcome = idempotency.claim(
            s,
            user_id=call.user.user_id,
            key=call.key,
            req_hash=req_hash,
            lease=_first_lease(settings),
            ttl=settings.idempotency_ttl,
        )
        if outcome.state == "claimed":
            call.reservation = _reserve(s, call)
        return outcome

    while True:
        outcome = await call.state.in_db(attempt)
        if outcome.state != "running" or time.monotonic() >= deadline:
            return outcome
        await asyncio.sleep(0.2)


@router.post("/chat/completions")
async def chat_completions(
    request: Request,
    state: StateDep,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key")] = None,
    purpose: Annotated[str, Header(alias="X-Inkbench-Purpose")] = "chat",
) -> Response:
    token = bearer_token(request)
    # who is asking, before a byte of the body is read
    user = await state.authenticate(token)
    key = (idempotency_key or "").strip() or None
    if purpose not in quota.PURPOSES:
        raise ApiError(400, "bad_request", f"X-Inkbench-Purpose must be one of {quota.PURPOSES}")
    if key and len(key) > idempotency.MAX_KEY:
        raise ApiError(400, "bad_request", "Idempotency-Key is longer than 200 characters")
    body = await _read_body(request)
    req_hash = idempotency.request_hash(body, purpose) if key else ""
    call = Call(state, user, body, purpose, key)
    outcome = await _claim(call, req_hash) if key else None
    if outcome is None and not user.unlimited:
        call.reservation = await state.in_db(_reserve, call)
    if outcome is not None and outcome.state == "done":
        return _replay(outcome, body)
    if outcome is not None and outcome.state == "running":
        raise ApiError(
            409,
            "request_in_progress",
            "a request with this Idempotency-Key is still running; retry shortly",
            headers={"Retry-After": "2"},
        )
    if call.reservation is not None and call.reservation.max_tokens is not None:
        call.body = _capped(body, call.reservation.max_tokens)
    if body.get("stream") is True:
        return await _proxy_stream(call)
    return await _proxy_once(call)


def _capped(body: dict, max_tokens: int) -> dict:
    """The body with the reservation's cap, in the field the caller used."""
    out = dict(body)
    if "max_completion_tokens" in out:
        out["max_completion_tokens"] = max_tokens
    else:
        out["max_tokens"] = max_tokens
    return out


async def _proxy_once(call: Call) -> Response:
    try:
        status, content = await call.state.upstream.post("chat/completions", call.body)
    except TRANSPORT_ERRORS as e:
        await call.release()
        raise transport_error(e) from None
    if status >= 400:
        await call.release()
        raise status_error(status, content)
    try:
        data = json.loads(content)
        text = data["choices"][0]["message"].get("content") or ""
    except (ValueError, KeyError, IndexError, TypeError, AttributeError):
        await call.release()
        raise ApiError(
            502, "upstream_error", "the AI service sent an answer that is not a chat completion"
        ) from None
    await call.finish(
        usage=data.get("usage"),
        text_chars=len(text),
        model=str(data.get("model") or ""),
        kind="json",
        stored=json.dumps(data, ensure_ascii=False) if call.key else None,
    )
    # the upstream's own bytes (it is a JSON object, checked above): no
    # second encoding of what was just decoded
    return Response(content, media_type="application/json")


# --- streaming --------------------------------------------------------------------


def _sse(obj: Any) -> bytes:
    return b"data: " + json.dumps(obj, ensure_ascii=False).encode("utf-8") + b"\n\n"


DONE = b"data: [DONE]\n\n"


class Relay:
    """Reads the upstream stream in its own task and hands each event on as
    it arrives. The task outlives the client: if the client goes away, the
    reply is still read to its end, charged once and stored, so a retry with
    the same Idempotency-Key gets it without a second upstream call."""

    def __init__(self, call: Call, resp: aiohttp.ClientResponse, wants_usage: bool) -> None:
        self.call = call
        self.resp = resp
        self.wants_usage = wants_usage
        # bounded: a slow reader holds the upstream back; a departed one
        # gets nothing queued at all (the reply is still read, charged, kept)
        self.queue: asyncio.Queue[bytes | None] = asyncio.Queue(maxsize=STREAM_BACKLOG)
        self.out: list[bytes] = []  # events of the chunk being handled
        self.consumer_gone = False
        self.text: list[str] = []
        self.text_chars = 0
        self.usage: dict | None = None
        self.model = ""
        self.id = ""
        self.created = 0
        self.finish_reason: str | None = None
        self.error: ApiError | None = None

    async def events(self):
        try:
            while True:
                item = await self.queue.get()
                if item is None:
                    return
                yield item
        finally:
            self.consumer_gone = True
            self._drain()  # and wake a pump waiting for room

    async def _put(self, item: bytes | None) -> None:
        if self.consumer_gone:
            return
        await self.queue.put(item)
        if self.consumer_gone:  # the reader left while this waited for room
            self._drain()

    def _drain(self) -> None:
        while not self.queue.empty():
            self.queue.get_nowait()

    async def _flush(self) -> None:
        """Hand on the events of one upstream read as one piece: one write to
        the client (a system call, and a wake-up of the client) for all of
        them, not one per event."""
        out, self.out = self.out, []
        if out:
            await self._put(out[0] if len(out) == 1 else b"".join(out))

    def _handle(self, event: bytes) -> bool:
        """Forward one SSE event; True at the end marker."""
        data_lines = [
            line[5:].lstrip(b" ") for line in event.split(b"\n") if line.startswith(b"data:")
        ]
        if not data_lines:
            self.out.append(event + b"\n\n")  # comments, keep-alives
            return False
        data = b"\n".join(data_lines)
        if data.strip() == b"[DONE]":
            return True
        try:
            obj = json.loads(data)
        except ValueError:
            self.out.append(event + b"\n\n")
            return False
        if not isinstance(obj, dict):
            self.out.append(event + b"\n\n")  # not ours to judge: pass it on
            return False
        if "error" in obj:
            err = obj["error"]
            message = err.get("message") if isinstance(err, dict) else str(err)
            self.error = ApiError(502, "upstream_error", f"the AI service failed: {message}")
            return False
        self.id = obj.get("id") or self.id
        self.model = obj.get("model") or self.model
        self.created = obj.get("created") or self.created
        choices = obj.get("choices") or []
        for choice in choices:
            if not isinstance(choice, dict) or choice.get("index", 0) != 0:
                continue
            content = (choice.get("delta") or {}).get("content")
            if isinstance(content, str):
                self.text.append(content)
                self.text_chars += len(content)
            self.finish_reason = choice.get("finish_reason") or self.finish_reason
        usage = obj.get("usage")
        if isinstance(usage, dict):
            self.usage = usage
            if not self.wants_usage and not choices:
                return False  # we asked for it, the caller did not
        self.out.append(event + b"\n\n")
        return False

    async def _drain_upstream(self, raw) -> bool:
        """Read what follows ``[DONE]`` (normally only the end of the chunked
        body, a few bytes), so the connection goes back to the client's pool:
        closed half-read, every streamed call paid for a new TCP connection
        to the upstream before its first token. An upstream that keeps
        talking is cut off after ``DRAIN_LIMIT`` bytes. True: read to its end."""
        left = DRAIN_LIMIT
        with contextlib.suppress(*TRANSPORT_ERRORS):
            async for chunk in raw:
                left -= len(chunk)
                if left < 0:
                    return False
        return self.resp.content.at_eof()

    async def pump(self) -> None:
        call = self.call
        settings = call.state.settings
        done = False
        stopped = False
        buf = b""
        renewed = time.monotonic()
        raw = self.resp.content.iter_any()  # one iterator: the drain reads on from it
        ended = False
        try:
            async for chunk in raw:
                buf = (buf + chunk).replace(b"\r\n", b"\n")
                while b"\n\n" in buf and not done and self.error is None:
                    event, buf = buf.split(b"\n\n", 1)
                    if event:
                        done = self._handle(event)
                await self._flush()
                if done or self.error is not None:
                    break
                if self.consumer_gone and not call.key:
                    stopped = True  # nobody will read or replay it: stop paying for it
                    break
                if call.key and time.monotonic() - renewed > settings.idempotency_lease / 3:
                    renewed = time.monotonic()
                    await call.state.in_db(
                        idempotency.renew,
                        user_id=call.user.user_id,
                        key=call.key,
                        lease=settings.idempotency_lease,
                    )
        except TimeoutError:
            self.error = ApiError(504, "upstream_timeout", "the AI service stopped answering")
        except aiohttp.ClientError:
            self.error = ApiError(
                502, "upstream_error", "the AI service's stream broke off before its end"
            )
        except asyncio.CancelledError:  # server shutting down
            await call.release()
            with contextlib.suppress(asyncio.QueueFull):
                self.queue.put_nowait(None)
            raise
        finally:
            if done:
                ended = await self._drain_upstream(raw)
            if ended:
                self.resp.release()  # read to its end: the connection goes back to the pool
            else:
                self.resp.close()  # half-read: the connection cannot be reused
        try:
            if done:
                stored = {
                    "id": self.id,
                    "model": self.model,
                    "created": self.created,
                    "content": "".join(self.text),
                    "finish_reason": self.finish_reason,
                    "usage": self.usage,
                }
                await call.finish(
                    usage=self.usage,
                    text_chars=self.text_chars,
                    model=self.model,
                    kind="sse",
                    stored=json.dumps(stored, ensure_ascii=False),
                )
                await self._put(DONE)
            elif stopped:
                await call.finish(
                    usage=None,
                    text_chars=self.text_chars,
                    model=self.model,
                    kind="sse",
                    stored=None,
                )
            else:
                if self.error is None:
                    self.error = ApiError(
                        502, "upstream_error", "the AI service's stream ended before its end"
                    )
                await call.release()
                log.warning("chat stream failed: %s", self.error.code)
                await self._put(_sse(error_body(self.error.code, self.error.message)))
        except Exception:
            log.exception("chat stream bookkeeping failed")
            await self._put(
                _sse(error_body("internal_error", "the server could not record this reply"))
            )
        finally:
            await self._put(None)


async def _proxy_stream(call: Call) -> Response:
    payload = dict(call.body)
    options = dict(payload.get("stream_options") or {})
    wants_usage = bool(options.get("include_usage"))
    options["include_usage"] = True
    payload["stream_options"] = options
    try:
        resp = await call.state.upstream.stream("chat/completions", payload)
    except TRANSPORT_ERRORS as e:
        await call.release()
        raise transport_error(e) from None
    if resp.status >= 400:
        try:
            content = await resp.read()
        except TRANSPORT_ERRORS:
            content = b""
        resp.close()
        await call.release()
        raise status_error(resp.status, content)
    relay = Relay(call, resp, wants_usage)
    task = asyncio.create_task(relay.pump())
    call.state.tasks.add(task)
    task.add_done_callback(call.state.tasks.discard)
    return EventStream(relay.events(), media_type="text/event-stream", headers=SSE_HEADERS)


class EventStream(StreamingResponse):
    """A ``StreamingResponse`` that sends its headers together with its first
    piece: the client then wakes once for both, not once for the headers
    and again, a moment later, for the first token."""

    async def stream_response(self, send) -> None:
        first = b""
        async for chunk in self.body_iterator:
            first = chunk
            break
        await send(
            {"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers}
        )
        if first:
            await send({"type": "http.response.body", "body": first, "more_body": True})
        async for chunk in self.body_iterator:
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
        await send({"type": "http.response.body", "body": b"", "more_body": False})


# --- replay -----------------------------------------------------------------------


def _replay(outcome: idempotency.Outcome, body: dict) -> Response:
    if outcome.kind == "json":
        return JSONResponse(
            json.loads(outcome.body or "{}"),
            status_code=outcome.status_code or 200,
            headers=REPLAYED,
        )
    stored = json.loads(outcome.body or "{}")
    wants_usage = bool((body.get("stream_options") or {}).get("include_usage"))
    base = {
        "id": stored.get("id") or "chatcmpl-replay",
        "object": "chat.completion.chunk",
        "created": stored.get("created") or int(time.time()),
        "model": stored.get("model") or body.get("model"),
    }
    events = [
        _sse(
            base
            | {
                "choices": [
                    {
                        "index": 0,
                        "delta": {"role": "assistant", "content": stored.get("content", "")},
                        "finish_reason": None,
                    }
                ]
            }
        ),
        _sse(
            base
            | {"choices": [{"index": 0, "delta": {}, "finish_reason": stored.get("finish_reason")}]}
        ),
    ]
    if wants_usage and stored.get("usage"):
        events.append(_sse(base | {"choices": [], "usage": stored["usage"]}))
    events.append(DONE)

    async def gen():
        for e in events:
            yield e

    return StreamingResponse(
        gen(), media_type="text/event-stream", headers={**SSE_HEADERS, **REPLAYED}
    )
