"""Pick one of a few labelled choices (a message to edit, …)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from inkbench.i18n import N_
from inkbench.tui.dialogs.base import FormDialog


class PickOne(FormDialog[str | None]):
    """A list of (id, label) choices; dismisses with the chosen id, or None.
    Labels may be user text: they are shown literally."""

    DEFAULT_CSS = """
    PickOne OptionList { height: auto; max-height: 16; border: none; }
    """
    BINDINGS = [Binding("escape", "cancel", N_("Cancel"), id="dialog.cancel")]

    def __init__(self, title: str, choices: list[tuple[str, str]]) -> None:
        super().__init__()
        self.prompt_title = title
        self.choices = choices

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Content(self.prompt_title), classes="dialog-title")
            yield OptionList(*(Option(Content(text), id=key) for key, text in self.choices))

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)
