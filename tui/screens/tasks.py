"""Tasks: generation tasks with their progress, and the runner.

The runner (``integrations.generation.runner``) runs in a thread worker of
this process; it posts messages, never touching widgets. The AI's reply
streams into a ``Log`` as it arrives: each message carries only the new
text, which is appended (the reply is never re-rendered whole). Pause,
resume and cancel work whichever process runs the task."""

from __future__ import annotations

import contextlib
import threading

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.message import Message
from textual.widgets import Log, Static

from inkbench.tui.messages import ConnectivityChanged, DataChanged, JobFinished, JobProgress
from inkbench.tui.screens.base import AreaPane
from inkbench.tui.widgets.list_pane import ListPane
from inkbench.tui.widgets.virtual_list import Column, SqlSource, VirtualList, flat


class TaskSource(SqlSource):
    noun = "tasks"
    columns = (
        Column("Task"),
        Column("Status", 24),
        Column("Done", 9, "right"),
        Column("Created", 16),
    )
    select = (
        "SELECT id, name, status, pause_reason, done_count, article_count, failed_count,"
        " created_at, error FROM generation_task"
    )
    filter_sql = "name LIKE ? ESCAPE '\\'"
    orders = {"newest": ("id DESC", "id ASC"), "status": ("status, id DESC", "status DESC, id")}

    def cells(self, row):
        _id, name, status, reason, done, total, failed, created, _err = row
        if status == "paused" and reason:
            status = f"paused ({reason})"
        extra = f" ✗{failed}" if failed else ""
        return (flat(name), status, f"{done}/{total}{extra}", str(created or "")[:16])


# --- work done in threads --------------------------------------------------------------


def _task_action(store, action: str, task_id: int) -> str:
    from inkbench.storage import tasks as g

    with store.database().write() as s:
        if action == "pause":
            t = g.pause_task(s, task_id)
        elif action == "resume":
            t = g.resume_task(s, task_id)
        elif action == "retry":
            g.retry_failed_items(s, task_id)
            t = g.get_task(s, task_id)
        else:
            t = g.cancel_task(s, task_id)
        return t.status


def _items_text(store, task_id: int) -> tuple[str, str]:
    """A task's items with their articles and where each article came from."""
    from inkbench.storage.provenance import article_provenance
    from inkbench.storage.tasks import get_task, item_articles, task_items

    db = store.database()
    with db.read() as s:
        task = get_task(s, task_id)
        items = task_items(s, task_id)
        articles = item_articles(s, task_id)
    lines = [
        f"{task.name} · {task.status}"
        + (f" ({task.pause_reason})" if task.pause_reason else "")
        + f" · {task.done_count}/{task.article_count} done",
        f"keyword: {task.keyword} · setting: {task.setting_name}",
        "",
    ]
    with db.raw(write=False) as conn:
        for item in items:
            art = articles.get(item.id)
            head = f"{item.position + 1}. [{item.status}] {item.topic_text}"
            lines.append(head + (f" → article {art}" if art else ""))
            if item.error and item.status != "done":
                lines.append(f"     error: {item.error}")
            if art:
                p = article_provenance(conn, art)
                for src in p.sources:
                    heading = src["heading"].removeprefix(src["document_title"])
                    lines.append(f"     source: {src['document_title']}{heading}")
                for img in p.images:
                    lines.append(f"     image: {img['name']} ({img['album']})")
            elif item.partial_text:
                lines.append(f"     so far: {len(item.partial_text)} characters saved")
    return task.name, "\n".join(lines)


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
        Binding("g", "toggle_runner", "Run/stop", id="tasks.run"),
        Binding("p", "task('pause')", "Pause", id="tasks.pause"),
        Binding("u", "task('resume')", "Resume", id="tasks.resume"),
        Binding("c", "task('cancel')", "Cancel", id="tasks.cancel"),
        Binding("R", "task('retry')", "Retry failed", id="tasks.retry"),
        Binding("i", "items", "Items", id="tasks.items"),
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
            empty_text="No tasks: create one in Generate (5), then press g here to run it.",
            filter_placeholder="/ filter by name",
            id="tasks",
        )
        yield Static(id="task-detail", markup=False)
        yield Static("Runner stopped · g starts it", id="stream-title", markup=False)
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
        t = self.ink.store.ui_conn.execute(
            "SELECT keyword, setting_name, knowledge_base_name, album_name, target_name, model,"
            " error FROM generation_task WHERE id = ?",
            (task_id,),
        ).fetchone()
        if t is None:
            return
        keyword, setting, kb, album, target, model, error = t
        lines = [
            f"#{task_id} · keyword: {keyword} · setting: {setting} · model: {model or 'default'}"
        ]
        uses = [f"{k}: {v}" for k, v in (("kb", kb), ("album", album), ("target", target)) if v]
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
            self.notify(f"Task “{row[1]}”: {status}", markup=False)
            self.post_message(DataChanged("generation_task"))

        self.ink.db_job(_task_action, action, row[0], name=f"{action} task", done=done)

    def action_items(self) -> None:
        from inkbench.tui.screens.dialogs import ShowText

        row = self.tasks.vlist.current_row
        if row is None:
            return
        self.ink.db_job(
            _items_text,
            row[0],
            name="task items",
            done=lambda r: self.app.push_screen(ShowText(f"Task: {r[0]}", r[1])),
        )

    # --- the runner ---------------------------------------------------------------------

    def action_toggle_runner(self) -> None:
        with self._runner_lock:
            runner = self.runner
        if runner is not None:
            runner.stop()
            self.query_one("#stream-title", Static).update(Content("Stopping the runner…"))
            return
        self.query_one("#stream-title", Static).update(Content("Runner starting…"))
        self._run()

    @work(thread=True, exit_on_error=False, group="generate", name="generation runner")
    def _run(self) -> None:
        from inkbench.integrations.ai.factory import get_provider
        from inkbench.integrations.generation.runner import Runner

        store = self.ink.store
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
            runner.run()
        finally:
            with self._runner_lock:
                self.runner = None
            if provider is not None:
                provider.close()
            if runner is not None:
                summary = (
                    f"Runner stopped: {runner.stats.done} written, {runner.stats.failed} failed"
                )
            else:
                summary = "The runner could not start"
            self.post_message(self.RunnerStopped(summary))

    def on_unmount(self) -> None:
        with self._runner_lock:
            if self.runner is not None:
                self.runner.stop()

    @on(RunnerStopped)
    def _runner_stopped(self, message: RunnerStopped) -> None:
        self.query_one("#stream-title", Static).update(Content(message.summary + " · g starts it"))
        self.app.post_message(JobFinished("generate", "Generation"))

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
            title.update(Content(f"Task {e.task_id}, item {e.item_id}: {e.text}"))
            self.app.post_message(JobProgress("generate", "Generating", 0, None))
        elif e.kind == "item_done":
            self.stream.write(f"\n\n— article {e.article_id} written —\n")
            self.post_message(DataChanged("generation_task"))
            self.post_message(DataChanged("article"))
        elif e.kind == "task_paused" and e.message.startswith("offline"):
            self.app.post_message(ConnectivityChanged(False, e.message))
            self.stream.write(f"\n\n— paused until the server answers: {e.message} —\n")
            self.post_message(DataChanged("generation_task"))
        elif e.kind in ("item_retry", "item_failed", "task_paused"):
            word = {"item_retry": "will retry", "item_failed": "failed", "task_paused": "paused"}
            self.stream.write(f"\n\n— {word[e.kind]}: {e.message} —\n")
            self.post_message(DataChanged("generation_task"))
        elif e.kind in ("task_finished", "task_resumed"):
            if e.kind == "task_resumed":
                self.app.post_message(ConnectivityChanged(True))
            self.post_message(DataChanged("generation_task"))
            if e.kind == "task_finished":
                self.notify(f"Task {e.task_id} {e.message}", markup=False)
        elif e.kind == "idle":
            title.update(Content("Runner waiting for work · g stops it"))
