"""Expected errors. Each message is one line: what went wrong and what to do.

The CLI prints ``str(error)`` and exits 1; the TUI shows it as a notice. Any
other exception reaching the user is a bug.
"""

from __future__ import annotations

from inkbench.i18n import _


class InkbenchError(Exception):
    """An expected failure with a one-line message for the user."""

    exit_code = 1


class NotFound(InkbenchError):
    pass


class InvalidInput(InkbenchError):
    pass


class InUse(InkbenchError):
    """Refused because an active generation task uses the row."""


class DatabaseProblem(InkbenchError):
    """The database file cannot be used as it is (corrupt, newer, unreadable)."""


def non_empty(value: str | None, what: str) -> str:
    """``value`` stripped; ``InvalidInput`` ("<what> cannot be empty") if nothing is left."""
    value = (value or "").strip()
    if not value:
        raise InvalidInput(_("{what} cannot be empty").format(what=_(what)))
    return value


class DiskProblem(InkbenchError):
    """A write failed because the disk is full, over quota or failing."""


# SQLite's primary result codes for a write the disk refused
_SQLITE_FULL = 13
_SQLITE_IOERR = 10
_SQLITE_CANTOPEN = 14
# another process stopped (or hung) inside SQLite's WAL locking
_SQLITE_PROTOCOL = 15


def held_elsewhere(error: BaseException, path: object = None) -> DatabaseProblem | None:
    """The one-line problem when ``error`` is SQLite's SQLITE_PROTOCOL: another
    process holds the database's locks (stopped or hung inside SQLite), which
    is no damage: close that process and try again. None for any other error."""
    import sqlite3

    orig = getattr(error, "orig", None) or error  # SQLAlchemy wraps the driver's error
    if not isinstance(orig, sqlite3.Error):
        return None
    code = (getattr(orig, "sqlite_errorcode", None) or 0) & 0xFF
    if code != _SQLITE_PROTOCOL and str(orig) != "locking protocol":
        return None
    if path is None:
        return DatabaseProblem(
            _(
                "another Inkbench process is holding the database (it may be stopped "
                "or hung); close it, then try again"
            )
        )
    return DatabaseProblem(
        _(
            "another Inkbench process is holding {path} (it may be stopped or hung); "
            "close it, then try again"
        ).format(path=path)
    )


def _disk_problem(error: BaseException) -> DiskProblem | None:
    import errno
    import sqlite3

    if isinstance(error, OSError) and error.errno in (errno.ENOSPC, errno.EDQUOT, errno.EIO):
        where = f" ({error.filename})" if error.filename else ""
        if error.errno == errno.EIO:
            return DiskProblem(
                _(
                    "the disk reported an input/output error{where}, so this was not saved; "
                    "check the disk, run `inkbench db check`, then try again"
                ).format(where=where)
            )
        if error.errno == errno.EDQUOT:
            return DiskProblem(
                _(
                    "your disk quota is used up{where}, so this was not saved; "
                    "free some space and try again"
                ).format(where=where)
            )
        return DiskProblem(
            _(
                "the disk is full{where}, so this was not saved; free some space and try again"
            ).format(where=where)
        )
    if isinstance(error, sqlite3.Error):
        code = (getattr(error, "sqlite_errorcode", None) or 0) & 0xFF
        text = str(error)
        if code == _SQLITE_FULL or "database or disk is full" in text:
            return DiskProblem(
                _(
                    "the disk holding the database is full, so this was not saved; "
                    "free some space and try again"
                )
            )
        if code == _SQLITE_IOERR or "disk I/O error" in text:
            return DiskProblem(
                _(
                    "the disk holding the database reported an input/output error, so this "
                    "was not saved; free some space or check the disk, run "
                    "`inkbench db check`, then try again"
                )
            )
    return None


def user_error(error: BaseException | None) -> InkbenchError | None:
    """The one-line error to show for ``error``: itself when expected, a
    ``DiskProblem`` when it (or what caused it, or the driver error an ORM
    wrapped) is a full disk, a used-up quota or an I/O error, a
    ``DatabaseProblem`` when another process holds SQLite's locks
    (SQLITE_PROTOCOL); else None
    (a bug). The CLI and the TUI's job router both ask this."""
    seen: set[int] = set()
    todo = [error]
    while todo:
        e = todo.pop(0)
        if e is None or id(e) in seen or len(seen) > 20:
            continue
        seen.add(id(e))
        if isinstance(e, InkbenchError):
            return e
        problem = _disk_problem(e) or held_elsewhere(e)
        if problem is not None:
            return problem
        todo.extend((getattr(e, "orig", None), e.__cause__, e.__context__))
    return None
