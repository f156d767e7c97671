"""Choose the publishing account an article goes to (and draft or not)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.widgets import Button, Checkbox

from inkbench.i18n import _
from inkbench.storage.vocab import account_kind_name
from inkbench.tui.dialogs.choose import Choose


class ChooseAccount(Choose[tuple[str, bool] | None]):
    """Pick one account from ``accounts`` ((name, kind, paused) tuples);
    the result is (name, draft) or None. Enter on an account or the Publish
    button publishes; Escape or Close cancels."""

    def __init__(self, title: str, accounts: list[tuple[str, str, bool]]) -> None:
        paused_note = _(" · paused")
        choices = [
            (
                name,
                _("{name}  ({kind})").format(
                    name=name, kind=account_kind_name(kind) + (paused_note if paused else "")
                ),
            )
            for name, kind, paused in accounts
        ]
        super().__init__(title, choices)

    def compose_extra(self) -> ComposeResult:
        yield Checkbox(_("As a draft"), id="draft")
        with Horizontal():
            yield Button(Content(_("Publish")), variant="primary", id="ok")
            yield Button(Content(_("Close")), id="close")

    def result(self, value: str) -> tuple[str, bool]:
        return (value, self.query_one("#draft", Checkbox).value)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        value = self.chosen_value() if event.button.id == "ok" else None
        self.dismiss(None if value is None else self.result(value))
