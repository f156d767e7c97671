"""Running OCR over the queue in the database with N worker processes.

``run_ocr`` starts N processes (spawned, so each loads tesseract fresh with
``OMP_THREAD_LIMIT=1``), each with one engine reused for every image (one of
each kind when albums use different engines: see ``choice``; ppocr's
onnxruntime gets cores / N threads per worker). A
worker claims an image with ``storage.leases.claim`` (one statement, so no
two workers in any number of processes take the same image), renews the
lease from a heartbeat thread while tesseract works, and records the result
with ``storage.albums.finish_ocr``/``fail_ocr`` only while the lease is
still its own. A worker killed with SIGKILL loses only the image in hand:
its lease runs out and any worker takes it back.

The calling process watches: it reports progress, passes on pause and
cancel, and when a worker dies under it (a crash in tesseract) it marks that
worker's image failed (so a poisonous image ends ``failed`` after its
attempts instead of killing worker after worker) and starts a new worker.
"""

from __future__ import annotations

import logging
import multiprocessing as mp
import os
import queue
import signal
import sqlite3
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from inkbench.i18n import _, language, set_language
from inkbench.storage.jobs import CancelToken, ProgressFn  # stdlib only

if TYPE_CHECKING:
    from inkbench.storage.engine import Database

# Storage (and so SQLAlchemy) is imported inside the functions: a worker
# process starts loading tesseract first and imports storage meanwhile.

DEFAULT_LEASE_SECONDS = 60.0
POLL_SECONDS = 0.25
STOP_GRACE_SECONDS = 10.0


@dataclass
class OcrRunSummary:
    engine: str = ""  # the engine named for the run, or "per album"
    lang: str = ""
    workers: int = 0
    done: int = 0
    no_text: int = 0
    failed: int = 0  # failures recorded in this run (some will be retried)
    lost: int = 0  # results dropped because the lease had passed to another worker
    released_at_start: int = 0
    processed: list[int] = field(default_factory=list)  # image ids, in finishing order
    worker_errors: list[str] = field(default_factory=list)
    cancelled: bool = False
    remaining: int = 0  # images OCR has not finished with when the run ended
    engines: dict[str, int] = field(default_factory=dict)  # images read, per engine

    def to_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass(frozen=True)
class WorkerConfig:
    db_path: str
    blob_dir: str
    lang: str
    engine: str
    lease_seconds: float
    until_empty: bool
    backoff_base: float
    poll_seconds: float
    index: int
    log_path: str | None = None
    default_engine: str | None = None  # config.toml's [ocr] engine, for albums without one
    threads: int = 1  # ppocr's onnxruntime intra-op threads
    album_id: int | None = None  # only this album's images
    language: str = "en"  # the interface's: a spawned worker starts in English


# What a worker imports before it can work; the fork server loads it once.
_PRELOAD = [
    "inkbench.integrations.ocr.runner",
    "inkbench.storage.albums",
    "inkbench.storage.leases",
    "inkbench.storage.engine",
]
# and for a run that only uses ppocr: onnxruntime and RapidOCR (imports only;
# no session exists until a worker builds its engine, with its own threads)
_PRELOAD_PPOCR = ["numpy", "PIL.Image", "onnxruntime", "rapidocr_onnxruntime"]


def _context(start_method: str | None, *, ppocr_only: bool = False):
    """``spawn`` by default: a fresh interpreter per worker, which sets
    ``OMP_THREAD_LIMIT=1`` before it loads tesseract. ``forkserver``
    (``start_method`` or ``INKBENCH_OCR_START=forkserver``) forks workers
    from a server that imported storage once but never tesseract: the same
    guarantees, without each worker paying ~1 s of CPU for SQLAlchemy and
    SQLModel, which shows on two cores with short runs.

    A run that only uses ppocr (``ppocr_only``) forks from the server by
    default, the server having imported onnxruntime and RapidOCR too: each
    worker then only creates its sessions (the models are read once per
    process, never per image). The server lives as long as this process, so
    the TUI's later runs start their workers from it at once."""
    default = "forkserver" if ppocr_only else "spawn"
    method = start_method or os.environ.get("INKBENCH_OCR_START") or default
    if method not in mp.get_all_start_methods():
        method = "spawn"
    ctx = mp.get_context(method)
    if method == "forkserver":
        ctx.set_forkserver_preload(_PRELOAD + (_PRELOAD_PPOCR if ppocr_only else []))
    return ctx


@contextmanager
def _usable_stderr(log_path: str | os.PathLike[str] | None) -> Iterator[None]:
    """Starting processes hands ``sys.stderr``'s descriptor to multiprocessing's
    resource tracker. Under Textual ``sys.stderr`` is a capture object with no
    real descriptor (and the terminal is the screen), so lend it a file."""
    try:
        usable = sys.stderr is not None and sys.stderr.fileno() >= 0
    except (AttributeError, OSError, ValueError):
        usable = False
    if usable:
        yield
        return
    saved = sys.stderr
    with open(log_path or os.devnull, "a", encoding="utf-8") as stand_in:
        sys.stderr = stand_in
        try:
            yield
        finally:
            sys.stderr = saved


@contextmanager
def _txn(conn: sqlite3.Connection, write: bool = True) -> Iterator[sqlite3.Connection]:
    from inkbench.storage.connection import transaction

    with transaction(conn, write=write):
        yield conn


def _one_line(e: BaseException) -> str:
    text = " ".join(str(e).split())
    return f"{type(e).__name__}: {text}" if text else type(e).__name__


class _Heartbeat(threading.Thread):
    """Renews the lease on the image in hand every third of the lease. A
    busy database is tried again at the next beat; any other failure is
    logged. A lost lease (another worker holds the image) cannot stop
    tesseract mid-image: its result is dropped, never written (``finish_ocr``
    and ``fail_ocr`` also write only while the lease is the worker's)."""

    def __init__(self, db_path: Path, owner: str, lease_seconds: float) -> None:
        super().__init__(name="ocr-lease", daemon=True)
        self.db_path = db_path
        self.owner = owner
        self.lease_seconds = lease_seconds
        self.lock = threading.Lock()
        self.image_id: int | None = None
        self.lost = False
        self.wake = threading.Event()
        self.quit = False

    def watch(self, image_id: int | None) -> None:
        with self.lock:
            self.image_id = image_id
            self.lost = False

    def run(self) -> None:
        from inkbench.storage import leases
        from inkbench.storage.connection import is_busy, raw_connect

        conn = raw_connect(self.db_path)
        try:
            while not self.quit:
                self.wake.wait(self.lease_seconds / 3)
                self.wake.clear()
                with self.lock:
                    image_id = self.image_id
                if image_id is None or self.quit:
                    continue
                try:
                    with _txn(conn):
                        ok = leases.renew(
                            conn, leases.IMAGE_OCR, image_id, self.owner, self.lease_seconds
                        )
                except sqlite3.Error as e:
                    if not is_busy(e):  # busy: another writer; try again at the next beat
                        logging.getLogger("inkbench.ocr").warning(
                            "image %s: renewing the lease failed: %s: %s",
                            image_id,
                            type(e).__name__,
                            e,
                        )
                    continue
                if not ok:
                    with self.lock:
                        if self.image_id == image_id:
                            self.lost = True
        finally:
            conn.close()

    def stop(self) -> None:
        self.quit = True
        self.wake.set()


def _worker_main(cfg: WorkerConfig, events, stop, pause) -> None:
    """One worker process: claim, OCR, record, until told to stop or, with
    ``until_empty``, until nothing is left for OCR."""
    os.environ["OMP_THREAD_LIMIT"] = "1"  # before libtesseract loads
    set_language(cfg.language)  # its messages reach the user through the parent
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C
    if cfg.log_path:  # e.g. under the TUI: tesseract's own messages must not hit the screen
        fd = os.open(cfg.log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        os.dup2(fd, 1)
        os.dup2(fd, 2)
        os.close(fd)
    parent = os.getppid()
    made: dict = {}

    def build() -> None:  # loads the engine while this thread imports storage
        try:
            from inkbench.integrations.ocr import choice

            first = choice.resolve(cfg.engine or cfg.default_engine, cfg.lang)
            made["engine"] = {first: choice.build(first, cfg.lang, threads=cfg.threads)}
        except Exception as e:
            made["error"] = str(e) if hasattr(e, "exit_code") else _one_line(e)

    builder = threading.Thread(target=build, name="ocr-engine")
    builder.start()
    from inkbench.storage import leases
    from inkbench.storage.connection import raw_connect

    builder.join()
    if "error" in made:
        events.put(("error", cfg.index, made["error"]))
        return
    engines = made["engine"]
    db_path = Path(cfg.db_path)
    blob_dir = Path(cfg.blob_dir)
    owner = leases.worker_name("ocr")
    conn = raw_connect(db_path)
    beat = _Heartbeat(db_path, owner, cfg.lease_seconds)
    beat.start()
    events.put(("ready", cfg.index, owner, os.getpid(), ",".join(engines)))
    q = leases.IMAGE_OCR
    try:
        _work(cfg, engines, conn, beat, owner, events, stop, pause, parent, blob_dir)
    except _EngineFailed as e:
        events.put(("error", cfg.index, str(e)))
    except Exception as e:
        events.put(("error", cfg.index, f"OCR worker {cfg.index} stopped: {_one_line(e)}"))
    finally:
        beat.stop()
        try:
            with _txn(conn):
                leases.release_owned(conn, q, owner)
        finally:
            conn.close()
            for engine in engines.values():
                engine.close()
        events.put(("exit", cfg.index))
        if os.getppid() == parent:
            events.close()
            events.join_thread()  # make sure the parent hears all of it
        else:
            events.cancel_join_thread()  # nobody listens: do not hang on exit


class _EngineFailed(Exception):
    """An engine could not be built in a worker: its one-line reason."""


def _engine_for(cfg: WorkerConfig, engines: dict, album_engine: str | None):
    """The engine for an image of an album whose own engine is ``album_engine``,
    built the first time it is needed and kept for the rest of the run."""
    from inkbench.integrations.ocr import choice

    name = choice.resolve(cfg.engine or album_engine or cfg.default_engine, cfg.lang)
    if name not in engines:
        try:
            engines[name] = choice.build(name, cfg.lang, threads=cfg.threads)
        except Exception as e:
            raise _EngineFailed(str(e) if hasattr(e, "exit_code") else _one_line(e)) from None
    return engines[name]


def _work(cfg, engines, conn, beat, owner, events, stop, pause, parent, blob_dir) -> None:
    from inkbench.integrations.ocr.engine import load_for_ocr
    from inkbench.integrations.ocr.layout import boxes_json
    from inkbench.storage import albums, leases
    from inkbench.storage.blobs import blob_path

    q = leases.IMAGE_OCR
    scope, scope_params = ("1", None)
    if cfg.album_id is not None:
        scope, scope_params = ("album_id = :album", {"album": cfg.album_id})
    while not stop.is_set() and os.getppid() == parent:
        if pause.is_set():
            stop.wait(cfg.poll_seconds)
            continue
        with _txn(conn):
            albums.requeue_due(conn)
            image_id = leases.claim(
                conn, q, owner, cfg.lease_seconds, scope=scope, scope_params=scope_params
            )
            row = albums.ocr_source(conn, image_id) if image_id is not None else None
        if image_id is None or row is None:
            if not cfg.until_empty:
                break
            with _txn(conn, write=False):
                left = albums.outstanding(conn, album_id=cfg.album_id)
            if left == 0:
                break
            stop.wait(cfg.poll_seconds)
            continue
        sha, orientation, name, album_engine = row
        events.put(("claimed", cfg.index, image_id, name))
        beat.watch(image_id)
        engine = _engine_for(cfg, engines, album_engine)  # _EngineFailed hands the image back
        error = result = None
        try:
            image = load_for_ocr(blob_path(blob_dir, sha), orientation)
            result = engine.recognize(image)
        except Exception as e:
            error = _one_line(e)
        lost = beat.lost
        beat.watch(None)
        status = None
        if not lost:
            with _txn(conn):
                if error is not None:
                    ok = albums.fail_ocr(
                        conn, image_id, owner, error, lang=cfg.lang, backoff_base=cfg.backoff_base
                    )
                    status = "failed" if ok else None
                else:
                    status = albums.finish_ocr(
                        conn,
                        image_id,
                        owner,
                        text=result.text,
                        lang=result.lang,
                        confidence=result.confidence,
                        engine=result.engine,
                        model=result.model,
                        boxes=boxes_json(result.boxes),
                    )
        read_by = result.engine if result is not None else engine.name
        events.put(("result", cfg.index, image_id, status or "lost", name, read_by))


@dataclass
class _Slot:
    process: mp.process.BaseProcess
    owner: str | None = None
    image: int | None = None
    exited: bool = False


def run_ocr(
    db: Database | str | os.PathLike[str],
    *,
    workers: int = 1,
    lang: str | None = None,
    until_empty: bool = True,
    lease_seconds: float = DEFAULT_LEASE_SECONDS,
    backoff_base: float | None = None,
    engine: str | None = None,
    cancel: CancelToken | None = None,
    progress: ProgressFn | None = None,
    paused: Callable[[], bool] | None = None,
    poll_seconds: float = POLL_SECONDS,
    log_path: str | os.PathLike[str] | None = None,
    start_method: str | None = None,
    album_id: int | None = None,
    threads: int | None = None,
) -> OcrRunSummary:
    """OCR what the queue holds with ``workers`` processes. ``until_empty``
    waits for retries and for leases of dead workers to run out; otherwise
    the run ends when nothing is claimable. ``cancel``/``paused`` are polled.
    ``engine``: tesseract, ppocr or auto for every image of the run; None
    lets each album's own engine, then config.toml's ``[ocr] engine``, then
    auto decide. ``album_id``: only that album's images. ``threads``: ppocr's
    onnxruntime threads per worker (default: the cores shared among the
    workers). ``log_path``: where the workers' standard output and error go
    (the TUI passes one so that nothing lands on its screen)."""
    from inkbench.integrations.ocr import choice
    from inkbench.integrations.ocr.engine import OcrUnavailable, resolve_languages
    from inkbench.integrations.ocr.ppocr import default_threads
    from inkbench.storage import albums, leases
    from inkbench.storage.albums import BACKOFF_SECONDS
    from inkbench.storage.engine import Database, open_database
    from inkbench.storage.errors import InvalidInput

    if backoff_base is None:
        backoff_base = BACKOFF_SECONDS

    if workers < 1:
        raise InvalidInput(_("--workers must be at least 1"))
    if lease_seconds <= 0:
        raise InvalidInput(_("the lease must be longer than 0 seconds"))
    if engine is not None:
        choice.check_name(engine)
    if not isinstance(db, Database):
        db = open_database(db)
    default_engine = choice.configured_engine(db.home)
    with db.raw(write=False) as conn:
        waiting = albums.albums_waiting(conn)
    if album_id is not None:
        waiting = [w for w in waiting if w[0] == album_id]
    try:
        langs, _tessdata = resolve_languages(lang)
    except OcrUnavailable:
        # ppocr reads Chinese and English without tesseract's language data
        if not (engine == "ppocr" or (engine is None and default_engine == "ppocr")):
            raise
        langs = lang or "chi_sim+eng"
    # what each album waiting for OCR will be read with; say now what cannot run
    planned = {
        album: choice.resolve(engine or own or default_engine, langs) for _, album, own in waiting
    }
    for album, name in planned.items():
        try:
            choice.require(name)
        except OcrUnavailable as e:
            where = "" if engine else f'album "{album}" uses ppocr, but '
            raise OcrUnavailable(where + str(e)) from None
    choice.require(choice.resolve(engine or default_engine, langs))
    if engine == "pytesseract" or (engine is None and "pytesseract" in planned.values()):
        choice.build("pytesseract", langs).close()  # says what is missing, if anything
    if threads is None:
        threads = default_threads(workers)
    run_engine = choice.resolve(engine, langs) if engine else "per album"
    if engine is None and len(set(planned.values())) == 1:
        run_engine = next(iter(planned.values()))
    summary = OcrRunSummary(engine=run_engine, lang=langs, workers=workers)
    with db.raw() as conn:
        summary.released_at_start = leases.release_expired(conn, leases.IMAGE_OCR)

    ctx = _context(start_method, ppocr_only=run_engine == "ppocr")
    with _usable_stderr(log_path):
        events = ctx.Queue()
        stop = ctx.Event()
        pause = ctx.Event()
    slots: dict[int, _Slot] = {}
    next_index = 0
    restarts = 0

    def start_worker() -> None:
        nonlocal next_index
        cfg = WorkerConfig(
            db_path=str(db.path),
            blob_dir=str(db.blob_dir),
            lang=langs,
            engine=engine,
            lease_seconds=lease_seconds,
            until_empty=until_empty,
            backoff_base=backoff_base,
            poll_seconds=poll_seconds,
            index=next_index,
            log_path=str(log_path) if log_path else None,
            default_engine=default_engine,
            threads=threads,
            album_id=album_id,
            language=language(),
        )
        proc = ctx.Process(
            target=_worker_main, args=(cfg, events, stop, pause), name=f"ocr-{next_index}"
        )
        proc.daemon = True
        with _usable_stderr(log_path):
            proc.start()
        slots[next_index] = _Slot(proc)
        next_index += 1

    for _worker in range(workers):
        start_worker()

    finished = 0
    last_count = 0.0
    remaining = 0
    total = 0
    label = ""
    stop_deadline: float | None = None

    def report() -> None:
        if progress is not None:
            progress(finished, max(total, finished), label)

    def handle(event: tuple) -> None:
        nonlocal finished, label
        kind, index = event[0], event[1]
        slot = slots.get(index)
        if kind == "ready" and slot:
            slot.owner = event[2]
        elif kind == "claimed" and slot:
            slot.image = event[2]
            label = event[3]
        elif kind == "result" and slot:
            slot.image = None
            image_id, status = event[2], event[3]
            if status == "lost":
                summary.lost += 1
                return
            setattr(summary, status, getattr(summary, status) + 1)
            summary.processed.append(image_id)
            read_by = event[5]
            summary.engines[read_by] = summary.engines.get(read_by, 0) + 1
            finished += 1
            label = event[4]
            report()
        elif kind == "error":
            summary.worker_errors.append(event[2])
        elif kind == "exit" and slot:
            slot.exited = True

    try:
        while True:
            try:
                handle(events.get(timeout=0.2))
                while True:
                    handle(events.get_nowait())
            except queue.Empty:
                pass
            now = time.monotonic()
            if cancel is not None and not stop.is_set() and cancel.cancelled:
                summary.cancelled = True
                stop.set()
                stop_deadline = now + STOP_GRACE_SECONDS
            if paused is not None:
                (pause.set if paused() else pause.clear)()
            for index, slot in list(slots.items()):
                if slot.process.is_alive() or slot.exited:
                    continue
                if slot.process.exitcode == 0:  # a normal end; its last words are queued
                    try:
                        while not slot.exited:
                            handle(events.get(timeout=1.0))
                    except queue.Empty:
                        slot.exited = True
                    continue
                # died without saying goodbye: a crash, or killed
                slot.exited = True
                code = slot.process.exitcode
                summary.worker_errors.append(
                    _("OCR worker {index} died (exit code {code})").format(index=index, code=code)
                )
                if slot.owner and slot.image is not None:
                    with db.raw() as conn:
                        albums.fail_ocr(
                            conn,
                            slot.image,
                            slot.owner,
                            _("the OCR worker died on this image (exit code {code})").format(
                                code=code
                            ),
                            lang=langs,
                            backoff_base=backoff_base,
                        )
                if slot.owner and not stop.is_set() and restarts < 3 * workers:
                    restarts += 1
                    start_worker()
            if all(s.exited for s in slots.values()):
                break
            if now - last_count >= 1.0:
                last_count = now
                with db.raw(write=False) as conn:
                    remaining = albums.outstanding(conn, album_id=album_id)
                total = finished + remaining
                report()
            if stop_deadline is not None and now > stop_deadline:
                break
    except KeyboardInterrupt:
        summary.cancelled = True
        stop.set()
        raise
    finally:
        stop.set()
        for slot in slots.values():
            slot.process.join(timeout=STOP_GRACE_SECONDS if not summary.cancelled else 2.0)
        for slot in slots.values():
            if slot.process.is_alive():
                slot.process.terminate()
                slot.process.join(timeout=5)
        # drain what the workers said last
        try:
            while True:
                handle(events.get_nowait())
        except Exception:  # empty, or cut off by a terminated worker
            pass
        owners = [s.owner for s in slots.values() if s.owner]
        with db.raw() as conn:
            for owner in owners:
                leases.release_owned(conn, leases.IMAGE_OCR, owner)
            remaining = albums.outstanding(conn, album_id=album_id)
        summary.remaining = remaining
        total = finished + remaining
        report()
        events.close()
        events.join_thread()
    if (
        summary.worker_errors
        and not summary.processed
        and all(s.owner is None for s in slots.values())
    ):
        raise OcrUnavailable(summary.worker_errors[0])
    return summary
