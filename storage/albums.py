"""Albums and their images: create, rename, list a page at a time, move and
copy images, and the image OCR state machine.

OCR states: ``pending → running → done | no_text | failed``. A worker claims a
``pending`` row with ``storage.leases.claim`` (which counts the attempt) and
ends it with ``finish_ocr`` or ``fail_ocr``, both only while the lease is
still its own. A failed image with attempts left carries
``ocr_next_attempt_at`` (backoff); ``requeue_due`` puts it back to
``pending`` when that time comes. After ``MAX_ATTEMPTS`` it stays ``failed``
until the user asks (``retry_failed``).

OCR text reaches the search index through the ``image`` triggers, in the
transaction that changes the status. Reading an album again with another
engine (``reread_album``) puts its images back to ``pending`` with their text
in place, so search keeps finding it; ``finish_ocr`` then keeps the old text
as ``ocr_previous_text``. Each result records the engine and model that read
it and the text boxes in reading order (``ocr_boxes``, JSON).

Functions take a stdlib connection inside a transaction (``db.raw()``) and
leave the commit to the caller.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from inkbench.i18n import _
from inkbench.storage.errors import InvalidInput, NotFound
from inkbench.storage.leases import IMAGE_OCR
from inkbench.storage.vocab import OCR_STATUSES, db_time, utcnow

if TYPE_CHECKING:
    from sqlmodel import Session

    from inkbench.storage.models import Album

MAX_ATTEMPTS = 3
BACKOFF_SECONDS = 10.0  # the wait after the first failure; it grows 6x per attempt
TERMINAL = ("done", "no_text", "failed")
MAX_NAME = 200


def parse_time(value: str | datetime | None) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(value).replace(tzinfo=UTC)


def _counts(raw: dict[str, int]) -> dict[str, int]:
    return {s: int(raw.get(s, 0)) for s in OCR_STATUSES}


@dataclass(frozen=True)
class AlbumSummary:
    id: int
    name: str
    description: str
    image_count: int
    ocr: dict[str, int] = field(default_factory=dict)  # status -> live images
    created_at: datetime | None = None
    updated_at: datetime | None = None
    deleted_at: datetime | None = None

    @property
    def ocr_finished(self) -> int:
        """Images whose OCR has ended (done, no text, or failed)."""
        return sum(self.ocr.get(s, 0) for s in TERMINAL)

    @property
    def ocr_progress(self) -> float:
        return self.ocr_finished / self.image_count if self.image_count else 1.0

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "name": self.name,
            "description": self.description,
            "image_count": self.image_count,
            "ocr": dict(self.ocr),
            "created_at": self.created_at,
            "updated_at": self.updated_at,
            "deleted_at": self.deleted_at,
        }


_IMAGE_COLUMNS = (
    "id, album_id, original_name, size_bytes, width, height, format, taken_at, orientation,"
    " blob_sha, thumb_sha, ocr_status, ocr_lang, ocr_confidence, ocr_error, ocr_attempts,"
    " ocr_finished_at, created_at, deleted_at"
)


@dataclass(frozen=True)
class ImageRow:
    """A list row: everything but the OCR text."""

    id: int
    album_id: int
    original_name: str
    size_bytes: int
    width: int | None
    height: int | None
    format: str | None
    taken_at: datetime | None
    orientation: int | None
    blob_sha: str
    thumb_sha: str | None
    ocr_status: str
    ocr_lang: str | None
    ocr_confidence: float | None
    ocr_error: str | None
    ocr_attempts: int
    ocr_finished_at: datetime | None
    created_at: datetime | None
    deleted_at: datetime | None

    @classmethod
    def from_row(cls, row: Sequence) -> ImageRow:
        values = list(row[: len(cls.__dataclass_fields__)])
        for i in (7, 16, 17, 18):
            values[i] = parse_time(values[i])
        return cls(*values)

    def to_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass(frozen=True)
class ImageDetail:
    row: ImageRow
    album_name: str
    ocr_text: str | None
    ocr_started_at: datetime | None
    ocr_next_attempt_at: datetime | None
    ocr_engine: str | None = None  # the engine that read the text
    ocr_model: str | None = None
    ocr_boxes: list[dict] = field(default_factory=list)  # pieces in reading order
    ocr_previous_text: str | None = None  # what the read before this one found

    def to_dict(self) -> dict:
        """Every field, for ``--json``."""
        d = self.row.to_dict()
        d.update(
            album_name=self.album_name,
            ocr_text=self.ocr_text,
            ocr_started_at=self.ocr_started_at,
            ocr_next_attempt_at=self.ocr_next_attempt_at,
            ocr_engine=self.ocr_engine,
            ocr_model=self.ocr_model,
            ocr_boxes=self.ocr_boxes,
            ocr_previous_text=self.ocr_previous_text,
        )
        return d


# --- albums -------------------------------------------------------------------------


def clean_name(name: str) -> str:
    name = " ".join(name.split())
    if not name:
        raise InvalidInput(_("an album needs a name"))
    if len(name) > MAX_NAME:
        raise InvalidInput(_("album names are at most {n} characters").format(n=MAX_NAME))
    return name


def find_album_id(conn: sqlite3.Connection, name: str) -> int | None:
    """The live album called ``name`` (exactly), or None."""
    row = conn.execute(
        "SELECT id FROM album WHERE name = ? AND deleted_at IS NULL", (clean_name(name),)
    ).fetchone()
    return row[0] if row else None


def find_album(session: Session, name_or_id: str) -> Album:
    """A live album (ORM row) by name, or by id when given a number (the
    session-based lookup the CLI's task commands use)."""
    from sqlmodel import select

    from inkbench.storage.models import Album

    if str(name_or_id).isdigit():
        a = session.get(Album, int(name_or_id))
        if a is not None and a.deleted_at is None:
            return a
    a = session.exec(
        select(Album).where(Album.name == str(name_or_id), Album.deleted_at.is_(None))
    ).first()
    if a is None:
        raise NotFound(
            _('no album "{name_or_id}"; `inkbench album list` shows them').format(
                name_or_id=name_or_id
            )
        )
    return a


def album_id_by_name(conn: sqlite3.Connection, name: str) -> int:
    album_id = find_album_id(conn, name)
    if album_id is None:
        raise NotFound(
            _('no album called "{clean_name}"; see `inkbench album list`').format(
                clean_name=clean_name(name)
            )
        )
    return album_id


def create_album(conn: sqlite3.Connection, name: str, description: str = "") -> int:
    name = clean_name(name)
    if find_album_id(conn, name) is not None:
        raise InvalidInput(
            _('an album called "{name}" already exists; choose another name').format(name=name)
        )
    now = db_time(utcnow())
    cur = conn.execute(
        "INSERT INTO album (name, description, created_at, updated_at) VALUES (?, ?, ?, ?)",
        (name, description, now, now),
    )
    return int(cur.lastrowid)


def get_or_create_album(conn: sqlite3.Connection, name: str) -> tuple[int, bool]:
    """(album id, created?)."""
    album_id = find_album_id(conn, name)
    if album_id is not None:
        return album_id, False
    return create_album(conn, name), True


def _live_album(conn: sqlite3.Connection, album_id: int) -> str:
    row = conn.execute("SELECT name, deleted_at FROM album WHERE id = ?", (album_id,)).fetchone()
    if row is None:
        raise NotFound(_("no album with id {album_id}").format(album_id=album_id))
    if row[1] is not None:
        raise InvalidInput(
            _('album "{value}" is in the Trash; restore it first').format(value=row[0])
        )
    return row[0]


def rename_album(conn: sqlite3.Connection, album_id: int, new_name: str) -> None:
    _live_album(conn, album_id)
    new_name = clean_name(new_name)
    other = find_album_id(conn, new_name)
    if other is not None and other != album_id:
        raise InvalidInput(
            _('an album called "{new_name}" already exists; choose another name').format(
                new_name=new_name
            )
        )
    conn.execute(
        "UPDATE album SET name = ?, updated_at = ? WHERE id = ?",
        (new_name, db_time(utcnow()), album_id),
    )


_ALBUM_SELECT = (
    "SELECT a.id, a.name, a.description, a.created_at, a.updated_at, a.deleted_at,"
    " (SELECT count(*) FROM image i WHERE i.album_id = a.id AND i.deleted_at IS NULL)"
    " FROM album a"
)


def _status_counts(conn: sqlite3.Connection, album_ids: Sequence[int]) -> dict[int, dict]:
    if not album_ids:
        return {}
    marks = ",".join("?" * len(album_ids))
    out: dict[int, dict[str, int]] = {a: {} for a in album_ids}
    for album_id, status, n in conn.execute(
        f"SELECT album_id, ocr_status, count(*) FROM image WHERE album_id IN ({marks})"
        " AND deleted_at IS NULL GROUP BY album_id, ocr_status",
        list(album_ids),
    ):
        out[album_id][status] = n
    return {a: _counts(c) for a, c in out.items()}


def _summaries(conn: sqlite3.Connection, rows: list) -> list[AlbumSummary]:
    counts = _status_counts(conn, [r[0] for r in rows])
    return [
        AlbumSummary(
            id=r[0],
            name=r[1],
            description=r[2],
            created_at=parse_time(r[3]),
            updated_at=parse_time(r[4]),
            deleted_at=parse_time(r[5]),
            image_count=r[6],
            ocr=counts[r[0]],
        )
        for r in rows
    ]


def get_album(conn: sqlite3.Connection, album_id: int) -> AlbumSummary:
    rows = conn.execute(_ALBUM_SELECT + " WHERE a.id = ?", (album_id,)).fetchall()
    if not rows:
        raise NotFound(_("no album with id {album_id}").format(album_id=album_id))
    return _summaries(conn, rows)[0]


def get_album_by_name(conn: sqlite3.Connection, name: str) -> AlbumSummary:
    return get_album(conn, album_id_by_name(conn, name))


def list_albums(
    conn: sqlite3.Connection, *, offset: int = 0, limit: int = 100, trashed: bool = False
) -> list[AlbumSummary]:
    """One page of albums by name, each with its image count and OCR progress."""
    where = "a.deleted_at IS NOT NULL" if trashed else "a.deleted_at IS NULL"
    rows = conn.execute(
        _ALBUM_SELECT + f" WHERE {where} ORDER BY a.name COLLATE NOCASE, a.id LIMIT ? OFFSET ?",
        (limit, offset),
    ).fetchall()
    return _summaries(conn, rows)


def count_albums(conn: sqlite3.Connection, *, trashed: bool = False) -> int:
    where = "deleted_at IS NOT NULL" if trashed else "deleted_at IS NULL"
    return conn.execute(f"SELECT count(*) FROM album WHERE {where}").fetchone()[0]


# --- images ---------------------------------------------------------------------------


def _image_filter(album_id: int | None, status: str | None, trashed: bool) -> tuple[str, list]:
    clauses = ["deleted_at IS NOT NULL" if trashed else "deleted_at IS NULL"]
    params: list = []
    if album_id is not None:
        clauses.append("album_id = ?")
        params.append(album_id)
    if status is not None:
        if status not in OCR_STATUSES:
            raise InvalidInput(
                _("unknown OCR status {status!r}; use one of: {choices}").format(
                    status=status, choices=", ".join(OCR_STATUSES)
                )
            )
        clauses.append("ocr_status = ?")
        params.append(status)
    return " AND ".join(clauses), params


def list_images(
    conn: sqlite3.Connection,
    album_id: int | None,
    *,
    offset: int = 0,
    limit: int = 100,
    status: str | None = None,
    trashed: bool = False,
) -> list[ImageRow]:
    """One page of an album's images in import order (no OCR text)."""
    where, params = _image_filter(album_id, status, trashed)
    rows = conn.execute(
        f"SELECT {_IMAGE_COLUMNS} FROM image WHERE {where} ORDER BY id LIMIT ? OFFSET ?",
        [*params, limit, offset],
    ).fetchall()
    return [ImageRow.from_row(r) for r in rows]


def count_images(
    conn: sqlite3.Connection,
    album_id: int | None,
    *,
    status: str | None = None,
    trashed: bool = False,
) -> int:
    where, params = _image_filter(album_id, status, trashed)
    return conn.execute(f"SELECT count(*) FROM image WHERE {where}", params).fetchone()[0]


def get_image(conn: sqlite3.Connection, image_id: int) -> ImageDetail:
    row = conn.execute(
        f"SELECT {_IMAGE_COLUMNS}, (SELECT name FROM album WHERE id = image.album_id), ocr_text,"
        " ocr_started_at, ocr_next_attempt_at, ocr_engine, ocr_model, ocr_boxes,"
        " ocr_previous_text FROM image WHERE id = ?",
        (image_id,),
    ).fetchone()
    if row is None:
        raise NotFound(_("no image with id {image_id}").format(image_id=image_id))
    n = len(ImageRow.__dataclass_fields__)
    return ImageDetail(
        row=ImageRow.from_row(row),
        album_name=row[n],
        ocr_text=row[n + 1],
        ocr_started_at=parse_time(row[n + 2]),
        ocr_next_attempt_at=parse_time(row[n + 3]),
        ocr_engine=row[n + 4],
        ocr_model=row[n + 5],
        ocr_boxes=json.loads(row[n + 6]) if row[n + 6] else [],
        ocr_previous_text=row[n + 7],
    )


def _existing_ids(conn: sqlite3.Connection, image_ids: Iterable[int]) -> list[int]:
    ids = list(dict.fromkeys(int(i) for i in image_ids))
    found = []
    for i in ids:
        if conn.execute("SELECT 1 FROM image WHERE id = ?", (i,)).fetchone() is None:
            raise NotFound(_("no image with id {i}").format(i=i))
        found.append(i)
    return found


def move_images(
    conn: sqlite3.Connection, image_ids: Iterable[int], to_album_id: int
) -> tuple[int, int]:
    """Move images into another album; (moved, skipped). An image whose file
    the target album already holds is skipped (an album holds a file once)."""
    _live_album(conn, to_album_id)
    moved = skipped = 0
    for image_id in _existing_ids(conn, image_ids):
        cur = conn.execute(
            # naming original_name fires the search trigger, which re-checks
            # visibility in the new album
            "UPDATE image SET album_id = :to, original_name = original_name WHERE id = :id"
            " AND album_id != :to AND NOT EXISTS (SELECT 1 FROM image o WHERE o.album_id = :to"
            " AND o.blob_sha = image.blob_sha)",
            {"to": to_album_id, "id": image_id},
        )
        if cur.rowcount:
            moved += 1
        else:
            skipped += 1
    _touch(conn, to_album_id)
    return moved, skipped


def copy_images(
    conn: sqlite3.Connection, image_ids: Iterable[int], to_album_id: int
) -> tuple[int, int]:
    """Copy images into another album, sharing their blobs; (copied, skipped).
    Finished OCR results are copied; anything else starts again as pending."""
    _live_album(conn, to_album_id)
    copied = skipped = 0
    now = db_time(utcnow())
    for image_id in _existing_ids(conn, image_ids):
        cur = conn.execute(
            "INSERT INTO image (album_id, blob_sha, thumb_sha, original_name, size_bytes, width,"
            " height, format, taken_at, orientation, ocr_status, ocr_text, ocr_lang,"
            " ocr_confidence, ocr_error, ocr_attempts, ocr_started_at, ocr_finished_at,"
            " ocr_engine, ocr_model, ocr_boxes, created_at)"
            " SELECT :to, blob_sha, thumb_sha, original_name, size_bytes, width, height, format,"
            " taken_at, orientation,"
            " CASE WHEN ocr_status IN ('done', 'no_text') THEN ocr_status ELSE 'pending' END,"
            " CASE WHEN ocr_status IN ('done', 'no_text') THEN ocr_text END,"
            " CASE WHEN ocr_status IN ('done', 'no_text') THEN ocr_lang END,"
            " CASE WHEN ocr_status IN ('done', 'no_text') THEN ocr_confidence END,"
            " NULL,"
            " CASE WHEN ocr_status IN ('done', 'no_text') THEN ocr_attempts ELSE 0 END,"
            " CASE WHEN ocr_status IN ('done', 'no_text') THEN ocr_started_at END,"
            " CASE WHEN ocr_status IN ('done', 'no_text') THEN ocr_finished_at END,"
            " CASE WHEN ocr_status IN ('done', 'no_text') THEN ocr_engine END,"
            " CASE WHEN ocr_status IN ('done', 'no_text') THEN ocr_model END,"
            " CASE WHEN ocr_status IN ('done', 'no_text') THEN ocr_boxes END,"
            " :now FROM image WHERE id = :id"
            " ON CONFLICT (album_id, blob_sha) DO NOTHING",
            {"to": to_album_id, "id": image_id, "now": now},
        )
        if cur.rowcount:
            copied += 1
        else:
            skipped += 1
    _touch(conn, to_album_id)
    return copied, skipped


def _touch(conn: sqlite3.Connection, album_id: int) -> None:
    conn.execute("UPDATE album SET updated_at = ? WHERE id = ?", (db_time(utcnow()), album_id))


def touch_album(conn: sqlite3.Connection, album_id: int) -> None:
    """The album changed now (its list sorts by it)."""
    _touch(conn, album_id)


def image_in_album(
    conn: sqlite3.Connection, album_id: int, blob_sha: str
) -> tuple[int, bool] | None:
    """The album's image with this content, if any: (its id, in the Trash)."""
    row = conn.execute(
        "SELECT id, deleted_at FROM image WHERE album_id = ? AND blob_sha = ?", (album_id, blob_sha)
    ).fetchone()
    return (row[0], bool(row[1])) if row is not None else None


def insert_image(
    conn: sqlite3.Connection,
    album_id: int,
    *,
    blob_sha: str,
    thumb_sha: str | None,
    original_name: str,
    size_bytes: int,
    width: int | None,
    height: int | None,
    format: str | None,
    taken_at: str | None,
    orientation: int | None,
    created_at: str,
) -> int | None:
    """Add an image to the album, waiting for OCR; its id, or None when the
    album holds this content already (another process added it a moment
    ago). Its blobs must be registered first."""
    cur = conn.execute(
        "INSERT INTO image (album_id, blob_sha, thumb_sha, original_name, size_bytes, width,"
        " height, format, taken_at, orientation, ocr_status, ocr_attempts, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', 0, ?)"
        " ON CONFLICT (album_id, blob_sha) DO NOTHING",
        (
            album_id,
            blob_sha,
            thumb_sha,
            original_name,
            size_bytes,
            width,
            height,
            format,
            taken_at,
            orientation,
            created_at,
        ),
    )
    return int(cur.lastrowid) if cur.rowcount == 1 else None


# --- the OCR state machine ----------------------------------------------------------------


def backoff(attempts: int, base: float = BACKOFF_SECONDS) -> timedelta:
    """The wait before automatic attempt ``attempts + 1``."""
    return timedelta(seconds=base * 6 ** max(attempts - 1, 0))


def finish_ocr(
    conn: sqlite3.Connection,
    image_id: int,
    owner: str,
    *,
    text: str,
    lang: str,
    confidence: float | None,
    engine: str | None = None,
    model: str | None = None,
    boxes: str | None = None,
) -> str | None:
    """Record a result: ``done`` with the text, or ``no_text`` when it is
    empty, with the engine and model that read it and its boxes (JSON).
    Text an earlier read found becomes ``ocr_previous_text``. Returns the new
    status, or None when the lease is no longer ours (the result is dropped:
    another worker has the image now)."""
    status = "done" if text.strip() else "no_text"
    cur = conn.execute(
        "UPDATE image SET ocr_status = ?, ocr_text = ?, ocr_lang = ?, ocr_confidence = ?,"
        " ocr_error = NULL, ocr_next_attempt_at = NULL, ocr_lease_owner = NULL,"
        " ocr_lease_expires_at = NULL, ocr_finished_at = ?, ocr_engine = ?, ocr_model = ?,"
        " ocr_boxes = ?, ocr_previous_text = coalesce(ocr_text, ocr_previous_text)"
        " WHERE id = ? AND ocr_lease_owner = ? AND ocr_status = 'running'",
        (
            status,
            text if status == "done" else None,
            lang,
            confidence if status == "done" else None,
            db_time(utcnow()),
            engine,
            model,
            boxes if status == "done" else None,
            image_id,
            owner,
        ),
    )
    return status if cur.rowcount == 1 else None


def reread_album(conn: sqlite3.Connection, album_id: int) -> int:
    """Queue an album's finished images for another read (``ocr run
    --again``): pending again, attempts from zero, their text left in place
    (and searchable) until the new read replaces it. Returns how many."""
    _live_album(conn, album_id)
    cur = conn.execute(
        "UPDATE image SET ocr_status = 'pending', ocr_attempts = 0, ocr_next_attempt_at = NULL,"
        " ocr_error = NULL WHERE album_id = ? AND deleted_at IS NULL"
        " AND ocr_status IN ('done', 'no_text', 'failed')",
        (album_id,),
    )
    return cur.rowcount


def ocr_source(
    conn: sqlite3.Connection, image_id: int
) -> tuple[str, int | None, str, str | None] | None:
    """What OCR reads for an image: (blob digest, orientation, original
    name, its album's own OCR engine or None); None when there is no such
    image."""
    row = conn.execute(
        "SELECT blob_sha, orientation, original_name,"
        " (SELECT ocr_engine FROM album WHERE id = image.album_id)"
        " FROM image WHERE id = ?",
        (image_id,),
    ).fetchone()
    return (row[0], row[1], row[2], row[3]) if row is not None else None


def album_engine(conn: sqlite3.Connection, album_id: int) -> str | None:
    """The album's own OCR engine, or None (config.toml's default applies)."""
    row = conn.execute("SELECT ocr_engine FROM album WHERE id = ?", (album_id,)).fetchone()
    if row is None:
        raise NotFound(_("no album with id {id}").format(id=album_id))
    return row[0]


def set_album_engine(conn: sqlite3.Connection, album_id: int, engine: str | None) -> None:
    """Give an album its own OCR engine (tesseract, ppocr, auto), or None
    for the default. The caller checks the name."""
    _live_album(conn, album_id)
    conn.execute("UPDATE album SET ocr_engine = ? WHERE id = ?", (engine, album_id))
    _touch(conn, album_id)


def albums_waiting(conn: sqlite3.Connection) -> list[tuple[int, str, str | None]]:
    """(id, name, engine) of the live albums with images waiting for OCR."""
    return conn.execute(
        "SELECT id, name, ocr_engine FROM album WHERE deleted_at IS NULL AND EXISTS"
        " (SELECT 1 FROM image WHERE album_id = album.id AND deleted_at IS NULL"
        " AND ocr_status IN ('pending', 'running', 'failed')) ORDER BY id"
    ).fetchall()


def fail_ocr(
    conn: sqlite3.Connection,
    image_id: int,
    owner: str,
    error: str,
    *,
    lang: str | None = None,
    backoff_base: float = BACKOFF_SECONDS,
    max_attempts: int = MAX_ATTEMPTS,
) -> bool:
    """Record a failure. With attempts left, ``ocr_next_attempt_at`` says when
    ``requeue_due`` may put it back to pending. False if the lease was lost."""
    row = conn.execute(
        "SELECT ocr_attempts FROM image WHERE id = ? AND ocr_lease_owner = ?"
        " AND ocr_status = 'running'",
        (image_id, owner),
    ).fetchone()
    if row is None:
        return False
    attempts = row[0]
    now = utcnow()
    retry_at = db_time(now + backoff(attempts, backoff_base)) if attempts < max_attempts else None
    error = " ".join(str(error).split())[:500] or "unknown error"
    conn.execute(
        "UPDATE image SET ocr_status = 'failed', ocr_error = ?, ocr_lang = ?,"
        " ocr_next_attempt_at = ?, ocr_lease_owner = NULL, ocr_lease_expires_at = NULL,"
        " ocr_finished_at = ? WHERE id = ?",
        (error, lang, retry_at, db_time(now), image_id),
    )
    return True


def requeue_due(
    conn: sqlite3.Connection, *, now: datetime | None = None, max_attempts: int = MAX_ATTEMPTS
) -> int:
    """Failed images whose backoff has passed go back to pending (automatic
    retries); returns how many."""
    cur = conn.execute(
        "UPDATE image SET ocr_status = 'pending' WHERE ocr_status = 'failed'"
        " AND ocr_attempts < ? AND ocr_next_attempt_at IS NOT NULL"
        " AND ocr_next_attempt_at <= ?",
        (max_attempts, db_time(now or utcnow())),
    )
    return cur.rowcount


def retry_failed(
    conn: sqlite3.Connection, *, album_id: int | None = None, image_ids: Iterable[int] = ()
) -> int:
    """The user asks to try failed images again: pending, attempts from zero."""
    clauses = ["ocr_status = 'failed'"]
    params: list = []
    if album_id is not None:
        clauses.append("album_id = ?")
        params.append(album_id)
    ids = [int(i) for i in image_ids]
    if ids:
        clauses.append(f"id IN ({','.join('?' * len(ids))})")
        params += ids
    cur = conn.execute(
        "UPDATE image SET ocr_status = 'pending', ocr_attempts = 0, ocr_next_attempt_at = NULL,"
        f" ocr_error = NULL WHERE {' AND '.join(clauses)}",
        params,
    )
    return cur.rowcount


def status_counts(conn: sqlite3.Connection, *, album_id: int | None = None) -> dict[str, int]:
    """OCR status -> count of live images (in live albums), every status present."""
    where = IMAGE_OCR.where
    params: list = []
    if album_id is not None:
        where += " AND album_id = ?"
        params.append(album_id)
    raw = dict(
        conn.execute(
            f"SELECT ocr_status, count(*) FROM image WHERE {where} GROUP BY ocr_status", params
        ).fetchall()
    )
    return _counts(raw)


def ocr_workers_holding(conn: sqlite3.Connection) -> int:
    """How many OCR workers hold an image (distinct lease owners of running images)."""
    sql = "SELECT count(DISTINCT ocr_lease_owner) FROM image WHERE ocr_status = 'running'"
    return conn.execute(sql).fetchone()[0]


def outstanding(
    conn: sqlite3.Connection, *, max_attempts: int = MAX_ATTEMPTS, album_id: int | None = None
) -> int:
    """Live images OCR has not finished with: pending, running, or failed with
    an automatic retry still to come (in one album, given ``album_id``)."""
    return conn.execute(
        f"SELECT count(*) FROM image WHERE ({IMAGE_OCR.where}) AND (ocr_status IN"
        " ('pending', 'running') OR (ocr_status = 'failed' AND ocr_attempts < ?"
        " AND ocr_next_attempt_at IS NOT NULL)) AND (? IS NULL OR album_id = ?)",
        (max_attempts, album_id, album_id),
    ).fetchone()[0]


def next_wake(conn: sqlite3.Connection) -> datetime | None:
    """The earliest moment something not claimable now becomes claimable."""
    row = conn.execute(
        "SELECT min(t) FROM (SELECT min(ocr_next_attempt_at) AS t FROM image"
        " WHERE ocr_status IN ('pending', 'failed') AND ocr_next_attempt_at IS NOT NULL"
        " UNION ALL SELECT min(ocr_lease_expires_at) FROM image WHERE ocr_status = 'running')"
    ).fetchone()
    return parse_time(row[0]) if row and row[0] else None
