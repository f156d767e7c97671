"""Tasks: generation tasks with their progress, and the runner.

The runner (``integrations.generation.runner``) is a job of the app
(``tui.jobs``); it posts messages, never touching widgets. The AI's reply
streams into a ``Log`` as it arrives: each message carries only the new
text, which is appended (the reply is never re-rendered whole). Pause,
resume and cancel work whichever process runs the task."""

from __future__ import annotations

import contextlib
import threading

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.message import Message
from textual.widgets import Log, Static

from inkbench.i18n import N_, _, format_number
from inkbench.storage.jobs import CancelToken, ProgressFn
from inkbench.storage.lists import TaskSource
from inkbench.storage.reads import task_detail
from inkbench.tui import actions
from inkbench.tui.areas.base import AreaPane
from inkbench.tui.messages import ConnectivityChanged, DataChanged
from inkbench.tui.vocab import status_name
from inkbench.tui.widgets.list_pane import ListPane
from inkbench.tui.widgets.virtual_list import VirtualList

RUNNER_JOBS = "generate"


class TasksArea(AreaPane):
    area_id = "tasks"
    DEFAULT_CSS = """
    TasksArea #tasks { height: 1fr; }
    TasksArea #task-detail { height: auto; max-height: 6; padding: 0 1;
                             border-top: solid $panel; }
    TasksArea #stream-title { height: 1; padding: 0 1; color: $text-muted; }
    TasksArea #stream { height: 2fr; border-top: solid $panel; }
    """
    BINDINGS = [
        Binding("g", "toggle_runner", N_("Run/stop"), id="tasks.run"),
        Binding("p", "task('pause')", N_("Pause"), id="tasks.pause"),
        Binding("u", "task('resume')", N_("Resume"), id="tasks.resume"),
        Binding("c", "task('cancel')", N_("Cancel"), id="tasks.cancel"),
        Binding("R", "task('retry')", N_("Retry failed"), id="tasks.retry"),
        Binding("i", "items", N_("Items"), id="tasks.items"),
    ]

    class RunnerEvent(Message):
        """One runner event (``kind``/``text``… as ``integrations``'s RunnerEvent)."""

        def __init__(self, event) -> None:
            super().__init__()
            self.event = event

    class RunnerStopped(Message):
        def __init__(self, summary: str) -> None:
            super().__init__()
            self.summary = summary

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.runner = None
        self._runner_lock = threading.Lock()
        self.streaming_item: int | None = None

    def compose(self) -> ComposeResult:
        yield ListPane(
            TaskSource(),
            empty_text=_("No tasks: create one in Generate (5), then press g here to run it."),
            filter_placeholder=_("/ filter by name"),
            id="tasks",
        )
        yield Static(id="task-detail", markup=False)
        yield Static(_("Runner stopped · g starts it"), id="stream-title", markup=False)
        yield Log(id="stream", highlight=False, max_lines=5000)

    @property
    def tasks(self) -> ListPane:
        return self.query_one("#tasks", ListPane)

    @property
    def stream(self) -> Log:
        return self.query_one("#stream", Log)

    def focus_default(self) -> None:
        self.tasks.focus_list()

    def on_area_shown(self) -> None:
        if self.tasks.vlist.loaded:
            self.tasks.reload()
        self._sync()

    def data_changed(self, kind: str) -> None:
        if kind == "generation_task":
            self.tasks.reload()

    def on_mount(self) -> None:
        # the first Highlighted may come before this pane listens: read the row
        self.call_after_refresh(self._sync)

    def _sync(self) -> None:
        from textual.css.query import NoMatches

        with contextlib.suppress(NoMatches):
            self._show_task(self.tasks.vlist.current_row)

    @on(VirtualList.Highlighted, "#tasks VirtualList")
    def _task_highlighted(self, event: VirtualList.Highlighted) -> None:
        event.stop()
        self._show_task(event.row)

    def _show_task(self, row) -> None:
        detail = self.query_one("#task-detail", Static)
        if not row:
            detail.update(Content(""))
            return
        task_id = row[0]
        t = task_detail(self.ink.store.ui_conn, task_id)
        if t is None:
            return
        keyword, setting, model, error = t.keyword, t.setting, t.model, t.error
        kb, album, target = t.knowledge_base, t.album, t.target
        lines = [
            _("#{id} · keyword: {keyword} · setting: {setting} · model: {model}").format(
                id=task_id, keyword=keyword, setting=setting, model=model or _("default")
            )
        ]
        named = (
            (_("knowledge base: {name}"), kb),
            (_("album: {name}"), album),
            (_("target: {name}"), target),
        )
        uses = [label.format(name=name) for label, name in named if name]
        if uses:
            lines.append(" · ".join(uses))
        if error:
            lines.append(f"! {error}")
        detail.update(Content("\n".join(lines)))

    # --- task actions -------------------------------------------------------------------

    def action_task(self, action: str) -> None:
        row = self.tasks.vlist.current_row
        if row is None:
            return

        def done(status: str) -> None:
            self.notify(
                _("Task “{name}”: {status}").format(name=row[1], status=status_name(status)),
                markup=False,
            )
            self.post_message(DataChanged("generation_task"))

        self.ink.db_job(
            actions.task_action,
            action,
            row[0],
            name=_("task: {action}").format(action=action),
            done=done,
        )

    def action_items(self) -> None:
        from inkbench.tui.dialogs.show_text import ShowText

        row = self.tasks.vlist.current_row
        if row is None:
            return
        self.ink.db_job(
            actions.task_items_text,
            row[0],
            name=_("task items"),
            done=lambda r: self.app.push_screen(
                ShowText(_("Task: {name}").format(name=r[0]), r[1])
            ),
        )

    # --- the runner ---------------------------------------------------------------------

    def action_toggle_runner(self) -> None:
        with self._runner_lock:
            runner = self.runner
        running = self.ink.jobs.running(RUNNER_JOBS)
        if runner is not None or running:
            for job in running:
                job.cancel()
            self.query_one("#stream-title", Static).update(Content(_("Stopping the runner…")))
            return
        self.query_one("#stream-title", Static).update(Content(_("Runner starting…")))
        self.start_runner()

    def start_runner(self) -> None:
        """Run the generation runner as a job until cancelled (g again)."""
        from inkbench.integrations.ai.factory import get_provider
        from inkbench.integrations.generation.runner import Runner

        store = self.ink.store

        def job(cancel: CancelToken, _progress: ProgressFn) -> str:
            provider = runner = None
            try:
                provider = get_provider(store.home)
                runner = Runner(
                    store.database(),
                    provider,
                    on_event=lambda e: self.post_message(self.RunnerEvent(e)),
                )
                with self._runner_lock:
                    self.runner = runner
                runner.run(cancel=cancel)
            finally:
                with self._runner_lock:
                    self.runner = None
                if provider is not None:
                    provider.close()
                if runner is not None:
                    summary = _("Runner stopped: {done} written, {failed} failed").format(
                        done=format_number(runner.stats.done),
                        failed=format_number(runner.stats.failed),
                    )
                else:
                    summary = _("The runner could not start")
                self.post_message(self.RunnerStopped(summary))
            return summary

        self.ink.jobs.start(
            job,
            label=_("Generation"),
            group=RUNNER_JOBS,
            advice=_("Check the connection and the account (area 7), then press g again."),
        )

    def on_unmount(self) -> None:
        self.ink.jobs.cancel_group(RUNNER_JOBS)

    @on(RunnerStopped)
    def _runner_stopped(self, message: RunnerStopped) -> None:
        self.query_one("#stream-title", Static).update(
            Content(message.summary + _(" · g starts it"))
        )

    @on(RunnerEvent)
    def _runner_event(self, message: RunnerEvent) -> None:
        e = message.event
        title = self.query_one("#stream-title", Static)
        if e.kind == "delta":
            if e.item_id != self.streaming_item:  # joined mid-item
                self.streaming_item = e.item_id
            self.stream.write(e.text)  # append only the new text
        elif e.kind == "item_started":
            self.streaming_item = e.item_id
            self.stream.clear()
            title.update(
                Content(
                    _("Task {task_id}, item {item_id}: {text}").format(
                        task_id=e.task_id, item_id=e.item_id, text=e.text
                    )
                )
            )
        elif e.kind == "item_done":
            written = _("article {id} written").format(id=e.article_id)
            self.stream.write(f"\n\n— {written} —\n")
            self.post_message(DataChanged("generation_task"))
            self.post_message(DataChanged("article"))
        elif e.kind == "task_paused" and e.message.startswith("offline"):
            self.app.post_message(ConnectivityChanged(False, e.message))
            paused = _("paused until the server answers: {message}").format(message=e.message)
            self.stream.write(f"\n\n— {paused} —\n")
            self.post_message(DataChanged("generation_task"))
        elif e.kind in ("item_retry", "item_failed", "task_paused"):
            if e.kind == "item_retry":
                word = _("will retry")
            elif e.kind == "item_failed":
                word = _("failed")
            else:
                word = _("paused")
            self.stream.write(f"\n\n— {word}: {e.message} —\n")
            self.post_message(DataChanged("generation_task"))
        elif e.kind in ("task_finished", "task_resumed"):
            if e.kind == "task_resumed":
                self.app.post_message(ConnectivityChanged(True))
            self.post_message(DataChanged("generation_task"))
            if e.kind == "task_finished":
                self.notify(
                    _("Task {task_id} {message}").format(task_id=e.task_id, message=e.message),
                    markup=False,
                )
        elif e.kind == "idle":
            title.update(Content(_("Runner waiting for work · g stops it")))
