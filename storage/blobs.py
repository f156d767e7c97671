"""Content-addressed, immutable file store: ``blobs/ab/cdef…`` by SHA-256.

A file is written to a temp file in the same directory, fsynced and renamed,
so a crash never leaves a half-written blob under its final name. The
``blob`` table row is inserted by the caller in the transaction that first
references it; a file with no row is an orphan, removed by ``sweep``.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sqlite3
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path

from inkbench.i18n import _
from inkbench.storage.errors import InvalidInput
from inkbench.storage.vocab import db_time, utcnow

CHUNK = 1 << 20


def blob_path(blob_dir: Path, sha256: str) -> Path:
    return blob_dir / sha256[:2] / sha256[2:]


def hash_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(CHUNK):
            h.update(chunk)
    return h.hexdigest()


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_atomic(dest: Path, chunks: Iterable[bytes]) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as f:
            for chunk in chunks:
                f.write(chunk)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o400)
        os.replace(tmp, dest)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    _fsync_dir(dest.parent)


def _refresh(dest: Path) -> bool:
    """Whether ``dest`` is stored; if so its age starts again, so that a
    concurrent ``sweep`` (which spares young files) leaves it for the row
    about to reference it. False if it is gone, even if a sweep took it a
    moment ago (then the caller writes it again)."""
    try:
        os.utime(dest)
    except FileNotFoundError:
        return False
    return True


def put_bytes(blob_dir: Path, data: bytes) -> tuple[str, int]:
    """Store ``data``; returns (sha256, size). Storing twice is a no-op."""
    sha = hashlib.sha256(data).hexdigest()
    dest = blob_path(blob_dir, sha)
    if not _refresh(dest):
        try:
            _write_atomic(dest, [data])
        except OSError as e:
            raise InvalidInput(
                _("cannot store file data: {strerror}; free some disk space").format(
                    strerror=e.strerror
                )
            ) from e
    return sha, len(data)


def put_file(blob_dir: Path, source: Path) -> tuple[str, int]:
    """Store a file's content (hashed while copied); returns (sha256, size)."""
    h = hashlib.sha256()
    blob_dir.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=blob_dir, prefix=".tmp-")
    size = 0
    try:
        with os.fdopen(fd, "wb") as out, source.open("rb") as f:
            while chunk := f.read(CHUNK):
                h.update(chunk)
                out.write(chunk)
                size += len(chunk)
            out.flush()
            os.fsync(out.fileno())
        sha = h.hexdigest()
        dest = blob_path(blob_dir, sha)
        if _refresh(dest):
            Path(tmp).unlink()
        else:
            dest.parent.mkdir(exist_ok=True)
            os.chmod(tmp, 0o400)
            os.replace(tmp, dest)
            _fsync_dir(dest.parent)
    except OSError as e:
        Path(tmp).unlink(missing_ok=True)
        raise InvalidInput(
            _("cannot store {name}: {strerror}; free some disk space").format(
                name=source.name, strerror=e.strerror
            )
        ) from e
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return sha, size


def register(conn: sqlite3.Connection, sha256: str, size: int) -> None:
    """Insert the ``blob`` row if missing (in the caller's transaction)."""
    conn.execute(
        "INSERT OR IGNORE INTO blob (sha256, size, created_at) VALUES (?, ?, ?)",
        (sha256, size, db_time(utcnow())),
    )


def read_bytes(blob_dir: Path, sha256: str) -> bytes:
    return blob_path(blob_dir, sha256).read_bytes()


def unreferenced_rows_sql() -> str:
    """Blob rows that no table references any more."""
    return (
        "SELECT sha256 FROM blob b WHERE NOT EXISTS (SELECT 1 FROM image WHERE blob_sha = b.sha256"
        " OR thumb_sha = b.sha256) AND NOT EXISTS (SELECT 1 FROM kb_document"
        " WHERE blob_sha = b.sha256)"
    )


_DOOMED = ".sweep-"


def _remove_unless_refreshed(f: Path, now: float, min_age_s: float) -> int:
    """Remove the old file ``f`` unless an import refreshed it meanwhile.

    It is first renamed away, then its age is read again: an import's
    ``_refresh`` either happened before the rename (the file is young again:
    it goes back) or finds no file (the import writes it again). Either way
    the import's row never points at a missing file."""
    doomed = f.with_name(_DOOMED + f.name)
    try:
        os.replace(f, doomed)
    except FileNotFoundError:
        return 0
    if now - doomed.stat().st_mtime < min_age_s:
        if f.exists():
            doomed.unlink()  # written again meanwhile: same name, same content
        else:
            os.replace(doomed, f)
        return 0
    doomed.unlink()
    return 1


def sweep(conn: sqlite3.Connection, blob_dir: Path, *, min_age_s: float = 3600) -> int:
    """Remove unreferenced blob rows and files, files with no row, and stale
    temp files. Files younger than ``min_age_s`` are left alone: another
    process may be about to insert their row. Returns files removed."""
    conn.execute(f"DELETE FROM blob WHERE sha256 IN ({unreferenced_rows_sql()})")
    known = {r[0] for r in conn.execute("SELECT sha256 FROM blob")}
    now = time.time()
    removed = 0
    if not blob_dir.exists():
        return 0
    for sub in blob_dir.iterdir():
        if not sub.is_dir():
            continue
        for f in sub.iterdir():
            if f.name.startswith(_DOOMED):  # a sweep killed half way: put it back
                with contextlib.suppress(OSError):
                    if not (sub / f.name[len(_DOOMED) :]).exists():
                        os.replace(f, sub / f.name[len(_DOOMED) :])
                continue
            sha = sub.name + f.name
            try:
                young = now - f.stat().st_mtime < min_age_s
            except FileNotFoundError:
                continue
            if f.name.startswith(".tmp-"):
                if not young:
                    f.unlink(missing_ok=True)
                    removed += 1
            elif sha not in known and not young:
                removed += _remove_unless_refreshed(f, now, min_age_s)
    for f in blob_dir.glob(".tmp-*"):
        if now - f.stat().st_mtime >= min_age_s:
            f.unlink(missing_ok=True)
            removed += 1
    return removed
