"""The publishing runner: takes due publications off the queue, one at a time.

Exactly once: leasing a row sets it ``publishing`` and commits before any
remote call, and the row's marker was recorded when it was queued. A row
whose worker was killed is taken back when its lease expires; that retry
asks the target ``find_post(marker)`` before ``create_post``, so the post
the killed attempt made is found (and updated) instead of made twice. A
row with a remote id (published before) updates that post.

Errors: ``Transient`` (timeouts, 5xx) → queued again with backoff, failed
after ``max_attempts``; ``AuthFailed`` → the account is paused with a line
saying to check the password, the item waits untried; ``Rejected`` (and any
other error) → the item fails. Each outcome is one line; the queue goes on.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from inkbench.i18n import _
from inkbench.integrations.publish.base import (
    Account,
    AuthFailed,
    Media,
    Post,
    PublishError,
    Rejected,
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

#: the account's secret from the keyring (None: none stored)
SecretFn = Callable[[AccountRow], "str | None"]


@dataclass(frozen=True)
class ItemOutcome:
    """What happened to one publication, as one line for the user."""

    publication_id: int
    article_title: str
    account: str
    status: str  # published | retry | failed | paused
    message: str
    url: str | None = None


@dataclass
class RunSummary:
    """What a run did."""

    published: int = 0
    failed: int = 0
    retried: int = 0
    paused: list[str] = field(default_factory=list)
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
    images: list[ArticleImage] | None  # None: loading them failed (``image_error``)
    image_error: Rejected | None = None


def _lease(db: Database, owner: str, lease_seconds: float, work_dir: Path) -> _Job | None:
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
    images, error = None, None
    try:  # outside the write transaction: a HEIF image is converted here
        with db.raw(write=False) as conn:
            images = article_images(conn, db.blob_dir, pub.article_id, body, work_dir)
    except Rejected as e:
        error = e
    return _Job(pub, account, body, revision_id, shared, images, error)


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


def _publish(
    db: Database,
    job: _Job,
    secret_for: SecretFn,
    owner: str,
    lease_seconds: float,
    summary: RunSummary,
) -> tuple[str, str | None]:
    """Do the remote part; (remote id, url). Raises ``PublishError``."""
    pub = job.pub
    title = (pub.article_title or "").strip()
    if not title:
        raise Rejected(_("the article has no title; give it one and retry"))
    if not job.body.strip():
        raise Rejected(_("the article's body is empty; write it and retry"))
    if job.image_error is not None:
        raise job.image_error
    images = job.images or []
    secret = secret_for(job.account) if job.account.kind != "folder" else None
    target = target_for(account_for(job.account, secret))
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
            url = target.upload_media(img.media)
            summary.media_uploads += 1
            with db.raw() as conn:  # kept at once: a crash later never uploads it again
                pubs.put_media_url(conn, job.account.id, img.media.digest, url)
                pubs.renew_lease(conn, pub.id, owner, lease_seconds)
        links[img.image_id] = url
    markdown = link_images(job.body, images, links)
    post = Post(
        marker=pub.marker,
        title=title,
        markdown=markdown,
        html=to_html(markdown),
        slug=slugify(title),
        draft=pub.draft,
        date=pub.scheduled_at or utcnow(),
        media=tuple(media.values()),
    )
    if pub.remote_id:
        done = target.update_post(pub.remote_id, post)
    else:
        found = None
        if pub.attempts > 1 or job.marker_shared:  # an earlier attempt may have made it
            found = target.find_post(pub.marker)
        if found is not None:
            with db.raw() as conn:
                pubs.record_remote(conn, pub.id, found.remote_id, found.url)
            done = target.update_post(found.remote_id, post)
        else:
            done = target.create_post(post)
    return done.remote_id, done.url


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
) -> ItemOutcome:
    """Publish one leased item and record the outcome (never raises a
    ``PublishError``)."""
    pub = job.pub
    name = job.account.name

    def outcome(status: str, message: str, url: str | None = None) -> ItemOutcome:
        return ItemOutcome(pub.id, pub.article_title, name, status, message, url)

    try:
        remote_id, url = _publish(db, job, secret_for, owner, lease_seconds, summary)
    except AuthFailed as e:
        reason = _(
            "{error}. The account is paused: `inkbench publish account secret {name}` sets a new"
            " password or key, `inkbench publish account test {name}` resumes it"
        ).format(error=str(e).rstrip("."), name=name)
        with db.raw() as conn:
            pause_account(conn, job.account.id, reason)
            pubs.release(conn, pub.id, error=reason)
        summary.paused.append(name)
        return outcome("paused", reason)
    except Transient as e:
        with db.raw() as conn:
            again = pubs.mark_retry(
                conn,
                pub.id,
                str(e),
                backoff_s=backoff_seconds(pub.attempts, retry_base_s),
                max_attempts=max_attempts,
            )
            row = pubs.get_publication(conn, pub.id)
        if again:
            summary.retried += 1
            return outcome("retry", str(e))
        summary.failed += 1
        return outcome("failed", row.last_error or str(e))
    except PublishError as e:
        with db.raw() as conn:
            pubs.mark_failed(conn, pub.id, str(e))
        summary.failed += 1
        return outcome("failed", str(e))
    except Exception as e:  # a bug in a target must not stop the queue
        message = _("unexpected error ({error})").format(error=f"{type(e).__name__}: {e}")
        with db.raw() as conn:
            pubs.mark_failed(conn, pub.id, message)
        summary.failed += 1
        return outcome("failed", message)
    with db.raw() as conn:
        pubs.mark_published(conn, pub.id, remote_id=remote_id, url=url, revision_id=job.revision_id)
    summary.published += 1
    return outcome("published", url or remote_id, url or remote_id)


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
) -> RunSummary:
    """Publish due items until none is due (``once``) or until cancelled.

    ``secret_for`` gives an account's secret (the CLI and TUI read the
    keyring). Scheduled items wait for their time; paused accounts wait for
    ``account test``."""
    cancel = cancel or CancelToken()
    owner = worker_name("publish")
    summary = RunSummary()
    done = 0
    # converted images (HEIF → JPEG) live here for the run, named by content
    with tempfile.TemporaryDirectory(prefix="inkbench-publish-") as work:
        while not cancel.cancelled:
            job = _lease(db, owner, lease_seconds, Path(work))
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
