"""The generation runner: claims items and writes their articles.

Used by the TUI (in a thread worker) and by ``inkbench generate run``; any
number of runners, in any processes, can share one database.

For each item it claims (``storage.leases.GENERATION``, one atomic
statement with a lease), the runner:

1. retrieves the knowledge base's best chunks for the topic (bm25),
2. builds the prompt from the setting, topic, chunks and target,
3. checks the quota, then streams the reply with an ``Idempotency-Key``
   derived from the item and the request body, so a retried request is
   charged once, and a request rebuilt from changed inputs (knowledge base,
   setting, model) gets a key of its own instead of the server's 422 for a
   reused key; each text delta goes to ``on_event`` as it arrives,
4. while streaming, a heartbeat thread renews the lease, saves the reply so
   far in ``partial_text`` and notices a pause or cancel from elsewhere,
5. picks illustrations from the album (OCR text and names matching the
   article), and in one transaction writes the article (origin
   ``generated``), its images, its sources (the chunks used), an ``ai``
   revision and the usage row, marks the item done and advances the task.

Failures: a cut stream or an upstream error is retried at once with the same
key, then the item goes back to the queue with backoff, and fails after
``max_attempts``. ``QuotaExceeded`` pauses the task (``quota_exceeded``),
``Offline`` pauses it (``offline``) and the runner resumes it when the server
answers again, ``AuthRequired`` pauses it (``login_required``). A runner
killed with SIGKILL loses only its current item's unsaved tail; the item's
lease expires and any runner takes it again.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from inkbench.i18n import _
from inkbench.integrations.ai.errors import (
    AIError,
    AuthRequired,
    Cancelled,
    KeyringUnavailable,
    Offline,
    QuotaExceeded,
)
from inkbench.integrations.ai.provider import Done, TextDelta
from inkbench.integrations.generation.images import pick_images, place_images
from inkbench.integrations.generation.prompts import build_messages
from inkbench.integrations.generation.replies import split_article
from inkbench.storage import leases
from inkbench.storage.ai_usage import log_request
from inkbench.storage.connection import is_busy
from inkbench.storage.engine import Database
from inkbench.storage.errors import InkbenchError
from inkbench.storage.generated_articles import add_generated_article, article_of_item
from inkbench.storage.generation_items import (
    claim_item,
    finish_task_if_done,
    item_done,
    item_release,
    item_retry_or_fail,
    item_task_id,
    next_due_at,
    pause_active_task,
    requeue_if_idle,
    resume_paused_task,
    save_partial,
    task_status,
    tasks_paused_for_service,
)
from inkbench.storage.jobs import CancelToken
from inkbench.storage.knowledge import retrieve
from inkbench.storage.models import (
    ArticleSetting,
    ConversionTarget,
    GenerationItem,
    GenerationTask,
    utcnow,
)
from inkbench.storage.tasks import item_inputs

log = logging.getLogger("inkbench.generate")


@dataclass(frozen=True)
class RunnerEvent:
    """What the runner did, for a UI or a log line.

    kinds: ``item_started``, ``delta`` (``text`` is the new text only),
    ``item_done`` (``article_id``), ``item_retry``, ``item_failed``,
    ``task_paused`` (``message`` says why), ``task_finished`` (``message`` is
    the status), ``task_resumed``, ``idle``."""

    kind: str
    task_id: int | None = None
    item_id: int | None = None
    text: str = ""
    article_id: int | None = None
    message: str = ""


@dataclass
class RunStats:
    done: int = 0
    retried: int = 0
    failed: int = 0
    paused: int = 0
    articles: list[int] = field(default_factory=list)


@dataclass
class _Context:
    item: GenerationItem
    task: GenerationTask
    setting: ArticleSetting | None
    target: ConversionTarget | None
    sources: list
    messages: list[dict[str, str]]
    key: str


class _Halt(Exception):
    """The item must stop: paused or cancelled elsewhere, or the lease lost."""


def idempotency_key(db: Database, task: GenerationTask, item_id: int, body_hash: str) -> str:
    """The key of one item's request: the same across attempts while the
    request body is the same, so a rerun after a crash or a kill gets the
    answer the server already completed (and charged), never a second charge;
    a failed call (the server keeps no failed answer) runs anew. A body
    rebuilt from changed inputs (``body_hash`` differs) gets a new key, since
    the server refuses a key reused for another request. Another database
    never collides."""
    seed = f"{db.path.resolve()}|{task.id}|{task.created_at.isoformat()}"
    tag = hashlib.sha256(seed.encode()).hexdigest()[:16]
    return f"inkbench-gen-{tag}-{item_id}-{body_hash[:16]}"


def request_hash(provider, messages: list[dict[str, str]], model: str | None) -> str:
    """The fingerprint of the body ``provider`` sends for this item: the
    provider's own (the exact JSON) where it has one, else of the messages
    and the model."""
    fingerprint = getattr(provider, "request_fingerprint", None)
    if fingerprint is not None:
        try:
            return fingerprint(messages, model=model, stream=True, purpose="generate")
        except InkbenchError:  # e.g. no model chosen: the call itself says so, in order
            pass
    model = model or getattr(provider, "default_model", None) or ""
    canonical = json.dumps([messages, model], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class Runner:
    def __init__(
        self,
        db: Database,
        provider,
        *,
        on_event: Callable[[RunnerEvent], None] | None = None,
        owner: str | None = None,
        task_id: int | None = None,
        lease_seconds: float = 60.0,
        heartbeat_seconds: float = 1.0,
        max_attempts: int = 3,
        stream_retries: int = 2,
        backoff_seconds: float = 2.0,
        poll_seconds: float = 2.0,
        health_backoff_max: float = 30.0,
        sources_per_article: int = 5,
        images_per_article: int = 2,
    ) -> None:
        self.db = db
        self.provider = provider
        self.on_event = on_event or (lambda _e: None)
        self.owner = owner or leases.worker_name("generate")
        self.task_id = task_id
        self.lease_seconds = lease_seconds
        self.heartbeat_seconds = heartbeat_seconds
        self.max_attempts = max_attempts
        self.stream_retries = stream_retries
        self.backoff_seconds = backoff_seconds
        self.poll_seconds = poll_seconds
        self.health_backoff_max = health_backoff_max
        self.sources_per_article = sources_per_article
        self.images_per_article = images_per_article
        self.stats = RunStats()
        self._stop = CancelToken()  # run(cancel=...) adopts the caller's token
        self._halt = threading.Event()  # the current item must stop
        self._halt_reason = ""
        # what the provider is given as ``cancel``: cancelled when the run
        # stops or the item halts, which wakes a read waiting for data
        self._item_token = CancelToken()
        self._health_wait = 1.0
        self._next_health_check = 0.0
        self._claimed_at = time.monotonic()

    # --- control ----------------------------------------------------------------------

    def stop(self) -> None:
        """Stop soon: the current item is handed back untried, nothing lost."""
        self._stop.cancel()

    @property
    def stopping(self) -> bool:
        return self._stop.cancelled

    def _halt_item(self, reason: str) -> None:
        """The current item must stop (paused or cancelled elsewhere, lease
        lost): its stream is aborted at once, even while it waits for data."""
        self._halt_reason = reason
        self._halt.set()
        self._item_token.cancel()

    def _emit(self, kind: str, **kw) -> None:
        with contextlib.suppress(Exception):  # a UI callback must never break the runner
            self.on_event(RunnerEvent(kind, **kw))

    # --- loop ---------------------------------------------------------------------------

    def run(self, *, once: bool = False, cancel: CancelToken | None = None) -> RunStats:
        """Process items until stopped (``stop()`` or ``cancel``); with
        ``once``, until nothing is left to do now (items waiting out a backoff
        are waited for; tasks paused offline are checked once)."""
        if cancel is not None:
            if self._stop.cancelled:
                cancel.cancel()
            self._stop = cancel
        with self.db.raw() as conn:
            leases.release_expired(conn, leases.GENERATION)
        first = True
        try:
            while not self._stop.cancelled:
                self._check_paused_tasks(force=once and first)
                first = False
                if self.process_next():
                    continue
                wait = self._seconds_to_next_due()
                if once and wait is None:
                    break
                self._emit("idle")
                self._stop.wait(
                    min(self.poll_seconds, wait) if wait is not None else self.poll_seconds
                )
        finally:
            with self.db.raw() as conn:
                leases.release_owned(conn, leases.GENERATION, self.owner)
                requeue_if_idle(conn)
        return self.stats

    def _seconds_to_next_due(self) -> float | None:
        """Seconds until an item of an active task can be claimed: a pending
        one waiting out its backoff, or a running one whose lease will lapse
        (its worker may have died); None when there is none."""
        with self.db.raw(write=False) as conn:
            due = next_due_at(conn, self.owner, task_id=self.task_id)
        if due is None:
            return None
        return max(0.05, (due - utcnow()).total_seconds() + 0.05)

    def _check_paused_tasks(self, *, force: bool = False) -> None:
        """Resume tasks paused offline (or for quota) once the server answers
        and the quota allows, checking with backoff."""
        now = time.monotonic()
        if not force and now < self._next_health_check:
            return
        with self.db.raw(write=False) as conn:
            waiting = tasks_paused_for_service(conn, task_id=self.task_id)
        if not waiting:
            self._health_wait = 1.0
            return
        try:
            quota = self.provider.quota()
            ok_reasons = (
                {"offline"}
                if quota is not None and quota.exhausted
                else {"offline", "quota_exceeded"}
            )
        except Offline:
            ok_reasons = set()
        except QuotaExceeded:
            ok_reasons = {"offline"}
        except AIError:
            ok_reasons = set()
        resumed = []
        if ok_reasons:
            with self.db.raw() as conn:
                for task_id, reason in waiting:
                    if reason in ok_reasons and resume_paused_task(conn, task_id, reason):
                        resumed.append(task_id)
        for task_id in resumed:
            self._emit("task_resumed", task_id=task_id, message=_("the server answers again"))
        if resumed:
            self._health_wait = 1.0
        else:
            self._health_wait = min(self.health_backoff_max, self._health_wait * 2)
        self._next_health_check = time.monotonic() + self._health_wait

    # --- one item -------------------------------------------------------------------------

    def process_next(self) -> bool:
        """Claim one item and see it through; False when nothing is claimable."""
        self._claimed_at = time.monotonic()  # the lease runs from (at the latest) here
        with self.db.raw() as conn:
            item_id = claim_item(conn, self.owner, self.lease_seconds, task_id=self.task_id)
        if item_id is None:
            return False
        self._process(item_id)
        return True

    def _load(self, item_id: int) -> _Context:
        with self.db.read() as s:
            item, task, setting, target = item_inputs(s, item_id)
        if setting is None:  # deleted while the task ran: the defaults stand in
            setting = ArticleSetting(name=task.setting_name or "default")
        sources = []
        if task.knowledge_base_id:
            with self.db.raw(write=False) as conn:
                sources = retrieve(
                    conn,
                    task.knowledge_base_id,
                    f"{task.keyword} {item.topic_text}",
                    limit=self.sources_per_article,
                )
        messages = build_messages(
            setting, keyword=task.keyword, topic=item.topic_text, sources=sources, target=target
        )
        key = idempotency_key(
            self.db, task, item.id, request_hash(self.provider, messages, task.model or None)
        )
        return _Context(item, task, setting, target, sources, messages, key)

    def _process(self, item_id: int) -> None:
        try:
            self._process_item(item_id)
        except Exception as e:  # a bug or a damaged row: keep the item, go on with the rest
            logging.getLogger("inkbench.generate").exception("item %s failed", item_id)
            message = (
                _("unexpected error: {error}")
                .format(error=f"{type(e).__name__}: {e}")
                .splitlines()[0][:300]
            )
            again, task_id = True, None
            with self.db.raw() as conn:
                if leases.still_ours(conn, leases.GENERATION, item_id, self.owner):
                    task_id = item_task_id(conn, item_id)
                    again = item_retry_or_fail(
                        conn,
                        item_id,
                        task_id,
                        message,
                        max_attempts=self.max_attempts,
                        backoff_s=self.backoff_seconds,
                    )
                    if not again:
                        finish_task_if_done(conn, task_id)
            self.stats.failed += 0 if again else 1
            kind = "item_retry" if again else "item_failed"
            self._emit(kind, task_id=task_id, item_id=item_id, message=message)

    def _process_item(self, item_id: int) -> None:
        self._halt.clear()
        self._halt_reason = ""
        self._item_token = CancelToken()
        unhook = self._stop.on_cancel(self._item_token.cancel)
        try:
            self._process_claimed(item_id)
        finally:
            unhook()

    def _process_claimed(self, item_id: int) -> None:
        ctx = self._load(item_id)
        task_id = ctx.task.id
        self._emit("item_started", task_id=task_id, item_id=item_id, text=ctx.item.topic_text)
        model = ctx.task.model or None
        started = time.monotonic()
        try:
            quota = self.provider.quota()
            if quota is not None and quota.exhausted:
                raise QuotaExceeded(period_end=quota.period_end)
            text, done = self._stream(ctx, model)
        except _Halt:
            reason = self._halt_reason or "stopped"
            self._log(ctx, model, started, status="cancelled", error=f"task {reason}")
            self._hand_back(item_id)
            return
        except Cancelled:
            self._log(ctx, model, started, status="cancelled", error="cancelled")
            self._hand_back(item_id)
            return
        except QuotaExceeded as e:
            self._log(ctx, model, started, status="error", error=str(e))
            self._pause(task_id, item_id, "quota_exceeded", str(e))
            return
        except Offline as e:
            self._log(ctx, model, started, status="error", error=str(e))
            self._pause(task_id, item_id, "offline", str(e))
            self._next_health_check = time.monotonic() + self._health_wait
            return
        except (AuthRequired, KeyringUnavailable) as e:
            self._log(ctx, model, started, status="error", error=str(e))
            self._pause(task_id, item_id, "login_required", str(e))
            return
        except AIError as e:
            self._log(ctx, model, started, status="error", error=str(e))
            self._retry_or_fail(ctx, str(e))
            return
        self._write(ctx, text, done, model, started)

    def _stream(self, ctx: _Context, model: str | None) -> tuple[str, Done]:
        """The whole reply; cut streams and retryable upstream errors are
        retried at once with the same key (charged once)."""
        parts: list[str] = []
        beat = _Heartbeat(self, ctx.item.id, ctx.task.id, parts)
        beat.start()
        try:
            attempt = 0
            while True:
                parts.clear()
                try:
                    done = None
                    for event in self.provider.stream_chat(
                        ctx.messages,
                        model=model,
                        idempotency_key=ctx.key,
                        purpose="generate",
                        cancel=self._item_token,
                    ):
                        if isinstance(event, TextDelta):
                            if event.text:
                                parts.append(event.text)
                                self._emit(
                                    "delta",
                                    task_id=ctx.task.id,
                                    item_id=ctx.item.id,
                                    text=event.text,
                                )
                        else:
                            done = event
                    if done is None:
                        done = Done(usage=_no_usage())
                    return "".join(parts), done
                except Cancelled:
                    if self._halt.is_set() and not self._stop.cancelled:
                        raise _Halt() from None
                    raise
                except AIError as e:
                    if isinstance(e, (Offline, QuotaExceeded, AuthRequired)):
                        raise
                    if not getattr(e, "retryable", False) or attempt >= self.stream_retries:
                        raise
                    attempt += 1
                    self._emit(
                        "item_retry", task_id=ctx.task.id, item_id=ctx.item.id, message=str(e)
                    )
                    if self._item_token.wait(min(8.0, 0.5 * 2**attempt)):
                        raise _Halt() from None
        finally:
            beat.stop()

    # --- outcomes ---------------------------------------------------------------------------

    def _log(self, ctx: _Context, model, started: float, *, status: str, error: str) -> None:
        log_request(
            self.db,
            provider=getattr(self.provider, "name", ""),
            model=model or getattr(self.provider, "default_model", None) or "",
            duration_ms=int((time.monotonic() - started) * 1000),
            status=status,
            error=error,
            purpose="generate",
            request_type="generate",
            idempotency_key=ctx.key,
            generation_item_id=ctx.item.id,
        )

    def _hand_back(self, item_id: int) -> None:
        with self.db.raw() as conn:
            if leases.still_ours(conn, leases.GENERATION, item_id, self.owner):
                item_release(conn, item_id)
                requeue_if_idle(conn, item_task_id(conn, item_id))

    def _pause(self, task_id: int, item_id: int, reason: str, message: str) -> None:
        with self.db.raw() as conn:
            if leases.still_ours(conn, leases.GENERATION, item_id, self.owner):
                item_release(conn, item_id)
            pause_active_task(conn, task_id, reason, message)
        self.stats.paused += 1
        self._emit("task_paused", task_id=task_id, item_id=item_id, message=message)

    def _retry_or_fail(self, ctx: _Context, error: str) -> None:
        attempts = ctx.item.attempts
        backoff = self.backoff_seconds * 2 ** max(0, attempts - 1)
        finished = None
        with self.db.raw() as conn:
            if not leases.still_ours(conn, leases.GENERATION, ctx.item.id, self.owner):
                return
            again = item_retry_or_fail(
                conn,
                ctx.item.id,
                ctx.task.id,
                error,
                max_attempts=self.max_attempts,
                backoff_s=backoff,
            )
            if not again:
                finished = finish_task_if_done(conn, ctx.task.id)
        if again:
            self.stats.retried += 1
            self._emit("item_retry", task_id=ctx.task.id, item_id=ctx.item.id, message=error)
        else:
            self.stats.failed += 1
            self._emit("item_failed", task_id=ctx.task.id, item_id=ctx.item.id, message=error)
        if finished:
            self._emit("task_finished", task_id=ctx.task.id, message=finished)

    def _write(self, ctx: _Context, reply: str, done: Done, model, started: float) -> None:
        """Article, images, sources, revision, usage, item done, task progress:
        one transaction, and only while the item is still ours."""
        title, body = split_article(reply, ctx.item.topic_text)
        finished = None
        with self.db.write() as session:
            conn = session.connection().connection.driver_connection
            if not leases.still_ours(conn, leases.GENERATION, ctx.item.id, self.owner):
                return  # our lease lapsed and another runner has it
            article_id = article_of_item(conn, ctx.item.id)  # written before: never twice
            if article_id is None:
                images = []
                if ctx.task.album_id:
                    images = pick_images(
                        conn,
                        ctx.task.album_id,
                        ctx.task.id,
                        f"{ctx.item.topic_text} {title}",
                        limit=self.images_per_article,
                    )
                article_id = add_generated_article(
                    session,
                    title,
                    place_images(body, images),
                    generation_item_id=ctx.item.id,
                    topic_id=ctx.item.topic_id,
                    images=[(img.image_id, img.caption) for img in images],
                    sources=[(src.chunk_id, src.document_title) for src in ctx.sources],
                )
                log_request(
                    self.db,
                    provider=getattr(self.provider, "name", ""),
                    model=done.model or model or "",
                    prompt_tokens=done.usage.prompt_tokens,
                    completion_tokens=done.usage.completion_tokens,
                    duration_ms=int((time.monotonic() - started) * 1000),
                    purpose="generate",
                    request_type="generate",
                    idempotency_key=ctx.key,
                    generation_item_id=ctx.item.id,
                    session=session,
                )
            item_done(conn, ctx.item.id, ctx.task.id)
            finished = finish_task_if_done(conn, ctx.task.id)
        self.stats.done += 1
        self.stats.articles.append(article_id)
        self._emit("item_done", task_id=ctx.task.id, item_id=ctx.item.id, article_id=article_id)
        if finished:
            self._emit("task_finished", task_id=ctx.task.id, message=finished)


def _no_usage():
    from inkbench.integrations.ai.provider import Usage

    return Usage()


class _Heartbeat:
    """While an item streams: renew the lease, save the text so far, and
    notice a pause or cancel made elsewhere (the TUI, another process).

    A busy database ("database is locked") is tried again at the next beat;
    any other error is logged. The stream stops (the runner's item halts)
    when the lease is lost: another runner holds the item, or no renewal has
    succeeded for a whole lease, so another runner may take it at any moment."""

    def __init__(self, runner: Runner, item_id: int, task_id: int, parts: list[str]) -> None:
        self.runner = runner
        self.item_id = item_id
        self.task_id = task_id
        self.parts = parts
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="generate-heartbeat", daemon=True)
        self._saved_len = 0
        self._renewed_at = runner._claimed_at  # the claim was the first renewal
        self._failing = False

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._done.set()
        self._thread.join(timeout=30)
        self._beat()  # the last text seen is saved too

    def _loop(self) -> None:
        every = min(self.runner.heartbeat_seconds, self.runner.lease_seconds / 3)
        while not self._done.wait(every):
            self._beat()

    def _lost(self, why: str) -> None:
        r = self.runner
        if not r._halt.is_set():
            log.warning("item %s: %s; streaming stopped", self.item_id, why)
        r._halt_item("lease lost")

    def _beat(self) -> None:
        r = self.runner
        n = len(self.parts)  # list appends are atomic; read a stable prefix
        try:
            with r.db.raw() as conn:
                if not leases.renew(
                    conn, leases.GENERATION, self.item_id, r.owner, r.lease_seconds
                ):
                    self._lost("the lease was lost (another runner holds the item)")
                    return
                if n != self._saved_len:
                    save_partial(conn, self.item_id, r.owner, "".join(self.parts[:n]))
                    self._saved_len = n
                status = task_status(conn, self.task_id)
        except Exception as e:
            if is_busy(e):  # another writer holds the database: try at the next beat
                log.debug("item %s: heartbeat waits for a busy database", self.item_id)
            else:
                # the first of a run of failures with its traceback, the rest in one line
                log.warning(
                    "item %s: heartbeat failed: %s: %s",
                    self.item_id,
                    type(e).__name__,
                    e,
                    exc_info=not self._failing,
                )
                self._failing = True
            if time.monotonic() - self._renewed_at >= r.lease_seconds:
                self._lost("the lease could not be renewed for its whole term")
            return
        self._renewed_at = time.monotonic()
        self._failing = False
        if status not in ("queued", "running"):
            r._halt_item(status or "deleted")
