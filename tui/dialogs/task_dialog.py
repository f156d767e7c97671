"""The new-task form of the Generate area."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Button, Input, Label, Select, Static

from inkbench.i18n import N_, _, pgettext
from inkbench.tui.dialogs.base import FormDialog


class TaskDialog(FormDialog[dict | None]):
    """Setting, count, optional knowledge base, album, target, and model."""

    HELP_SECTION = N_("New task")

    DEFAULT_CSS = """
    TaskDialog Label { color: $text-muted; }
    TaskDialog Input { width: 1fr; }
    """
    BINDINGS = [
        Binding("escape", "cancel", N_("Cancel"), id="dialog.cancel"),
        Binding("ctrl+s", "create", N_("Create"), id="dialog.create"),
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
                Content(
                    _("New task from “{keyword}” ({topics} topics)").format(
                        keyword=self.keyword, topics=self.topics
                    )
                ),
                classes="dialog-title",
            )
            yield Label(_("Article setting"))
            yield Select(
                self._options(c["settings"]), allow_blank=False, id="setting", compact=True
            )
            yield Label(_("How many articles"))
            yield Input(value=str(max(1, self.topics)), id="count", type="integer", compact=True)
            yield Label(_("Knowledge base (optional)"))
            yield Select(
                self._options(c["kbs"]), prompt=pgettext("choice", "none"), id="kb", compact=True
            )
            yield Label(_("Album for illustrations (optional)"))
            yield Select(
                self._options(c["albums"]),
                prompt=pgettext("choice", "none"),
                id="album",
                compact=True,
            )
            yield Label(_("Conversion target (optional)"))
            yield Select(
                self._options(c["targets"]),
                prompt=pgettext("choice", "none"),
                id="target",
                compact=True,
            )
            yield Label(_("Model (empty: the configured one)"))
            yield Input(id="model", compact=True)
            with Horizontal():
                yield Button(_("Cancel"), id="cancel")
                yield Button(_("Create"), variant="primary", id="create")

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
            self.notify(_("The article count must be at least 1."), severity="error")
            return
        setting = self._value("setting")
        if setting is None:
            self.notify(_("Pick an article setting."), severity="error")
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
