"""The vocabulary every long job speaks: one cancellation token, one progress
callback, named the same everywhere (``cancel=``, ``progress=``).

A job (an import, OCR, a backup, the generation runner …) takes
``cancel: CancelToken | None`` and ``progress: ProgressFn | None`` and checks
``cancel.cancelled`` between units of work. Whoever started it (the TUI's job
layer, a CLI command on Ctrl-C) calls ``cancel.cancel()``. Stdlib only: OCR
worker processes import this.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable

#: ``progress(done, total, label)``: ``done`` of ``total`` units, ``label``
#: naming the current one (a file name, a topic); ``total`` 0 when unknown.
ProgressFn = Callable[[int, int, str], None]


class CancelToken:
    """A one-way flag: once cancelled, always cancelled. Safe across threads.

    A job blocked where it cannot look at the flag (a network read waiting
    for data) registers ``on_cancel`` to be woken: e.g. to shut the socket
    it waits on."""

    __slots__ = ("_callbacks", "_event", "_lock")

    def __init__(self) -> None:
        self._event = threading.Event()
        self._lock = threading.Lock()
        self._callbacks: list[Callable[[], None]] = []

    def cancel(self) -> None:
        """Ask the job to stop at its next check, and run the ``on_cancel``
        callbacks (once each, in this thread)."""
        with self._lock:
            if self._event.is_set():
                return
            self._event.set()
            callbacks, self._callbacks = self._callbacks, []
        for callback in callbacks:
            try:
                callback()
            except Exception:  # one waker failing must not keep the others asleep
                logging.getLogger("inkbench.jobs").exception("a cancel callback failed")

    def on_cancel(self, callback: Callable[[], None]) -> Callable[[], None]:
        """Call ``callback`` when the token is cancelled (at once if it is
        already); returns a function that unregisters it. The callback runs
        in the cancelling thread, so it must be quick (a failure is logged)."""
        with self._lock:
            if not self._event.is_set():
                self._callbacks.append(callback)
                return lambda: self._forget(callback)
        callback()
        return lambda: None

    def _forget(self, callback: Callable[[], None]) -> None:
        with self._lock, contextlib.suppress(ValueError):
            self._callbacks.remove(callback)

    @property
    def cancelled(self) -> bool:
        """True once ``cancel()`` was called."""
        return self._event.is_set()

    def wait(self, seconds: float) -> bool:
        """Sleep up to ``seconds``, waking early on cancel; True if cancelled."""
        return self._event.wait(seconds)

    def __repr__(self) -> str:
        return f"CancelToken(cancelled={self.cancelled})"
