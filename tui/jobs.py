"""The one way the TUI runs long work: ``app.jobs.start(...)``.

A job is a function ``fn(cancel: CancelToken, progress: ProgressFn) -> T``
(the vocabulary of ``inkbench.storage.jobs``). The app runs it in a thread
worker it owns; ``progress(done, total, label)`` shows in the status bar;
``cancel()`` (from an area's key or the command palette) sets the token the
function checks; ``pause()`` flips ``Job.paused`` for functions that read it.

A failure never disappears: the function's exception is caught in the
worker, its traceback appended to ``errors.log`` in the data home, and the
user sees ONE notice saying what failed and what to do (shown literally).
``done(result)`` runs on the UI thread after success (also after a cancel:
the function returns what it finished).
"""

from __future__ import annotations

import itertools
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from inkbench.i18n import _
from inkbench.storage.jobs import CancelToken, ProgressFn
from inkbench.tui.messages import JobFailed, JobFinished, JobProgress

if TYPE_CHECKING:
    from textual.app import App
    from textual.worker import Worker

ERRORS_LOG = "errors.log"
JobFn = Callable[[CancelToken, ProgressFn], Any]


@dataclass
class Job:
    """One running job: what the status bar and the palette show and control."""

    id: str
    label: str
    group: str
    advice: str
    cancel_token: CancelToken = field(default_factory=CancelToken)
    paused: bool = False
    pausable: bool = False
    worker: Worker | None = None
    done: int = 0  # the last progress reported
    total: int = 0

    @property
    def running(self) -> bool:
        return self.worker is not None and not self.worker.is_finished

    def cancel(self) -> None:
        """Ask the job to stop at its next check."""
        self.cancel_token.cancel()


def describe_error(error: BaseException | None) -> str:
    """One line for the user: an expected error's own text, else its type and text."""
    from inkbench.storage.errors import user_error

    expected = user_error(error)  # incl. a full disk or an I/O error
    if expected is not None:
        return str(expected)
    if error is None:
        return _("unknown error")
    return f"{type(error).__name__}: {error}"


def log_error(home: Path, what: str, error: BaseException) -> Path:
    """Append ``error``'s traceback to ``errors.log`` in ``home``; its path."""
    path = Path(home) / ERRORS_LOG
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    text = "".join(traceback.format_exception(error))
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as f:
        f.write(f"--- {stamp} · {what} failed\n{text}\n")
    return path


class Jobs:
    """The app's jobs (``app.jobs``): start, cancel, pause, and the one
    failure route."""

    def __init__(self, app: App, home: Path) -> None:
        self.app = app
        self.home = home
        self._ids = itertools.count(1)
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()

    # --- starting -----------------------------------------------------------------

    def start(
        self,
        fn: JobFn,
        *,
        label: str,
        group: str,
        done: Callable[[Any], None] | None = None,
        failed: Callable[[BaseException], None] | None = None,
        advice: str = "",
        exclusive: bool = False,
        pausable: bool = False,
        show: bool = True,
        progress_every: float = 0.1,
    ) -> Job:
        """Run ``fn(cancel, progress)`` in a thread worker. ``group`` names the
        kind of job (an area's cancel key cancels its groups); ``exclusive``
        cancels running jobs of the group first; ``advice`` is what the
        failure notice tells the user to do; ``failed(error)`` runs on the UI
        thread after the failure notice (a form reopens with what was typed);
        ``show=False`` keeps a quiet job (the connectivity check) out of the
        status bar."""
        if exclusive:
            self.cancel_group(group)
        job = Job(f"{group}:{next(self._ids)}", label, group, advice, pausable=pausable)
        last = 0.0

        def progress(n: int, total: int, _what: str = "") -> None:
            nonlocal last
            job.done, job.total = n, total
            now = time.monotonic()
            if not show or (now - last < progress_every and n < total):
                return
            last = now
            text = _("{label} (paused)").format(label=job.label) if job.paused else job.label
            self.app.post_message(JobProgress(job.id, text, n, total or None))

        def run() -> Any:
            if show:
                self.app.post_message(JobProgress(job.id, job.label, 0, None))
            try:
                result = fn(job.cancel_token, progress)
            except BaseException as error:  # the one failure route: never lost
                self._failed(job, error)
                if failed is not None:
                    self.app.call_from_thread(failed, error)
                return None
            finally:
                with self._lock:
                    self._jobs.pop(job.id, None)
                if show:
                    self.app.post_message(JobFinished(job.id, job.label))
            if done is not None:
                self.app.call_from_thread(done, result)
            return result

        with self._lock:
            self._jobs[job.id] = job
        job.worker = self.app.run_worker(
            run, thread=True, group=group, name=label, exit_on_error=False
        )
        return job

    def _failed(self, job: Job, error: BaseException) -> None:
        try:
            path = log_error(self.home, job.label, error)
            where = _("details in {path}").format(path=path)
        except OSError as e:  # the log itself cannot be written: say so, still notify
            where = _("the error log could not be written ({error})").format(error=e)
        from inkbench.storage.errors import DatabaseProblem, DiskProblem, user_error

        expected = user_error(error)
        if job.advice:
            advice = job.advice
        elif expected is not None and not isinstance(expected, DiskProblem | DatabaseProblem):
            advice = ""  # bad input or a refusal: its own line says what to do; no bug to report
        else:
            advice = _("Try again; if it fails again, report it with the log.")
        if advice:
            text = _("{error}. {advice} ({where})").format(
                error=describe_error(error), advice=advice, where=where
            )
        else:
            text = _("{error} ({where})").format(error=describe_error(error), where=where)
        self.app.post_message(JobFailed(job.id, job.label, text))

    # --- control ------------------------------------------------------------------

    def running(self, group: str | None = None) -> list[Job]:
        """Jobs that have not ended, oldest first (of one group if given)."""
        with self._lock:
            jobs = list(self._jobs.values())
        return [j for j in jobs if group is None or j.group == group]

    def cancel(self, job_id: str) -> bool:
        """Cancel one job; False if it is no longer running."""
        with self._lock:
            job = self._jobs.get(job_id)
        if job is None:
            return False
        job.cancel()
        return True

    def cancel_group(self, *groups: str) -> int:
        """Cancel every running job of these groups; how many were asked."""
        jobs = [j for j in self.running() if j.group in groups]
        for job in jobs:
            job.cancel()
        return len(jobs)

    def toggle_pause(self, job: Job) -> bool:
        """Pause or resume a pausable job; its new ``paused`` state."""
        job.paused = not job.paused
        text = _("{label} (paused)").format(label=job.label) if job.paused else job.label
        self.app.post_message(JobProgress(job.id, text, job.done, job.total or None))
        return job.paused
