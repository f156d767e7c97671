"""Generate: distil a keyword into topics, edit them, preview the prompt of
an article setting, add conversion targets, and create a generation task.

The AI call (distil) runs in a thread worker; everything shown is user or AI
text, displayed literally."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from inkbench.i18n import N_, _, format_number
from inkbench.storage.jobs import CancelToken, ProgressFn
from inkbench.storage.lists import DistillationSource, TopicSource
from inkbench.tui import actions
from inkbench.tui.areas.base import AreaPane
from inkbench.tui.messages import DataChanged
from inkbench.tui.widgets.list_pane import ListPane
from inkbench.tui.widgets.master_detail import MasterDetail

DISTIL_JOBS = "distill"


class GenerateArea(AreaPane):
    area_id = "generate"
    BINDINGS = [
        Binding("k", "distill", N_("Distil keyword"), id="generate.distill"),
        Binding("a", "add_topic", N_("Add topic"), id="generate.add_topic"),
        Binding("e", "edit_topic", N_("Edit topic"), id="generate.edit_topic"),
        Binding("x", "delete", N_("Delete"), id="generate.delete"),
        Binding("K,ctrl+up", "move(-1)", N_("Move up"), id="generate.move_up"),
        Binding("J,ctrl+down", "move(1)", N_("Move down"), id="generate.move_down"),
        Binding("v", "preview", N_("Prompt preview"), id="generate.preview"),
        Binding("g", "add_target", N_("Add target"), id="generate.add_target"),
        Binding("t", "create_task", N_("Create task"), id="generate.create_task"),
        Binding("X", "cancel_jobs", N_("Cancel distil"), show=False, id="generate.cancel"),
        Binding("left", "focus_dist", N_("Keywords"), show=False, id="generate.focus_dist"),
        Binding("right", "focus_topics", N_("Topics"), show=False, id="generate.focus_topics"),
    ]

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.distillation_id: int | None = None
        self.keyword = ""

    def compose(self) -> ComposeResult:
        yield Static(
            _("k distils a keyword · t creates a task · v previews the prompt"),
            id="gen-hint",
            classes="hint",
        )
        yield MasterDetail(
            ListPane(
                DistillationSource(),
                empty_text=_("No keywords yet: press k to distil one."),
                filter_placeholder=_("/ filter keywords"),
                id="dists",
            ),
            ListPane(
                TopicSource(None),
                empty_text=_("No topics: press a to add one."),
                filter_placeholder=_("/ filter topics"),
                id="topics",
            ),
            lambda row: TopicSource(row[0] if row else None),
            master_side="dist-side",
            detail_side="topic-side",
        )

    @property
    def lists(self) -> MasterDetail:
        return self.query_one(MasterDetail)

    @property
    def dists(self) -> ListPane:
        return self.lists.master

    @property
    def topics(self) -> ListPane:
        return self.lists.detail

    def focus_default(self) -> None:
        self.lists.focus_master()

    def on_area_shown(self) -> None:
        if self.dists.vlist.loaded:
            self.dists.reload()
        self.lists.sync()

    def data_changed(self, kind: str) -> None:
        if kind in ("distillation", "topic"):
            self.lists.reload()

    @on(MasterDetail.MasterChanged)
    def _dist_shown(self, event: MasterDetail.MasterChanged) -> None:
        event.stop()
        self.distillation_id = event.row[0] if event.row else None
        self.keyword = event.row[1] if event.row else ""

    def _topics_focused(self) -> bool:
        return self.lists.detail_focused

    def _changed(self, kind: str = "topic"):
        return lambda _r: self.post_message(DataChanged(kind))

    # --- actions ------------------------------------------------------------------------

    def action_focus_dist(self) -> None:
        self.lists.focus_master()

    def action_focus_topics(self) -> None:
        self.lists.focus_detail()

    def action_cancel_jobs(self) -> None:
        n = self.ink.jobs.cancel_group(DISTIL_JOBS)
        self.notify(_("Stopping…") if n else _("Nothing is running here."))

    def action_distill(self) -> None:
        from inkbench.tui.dialogs.ask_text import AskText

        def answered(keyword: str | None) -> None:
            if keyword and keyword.strip():
                self._distill(keyword.strip())

        self.app.push_screen(AskText(_("Distil a keyword into reader questions"), "热泵"), answered)

    def _distill(self, keyword: str) -> None:
        """Ask the AI for reader questions about ``keyword``, as a job."""
        from inkbench.integrations.ai.factory import get_provider
        from inkbench.integrations.generation.distill import distill

        store = self.ink.store

        def job(cancel: CancelToken, _progress: ProgressFn):
            provider = get_provider(store.home)
            try:
                return distill(store.database(), provider, keyword, cancel=cancel)
            finally:
                provider.close()

        def done(result) -> None:
            self.notify(
                _("{topics} topics for {keyword}").format(
                    topics=format_number(len(result.topics)), keyword=keyword
                ),
                title=_("Distilling {keyword}").format(keyword=keyword),
                markup=False,
            )
            self.post_message(DataChanged("distillation"))

        self.ink.jobs.start(
            job,
            label=_("Distilling {keyword}").format(keyword=keyword),
            group=DISTIL_JOBS,
            done=done,
            advice=_(
                "Check the connection, the account (area 7) and config.toml, then distil again."
            ),
        )

    def action_add_topic(self) -> None:
        from inkbench.tui.dialogs.ask_text import AskText

        if self.distillation_id is None:
            self.notify(_("Distil a keyword first (k)."))
            return
        did = self.distillation_id

        def answered(text: str | None) -> None:
            if text and text.strip():
                self.ink.db_job(
                    actions.generation_write,
                    "add_topic",
                    did,
                    text,
                    name=_("add topic"),
                    done=self._changed(),
                )

        self.app.push_screen(AskText(_("New topic (a reader's question)")), answered)

    def action_edit_topic(self) -> None:
        from inkbench.tui.dialogs.ask_text import AskText

        row = self.topics.vlist.current_row
        if row is None:
            return

        def answered(text: str | None) -> None:
            if text and text.strip():
                self.ink.db_job(
                    actions.generation_write,
                    "edit_topic",
                    row[0],
                    text,
                    name=_("edit topic"),
                    done=self._changed(),
                )

        self.app.push_screen(AskText(_("Edit topic"), value=row[2]), answered)

    def action_delete(self) -> None:
        from inkbench.tui.dialogs.confirm import Confirm

        if self._topics_focused():
            row = self.topics.vlist.current_row
            if row is not None:
                self.ink.db_job(
                    actions.generation_write,
                    "delete_topic",
                    row[0],
                    name=_("delete topic"),
                    done=self._changed(),
                )
            return
        row = self.dists.vlist.current_row
        if row is None:
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.ink.db_job(
                    actions.generation_write,
                    "delete_distillation",
                    row[0],
                    name=_("delete keyword"),
                    done=self._changed("distillation"),
                )

        self.app.push_screen(
            Confirm(
                _("Delete “{keyword}” and its {n} topics?").format(keyword=row[1], n=row[2]),
                yes=_("Delete"),
            ),
            answered,
        )

    def action_move(self, delta: int) -> None:
        row = self.topics.vlist.current_row
        if row is None or not self._topics_focused():
            return
        vlist = self.topics.vlist

        def moved(_r) -> None:
            self.topics.reload()
            vlist.move_to(max(0, vlist.cursor + delta))

        self.ink.db_job(
            actions.generation_write, "move_topic", row[0], delta, name=_("move topic"), done=moved
        )

    def action_preview(self) -> None:
        topic_row = self.topics.vlist.current_row
        topic = topic_row[2] if topic_row else ""
        did = self.distillation_id

        def got(choices: dict) -> None:
            from inkbench.tui.dialogs.prompt_preview import PromptPreview

            if choices["settings"]:
                self.app.push_screen(PromptPreview(choices["settings"], did, topic))

        self.ink.db_job(actions.task_choices, name=_("settings"), done=got)

    def action_add_target(self) -> None:
        from inkbench.tui.dialogs.ask_text import AskText

        def answered(text: str | None) -> None:
            if not text or not text.strip():
                return
            parts = [p.strip() for p in text.split("|")] + ["", "", ""]
            self.ink.db_job(
                actions.generation_write,
                "create_target",
                parts[0],
                pitch=parts[1],
                site=parts[2],
                contact=parts[3],
                name=_("add target"),
                done=lambda _r: self.notify(
                    _("Target added: {name}").format(name=parts[0]), markup=False
                ),
            )

        self.app.push_screen(
            AskText(
                _("New conversion target: name | pitch | site | contact"),
                _("WarmCo | installs heat pumps | warm.example | 400-000"),
            ),
            answered,
        )

    def action_create_task(self) -> None:
        if self.distillation_id is None:
            self.notify(_("Pick or distil a keyword first."))
            return
        did, keyword = self.distillation_id, self.keyword
        row = self.dists.vlist.current_row
        n_topics = row[2] if row else 0

        def created(task_id: int) -> None:
            self.notify(
                _("Task {task_id} queued: open Tasks (6) and press g to run it.").format(
                    task_id=task_id
                )
            )
            self.post_message(DataChanged("generation_task"))

        def answered(values: dict | None) -> None:
            if values:
                values["distillation_id"] = did
                self.ink.db_job(actions.create_task, values, name=_("create task"), done=created)

        def got(choices: dict) -> None:
            from inkbench.tui.dialogs.task_dialog import TaskDialog

            self.app.push_screen(TaskDialog(keyword, n_topics, choices), answered)

        self.ink.db_job(actions.task_choices, name=_("task options"), done=got)
