"""What a user sees while an older database is upgraded (migrations that
rebuild the search index take minutes on a big one): a Rich progress bar on
standard error when it is a terminal, else a plain line per step and every
few seconds. Rich is imported only when an upgrade reports something, so
commands on an up-to-date database do not pay for it."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TextIO

from inkbench.i18n import _
from inkbench.storage.jobs import ProgressFn

LINE_EVERY_S = 2.0


class _UpgradeProgress:
    """A ``ProgressFn`` for ``open_database(progress=...)``."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.tty = stream.isatty()
        self._bar: Any = None  # rich.progress.Progress, once something is reported
        self._task: Any = None
        self._label = ""
        self._last = 0.0

    def __call__(self, done: int, total: int, label: str) -> None:
        if self.tty:
            self._draw(done, total, label)
            return
        now = time.monotonic()
        if label != self._label or now - self._last >= LINE_EVERY_S or (total and done >= total):
            count = f" {done}/{total}" if total else ""
            self.stream.write(_("inkbench: {step}{count}").format(step=label, count=count) + "\n")
            self.stream.flush()
            self._label, self._last = label, now

    def _draw(self, done: int, total: int, label: str) -> None:
        if self._bar is None:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

            self._bar = Progress(
                TextColumn("{task.description}", markup=False),
                BarColumn(),
                MofNCompleteColumn(),
                console=Console(file=self.stream),
                transient=False,
            )
            self._bar.start()
            self._task = self._bar.add_task(label, total=total or None)
        self._bar.update(self._task, description=label, completed=done, total=total or None)

    def close(self) -> None:
        """Stop the bar (the terminal gets its cursor line back)."""
        if self._bar is not None:
            self._bar.stop()
            self._bar = None


@contextmanager
def upgrade_progress(stream: TextIO | None = None) -> Iterator[ProgressFn]:
    """``with upgrade_progress() as progress: open_database(home, progress=progress)``."""
    shown = _UpgradeProgress(stream or sys.stderr)
    try:
        yield shown
    finally:
        shown.close()
