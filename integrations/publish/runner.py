"""The publishing runner: takes due publications off the queue, one at a time.

Exactly once: leasing a row sets it ``publishing`` and commits before any
remote call, and the row's marker was recorded when it was queued. A row
whose worker was killed is taken back when its lease expires; that retry
asks the target ``find_post(marker)`` before ``create_post``, so the post
the killed attempt made is found (and updated) instead of made twice. A
row with a remote id (published before) updates that post.

Leases: while an item is in hand a heartbeat thread renews its lease (every
third of the lease, or ``heartbeat_s``), so a long upload or a slow
create/update never lets another worker take the row. If the lease is lost
anyway (renewals failed for a whole term, or another worker holds the row),
the item's ``CancelToken`` is cancelled: the runner makes no further remote
call for it (a target with an ``abort()`` has its call in flight woken), and
its outcome writes, which apply only while the lease is the caller's, leave
the row to the worker that holds it now. Such an item is counted as ``lost``
and logged.

Errors: ``Transient`` (timeouts, 5xx) → queued again with backoff, failed
after ``max_attempts``; ``AuthFailed`` → the account is paused with a line
saying to check the password, the item waits untried; ``Rejected`` (and any
other error) → the item fails. Each outcome is one line; the queue goes on.
"""

from __future__ import annotations

import logging
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TypeVar

from inkbench.i18n import _
from inkbench.integrations.publish.base import (
    Account,
    AuthFailed,
    Media,
    Post,
    PublishError,
    Rejected,
    Target,
    Transient,
)
from inkbench.integrations.publish.render import (
    ArticleImage,
    article_images,
    link_images,
    slugify,
    to_html,
)
from inkbench.integrations.publish.targets import target_for
from inkbench.storage import publications as pubs
from inkbench.storage.connection import is_busy
from inkbench.storage.engine import Database
from inkbench.storage.jobs import CancelToken, ProgressFn
from inkbench.storage.leases import worker_name
from inkbench.storage.publish_accounts import AccountRow, get_account_by_id, pause_account
from inkbench.storage.reads import load_document
from inkbench.storage.vocab import utcnow

LEASE_SECONDS = 300.0
MAX_ATTEMPTS = 5
RETRY_BASE_SECONDS = 30.0
POLL_SECONDS = 5.0
HEARTBEAT_SECONDS = 10.0

T = TypeVar("T")

log = logging.getLogger("inkbench.publish")

#: the account's secret from the keyring (None: none stored)
SecretFn = Callable[[AccountRow], "str | None"]


@dataclass(frozen=True)
class ItemOutcome:
    """What happened to one publication, as one line for the user."""

    publication_id: int
    article_title: str
    account: str
    status: str  # published | retry | failed | paused | lost
    message: str
    url: str | None = None


@dataclass
class RunSummary:
    """What a run did."""

    published: int = 0
    failed: int = 0
    retried: int = 0
    paused: list[str] = field(default_factory=list)
    lost: int = 0  # items left alone: their lease passed to another worker
    media_uploads: int = 0
    outcomes: list[ItemOutcome] = field(default_factory=list)


def backoff_seconds(attempts: int, base: float = RETRY_BASE_SECONDS) -> float:
    """Wait before attempt ``attempts + 1``: base, 2×, 4× … up to an hour."""
    return min(base * 2 ** max(attempts - 1, 0), 3600.0)


@dataclass(frozen=True)
class _Job:
    pub: pubs.PublicationRow
    account: AccountRow
    body: str
    revision_id: int
    marker_shared: bool


class LeaseLost(Exception):
    """The item's lease passed to another worker: leave the row alone."""


def _lease(db: Database, owner: str, lease_seconds: float) -> _Job | None:
    with db.raw() as conn:
        pub_id = pubs.lease_next(conn, owner, lease_seconds)
        if pub_id is None:
            return None
        pub = pubs.get_publication(conn, pub_id)
        account = get_account_by_id(conn, pub.account_id)
        doc = load_document(conn, "article", pub.article_id)
        revision_id = pubs.ensure_revision(conn, pub.article_id)
        shared = pubs.marker_shared(conn, pub_id, pub.marker)
    # committed: the row is ``publishing`` with its marker before any remote call
    body = doc.body if doc is not None else ""
    return _Job(pub, account, body, revision_id, shared)


class _Heartbeat:
    """While an item is in hand: renew its lease every ``every`` seconds.

    The item's token is cancelled when the lease is lost: a renewal finds
    the row held by another worker (or no longer publishing), or no renewal
    has succeeded for a whole lease, so another worker may take it at any
    moment. A busy database is tried again at the next beat."""

    def __init__(
        self,
        db: Database,
        pub_id: int,
        owner: str,
        lease_seconds: float,
        every: float,
        token: CancelToken,
    ) -> None:
        self.db = db
        self.pub_id = pub_id
        self.owner = owner
        self.lease_seconds = lease_seconds
        self.every = max(0.01, min(every, lease_seconds / 3))
        self.token = token
        self.why = ""
        self._done = threading.Event()
        self._renewed_at = time.monotonic()  # the claim was the first renewal
        self._thread = threading.Thread(target=self._loop, name="publish-lease", daemon=True)

    def __enter__(self) -> _Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._done.set()
        self._thread.join(timeout=30)

    def _loop(self) -> None:
        while not self._done.wait(self.every) and not self.token.cancelled:
            self._beat()

    def _lost(self, why: str) -> None:
        self.why = why
        log.warning("publication %s: %s; this worker leaves it alone", self.pub_id, why)
        self.token.cancel()

    def _beat(self) -> None:
        try:
            with self.db.raw() as conn:
                ok = pubs.renew_lease(conn, self.pub_id, self.owner, self.lease_seconds)
        except Exception as e:
            if not is_busy(e):
                log.warning(
                    "publication %s: renewing the lease failed: %s: %s",
                    self.pub_id,
                    type(e).__name__,
                    e,
                )
            if time.monotonic() - self._renewed_at >= self.lease_seconds:
                self._lost("the lease could not be renewed for its whole term")
            return
        if not ok:
            self._lost("the lease passed to another worker")
            return
        self._renewed_at = time.monotonic()


def account_for(row: AccountRow, secret: str | None) -> Account:
    """The target-side view of a stored account, with its secret."""
    return Account(
        name=row.name,
        kind=row.kind,
        url=row.url,
        user=row.user,
        secret=secret,
        format=row.format,
        path=Path(row.path) if row.path else None,
        git_commit=row.git_commit,
    )


def _check(token: CancelToken) -> None:
    """Before each remote call: stop if the lease was lost."""
    if token.cancelled:
        raise LeaseLost()


def _call(token: CancelToken, target: Target, fn: Callable[..., T], *args: object) -> T:
    """One remote call, woken (``target.abort()``, where the target has one)
    if the lease is lost while it waits; ``LeaseLost`` if it was."""
    _check(token)
    abort = getattr(target, "abort", None)
    unhook = token.on_cancel(abort) if callable(abort) else None
    try:
        result = fn(*args)
    except Exception:
        if token.cancelled:
            raise LeaseLost() from None
        raise
    finally:
        if unhook is not None:
            unhook()
    return result


def _publish(
    db: Database,
    job: _Job,
    target: Target,
    images: list[ArticleImage],
    owner: str,
    token: CancelToken,
    summary: RunSummary,
) -> tuple[str, str | None]:
    """Do the remote part; (remote id, url). Raises ``PublishError``, or
    ``LeaseLost`` when the lease passed to another worker meanwhile."""
    pub = job.pub
    links: dict[int, str] = {}
    media: dict[str, Media] = {}
    for img in images:
        if target.media_per_post:
            links[img.image_id] = img.media.filename
            media.setdefault(img.media.digest, img.media)
            continue
        with db.raw(write=False) as conn:
            url = pubs.media_url(conn, job.account.id, img.media.digest)
        if url is None:
            url = _call(token, target, target.upload_media, img.media)
            summary.media_uploads += 1
            # kept at once, lease or not (the file is on the site now): a crash
            # or another worker later never uploads it again
            with db.raw() as conn:
                pubs.put_media_url(conn, job.account.id, img.media.digest, url)
        links[img.image_id] = url
    markdown = link_images(job.body, images, links)
    post = Post(
        marker=pub.marker,
        title=pub.article_title.strip(),
        markdown=markdown,
        html=to_html(markdown),
        slug=slugify(pub.article_title.strip()),
        draft=pub.draft,
        date=pub.scheduled_at or utcnow(),
        media=tuple(media.values()),
    )
    if pub.remote_id:
        done = _call(token, target, target.update_post, pub.remote_id, post)
    else:
        found = None
        if pub.attempts > 1 or job.marker_shared:  # an earlier attempt may have made it
            found = _call(token, target, target.find_post, pub.marker)
        if found is not None:
            with db.raw() as conn:
                if not pubs.record_remote(conn, pub.id, found.remote_id, found.url, owner=owner):
                    raise LeaseLost()
            done = _call(token, target, target.update_post, found.remote_id, post)
        else:
            done = _call(token, target, target.create_post, post)
    _check(token)
    return done.remote_id, done.url


def _prepare(
    db: Database, job: _Job, work_dir: Path, secret_for: SecretFn
) -> tuple[Target, list[ArticleImage]]:
    """The target and the article's images, or ``Rejected`` saying what is
    wrong with the article."""
    if not (job.pub.article_title or "").strip():
        raise Rejected(_("the article has no title; give it one and retry"))
    if not job.body.strip():
        raise Rejected(_("the article's body is empty; write it and retry"))
    # outside any write transaction: a HEIF image is converted here
    with db.raw(write=False) as conn:
        images = article_images(conn, db.blob_dir, job.pub.article_id, job.body, work_dir)
    secret = secret_for(job.account) if job.account.kind != "folder" else None
    return target_for(account_for(job.account, secret)), images


def _close(target: Target | None) -> None:
    close = getattr(target, "close", None)
    if callable(close):
        try:
            close()
        except Exception:  # closing a connection must not fail the item
            log.debug("closing the publishing target failed", exc_info=True)


def publish_one(
    db: Database,
    job: _Job,
    *,
    secret_for: SecretFn,
    owner: str,
    lease_seconds: float,
    max_attempts: int,
    retry_base_s: float,
    summary: RunSummary,
    work_dir: Path,
    heartbeat_s: float = HEARTBEAT_SECONDS,
) -> ItemOutcome:
    """Publish one leased item and record the outcome (never raises a
    ``PublishError``). A heartbeat keeps the lease while it works; every
    outcome write applies only while the lease is still ``owner``'s, and an
    item whose lease passed to another worker is left to it (``lost``)."""
    pub = job.pub
    name = job.account.name

    def outcome(status: str, message: str, url: str | None = None) -> ItemOutcome:
        return ItemOutcome(pub.id, pub.article_title, name, status, message, url)

    def lost() -> ItemOutcome:
        summary.lost += 1
        log.warning(
            "publication %s: lease lost; its outcome is left to the worker holding it", pub.id
        )
        return outcome(
            "lost",
            _("another worker took this publication over (this one held it too long); left to it"),
        )

    token = CancelToken()
    target: Target | None = None
    error: BaseException | None = None
    with _Heartbeat(db, pub.id, owner, lease_seconds, heartbeat_s, token):
        try:
            target, images = _prepare(db, job, work_dir, secret_for)
            remote_id, url = _publish(db, job, target, images, owner, token, summary)
        except Exception as e:
            error = e
        finally:
            _close(target)
    # the heartbeat has stopped: a renewal can no longer race the outcome,
    # and each write below applies only while the row is still ours
    if error is None:
        with db.raw() as conn:
            held = pubs.mark_published(
                conn, pub.id, owner=owner, remote_id=remote_id, url=url, revision_id=job.revision_id
            )
        if not held:
            return lost()
        summary.published += 1
        return outcome("published", url or remote_id, url or remote_id)
    if isinstance(error, LeaseLost):
        return lost()
    if isinstance(error, AuthFailed):
        reason = _(
            "{error}. The account is paused: `inkbench publish account secret {name}` sets a"
            " new password or key, `inkbench publish account test {name}` resumes it"
        ).format(error=str(error).rstrip("."), name=name)
        with db.raw() as conn:  # the password is wrong whoever holds the item
            pause_account(conn, job.account.id, reason)
            held = pubs.release(conn, pub.id, owner=owner, error=reason)
        summary.paused.append(name)
        return outcome("paused", reason) if held else lost()
    if isinstance(error, Transient):
        with db.raw() as conn:
            again = pubs.mark_retry(
                conn,
                pub.id,
                str(error),
                owner=owner,
                backoff_s=backoff_seconds(pub.attempts, retry_base_s),
                max_attempts=max_attempts,
            )
            row = pubs.get_publication(conn, pub.id)
        if again is None:
            return lost()
        if again == "queued":
            summary.retried += 1
            return outcome("retry", str(error))
        summary.failed += 1
        return outcome("failed", row.last_error or str(error))
    if isinstance(error, PublishError):
        message = str(error)
    else:  # a bug in a target must not stop the queue
        log.error("publication %s failed", pub.id, exc_info=error)
        message = _("unexpected error ({error})").format(error=f"{type(error).__name__}: {error}")
    with db.raw() as conn:
        held = pubs.mark_failed(conn, pub.id, message, owner=owner)
    if not held:
        return lost()
    summary.failed += 1
    return outcome("failed", message)


def run_publications(
    db: Database,
    secret_for: SecretFn,
    *,
    once: bool = True,
    cancel: CancelToken | None = None,
    progress: ProgressFn | None = None,
    on_outcome: Callable[[ItemOutcome], None] | None = None,
    lease_seconds: float = LEASE_SECONDS,
    max_attempts: int = MAX_ATTEMPTS,
    retry_base_s: float = RETRY_BASE_SECONDS,
    poll_s: float = POLL_SECONDS,
    heartbeat_s: float = HEARTBEAT_SECONDS,
) -> RunSummary:
    """Publish due items until none is due (``once``) or until cancelled.

    ``secret_for`` gives an account's secret (the CLI and TUI read the
    keyring). Scheduled items wait for their time; paused accounts wait for
    ``account test``. The item in hand is finished when ``cancel`` comes
    (its remote call may already have happened); its lease is renewed every
    ``heartbeat_s`` (at most a third of ``lease_seconds``)."""
    cancel = cancel or CancelToken()
    owner = worker_name("publish")
    summary = RunSummary()
    done = 0
    # converted images (HEIF → JPEG) live here for the run, named by content
    with tempfile.TemporaryDirectory(prefix="inkbench-publish-") as work:
        while not cancel.cancelled:
            job = _lease(db, owner, lease_seconds)
            if job is None:
                if once:
                    break
                with db.raw(write=False) as conn:
                    due = pubs.next_due_at(conn)
                wait = poll_s
                if due is not None:
                    wait = max(0.2, min(poll_s, (due - utcnow()).total_seconds()))
                cancel.wait(wait)
                continue
            result = publish_one(
                db,
                job,
                secret_for=secret_for,
                owner=owner,
                lease_seconds=lease_seconds,
                max_attempts=max_attempts,
                retry_base_s=retry_base_s,
                summary=summary,
                work_dir=Path(work),
                heartbeat_s=heartbeat_s,
            )
            summary.outcomes.append(result)
            done += 1
            if on_outcome:
                on_outcome(result)
            if progress:
                with db.raw(write=False) as conn:
                    left = pubs.count_due(conn)
                progress(done, done + left, job.pub.article_title)
    return summary


def next_run_at(db: Database) -> datetime | None:
    """When the next queued publication becomes due (None: nothing waits)."""
    with db.raw(write=False) as conn:
        return pubs.next_due_at(conn)
