"""Choose the publishing accounts articles go to (and draft or not).

Enter (or the Publish button) publishes to the ticked accounts, or to the
highlighted one when none is ticked; space ticks and unticks the highlighted
account, so one keystroke still publishes to one account."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.content import Content
from textual.widgets import Button, Checkbox, OptionList, Static

from inkbench.i18n import N_, _
from inkbench.storage.vocab import account_kind_name
from inkbench.tui.dialogs.choose import Choose

TICKED, UNTICKED = "☑", "☐"


class ChooseAccount(Choose[tuple[list[str], bool] | None]):
    """Pick accounts from ``accounts`` ((name, kind, paused) tuples); the
    result is (names, draft) or None. Escape or Close cancels."""

    BINDINGS = [Binding("space", "tick", N_("Tick"), id="dialog.tick")]

    def __init__(self, title: str, accounts: list[tuple[str, str, bool]]) -> None:
        paused_note = _(" · paused")
        self.labels = {
            name: _("{name}  ({kind})").format(
                name=name, kind=account_kind_name(kind) + (paused_note if paused else "")
            )
            for name, kind, paused in accounts
        }
        self.ticked: list[str] = []
        super().__init__(title, [(name, self._label(name)) for name in self.labels])

    def _label(self, name: str) -> str:
        if len(self.labels) < 2:
            return self.labels[name]
        return f"{TICKED if name in self.ticked else UNTICKED} {self.labels[name]}"

    def compose_extra(self) -> ComposeResult:
        if len(self.labels) > 1:
            yield Static(
                Content(_("space ticks several accounts · Enter publishes")),
                classes="hint",
            )
        yield Checkbox(_("As a draft"), id="draft")
        with Horizontal():
            yield Button(Content(_("Publish")), variant="primary", id="ok")
            yield Button(Content(_("Close")), id="close")

    def action_tick(self) -> None:
        """Tick or untick the highlighted account."""
        options = self.query_one(OptionList)
        name = self.chosen_value()
        if name is None or len(self.labels) < 2:
            return
        if name in self.ticked:
            self.ticked.remove(name)
        else:
            self.ticked.append(name)
        options.replace_option_prompt_at_index(options.highlighted, Content(self._label(name)))

    def result(self, value: str) -> tuple[list[str], bool]:
        names = [n for n in self.labels if n in self.ticked] or [value]
        return (names, self.query_one("#draft", Checkbox).value)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        value = self.chosen_value() if event.button.id == "ok" else None
        self.dismiss(None if value is None else self.result(value))
