"""Small modal dialogs: ask for a line of text, confirm an action, show text."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static, TextArea

DIALOG_CSS = """
    align: center middle;
    & > Vertical {
        width: 70; height: auto; max-height: 90%;
        border: thick $primary 60%; background: $surface; padding: 1 2;
    }
    & .dialog-title { text-style: bold; margin-bottom: 1; }
    & Horizontal { height: auto; align-horizontal: right; margin-top: 1; }
    & Button { margin-left: 1; }
"""


class AskText(ModalScreen[str | None]):
    """A prompt for one line of text; dismisses with the text or None."""

    DEFAULT_CSS = "AskText {" + DIALOG_CSS + "}"
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="dialog.cancel")]

    def __init__(self, title: str, placeholder: str = "", value: str = "") -> None:
        super().__init__()
        self.prompt_title = title
        self.placeholder = placeholder
        self.value = value

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Content(self.prompt_title), classes="dialog-title")
            yield Input(value=self.value, placeholder=self.placeholder, id="answer")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)


class Confirm(ModalScreen[bool]):
    """Yes/no. The question may contain user text: it is shown literally."""

    DEFAULT_CSS = "Confirm {" + DIALOG_CSS + "}"
    BINDINGS = [
        Binding("y", "answer(True)", "Yes", id="dialog.yes"),
        Binding("n,escape", "answer(False)", "No", id="dialog.no"),
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
                yield Button(Content("No (n)"), id="no")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)


class ShowText(ModalScreen[None]):
    """Read-only text (a knowledge chunk, OCR text) with its title."""

    DEFAULT_CSS = """
    ShowText { align: center middle; }
    ShowText > Vertical {
        width: 90%; height: 85%; border: thick $primary 60%; background: $surface;
    }
    ShowText .dialog-title { text-style: bold; padding: 0 1; }
    ShowText TextArea { height: 1fr; }
    """
    BINDINGS = [Binding("escape,q", "close", "Close", id="text.close")]

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
