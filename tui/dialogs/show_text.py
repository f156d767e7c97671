"""Read-only text with its title."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Static, TextArea

from inkbench.i18n import N_
from inkbench.tui.dialogs.base import PageDialog


class ShowText(PageDialog[None]):
    """Read-only text (a knowledge chunk, OCR text) with its title."""

    BINDINGS = [Binding("escape,q", "close", N_("Close"), id="text.close")]

    def __init__(self, title: str, text: str, line: int = 0) -> None:
        super().__init__()
        self.text_title = title
        self.text = text
        self.line = line

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Content(self.text_title), classes="dialog-title")
            yield TextArea(self.text, read_only=True, soft_wrap=True, id="text")

    def on_mount(self) -> None:
        area = self.query_one(TextArea)
        area.focus()
        area.move_cursor((self.line, 0), center=True)

    def action_close(self) -> None:
        self.dismiss(None)
