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
