"""Which processes use a data home, so that ``db restore`` can have it alone.

Every Inkbench process that opens a data home's database registers itself
once (``hold_home``): it takes an exclusive ``filelock`` on its own file
``run/<pid>.lock`` and writes ``run/<pid>.json`` with its pid and command
line. Each ``hold_home`` is counted and undone by a ``release_home`` (a
``Database`` does so on ``dispose``, a ``Store`` on ``close``); when the last
one is released the lock is closed and both files removed, and at exit
whatever is still held goes the same way. Together these act as a shared
lock on the home: any number of processes hold one each. ``exclusive_home``
(restore) takes the gate ``run/gate.lock``, which registration also passes
through, so no process can register meanwhile, then tries each
``<pid>.lock``: one it can take belongs to a process that is gone (a kill
-9), and is cleared; one it cannot is a live process, named in the refusal.

Work folders a process makes outside the database (a backup's
``.inkbench-backup-*`` beside its file, a restore's ``.inkbench-restore-*``
in the home: ``owned_temp_dir``) are listed in its
``run/<pid>.json`` while they exist. When a process is gone without removing
them (a kill -9), the next process to register in the home, or the next
backup, finds its lock free and removes them with its files; a live owner's
are never touched.

Why these and not a shared/exclusive lock on one file: ``filelock`` (already
used for opening) has no shared mode, and a registry of per-process files
lets the refusal name each holder (pid and command), which one shared lock
could not. It works wherever ``filelock`` does (fcntl on POSIX, msvcrt on
Windows).
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import secrets
import shutil
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from filelock import FileLock
from filelock import Timeout as FileLockTimeout

from inkbench.i18n import _
from inkbench.storage.errors import DatabaseProblem, InvalidInput

RUN_DIR = "run"
GATE = "gate.lock"
GATE_WAIT_S = 600  # a restore of a large backup can take minutes
_held: dict[Path, _Hold] = {}  # home -> this process's registration
# what a registry may list as a process's work folder (a guard: only these
# names are ever removed for a process that is gone)
TEMP_PREFIXES = (".inkbench-backup-", ".inkbench-restore-")
_inherited: list[FileLock] = []  # a forked parent's locks: kept alive, never released here
_mutex = threading.RLock()


@dataclass
class _Hold:
    """This process's registration in a home: its lock, the pid that took
    it (a forked child's differs) and how many holds are not released yet."""

    lock: FileLock
    pid: int
    command: str
    count: int = 1
    temps: list[Path] = field(default_factory=list)  # work folders it owns now

    def record(self) -> dict[str, object]:
        """What ``run/<pid>.json`` says about it."""
        return {"pid": self.pid, "command": self.command, "temps": [str(p) for p in self.temps]}


@dataclass(frozen=True)
class Holder:
    """A live process using the home."""

    pid: int
    command: str


def _lock(path: Path, timeout: float) -> FileLock:
    return FileLock(path, timeout=timeout, thread_local=False, preserve_lock_file=True)


def _gate(home: Path, timeout: float) -> FileLock:
    return _lock(home / RUN_DIR / GATE, timeout)


def _write_record(home: Path, hold: _Hold) -> None:
    with contextlib.suppress(OSError):  # a full disk: the lock still counts
        path = home / RUN_DIR / f"{hold.pid}.json"
        path.write_text(json.dumps(hold.record()), encoding="utf-8")


def _register(home: Path) -> None:
    """Take this process's lock in ``home`` and write its record. Call with
    the gate held; first clears what gone processes left (an earlier
    process with this pid among them)."""
    _holders(home, me=None)
    pid = os.getpid()
    lock = _lock(home / RUN_DIR / f"{pid}.lock", 0)
    lock.acquire()
    if home in _held:  # a forked child: the parent's lock is the parent's
        _inherited.append(_held[home].lock)
    command = " ".join([Path(sys.argv[0]).name, *sys.argv[1:]])
    _held[home] = hold = _Hold(lock, pid, command)
    _write_record(home, hold)


def hold_home(home: Path) -> None:
    """Register this process as a user of ``home`` until as many
    ``release_home`` calls (or its exit).

    Waits while a restore has the home; a home that cannot hold the ``run``
    folder (read-only) is used unregistered."""
    key = Path(home).resolve()
    with _mutex:
        hold = _held.get(key)
        if hold is not None and hold.pid == os.getpid():
            hold.count += 1
            return
        try:
            (key / RUN_DIR).mkdir(mode=0o700, exist_ok=True)
            with _gate(key, GATE_WAIT_S):
                _register(key)
        except FileLockTimeout:
            raise DatabaseProblem(
                _(
                    "{home} is being restored from a backup; wait for `inkbench db restore` "
                    "to finish, then try again"
                ).format(home=key)
            ) from None
        except OSError:
            return


def _let_go(home: Path, hold: _Hold) -> None:
    """Remove this process's files from ``home``, then close its lock."""
    with contextlib.suppress(OSError):
        (home / RUN_DIR / f"{hold.pid}.json").unlink(missing_ok=True)
        (home / RUN_DIR / f"{hold.pid}.lock").unlink(missing_ok=True)
    with contextlib.suppress(OSError):
        hold.lock.release(force=True)


def release_home(home: Path) -> None:
    """Undo one ``hold_home`` of this process; the last one closes the lock
    and removes ``run/<pid>.lock`` and ``run/<pid>.json``, so a restore can
    have the home while this process goes on. Nothing happens for a home
    this process does not hold (an unregistered one, or a forked parent's)."""
    key = Path(home).resolve()
    with _mutex:
        hold = _held.get(key)
        if hold is None or hold.pid != os.getpid():
            return
        hold.count -= 1
        if hold.count > 0:
            return
        del _held[key]
        _let_go(key, hold)


def _read_record(info: Path) -> dict:
    try:
        record = json.loads(info.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return record if isinstance(record, dict) else {}


def _clear_gone(lock_file: Path, info: Path) -> None:
    """Remove what a process that is gone left: its work folders, then its
    registry files."""
    temps = _read_record(info).get("temps")
    for name in temps if isinstance(temps, list) else []:
        folder = Path(str(name))
        if folder.name.startswith(TEMP_PREFIXES) and folder.is_absolute():
            shutil.rmtree(folder, ignore_errors=True)
    lock_file.unlink(missing_ok=True)
    info.unlink(missing_ok=True)


def _holders(home: Path, me: int | None) -> list[Holder]:
    """Live processes registered in ``home`` other than ``me``; clears what
    processes that are gone left. Call with the gate held."""
    out = []
    for lock_file in sorted((home / RUN_DIR).glob("*.lock")):
        if lock_file.name == GATE or not lock_file.stem.isdigit():
            continue
        pid = int(lock_file.stem)
        if pid == me:
            continue
        info = lock_file.with_suffix(".json")
        probe = _lock(lock_file, 0)
        try:
            probe.acquire()
        except FileLockTimeout:
            out.append(Holder(pid, str(_read_record(info).get("command", "?"))))
            continue
        try:
            _clear_gone(lock_file, info)  # its process is gone
        finally:
            probe.release()
    return out


def clear_gone(home: Path) -> None:
    """Remove what Inkbench processes that are gone (killed) left in
    ``home``'s registry, and the work folders it lists for them. Does
    nothing while a restore has the home, or where ``run`` cannot be used."""
    key = Path(home).resolve()
    with _mutex, contextlib.suppress(FileLockTimeout, OSError), _gate(key, 0):
        _holders(key, me=os.getpid())


def _note_temp(home: Path, folder: Path, *, owned: bool) -> None:
    with _mutex:
        hold = _held.get(home)
        if hold is None or hold.pid != os.getpid():
            return  # unregistered (a read-only home): nothing to record it in
        if owned:
            hold.temps.append(folder)
        elif folder in hold.temps:
            hold.temps.remove(folder)
        _write_record(home, hold)


@contextlib.contextmanager
def owned_temp_dir(home: Path, parent: Path, prefix: str) -> Iterator[Path]:
    """A new private folder ``parent/<prefix><pid>-<random>``, removed when
    the block ends. While it exists it is listed as this process's in
    ``home``'s registry, so that if the process is killed the next one to
    register in ``home`` (or the next backup) removes it. ``prefix`` is one of
    ``TEMP_PREFIXES``; OSError when the folder cannot be made."""
    if prefix not in TEMP_PREFIXES:
        raise ValueError(f"not a work folder prefix: {prefix!r}")
    key = Path(home).resolve()
    hold_home(key)
    try:
        folder = Path(parent).resolve() / f"{prefix}{os.getpid()}-{secrets.token_hex(6)}"
        _note_temp(key, folder, owned=True)  # listed first: a kill right after leaves none unlisted
        try:
            folder.mkdir(mode=0o700)
            yield folder
        finally:
            shutil.rmtree(folder, ignore_errors=True)
            _note_temp(key, folder, owned=False)
    finally:
        release_home(key)


@contextlib.contextmanager
def exclusive_home(home: Path) -> Iterator[None]:
    """Have ``home`` alone: no other Inkbench process uses it, and none can
    start using it, until the block ends. Refuses, naming each process that
    holds it, if any does."""
    key = Path(home).resolve()
    hold_home(key)  # this process counts as one of its users, like any other
    try:
        with _mutex:
            try:
                (key / RUN_DIR).mkdir(mode=0o700, parents=True, exist_ok=True)
                gate = _gate(key, 0)
                gate.acquire()
            except FileLockTimeout:
                raise InvalidInput(
                    _("another `inkbench db restore` is running on {home}; let it finish").format(
                        home=key
                    )
                ) from None
            try:
                holders = _holders(key, me=os.getpid())
                if holders:
                    names = _(", ").join(
                        _("pid {pid} ({command})").format(pid=h.pid, command=h.command)
                        for h in holders
                    )
                    raise InvalidInput(
                        _(
                            "other Inkbench processes are using {home}: {names}; close them "
                            "and try again"
                        ).format(home=key, names=names)
                    )
                yield
            finally:
                gate.release()
    finally:
        release_home(key)


@atexit.register
def _release_all() -> None:
    """On a normal exit, let go and remove this process's files (after a
    kill -9 the next restore clears them)."""
    with _mutex:
        for home, hold in list(_held.items()):
            if hold.pid != os.getpid():
                continue  # inherited through fork: the parent's to release
            del _held[home]
            _let_go(home, hold)
