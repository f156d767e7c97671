"""Read the prompt an article setting makes for a topic."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Select, Static, TextArea

from inkbench.i18n import N_, _
from inkbench.tui import actions
from inkbench.tui.dialogs.base import PageDialog
from inkbench.tui.dialogs.setting_editor import SettingEditor


class PromptPreview(PageDialog[None]):
    """Pick an article setting and read the final prompt it makes for the
    highlighted topic (built in a thread, shown literally)."""

    HELP_SECTION = N_("Prompt preview")

    DEFAULT_CSS = """
    PromptPreview > Vertical { height: 90%; }
    """
    BINDINGS = [
        Binding("escape", "close", N_("Close"), id="preview.close"),
        Binding("ctrl+e", "edit(False)", N_("Edit setting"), id="preview.edit"),
        Binding("ctrl+n", "edit(True)", N_("New from this"), id="preview.new"),
    ]

    def __init__(self, settings: list, distillation_id: int | None, topic: str) -> None:
        super().__init__()
        self.settings = settings
        self.distillation_id = distillation_id
        self.topic = topic

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(
                Content(_("Prompt preview: pick a setting · ctrl+e edits it · ctrl+n copies it")),
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
            actions.preview_prompt,
            setting_id,
            self.distillation_id,
            self.topic,
            name=_("prompt preview"),
            done=show,
        )

    def action_edit(self, new: bool) -> None:
        setting_id = self.query_one(Select).value
        if not isinstance(setting_id, int):
            return
        app = self.app

        def saved(saved_id: int) -> None:
            self.notify(_("Setting saved."))
            names = dict(self.settings)
            if saved_id not in names:
                self.settings.append((saved_id, "(new)"))
            self._show_prompt(saved_id)

        def edit(values: dict) -> None:
            app.push_screen(SettingEditor(values, new=new), edited)

        def edited(values: dict | None) -> None:
            if values is not None:  # a refused save reopens the editor with what was typed
                app.db_job(  # type: ignore[attr-defined]
                    actions.save_setting,
                    None if new else setting_id,
                    values,
                    name=_("save setting"),
                    done=saved,
                    failed=lambda _error: edit(values),
                )

        def loaded(values: dict) -> None:
            if new:  # a new setting starts as a copy of the chosen one
                values = {**values, "name": _("{name} (copy)").format(name=values["name"])}
            edit(values)

        app.db_job(  # type: ignore[attr-defined]
            actions.load_setting,
            setting_id,
            name=_("load setting"),
            done=loaded,
        )

    def action_close(self) -> None:
        self.dismiss(None)
