"""Choose the publishing account an article goes to (and draft or not)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Button, Checkbox, OptionList, Static
from textual.widgets.option_list import Option

from inkbench.i18n import N_, _
from inkbench.tui.dialogs.base import FormDialog


class ChooseAccount(FormDialog[tuple[str, bool] | None]):
    """Pick one account from ``accounts`` ((name, kind, paused) tuples);
    the result is (name, draft) or None."""

    DEFAULT_CSS = """
    ChooseAccount OptionList { height: auto; max-height: 12; }
    """
    BINDINGS = [Binding("escape", "close", N_("Close"), id="dialog.close")]

    def __init__(self, title: str, accounts: list[tuple[str, str, bool]]) -> None:
        super().__init__()
        self.title_text = title
        self.accounts = accounts

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Content(self.title_text), classes="dialog-title")
            options = []
            for name, kind, paused in self.accounts:
                state = _(" · paused") if paused else ""
                options.append(Option(Content(f"{name}  ({kind}{state})"), id=name))
            yield OptionList(*options, id="accounts")
            yield Checkbox(_("As a draft"), id="draft")
            with Horizontal():
                yield Button(Content(_("Publish")), variant="primary", id="ok")
                yield Button(Content(_("Close")), id="close")

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    def _chosen(self) -> tuple[str, bool] | None:
        options = self.query_one(OptionList)
        if options.highlighted is None:
            return None
        name = options.get_option_at_index(options.highlighted).id
        return (str(name), self.query_one("#draft", Checkbox).value)

    def on_option_list_option_selected(self, _event: OptionList.OptionSelected) -> None:
        self.dismiss(self._chosen())

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(self._chosen() if event.button.id == "ok" else None)

    def action_close(self) -> None:
        self.dismiss(None)
