"""Yes or no."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Button, Static

from inkbench.i18n import N_, _
from inkbench.tui.dialogs.base import FormDialog


class Confirm(FormDialog[bool]):
    """Yes/no. The question may contain user text: it is shown literally."""

    BINDINGS = [
        Binding("y", "answer(True)", N_("Yes"), id="dialog.yes"),
        Binding("n,escape", "answer(False)", N_("No"), id="dialog.no"),
    ]

    def __init__(self, question: str, yes: str = "Yes") -> None:
        super().__init__()
        self.question = question
        self.yes = yes

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Content(self.question), classes="dialog-title")
            with Horizontal():
                yield Button(Content(f"{self.yes} (y)"), variant="error", id="yes")
                yield Button(Content(_("No (n)")), id="no")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)
