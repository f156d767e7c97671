"""Generate: distil a keyword into topics, edit them, preview the prompt of
an article setting, add conversion targets, and create a generation task.

The AI call (distil) runs in a thread worker; everything shown is user or AI
text, displayed literally."""

from __future__ import annotations

import contextlib

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static, TextArea

from inkbench.tui.messages import DataChanged, JobFinished, JobProgress
from inkbench.tui.screens.base import AreaPane
from inkbench.tui.screens.dialogs import DIALOG_CSS
from inkbench.tui.widgets.list_pane import ListPane
from inkbench.tui.widgets.virtual_list import Column, SqlSource, VirtualList, flat


class DistillationSource(SqlSource):
    noun = "distillations"
    columns = (Column("Keyword"), Column("Topics", 7, "right"))
    select = (
        "SELECT d.id, d.keyword, (SELECT count(*) FROM topic t WHERE t.distillation_id = d.id)"
        " FROM distillation d"
    )
    filter_sql = "d.keyword LIKE ? ESCAPE '\\'"
    orders = {
        "newest": ("d.id DESC", "d.id ASC"),
        "keyword": ("d.keyword COLLATE NOCASE, d.id", "d.keyword COLLATE NOCASE DESC, d.id DESC"),
    }

    def count_sql(self) -> str:
        return "SELECT count(*) FROM distillation d"

    def cells(self, row):
        return (flat(row[1]), str(row[2]))


class TopicSource(SqlSource):
    noun = "topics"
    columns = (Column("#", 4, "right"), Column("Reader question"))
    filter_sql = "question LIKE ? ESCAPE '\\'"
    orders = {"order": ("position, id", "position DESC, id DESC")}

    def __init__(self, distillation_id: int | None) -> None:
        self.distillation_id = distillation_id
        self.select = "SELECT id, position, question FROM topic"
        self.where = "distillation_id = ?"
        self.params = (distillation_id if distillation_id is not None else -1,)

    def cells(self, row):
        return (str(row[1] + 1), flat(row[2]))


# --- work done in threads (fn(store, ...)) ------------------------------------------------


def _write(store, fn_name: str, *args, **kwargs):
    from inkbench.storage import distillations, targets

    fn = getattr(targets if fn_name.endswith("_target") else distillations, fn_name)
    with store.database().write() as s:
        result = fn(s, *args, **kwargs)
        return getattr(result, "id", None)


def _task_choices(store) -> dict:
    """Options for the task dialog: settings, knowledge bases, albums, targets."""
    from inkbench.storage.article_settings import ensure_default_settings

    with store.database().write() as s:
        ensure_default_settings(s)
    conn = store.database()
    with conn.raw(write=False) as c:
        return {
            "settings": c.execute("SELECT id, name FROM article_setting ORDER BY name").fetchall(),
            "kbs": c.execute(
                "SELECT id, name FROM knowledge_base WHERE deleted_at IS NULL ORDER BY name"
            ).fetchall(),
            "albums": c.execute(
                "SELECT id, name FROM album WHERE deleted_at IS NULL ORDER BY name"
            ).fetchall(),
            "targets": c.execute("SELECT id, name FROM conversion_target ORDER BY name").fetchall(),
        }


def _preview(store, setting_id: int, distillation_id: int | None, topic: str) -> str:
    from inkbench.integrations.generation.prompts import preview_prompt
    from inkbench.storage.distillations import get_distillation

    with store.database().read() as s:
        keyword = get_distillation(s, distillation_id).keyword if distillation_id else "(keyword)"
        return preview_prompt(s, setting_id, keyword=keyword, topic=topic or "(a question)")


def _create_task(store, values: dict) -> int:
    from inkbench.storage.tasks import create_task

    with store.database().write() as s:
        return create_task(s, **values).id


class TaskDialog(ModalScreen[dict | None]):
    """Setting, count, optional knowledge base, album, target, and model."""

    DEFAULT_CSS = (
        "TaskDialog {"
        + DIALOG_CSS
        + "} TaskDialog Label { color: $text-muted; }"
        + " TaskDialog Input { width: 1fr; }"
    )
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="dialog.cancel"),
        Binding("ctrl+s", "create", "Create", id="dialog.create"),
    ]

    def __init__(self, keyword: str, topics: int, choices: dict) -> None:
        super().__init__()
        self.keyword = keyword
        self.topics = topics
        self.choices = choices

    def _options(self, rows) -> list[tuple[Content, int]]:
        return [(Content(name), row_id) for row_id, name in rows]

    def compose(self) -> ComposeResult:
        c = self.choices
        with Vertical():
            yield Static(
                Content(f"New task from “{self.keyword}” ({self.topics} topics)"),
                classes="dialog-title",
            )
            yield Label("Article setting")
            yield Select(
                self._options(c["settings"]), allow_blank=False, id="setting", compact=True
            )
            yield Label("How many articles")
            yield Input(value=str(max(1, self.topics)), id="count", type="integer", compact=True)
            yield Label("Knowledge base (optional)")
            yield Select(self._options(c["kbs"]), prompt="none", id="kb", compact=True)
            yield Label("Album for illustrations (optional)")
            yield Select(self._options(c["albums"]), prompt="none", id="album", compact=True)
            yield Label("Conversion target (optional)")
            yield Select(self._options(c["targets"]), prompt="none", id="target", compact=True)
            yield Label("Model (empty: the configured one)")
            yield Input(id="model", compact=True)
            with Horizontal():
                yield Button("Cancel", id="cancel")
                yield Button("Create", variant="primary", id="create")

    def _value(self, wid: str) -> int | None:
        v = self.query_one(f"#{wid}", Select).value
        return v if isinstance(v, int) else None

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "cancel":
            self.dismiss(None)
        else:
            self.action_create()

    def action_create(self) -> None:
        try:
            count = int(self.query_one("#count", Input).value or "0")
        except ValueError:
            count = 0
        if count < 1:
            self.notify("The article count must be at least 1.", severity="error")
            return
        setting = self._value("setting")
        if setting is None:
            self.notify("Pick an article setting.", severity="error")
            return
        self.dismiss(
            {
                "setting_id": setting,
                "count": count,
                "knowledge_base_id": self._value("kb"),
                "album_id": self._value("album"),
                "target_id": self._value("target"),
                "model": self.query_one("#model", Input).value.strip(),
            }
        )

    def action_cancel(self) -> None:
        self.dismiss(None)


def _load_setting(store, setting_id: int) -> dict:
    from inkbench.storage.article_settings import get_setting

    with store.database().read() as s:
        return get_setting(s, setting_id).model_dump()


def _save_setting(store, setting_id: int | None, values: dict) -> int:
    from inkbench.storage.article_settings import create_setting, update_setting

    with store.database().write() as s:
        if setting_id is None:
            name = values.pop("name")
            return create_setting(s, name, **values).id
        return update_setting(s, setting_id, **values).id


class SettingEditor(ModalScreen[dict | None]):
    """Edit an article setting's fields (or a new one, from a copy)."""

    DEFAULT_CSS = """
    SettingEditor { align: center middle; }
    SettingEditor > Vertical {
        width: 90%; height: 95%; border: thick $primary 60%; background: $surface;
        padding: 0 1;
    }
    SettingEditor .dialog-title { text-style: bold; }
    SettingEditor Label { color: $text-muted; }
    SettingEditor TextArea { height: 1fr; min-height: 3; }
    SettingEditor #template { height: 2fr; }
    SettingEditor Horizontal { height: auto; align-horizontal: right; }
    """
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="setting.cancel"),
        Binding("ctrl+s", "save", "Save", id="setting.save"),
    ]

    def __init__(self, values: dict, *, new: bool) -> None:
        super().__init__()
        self.values = values
        self.new = new

    def compose(self) -> ComposeResult:
        v = self.values
        title = "New article setting" if self.new else f"Edit setting “{v['name']}”"
        with Vertical():
            yield Static(Content(title + " · ctrl+s saves"), classes="dialog-title")
            yield Label("Name")
            yield Input(v["name"] + (" (copy)" if self.new else ""), id="name", compact=True)
            yield Label("Style")
            yield Input(v["style"], id="style", compact=True)
            yield Label("Length in words (CJK characters count one) · language (zh, en…)")
            with Horizontal():
                yield Input(str(v["length"]), id="length", type="integer", compact=True)
                yield Input(v["language"], id="language", compact=True)
            yield Label("Structure")
            yield TextArea(v["structure"], id="structure", soft_wrap=True)
            yield Label("Extra instructions")
            yield TextArea(v["extra_instructions"], id="extra_instructions", soft_wrap=True)
            yield Label("Template ({{topic}}, {{sources}}, {{call_to_action}} …; empty: default)")
            yield TextArea(v["template"], id="template", soft_wrap=True)
            with Horizontal():
                yield Button("Cancel", id="cancel")
                yield Button("Save", variant="primary", id="save")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "cancel":
            self.dismiss(None)
        else:
            self.action_save()

    def action_save(self) -> None:
        out = {k: self.query_one(f"#{k}", Input).value for k in ("name", "style", "language")}
        try:
            out["length"] = int(self.query_one("#length", Input).value)
        except ValueError:
            self.notify("The length is a number of words.", severity="error")
            return
        for k in ("structure", "extra_instructions", "template"):
            out[k] = self.query_one(f"#{k}", TextArea).text
        self.dismiss(out)

    def action_cancel(self) -> None:
        self.dismiss(None)


class PromptPreview(ModalScreen[None]):
    """Pick an article setting and read the final prompt it makes for the
    highlighted topic (built in a thread, shown literally)."""

    DEFAULT_CSS = """
    PromptPreview { align: center middle; }
    PromptPreview > Vertical {
        width: 90%; height: 90%; border: thick $primary 60%; background: $surface;
    }
    PromptPreview .dialog-title { text-style: bold; padding: 0 1; }
    PromptPreview TextArea { height: 1fr; }
    """
    BINDINGS = [
        Binding("escape", "close", "Close", id="preview.close"),
        Binding("ctrl+e", "edit(False)", "Edit setting", id="preview.edit"),
        Binding("ctrl+n", "edit(True)", "New from this", id="preview.new"),
    ]

    def __init__(self, settings: list, distillation_id: int | None, topic: str) -> None:
        super().__init__()
        self.settings = settings
        self.distillation_id = distillation_id
        self.topic = topic

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(
                Content("Prompt preview: pick a setting · ctrl+e edits it · ctrl+n copies it"),
                classes="dialog-title",
            )
            yield Select(
                [(Content(name), sid) for sid, name in self.settings],
                allow_blank=False,
                compact=True,
                id="setting",
            )
            yield TextArea("", read_only=True, soft_wrap=True, id="prompt")

    def on_mount(self) -> None:
        self._show_prompt(self.settings[0][0])
        self.query_one(Select).focus()

    @on(Select.Changed)
    def _changed(self, event: Select.Changed) -> None:
        if isinstance(event.value, int):
            self._show_prompt(event.value)

    def _show_prompt(self, setting_id: int) -> None:
        def show(text: str) -> None:
            self.query_one("#prompt", TextArea).text = text

        self.app.db_job(  # type: ignore[attr-defined]
            _preview, setting_id, self.distillation_id, self.topic, name="prompt preview", done=show
        )

    def action_edit(self, new: bool) -> None:
        setting_id = self.query_one(Select).value
        if not isinstance(setting_id, int):
            return
        app = self.app

        def saved(saved_id: int) -> None:
            self.notify("Setting saved.")
            names = dict(self.settings)
            if saved_id not in names:
                self.settings.append((saved_id, "(new)"))
            self._show_prompt(saved_id)

        def edited(values: dict | None) -> None:
            if values is not None:
                app.db_job(  # type: ignore[attr-defined]
                    _save_setting,
                    None if new else setting_id,
                    values,
                    name="save setting",
                    done=saved,
                )

        app.db_job(  # type: ignore[attr-defined]
            _load_setting,
            setting_id,
            name="load setting",
            done=lambda values: app.push_screen(SettingEditor(values, new=new), edited),
        )

    def action_close(self) -> None:
        self.dismiss(None)


class GenerateArea(AreaPane):
    area_id = "generate"
    DEFAULT_CSS = """
    GenerateArea > Horizontal { height: 1fr; }
    GenerateArea #dist-side { width: 1fr; }
    GenerateArea #topic-side { width: 2fr; border-left: solid $panel; }
    GenerateArea #gen-hint { height: 1; padding: 0 1; color: $text-muted; }
    """
    BINDINGS = [
        Binding("k", "distill", "Distil keyword", id="generate.distill"),
        Binding("a", "add_topic", "Add topic", id="generate.add_topic"),
        Binding("e", "edit_topic", "Edit topic", id="generate.edit_topic"),
        Binding("x", "delete", "Delete", id="generate.delete"),
        Binding("K,ctrl+up", "move(-1)", "Move up", id="generate.move_up"),
        Binding("J,ctrl+down", "move(1)", "Move down", id="generate.move_down"),
        Binding("v", "preview", "Prompt preview", id="generate.preview"),
        Binding("g", "add_target", "Add target", id="generate.add_target"),
        Binding("t", "create_task", "Create task", id="generate.create_task"),
        Binding("left", "focus_dist", "Keywords", show=False, id="generate.focus_dist"),
        Binding("right", "focus_topics", "Topics", show=False, id="generate.focus_topics"),
    ]

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.distillation_id: int | None = None
        self.keyword = ""

    def compose(self) -> ComposeResult:
        yield Static(
            "k distils a keyword · t creates a task · v previews the prompt", id="gen-hint"
        )
        with Horizontal():
            with Vertical(id="dist-side"):
                yield ListPane(
                    DistillationSource(),
                    empty_text="No keywords yet: press k to distil one.",
                    filter_placeholder="/ filter keywords",
                    id="dists",
                )
            with Vertical(id="topic-side"):
                yield ListPane(
                    TopicSource(None),
                    empty_text="No topics: press a to add one.",
                    filter_placeholder="/ filter topics",
                    id="topics",
                )

    @property
    def dists(self) -> ListPane:
        return self.query_one("#dists", ListPane)

    @property
    def topics(self) -> ListPane:
        return self.query_one("#topics", ListPane)

    def focus_default(self) -> None:
        self.dists.focus_list()

    def on_area_shown(self) -> None:
        if self.dists.vlist.loaded:
            self.dists.reload()
        self._sync()

    def data_changed(self, kind: str) -> None:
        if kind in ("distillation", "topic"):
            self.dists.reload()
            self.topics.reload()

    def on_mount(self) -> None:
        # the first Highlighted may come before this pane listens: read the row
        self.call_after_refresh(self._sync)

    def _sync(self) -> None:
        from textual.css.query import NoMatches

        with contextlib.suppress(NoMatches):
            self._show_distillation(self.dists.vlist.current_row)

    @on(VirtualList.Highlighted, "#dists VirtualList")
    def _dist_highlighted(self, event: VirtualList.Highlighted) -> None:
        event.stop()
        self._show_distillation(event.row)

    def _show_distillation(self, row) -> None:
        did = row[0] if row else None
        self.keyword = row[1] if row else ""
        if did != self.distillation_id:
            self.distillation_id = did
            self.topics.set_source(TopicSource(did))

    @on(VirtualList.Selected, "#dists VirtualList")
    def _dist_selected(self, event: VirtualList.Selected) -> None:
        event.stop()
        self.topics.focus_list()

    def _topics_focused(self) -> bool:
        focused = self.app.focused
        return focused is not None and self.topics in focused.ancestors_with_self

    def _changed(self, kind: str = "topic"):
        return lambda _r: self.post_message(DataChanged(kind))

    # --- actions ------------------------------------------------------------------------

    def action_focus_dist(self) -> None:
        self.dists.focus_list()

    def action_focus_topics(self) -> None:
        self.topics.focus_list()

    def action_distill(self) -> None:
        from inkbench.tui.screens.dialogs import AskText

        def answered(keyword: str | None) -> None:
            if keyword and keyword.strip():
                self._distill(keyword.strip())

        self.app.push_screen(AskText("Distil a keyword into reader questions", "热泵"), answered)

    @work(thread=True, exit_on_error=False, group="distill", name="distil keyword")
    def _distill(self, keyword: str) -> None:
        from inkbench.integrations.ai.factory import get_provider
        from inkbench.integrations.generation.distill import distill

        store = self.ink.store
        label = f"Distilling {keyword}"
        self.app.post_message(JobProgress("distill", label, 0, None))
        provider = None
        try:
            provider = get_provider(store.home)
            result = distill(store.database(), provider, keyword)
        except Exception:
            self.app.post_message(JobFinished("distill", label, ok=False))  # the error: one notice
            raise
        finally:
            if provider is not None:
                provider.close()
        self.app.post_message(
            JobFinished("distill", label, message=f"{len(result.topics)} topics for {keyword}")
        )
        self.post_message(DataChanged("distillation"))

    def action_add_topic(self) -> None:
        from inkbench.tui.screens.dialogs import AskText

        if self.distillation_id is None:
            self.notify("Distil a keyword first (k).")
            return
        did = self.distillation_id

        def answered(text: str | None) -> None:
            if text and text.strip():
                self.ink.db_job(
                    _write, "add_topic", did, text, name="add topic", done=self._changed()
                )

        self.app.push_screen(AskText("New topic (a reader's question)"), answered)

    def action_edit_topic(self) -> None:
        from inkbench.tui.screens.dialogs import AskText

        row = self.topics.vlist.current_row
        if row is None:
            return

        def answered(text: str | None) -> None:
            if text and text.strip():
                self.ink.db_job(
                    _write, "edit_topic", row[0], text, name="edit topic", done=self._changed()
                )

        self.app.push_screen(AskText("Edit topic", value=row[2]), answered)

    def action_delete(self) -> None:
        from inkbench.tui.screens.dialogs import Confirm

        if self._topics_focused():
            row = self.topics.vlist.current_row
            if row is not None:
                self.ink.db_job(
                    _write, "delete_topic", row[0], name="delete topic", done=self._changed()
                )
            return
        row = self.dists.vlist.current_row
        if row is None:
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.ink.db_job(
                    _write,
                    "delete_distillation",
                    row[0],
                    name="delete keyword",
                    done=self._changed("distillation"),
                )

        self.app.push_screen(
            Confirm(f"Delete “{row[1]}” and its {row[2]} topics?", yes="Delete"), answered
        )

    def action_move(self, delta: int) -> None:
        row = self.topics.vlist.current_row
        if row is None or not self._topics_focused():
            return
        vlist = self.topics.vlist

        def moved(_r) -> None:
            self.topics.reload()
            vlist.move_to(max(0, vlist.cursor + delta))

        self.ink.db_job(_write, "move_topic", row[0], delta, name="move topic", done=moved)

    def action_preview(self) -> None:
        topic_row = self.topics.vlist.current_row
        topic = topic_row[2] if topic_row else ""
        did = self.distillation_id

        def got(choices: dict) -> None:
            if choices["settings"]:
                self.app.push_screen(PromptPreview(choices["settings"], did, topic))

        self.ink.db_job(_task_choices, name="settings", done=got)

    def action_add_target(self) -> None:
        from inkbench.tui.screens.dialogs import AskText

        def answered(text: str | None) -> None:
            if not text or not text.strip():
                return
            parts = [p.strip() for p in text.split("|")] + ["", "", ""]
            self.ink.db_job(
                _write,
                "create_target",
                parts[0],
                pitch=parts[1],
                site=parts[2],
                contact=parts[3],
                name="add target",
                done=lambda _r: self.notify(f"Target added: {parts[0]}", markup=False),
            )

        self.app.push_screen(
            AskText(
                "New conversion target: name | pitch | site | contact",
                "WarmCo | installs heat pumps | warm.example | 400-000",
            ),
            answered,
        )

    def action_create_task(self) -> None:
        if self.distillation_id is None:
            self.notify("Pick or distil a keyword first.")
            return
        did, keyword = self.distillation_id, self.keyword
        row = self.dists.vlist.current_row
        n_topics = row[2] if row else 0

        def created(task_id: int) -> None:
            self.notify(f"Task {task_id} queued: open Tasks (6) and press g to run it.")
            self.post_message(DataChanged("generation_task"))

        def answered(values: dict | None) -> None:
            if values:
                values["distillation_id"] = did
                self.ink.db_job(_create_task, values, name="create task", done=created)

        def got(choices: dict) -> None:
            self.app.push_screen(TaskDialog(keyword, n_topics, choices), answered)

        self.ink.db_job(_task_choices, name="task options", done=got)
