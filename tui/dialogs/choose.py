"""Pick one of a few choices from a list (Enter), or cancel (Escape).

``Choose`` is the one list dialog; a dialog that needs more than the chosen
value (``ChooseAccount``: a draft checkbox and buttons) subclasses it and
overrides the hooks ``compose_extra`` and ``result``, never the handlers:
Textual calls a message handler on every class of the MRO that defines it,
so a subclass's own ``on_option_list_option_selected`` would run after the
base's and dismiss the dialog a second time (a ``ScreenStackError``).
"""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from inkbench.i18n import N_
from inkbench.tui.dialogs.base import FormDialog, ResultT


class Choose(FormDialog[ResultT]):
    """A title and a list of ``(value, label)`` choices; dismisses with the
    chosen value (``result``), or None. Labels may hold user text: shown
    literally."""

    DEFAULT_CSS = """
    Choose OptionList { height: auto; max-height: 12; }
    """
    BINDINGS = [Binding("escape", "cancel", N_("Cancel"), id="dialog.cancel")]

    def __init__(self, title: str, choices: list[tuple[str, str]], current: str = "") -> None:
        super().__init__()
        self.title_text = title
        self.choices = choices
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Content(self.title_text), classes="dialog-title")
            yield OptionList(*[Option(Content(label), id=value) for value, label in self.choices])
            yield from self.compose_extra()

    def compose_extra(self) -> ComposeResult:
        """Widgets under the list (none here)."""
        yield from ()

    def result(self, value: str) -> Any:
        """What the dialog dismisses with when ``value`` is chosen."""
        return value

    def chosen_value(self) -> str | None:
        """The value of the highlighted choice, if any."""
        options = self.query_one(OptionList)
        if options.highlighted is None:
            return None
        return options.get_option_at_index(options.highlighted).id

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        values = [value for value, _label in self.choices]
        if self.current in values:
            options.highlighted = values.index(self.current)
        options.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(self.result(str(event.option.id)))

    def action_cancel(self) -> None:
        self.dismiss(None)
