"""The vocabulary every long job speaks: one cancellation token, one progress
callback, named the same everywhere (``cancel=``, ``progress=``).

A job (an import, OCR, a backup, the generation runner …) takes
``cancel: CancelToken | None`` and ``progress: ProgressFn | None`` and checks
``cancel.cancelled`` between units of work. Whoever started it (the TUI's job
layer, a CLI command on Ctrl-C) calls ``cancel.cancel()``. Stdlib only: OCR
worker processes import this.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

#: ``progress(done, total, label)``: ``done`` of ``total`` units, ``label``
#: naming the current one (a file name, a topic); ``total`` 0 when unknown.
ProgressFn = Callable[[int, int, str], None]


class CancelToken:
    """A one-way flag: once cancelled, always cancelled. Safe across threads."""

    __slots__ = ("_event",)

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        """Ask the job to stop at its next check."""
        self._event.set()

    @property
    def cancelled(self) -> bool:
        """True once ``cancel()`` was called."""
        return self._event.is_set()

    def wait(self, seconds: float) -> bool:
        """Sleep up to ``seconds``, waking early on cancel; True if cancelled."""
        return self._event.wait(seconds)

    def __repr__(self) -> str:
        return f"CancelToken(cancelled={self.cancelled})"
