"""Publications: one article to publish to one account, as the queue moves it.

``queued → publishing → published | failed | cancelled``. A runner leases the
next due row (``lease_next``: scheduled time reached, account not paused),
which sets ``publishing`` and commits *before* any remote call; the row's
``marker`` (set here at enqueue, and reused for the same article and
account) is stored on the remote post, so a retry finds the post an earlier,
killed attempt made. Publishing the same article to the same account again
carries the remote id forward and updates that post. The runner's outcome
writes (``mark_published``, ``record_remote``, ``mark_failed``,
``mark_retry``, ``release``) apply only while the caller still holds the
lease and say whether they did: a worker whose lease ran out never
overwrites the worker that took the row after it.

Images are uploaded once per account: ``media_url``/``put_media_url`` keep
the remote URL per stored file (blob) and account.

Functions take a stdlib ``sqlite3`` connection in the caller's transaction
(``db.raw()``); they commit nothing themselves. Standard library only.
"""

from __future__ import annotations

import sqlite3
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from inkbench.i18n import _
from inkbench.storage import leases
from inkbench.storage.errors import InvalidInput, NotFound
from inkbench.storage.publish_accounts import get_account
from inkbench.storage.text import word_count
from inkbench.storage.vocab import (
    ACTIVE_PUBLICATION_STATUSES,
    PUBLICATION_STATUSES,
    db_time,
    status_name,
    utcnow,
)

_COLUMNS = (
    "p.id, p.article_id, a.title, p.account_id, p.account_name, p.status, p.draft,"
    " p.scheduled_at, p.attempts, p.next_attempt_at, p.last_error, p.marker, p.remote_id,"
    " p.url, p.published_revision_id, p.published_at, p.created_at, p.updated_at"
)
_FROM = " FROM publication p JOIN article a ON a.id = p.article_id"


def _time(value) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


@dataclass(frozen=True)
class PublicationRow:
    """One publication as the queue and the history show it."""

    id: int
    article_id: int
    article_title: str
    account_id: int | None  # None: the account was removed (its name is kept)
    account_name: str
    status: str
    draft: bool
    scheduled_at: datetime | None
    attempts: int
    next_attempt_at: datetime | None
    last_error: str | None
    marker: str
    remote_id: str | None
    url: str | None
    published_revision_id: int | None
    published_at: datetime | None
    created_at: datetime | None
    updated_at: datetime | None

    def to_json(self) -> dict:
        """A plain dict for ``--json`` output (times as ISO text)."""
        out = dict(self.__dict__)
        for k, v in out.items():
            if isinstance(v, datetime):
                out[k] = v.isoformat()
        return out


def _row(r: tuple) -> PublicationRow:
    return PublicationRow(
        id=r[0],
        article_id=r[1],
        article_title=r[2],
        account_id=r[3],
        account_name=r[4],
        status=r[5],
        draft=bool(r[6]),
        scheduled_at=_time(r[7]),
        attempts=r[8],
        next_attempt_at=_time(r[9]),
        last_error=r[10],
        marker=r[11],
        remote_id=r[12],
        url=r[13],
        published_revision_id=r[14],
        published_at=_time(r[15]),
        created_at=_time(r[16]),
        updated_at=_time(r[17]),
    )


def _one_line(error: str | None) -> str:
    return (error or "").strip().splitlines()[0][:500] if (error or "").strip() else _("failed")


# --- enqueue ---------------------------------------------------------------------


def _check_article(conn: sqlite3.Connection, article_id: int) -> str:
    row = conn.execute(
        "SELECT title, body, deleted_at FROM article WHERE id = ?", (article_id,)
    ).fetchone()
    if row is None or row[2] is not None:
        raise NotFound(
            _("no article with id {article_id}; `inkbench article list` shows them").format(
                article_id=article_id
            )
        )
    title, body = row[0] or "", row[1] or ""
    if not title.strip():
        raise InvalidInput(
            _("article {id} has no title; give it one before publishing").format(id=article_id)
        )
    if not body.strip():
        raise InvalidInput(
            _("article {id} ({title}) has an empty body; write it before publishing").format(
                id=article_id, title=title
            )
        )
    return title


def enqueue(
    conn: sqlite3.Connection,
    article_ids: list[int],
    account_name: str,
    *,
    draft: bool = False,
    at: datetime | None = None,
    now: datetime | None = None,
) -> list[PublicationRow]:
    """Queue each article for the account; the new rows, in order.

    Refused as a whole (nothing queued) when an article is given twice, an
    article is missing, trashed, untitled or empty, ``at`` is in the past,
    or the article already waits for this account. An article published to
    the account before keeps its marker and remote id, so its post is
    updated rather than made again."""
    now = now or utcnow()
    if not article_ids:
        raise InvalidInput(_("name at least one article to publish"))
    if at is not None:
        if at.tzinfo is None:
            raise InvalidInput(_("the scheduled time needs a time zone"))
        if at <= now:
            raise InvalidInput(
                _("the scheduled time {at} is in the past; give a later time").format(
                    at=at.strftime("%Y-%m-%d %H:%M")
                )
            )
    seen: set[int] = set()
    for article_id in article_ids:
        if article_id in seen:
            raise InvalidInput(
                _("article {id} is given twice; name each article once").format(id=article_id)
            )
        seen.add(article_id)
    account = get_account(conn, account_name)
    for article_id in article_ids:
        title = _check_article(conn, article_id)
        active = conn.execute(
            "SELECT id, status FROM publication WHERE article_id = ? AND account_id = ?"
            " AND status IN (?, ?) ORDER BY id LIMIT 1",
            (article_id, account.id, *ACTIVE_PUBLICATION_STATUSES),
        ).fetchone()
        if active:
            raise InvalidInput(
                _(
                    "article {id} ({title}) is already {status} for {account} as publication"
                    " #{pub}; nothing was queued"
                ).format(
                    id=article_id,
                    title=title,
                    status=status_name(active[1]),
                    account=account.name,
                    pub=active[0],
                )
            )
    out = []
    stamp = db_time(now)
    for article_id in article_ids:
        previous = conn.execute(
            "SELECT marker, remote_id, url FROM publication WHERE article_id = ?"
            " AND account_id = ? ORDER BY remote_id IS NULL, id DESC LIMIT 1",
            (article_id, account.id),
        ).fetchone()
        marker = previous[0] if previous else f"inkbench-{article_id}-{uuid.uuid4().hex[:12]}"
        remote_id, url = (previous[1], previous[2]) if previous else (None, None)
        pub_id = conn.execute(
            "INSERT INTO publication (article_id, account_id, account_name, status, draft,"
            " scheduled_at, attempts, marker, remote_id, url, created_at, updated_at)"
            " VALUES (?, ?, ?, 'queued', ?, ?, 0, ?, ?, ?, ?, ?) RETURNING id",
            (
                article_id,
                account.id,
                account.name,
                int(draft),
                db_time(at) if at else None,
                marker,
                remote_id,
                url,
                stamp,
                stamp,
            ),
        ).fetchone()[0]
        out.append(get_publication(conn, pub_id))
    return out


# --- reading ---------------------------------------------------------------------


def get_publication(conn: sqlite3.Connection, publication_id: int) -> PublicationRow:
    """One publication, or ``NotFound`` saying how to list them."""
    row = conn.execute(f"SELECT {_COLUMNS}{_FROM} WHERE p.id = ?", (publication_id,)).fetchone()
    if row is None:
        raise NotFound(
            _("no publication with id {id}; `inkbench publish list` shows them").format(
                id=publication_id
            )
        )
    return _row(row)


def list_publications(
    conn: sqlite3.Connection,
    *,
    status: str | None = None,
    article_id: int | None = None,
    account_name: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[PublicationRow]:
    """A page of publications, newest first, filtered by status, article or account."""
    if status is not None and status not in PUBLICATION_STATUSES:
        raise InvalidInput(
            _("unknown status {status!r}; use one of: {choices}").format(
                status=status, choices=", ".join(PUBLICATION_STATUSES)
            )
        )
    where, params = [], []
    if status:
        where.append("p.status = ?")
        params.append(status)
    if article_id is not None:
        where.append("p.article_id = ?")
        params.append(article_id)
    if account_name:
        where.append("p.account_name = ?")
        params.append(account_name)
    sql = f"SELECT {_COLUMNS}{_FROM}"
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY p.id DESC LIMIT ? OFFSET ?"
    return [_row(r) for r in conn.execute(sql, (*params, limit, offset))]


def count_publications(conn: sqlite3.Connection) -> dict[str, int]:
    """How many publications are in each status."""
    counts = dict.fromkeys(PUBLICATION_STATUSES, 0)
    for status, n in conn.execute("SELECT status, count(*) FROM publication GROUP BY status"):
        counts[status] = n
    return counts


def active_publication(conn: sqlite3.Connection, article_id: int) -> PublicationRow | None:
    """The article's queued or publishing publication (the oldest), if any."""
    row = conn.execute(
        f"SELECT {_COLUMNS}{_FROM} WHERE p.article_id = ? AND p.status IN (?, ?)"
        " ORDER BY p.id LIMIT 1",
        (article_id, *ACTIVE_PUBLICATION_STATUSES),
    ).fetchone()
    return _row(row) if row else None


@dataclass(frozen=True)
class ArticlePublished:
    """Where an article went: one line per account it was published to."""

    publication_id: int
    account_name: str
    status: str
    url: str | None
    published_at: datetime | None
    changed: bool  # the article's text differs from the published revision


def article_publications(conn: sqlite3.Connection, article_id: int) -> list[ArticlePublished]:
    """The newest publication per account of the article, with "changed since published"."""
    current = conn.execute("SELECT title, body FROM article WHERE id = ?", (article_id,)).fetchone()
    rows = conn.execute(
        "SELECT p.id, p.account_name, p.status, p.url, p.published_at, r.title, r.body"
        " FROM publication p LEFT JOIN article_revision r ON r.id = ("
        "   SELECT q.published_revision_id FROM publication q WHERE q.article_id = p.article_id"
        "   AND q.account_name = p.account_name AND q.status = 'published'"
        "   ORDER BY q.id DESC LIMIT 1)"
        " WHERE p.id IN (SELECT max(id) FROM publication WHERE article_id = ?"
        "   GROUP BY account_name) ORDER BY p.id DESC",
        (article_id,),
    ).fetchall()
    out = []
    for pub_id, account, status, url, published_at, r_title, r_body in rows:
        changed = bool(current) and r_body is not None and (r_title, r_body) != tuple(current)
        out.append(ArticlePublished(pub_id, account, status, url, _time(published_at), changed))
    return out


def changed_since_published(conn: sqlite3.Connection, article_id: int) -> bool | None:
    """True when the article's text differs from what was last published to
    any account; None when it was never published."""
    published = [p for p in article_publications(conn, article_id) if p.published_at]
    if not published:
        return None
    return any(p.changed for p in published)


# --- user actions ------------------------------------------------------------------


def retry_publication(conn: sqlite3.Connection, publication_id: int) -> PublicationRow:
    """A failed or cancelled publication is queued again, with fresh attempts."""
    pub = get_publication(conn, publication_id)
    if pub.status not in ("failed", "cancelled"):
        raise InvalidInput(
            _("publication #{id} is {status}; only failed or cancelled ones can be retried").format(
                id=pub.id, status=status_name(pub.status)
            )
        )
    if pub.account_id is None:
        raise InvalidInput(
            _("publication #{id}: its account {account!r} was removed; add it again").format(
                id=pub.id, account=pub.account_name
            )
        )
    conn.execute(
        "UPDATE publication SET status = 'queued', attempts = 0, next_attempt_at = NULL,"
        " last_error = NULL, lease_owner = NULL, lease_expires_at = NULL, updated_at = ?"
        " WHERE id = ?",
        (db_time(utcnow()), pub.id),
    )
    return get_publication(conn, pub.id)


def cancel_publication(conn: sqlite3.Connection, publication_id: int) -> PublicationRow:
    """A queued publication will not be published. One being published now
    cannot be cancelled (its remote call may already have happened)."""
    pub = get_publication(conn, publication_id)
    if pub.status != "queued":
        raise InvalidInput(
            _("publication #{id} is {status}; only queued ones can be cancelled").format(
                id=pub.id, status=status_name(pub.status)
            )
        )
    conn.execute(
        "UPDATE publication SET status = 'cancelled', updated_at = ? WHERE id = ?"
        " AND status = 'queued'",
        (db_time(utcnow()), pub.id),
    )
    return get_publication(conn, pub.id)


# --- the runner's side -------------------------------------------------------------


def lease_next(
    conn: sqlite3.Connection, owner: str, lease_seconds: float, *, now: datetime | None = None
) -> int | None:
    """Claim the next due publication for ``owner`` (status ``publishing``,
    attempts + 1); its id or None. Run in a write transaction and commit it
    before any remote call."""
    return leases.claim(conn, leases.PUBLICATION, owner, lease_seconds, now=now)


def renew_lease(conn: sqlite3.Connection, publication_id: int, owner: str, seconds: float) -> bool:
    """Extend the lease; False when another worker has taken the row."""
    return leases.renew(conn, leases.PUBLICATION, publication_id, owner, seconds)


def marker_shared(conn: sqlite3.Connection, publication_id: int, marker: str) -> bool:
    """Whether another publication carries ``marker`` (the same article to
    the same account before): a post with it may exist already."""
    row = conn.execute(
        "SELECT 1 FROM publication WHERE marker = ? AND id <> ? LIMIT 1", (marker, publication_id)
    ).fetchone()
    return row is not None


def next_due_at(conn: sqlite3.Connection) -> datetime | None:
    """When the next queued publication (of an account not paused) becomes due."""
    row = conn.execute(
        "SELECT min(max(coalesce(p.scheduled_at, ''), coalesce(p.next_attempt_at, '')))"
        " FROM publication p JOIN publish_account a ON a.id = p.account_id"
        " WHERE p.status = 'queued' AND NOT a.paused"
    ).fetchone()
    if not row or row[0] is None:
        return None
    return _time(row[0]) if row[0] else utcnow()


def count_due(conn: sqlite3.Connection, *, now: datetime | None = None) -> int:
    """Queued publications due now (for a progress total)."""
    stamp = db_time(now or utcnow())
    return conn.execute(
        "SELECT count(*) FROM publication p JOIN publish_account a ON a.id = p.account_id"
        " WHERE p.status = 'queued' AND NOT a.paused AND (p.scheduled_at IS NULL OR"
        " p.scheduled_at <= ?) AND (p.next_attempt_at IS NULL OR p.next_attempt_at <= ?)",
        (stamp, stamp),
    ).fetchone()[0]


def ensure_revision(conn: sqlite3.Connection, article_id: int) -> int:
    """The revision holding the article's current text: the newest one if it
    matches, else a new ``manual`` revision. Its id."""
    title, body = conn.execute(
        "SELECT title, body FROM article WHERE id = ?", (article_id,)
    ).fetchone()
    latest = conn.execute(
        "SELECT id, title, body FROM article_revision WHERE article_id = ?"
        " ORDER BY id DESC LIMIT 1",
        (article_id,),
    ).fetchone()
    if latest and latest[1] == title and latest[2] == body:
        return latest[0]
    return conn.execute(
        "INSERT INTO article_revision (article_id, kind, title, body, word_count, created_at)"
        " VALUES (?, 'manual', ?, ?, ?, ?) RETURNING id",
        (article_id, title, body, word_count(body), db_time(utcnow())),
    ).fetchone()[0]


#: what an outcome write adds to its ``WHERE``: the row is still the caller's
#: (a worker whose lease ran out must not overwrite the outcome of the worker
#: that took the row after it)
_HELD = " AND lease_owner = ? AND status = 'publishing'"


def still_held(conn: sqlite3.Connection, publication_id: int, owner: str) -> bool:
    """Whether ``owner`` still holds the publication's lease (it is publishing)."""
    return leases.still_ours(conn, leases.PUBLICATION, publication_id, owner)


def mark_published(
    conn: sqlite3.Connection,
    publication_id: int,
    *,
    owner: str,
    remote_id: str,
    url: str | None,
    revision_id: int | None,
) -> bool:
    """The post exists remotely: record where, and the revision it holds.
    The article's status becomes ``published`` (unless it is a draft post).

    Applied only while ``owner`` holds the lease; False (nothing written)
    when another worker has taken the row."""
    now = db_time(utcnow())
    cur = conn.execute(
        "UPDATE publication SET status = 'published', remote_id = ?, url = ?,"
        " published_revision_id = ?, last_error = NULL, lease_owner = NULL,"
        " lease_expires_at = NULL, published_at = ?, updated_at = ? WHERE id = ?" + _HELD,
        (remote_id, url, revision_id, now, now, publication_id, owner),
    )
    if cur.rowcount != 1:
        return False
    conn.execute(
        "UPDATE article SET status = 'published', updated_at = ? WHERE id = (SELECT article_id"
        " FROM publication WHERE id = ? AND NOT draft)",
        (now, publication_id),
    )
    return True


def record_remote(
    conn: sqlite3.Connection, publication_id: int, remote_id: str, url: str | None, *, owner: str
) -> bool:
    """Keep a remote id as soon as it is known (before the item is finished);
    False (nothing written) when ``owner`` no longer holds the lease."""
    cur = conn.execute(
        "UPDATE publication SET remote_id = ?, url = ?, updated_at = ? WHERE id = ?" + _HELD,
        (remote_id, url, db_time(utcnow()), publication_id, owner),
    )
    return cur.rowcount == 1


def mark_failed(conn: sqlite3.Connection, publication_id: int, error: str, *, owner: str) -> bool:
    """The item failed for good (the remote refused it): no more attempts.
    False (nothing written) when ``owner`` no longer holds the lease."""
    now = db_time(utcnow())
    cur = conn.execute(
        "UPDATE publication SET status = 'failed', last_error = ?, lease_owner = NULL,"
        " lease_expires_at = NULL, updated_at = ? WHERE id = ?" + _HELD,
        (_one_line(error), now, publication_id, owner),
    )
    return cur.rowcount == 1


def mark_retry(
    conn: sqlite3.Connection,
    publication_id: int,
    error: str,
    *,
    owner: str,
    backoff_s: float,
    max_attempts: int,
) -> str | None:
    """After a transient failure: ``"queued"`` again after ``backoff_s``
    while attempts remain, else ``"failed"``; None (nothing written) when
    ``owner`` no longer holds the lease."""
    row = conn.execute(
        "SELECT attempts FROM publication WHERE id = ?" + _HELD, (publication_id, owner)
    ).fetchone()
    if row is None:
        return None
    attempts = row[0]
    if attempts >= max_attempts:
        mark_failed(
            conn,
            publication_id,
            _("{error} (gave up after {n} attempts; `inkbench publish retry` tries again)").format(
                error=_one_line(error), n=attempts
            ),
            owner=owner,
        )
        return "failed"
    now = utcnow()
    conn.execute(
        "UPDATE publication SET status = 'queued', last_error = ?, lease_owner = NULL,"
        " lease_expires_at = NULL, next_attempt_at = ?, updated_at = ? WHERE id = ?" + _HELD,
        (
            _one_line(error),
            db_time(now + timedelta(seconds=backoff_s)),
            db_time(now),
            publication_id,
            owner,
        ),
    )
    return "queued"


def release(
    conn: sqlite3.Connection, publication_id: int, *, owner: str, error: str | None = None
) -> bool:
    """Hand the item back untried (its account was paused, or the runner
    stops): queued again, the attempt not counted. False (nothing written)
    when ``owner`` no longer holds the lease."""
    cur = conn.execute(
        "UPDATE publication SET status = 'queued', lease_owner = NULL, lease_expires_at = NULL,"
        " attempts = MAX(attempts - 1, 0), last_error = COALESCE(?, last_error), updated_at = ?"
        " WHERE id = ?" + _HELD,
        (_one_line(error) if error else None, db_time(utcnow()), publication_id, owner),
    )
    return cur.rowcount == 1


# --- media uploaded once per account --------------------------------------------------


def media_url(conn: sqlite3.Connection, account_id: int, blob_sha: str) -> str | None:
    """The remote URL of a stored file already uploaded to the account."""
    row = conn.execute(
        "SELECT remote_url FROM published_media WHERE account_id = ? AND blob_sha = ?",
        (account_id, blob_sha),
    ).fetchone()
    return row[0] if row else None


def put_media_url(conn: sqlite3.Connection, account_id: int, blob_sha: str, url: str) -> None:
    """Remember where a stored file was uploaded for the account."""
    conn.execute(
        "INSERT INTO published_media (account_id, blob_sha, remote_url, created_at)"
        " VALUES (?, ?, ?, ?) ON CONFLICT (account_id, blob_sha) DO UPDATE SET"
        " remote_url = excluded.remote_url",
        (account_id, blob_sha, url, db_time(utcnow())),
    )


def count_media(conn: sqlite3.Connection, account_id: int) -> int:
    """How many stored files the account holds."""
    return conn.execute(
        "SELECT count(*) FROM published_media WHERE account_id = ?", (account_id,)
    ).fetchone()[0]
