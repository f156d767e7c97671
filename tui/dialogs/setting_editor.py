"""Edit an article setting (the Generate area's prompt preview opens it)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Button, Input, Label, Static, TextArea

from inkbench.i18n import N_, _
from inkbench.tui.dialogs.base import PageDialog


class SettingEditor(PageDialog[dict | None]):
    """Edit an article setting's fields (or a new one, from a copy)."""

    HELP_SECTION = N_("Article setting")

    DEFAULT_CSS = """
    SettingEditor > Vertical { height: 95%; padding: 0 1; }
    SettingEditor .dialog-title { padding: 0; }
    SettingEditor Label { color: $text-muted; }
    SettingEditor TextArea { min-height: 3; }
    SettingEditor #template { height: 2fr; }
    SettingEditor Horizontal { height: auto; align-horizontal: right; }
    """
    BINDINGS = [
        Binding("escape", "cancel", N_("Cancel"), id="setting.cancel"),
        Binding("ctrl+s", "save", N_("Save"), id="setting.save"),
    ]

    def __init__(self, values: dict, *, new: bool) -> None:
        super().__init__()
        self.values = values
        self.new = new

    def compose(self) -> ComposeResult:
        v = self.values
        if self.new:
            title = _("New article setting")
        else:
            title = _("Edit setting “{name}”").format(name=v["name"])
        with Vertical():
            yield Static(Content(title + _(" · ctrl+s saves")), classes="dialog-title")
            yield Label(_("Name"))
            yield Input(v["name"], id="name", compact=True)
            yield Label(_("Style"))
            yield Input(v["style"], id="style", compact=True)
            yield Label(_("Length in words (CJK characters count one) · language (zh, en…)"))
            with Horizontal():
                yield Input(str(v["length"]), id="length", type="integer", compact=True)
                yield Input(v["language"], id="language", compact=True)
            yield Label(_("Structure"))
            yield TextArea(v["structure"], id="structure", soft_wrap=True)
            yield Label(_("Extra instructions"))
            yield TextArea(v["extra_instructions"], id="extra_instructions", soft_wrap=True)
            yield Label(
                _("Template ({{topic}}, {{sources}}, {{call_to_action}} …; empty: default)")
            )
            yield TextArea(v["template"], id="template", soft_wrap=True)
            with Horizontal():
                yield Button(_("Cancel"), id="cancel")
                yield Button(_("Save"), variant="primary", id="save")

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
            self.notify(_("The length is a number of words."), severity="error")
            return
        for k in ("structure", "extra_instructions", "template"):
            out[k] = self.query_one(f"#{k}", TextArea).text
        self.dismiss(out)

    def action_cancel(self) -> None:
        self.dismiss(None)
