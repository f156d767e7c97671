"""Printing for the CLI: JSON for scripts, a progress line on a terminal and
plain lines otherwise. No Rich here: user text is printed as it is."""

from __future__ import annotations

import json
import signal
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from inkbench.i18n import _
from inkbench.storage.jobs import CancelToken


def print_json(data: Any) -> None:
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2, default=str)
    sys.stdout.write("\n")


def warn(message: str) -> None:
    print(f"inkbench: {message}", file=sys.stderr)


@contextmanager
def cancel_on_ctrl_c() -> Iterator[CancelToken]:
    """A ``CancelToken`` the first Ctrl-C cancels: the job stops at its next
    check and keeps what it finished. A second Ctrl-C interrupts at once."""
    token = CancelToken()
    if threading.current_thread() is not threading.main_thread():
        yield token
        return
    previous = signal.getsignal(signal.SIGINT)

    def handler(signum: int, frame: Any) -> None:
        if token.cancelled:
            raise KeyboardInterrupt
        token.cancel()
        warn(_("stopping after the current item (Ctrl-C again to quit now)"))

    signal.signal(signal.SIGINT, handler)
    try:
        yield token
    finally:
        signal.signal(signal.SIGINT, previous)


class Progress:
    """``progress(done, total, label)``: a redrawn bar on a terminal, a plain
    line every few seconds (and at the end) when output is not a terminal."""

    def __init__(self, what: str, *, stream=None) -> None:
        self.what = what
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self._last = 0.0

    def __call__(self, done: int, total: int, label: str = "") -> None:
        now = time.monotonic()
        final = done >= total
        if self.tty:
            width = 30
            filled = int(width * done / total) if total else width
            bar = "#" * filled + "-" * (width - filled)
            text = f"\r{self.what} [{bar}] {done}/{total} {label[:40]:<40}"
            self.stream.write(text)
            if final:
                self.stream.write("\n")
            self.stream.flush()
        elif final or now - self._last >= 2:
            self.stream.write(
                _("{what}: {done}/{total}").format(what=self.what, done=done, total=total) + "\n"
            )
            self.stream.flush()
            self._last = now
