"""Backup, restore and compaction of a data home.

A backup is one tar file: ``manifest.json`` first (format, schema revision,
the database's SHA-256 and size, every blob's SHA-256 and size), then
``inkbench.db`` (a consistent snapshot taken with SQLite's backup API) and
``blobs/ab/cdef…`` for every blob the snapshot knows. Blob files are immutable
and named by their hash, so the snapshot and the files it references form
one point in time; every file is hashed again as it is written.

Restore reads and checks everything into a temporary directory inside the
data home first (hashes, sizes, ``integrity_check``, schema revision); only
then does it put the blobs in place (adding files never harms: they are
content-addressed) and write the database over the live one with SQLite's
backup API, in one transaction: replaced whole or not at all. It runs only
with the home to itself (``storage.home_lock``): while another Inkbench
process uses the home it refuses, naming each by pid and command. A file that
is not a valid backup changes nothing, and existing data is only replaced
with ``force`` (a copy of the replaced database is kept beside it).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import sqlite3
import tarfile
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from inkbench.i18n import _
from inkbench.storage.blobs import blob_path, sweep
from inkbench.storage.engine import BUSY_TIMEOUT_MS, backup_copy, raw_connect
from inkbench.storage.errors import DatabaseProblem, InvalidInput
from inkbench.storage.home_lock import clear_gone, exclusive_home, owned_temp_dir
from inkbench.storage.jobs import ProgressFn
from inkbench.storage.migrations import KNOWN_REVISIONS
from inkbench.storage.models import utcnow
from inkbench.storage.paths import BLOB_DIR, DB_NAME, ensure_home

FORMAT = "inkbench-backup"
# a backup's work folder, beside its file (``home_lock.owned_temp_dir``: one a
# killed backup leaves is removed by the next process that opens the home)
WORK_PREFIX = ".inkbench-backup-"
# a restore's work folder, in the home (the same: a killed restore's goes at
# the next open); ``.restore-*`` folders of older versions go by age (vacuum)
RESTORE_PREFIX = ".inkbench-restore-"
VERSION = 1
MANIFEST = "manifest.json"
MAX_MANIFEST_BYTES = 256 * 1024 * 1024
CHUNK = 1 << 20
STALE_AFTER_S = 3600  # an older version's ``.restore-*`` folder this old belongs to no restore
_BLOB_MEMBER = re.compile(r"^blobs/([0-9a-f]{2})/([0-9a-f]{62})$")
# tables whose rows mean "this home holds the user's data"
_DATA_TABLES = (
    "article",
    "work",
    "album",
    "knowledge_base",
    "distillation",
    "article_setting",
    "conversion_target",
    "generation_task",
    "blob",
)


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    created_at: str
    schema: str
    db_size: int
    blob_count: int
    blob_bytes: int

    @property
    def total_bytes(self) -> int:
        return self.db_size + self.blob_bytes


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(CHUNK):
            h.update(chunk)
    return h.hexdigest()


class _HashingReader:
    """A file wrapper hashing what tarfile reads from it."""

    def __init__(self, f) -> None:
        self.f = f
        self.hash = hashlib.sha256()

    def read(self, n: int = -1) -> bytes:
        data = self.f.read(n)
        self.hash.update(data)
        return data


def _tarinfo(name: str, size: int) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size = size
    info.mode = 0o600
    info.mtime = int(utcnow().timestamp())
    return info


def _snapshot_contents(path: Path) -> tuple[str, list[tuple[str, int]]]:
    conn = sqlite3.connect(f"file:{path}?immutable=1", uri=True)
    try:
        schema = conn.execute("SELECT version_num FROM alembic_version").fetchone()[0]
        blobs = conn.execute("SELECT sha256, size FROM blob ORDER BY sha256").fetchall()
    finally:
        conn.close()
    return schema, blobs


# --- backup ---------------------------------------------------------------------------


def create_backup(
    db, dest: str | os.PathLike[str], *, force: bool = False, progress: ProgressFn | None = None
) -> BackupInfo:
    """Write a backup of ``db`` (an open ``Database``) to ``dest``."""
    dest = Path(dest).expanduser()
    if dest.is_dir():
        raise InvalidInput(
            _("{dest} is a directory; give a file name such as {dest}/inkbench.tar").format(
                dest=dest
            )
        )
    if dest.exists() and not force:
        raise InvalidInput(
            _("{dest} exists already; choose another name or add --force").format(dest=dest)
        )
    if not dest.parent.is_dir():
        raise InvalidInput(_("{parent} does not exist; create it first").format(parent=dest.parent))
    clear_gone(db.home)  # work folders of backups that were killed, among others
    try:
        with owned_temp_dir(db.home, dest.parent, WORK_PREFIX) as work:
            return _write_backup(db, dest, work, progress)
    except OSError as e:  # the work folder cannot be made
        raise InvalidInput(
            _("cannot write in {parent}: {strerror}").format(
                parent=dest.parent, strerror=e.strerror
            )
        ) from e


def _write_backup(db, dest: Path, work: Path, progress: ProgressFn | None) -> BackupInfo:
    try:
        snap = work / DB_NAME
        backup_copy(db.path, snap)
        schema, blobs = _snapshot_contents(snap)
        db_sha, db_size = _sha256_file(snap), snap.stat().st_size
        created = utcnow().isoformat()
        for sha, size in blobs:
            f = blob_path(db.blob_dir, sha)
            if not f.is_file() or f.stat().st_size != size:
                raise DatabaseProblem(
                    _(
                        "the file for blob {value}… is missing or damaged; run "
                        "`inkbench db check` and re-import what it names"
                    ).format(value=sha[:12])
                )
        manifest = {
            "format": FORMAT,
            "version": VERSION,
            "created_at": created,
            "schema": schema,
            "database": {"name": DB_NAME, "sha256": db_sha, "size": db_size},
            "blobs": [[sha, size] for sha, size in blobs],
        }
        raw_manifest = json.dumps(manifest, indent=1).encode()
        tmp = work / "backup.tar"
        total = len(blobs) + 1
        with tarfile.open(tmp, "w", format=tarfile.PAX_FORMAT) as tar:
            tar.addfile(_tarinfo(MANIFEST, len(raw_manifest)), _BytesReader(raw_manifest))
            with snap.open("rb") as f:
                tar.addfile(_tarinfo(DB_NAME, db_size), f)
            if progress:
                progress(1, total, DB_NAME)
            for i, (sha, size) in enumerate(blobs, start=2):
                with blob_path(db.blob_dir, sha).open("rb") as f:
                    reader = _HashingReader(f)
                    tar.addfile(_tarinfo(f"{BLOB_DIR}/{sha[:2]}/{sha[2:]}", size), reader)
                if reader.hash.hexdigest() != sha:
                    raise DatabaseProblem(
                        _(
                            "the file for blob {value}… is damaged (its content "
                            "changed); run `inkbench db check`"
                        ).format(value=sha[:12])
                    )
                if progress:
                    progress(i, total, sha[:12])
        with tmp.open("rb+") as f:
            os.fsync(f.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, dest)
        _fsync_dir(dest.parent)
    except OSError as e:
        raise InvalidInput(
            _("cannot write the backup {dest}: {strerror}; free some disk space").format(
                dest=dest, strerror=e.strerror
            )
        ) from e
    return BackupInfo(dest, created, schema, db_size, len(blobs), sum(size for _sha, size in blobs))


class _BytesReader:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def read(self, n: int = -1) -> bytes:
        end = len(self.data) if n < 0 else self.pos + n
        out = self.data[self.pos : end]
        self.pos += len(out)
        return out


# --- reading a backup -------------------------------------------------------------------


def _not_a_backup(src: Path, why: str) -> InvalidInput:
    return InvalidInput(
        _(
            "{src} is not an Inkbench backup ({why}); give a file made by `inkbench db backup`"
        ).format(src=src, why=why)
    )


def _read_manifest(src: Path, tar: tarfile.TarFile) -> dict:
    try:
        first = tar.next()
    except (tarfile.TarError, OSError, EOFError) as e:
        raise _not_a_backup(src, _("unreadable: {e}").format(e=e)) from None
    if first is None or first.name != MANIFEST or not first.isreg():
        raise _not_a_backup(src, _("no manifest at its start"))
    if first.size > MAX_MANIFEST_BYTES:
        raise _not_a_backup(src, _("manifest too large"))
    try:
        manifest = json.loads(tar.extractfile(first).read())
    except (ValueError, tarfile.TarError, OSError, EOFError) as e:
        raise _not_a_backup(src, _("damaged manifest: {e}").format(e=e)) from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise _not_a_backup(src, _("unknown manifest"))
    version = manifest.get("version")
    if not isinstance(version, int) or version > VERSION:
        raise InvalidInput(
            _(
                "{src} was made by a newer Inkbench (backup format {version}); upgrade Inkbench"
            ).format(src=src, version=version)
        )
    schema = manifest.get("schema")
    if schema not in KNOWN_REVISIONS:
        raise InvalidInput(
            _(
                "{src} holds a database from a newer Inkbench (schema {schema}); upgrade Inkbench"
            ).format(src=src, schema=schema)
        )
    database = manifest.get("database")
    blobs = manifest.get("blobs")
    try:
        ok = (
            isinstance(database["sha256"], str)
            and isinstance(database["size"], int)
            and all(
                isinstance(sha, str) and re.fullmatch(r"[0-9a-f]{64}", sha) and isinstance(n, int)
                for sha, n in blobs
            )
        )
    except (TypeError, KeyError, ValueError):
        ok = False
    if not ok:
        raise _not_a_backup(src, _("damaged manifest"))
    return manifest


def _copy_member(tar: tarfile.TarFile, member: tarfile.TarInfo, dest: Path) -> str:
    f = tar.extractfile(member)
    h = hashlib.sha256()
    dest.parent.mkdir(parents=True, exist_ok=True)
    with dest.open("xb") as out:
        while chunk := f.read(CHUNK):
            h.update(chunk)
            out.write(chunk)
        out.flush()
        os.fsync(out.fileno())
    return h.hexdigest()


def _extract(src: Path, tar: tarfile.TarFile, manifest: dict, work: Path, progress) -> None:
    """Every member into ``work``, each checked against the manifest."""
    expected = {DB_NAME: (manifest["database"]["sha256"], manifest["database"]["size"])}
    for sha, size in manifest["blobs"]:
        expected[f"{BLOB_DIR}/{sha[:2]}/{sha[2:]}"] = (sha, size)
    seen: set[str] = set()
    total = len(expected)
    try:
        while (member := tar.next()) is not None:  # after the manifest
            name = member.name
            if name not in expected or name in seen or not member.isreg():
                raise _not_a_backup(src, _("unexpected entry {name!r}").format(name=name))
            sha, size = expected[name]
            if member.size != size:
                raise _not_a_backup(src, _("{name} has the wrong size").format(name=name))
            target = work / DB_NAME if name == DB_NAME else work / name
            if _copy_member(tar, member, target) != sha:
                raise _not_a_backup(
                    src, _("{name} is damaged (checksum mismatch)").format(name=name)
                )
            seen.add(name)
            if progress:
                progress(len(seen), total, name)
    except (tarfile.TarError, EOFError) as e:
        raise _not_a_backup(src, _("damaged or cut short: {e}").format(e=e)) from None
    missing = sorted(set(expected) - seen)
    if missing:
        raise _not_a_backup(src, _("cut short: {value} missing").format(value=missing[0]))


def _check_database(src: Path, path: Path, manifest: dict) -> None:
    try:
        conn = sqlite3.connect(f"file:{path}?immutable=1", uri=True)
        try:
            ok = conn.execute("PRAGMA integrity_check").fetchone()[0]
            schema = conn.execute("SELECT version_num FROM alembic_version").fetchone()
            known = {r[0] for r in conn.execute("SELECT sha256 FROM blob")}
        finally:
            conn.close()
    except sqlite3.DatabaseError as e:
        raise _not_a_backup(src, _("its database cannot be read: {e}").format(e=e)) from None
    if ok != "ok":
        raise _not_a_backup(src, _("its database is damaged: {ok}").format(ok=ok))
    if schema is None or schema[0] != manifest["schema"]:
        raise _not_a_backup(src, _("its database does not match the manifest"))
    if known - {sha for sha, _size in manifest["blobs"]}:
        raise _not_a_backup(src, _("files its database references are missing"))


def read_backup_info(src: str | os.PathLike[str]) -> BackupInfo:
    """The manifest of a backup file (checks its form, not its content)."""
    src = Path(src).expanduser()
    with _open_tar(src) as tar:
        m = _read_manifest(src, tar)
    return BackupInfo(
        src,
        m.get("created_at", ""),
        m["schema"],
        m["database"]["size"],
        len(m["blobs"]),
        sum(n for _sha, n in m["blobs"]),
    )


def _open_tar(src: Path) -> tarfile.TarFile:
    if not src.exists():
        raise InvalidInput(_("{src}: no such file; check the path").format(src=src))
    if not src.is_file():
        raise InvalidInput(
            _("{src} is not a file; give a file made by `inkbench db backup`").format(src=src)
        )
    try:
        return tarfile.open(src, "r:")
    except (tarfile.TarError, EOFError) as e:
        raise _not_a_backup(src, str(e) or _("not a tar file")) from None
    except OSError as e:
        raise InvalidInput(
            _("cannot read {src}: {strerror}").format(src=src, strerror=e.strerror)
        ) from None


# --- restore ----------------------------------------------------------------------------


def holds_data(path: Path) -> bool:
    """Whether the database file at ``path`` holds any of the user's data
    (an unreadable file counts: it may)."""
    if not path.exists() or path.stat().st_size == 0:
        return False
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
        try:
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
            if "alembic_version" not in tables and tables - {"sqlite_sequence"}:
                return True  # some other program's database
            return any(
                conn.execute(f"SELECT 1 FROM {table} LIMIT 1").fetchone()
                for table in _DATA_TABLES
                if table in tables
            )
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        return True


def _keep_copy(path: Path) -> Path:
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    dest = path.with_name(f"{path.name}.before-restore-{stamp}.bak")
    try:
        try:
            backup_copy(path, dest)
        except sqlite3.DatabaseError:
            shutil.copyfile(path, dest)  # unreadable as a database: keep its bytes
            os.chmod(dest, 0o600)
    except BaseException:
        dest.unlink(missing_ok=True)
        raise
    return dest


def _checkpoint(path: Path) -> None:
    """Fold the WAL into the old file, so nothing of it lingers beside the new one."""
    try:
        conn = raw_connect(path)
        try:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        pass


@dataclass(frozen=True)
class RestoreResult:
    info: BackupInfo
    replaced_copy: Path | None  # where the database it replaced was kept


def restore_backup(
    home: Path,
    src: str | os.PathLike[str],
    *,
    force: bool = False,
    progress: ProgressFn | None = None,
) -> RestoreResult:
    """Replace the database and add the blobs of ``home`` from a backup file."""
    src = Path(src).expanduser()
    try:
        home = ensure_home(Path(home))
    except OSError as e:
        raise InvalidInput(
            _("cannot use {home} as the data directory: {strerror}").format(
                home=home, strerror=e.strerror
            )
        ) from None
    with _open_tar(src) as tar:
        manifest = _read_manifest(src, tar)
        with exclusive_home(home):  # refuses, naming them, while other processes use it
            replaced = _restore_into(src, tar, manifest, home, force=force, progress=progress)
    info = BackupInfo(
        src,
        manifest.get("created_at", ""),
        manifest["schema"],
        manifest["database"]["size"],
        len(manifest["blobs"]),
        sum(n for _sha, n in manifest["blobs"]),
    )
    return RestoreResult(info, replaced)


def _restore_into(
    src: Path, tar: tarfile.TarFile, manifest: dict, home: Path, *, force: bool, progress
) -> Path | None:
    """The restore proper, with ``home`` held exclusively; returns where the
    replaced database was kept. Every failure says what was replaced."""
    db_path = home / DB_NAME
    has_data = holds_data(db_path)
    if has_data and not force:
        raise InvalidInput(
            _(
                "{db_path} already holds data; add --force to replace it with the "
                "backup (a copy of the current database is kept beside it)"
            ).format(db_path=db_path)
        )
    with contextlib.ExitStack() as stack:
        try:
            work = stack.enter_context(owned_temp_dir(home, home, RESTORE_PREFIX))
        except OSError as e:
            raise InvalidInput(
                _("cannot write in {home}: {strerror}").format(home=home, strerror=e.strerror)
            ) from None
        replaced = None
        try:
            _extract(src, tar, manifest, work, progress)
            _check_database(src, work / DB_NAME, manifest)
            replaced = _keep_copy(db_path) if has_data else None
        except (OSError, sqlite3.Error) as e:
            raise InvalidInput(
                _(
                    "restoring {src} failed ({value}); nothing was "
                    "replaced. Free some disk space and try again"
                ).format(src=src, value=_why(e))
            ) from None
        try:
            _swap_in(work, home)
        except (OSError, sqlite3.Error) as e:
            where = _("; a copy of it is also at {path}").format(path=replaced) if replaced else ""
            raise InvalidInput(
                _(
                    "restoring {src} failed ({value}); the database {db_path} was not replaced "
                    "(it is as it was{where}); files from the backup may have been added beside "
                    "it, which does no harm. Free some disk space and try again"
                ).format(src=src, value=_why(e), db_path=db_path, where=where)
            ) from None
        return replaced


def _why(error: BaseException) -> str:
    from inkbench.storage.errors import user_error

    expected = user_error(error)
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    return str(expected or error)


def _copy_database(new: Path, db_path: Path) -> None:
    """Write the checked database ``new`` over the live ``db_path`` through
    SQLite's backup API: one transaction on ``db_path`` under SQLite's own
    locks, so it is replaced whole or (on any failure) not at all, and its
    WAL and shared memory stay SQLite's to manage."""
    source = sqlite3.connect(f"file:{new}?mode=ro", uri=True)
    try:
        dest = raw_connect(db_path)
        try:
            source.backup(dest)
        finally:
            dest.close()
    finally:
        source.close()
    # fold the WAL into the file; the restore is committed already, so a
    # checkpoint that cannot run now (a busy reader) only runs later
    _checkpoint(db_path)


def _swap_in(work: Path, home: Path) -> None:
    blob_dir = home / BLOB_DIR
    staged = work / BLOB_DIR
    if staged.is_dir():
        for sub in staged.iterdir():
            for f in sub.iterdir():
                dest = blob_path(blob_dir, sub.name + f.name)
                if dest.exists():
                    continue  # same name, same content
                dest.parent.mkdir(parents=True, exist_ok=True)
                os.chmod(f, 0o400)
                os.replace(f, dest)
            if (blob_dir / sub.name).is_dir():
                _fsync_dir(blob_dir / sub.name)
    db_path = home / DB_NAME
    new = work / DB_NAME
    if db_path.exists() and db_path.stat().st_size > 0:
        _copy_database(new, db_path)
        return
    for suffix in ("-wal", "-shm"):  # left by an empty file nothing holds (the home is ours)
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    os.chmod(new, 0o600)
    os.replace(new, db_path)
    _fsync_dir(home)


# --- compaction -------------------------------------------------------------------------


@dataclass(frozen=True)
class VacuumResult:
    files_removed: int
    db_bytes_before: int
    db_bytes_after: int


def vacuum(db) -> VacuumResult:
    """Remove blobs nothing references (see ``storage.blobs.sweep``) and
    restores a crash left half done, then VACUUM the database file and fold
    the WAL back into it."""
    before = db.path.stat().st_size
    with db.raw() as conn:
        removed = sweep(conn, db.blob_dir)
    for stale in db.home.glob(".restore-*"):
        if stale.is_dir() and time.time() - stale.stat().st_mtime >= STALE_AFTER_S:
            shutil.rmtree(stale, ignore_errors=True)
    conn = raw_connect(db.path)
    try:
        conn.execute("VACUUM")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    except sqlite3.OperationalError as e:
        raise InvalidInput(
            _(
                "removed {removed} unused file(s), but could not compact the database ({e}); run "
                "`inkbench db vacuum` again when no other Inkbench is busy with it"
            ).format(removed=removed, e=e)
        ) from None
    finally:
        conn.close()
    return VacuumResult(removed, before, db.path.stat().st_size)
