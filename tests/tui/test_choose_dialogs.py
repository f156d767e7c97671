"""``Choose`` and its subclass ``ChooseAccount``: each choice dismisses the
dialog exactly once, with the right result. A subclass that defined its own
``on_option_list_option_selected`` would be called after the base's (Textual
dispatches a handler on every class of the MRO) and dismiss a second time: a
ScreenStackError on Enter."""

from __future__ import annotations

from textual.app import App
from textual.widgets import Checkbox, OptionList

from inkbench.tui.dialogs.choose import Choose
from inkbench.tui.dialogs.choose_account import ChooseAccount

ACCOUNTS = [("my-site", "folder", False), ("[b]blog[/b]", "wordpress", True)]


class Host(App):
    """A bare app that shows a dialog and keeps every result it dismissed with."""

    def __init__(self) -> None:
        super().__init__()
        self.results: list[object] = []

    def show(self, dialog) -> None:
        self.push_screen(dialog, self.results.append)


async def _shown(pilot, app: Host, dialog) -> None:
    app.show(dialog)
    await pilot.pause()
    assert app.screen is dialog


async def test_enter_on_an_account_dismisses_once_with_it_and_the_draft_flag() -> None:
    app = Host()
    async with app.run_test(size=(100, 30)) as pilot:
        dialog = ChooseAccount("Publish to", ACCOUNTS)
        await _shown(pilot, app, dialog)
        text = " ".join(str(o.prompt) for o in dialog.query_one(OptionList).options)
        assert "[b]blog[/b]  (WordPress · paused)" in text  # user text, literally
        await pilot.press("down", "enter")
        await pilot.pause()
        assert app.results == [("[b]blog[/b]", False)]
        assert app.screen is not dialog and len(app.screen_stack) == 1

        dialog = ChooseAccount("Publish to", ACCOUNTS)
        await _shown(pilot, app, dialog)
        dialog.query_one(Checkbox).value = True
        dialog.query_one(OptionList).focus()
        await pilot.press("enter")
        await pilot.pause()
        assert app.results[1:] == [("my-site", True)]
        assert len(app.screen_stack) == 1


async def test_the_buttons_and_escape_of_the_account_dialog() -> None:
    app = Host()
    async with app.run_test(size=(100, 30)) as pilot:
        dialog = ChooseAccount("Publish to", ACCOUNTS)
        await _shown(pilot, app, dialog)
        await pilot.press("down")
        await pilot.click("#ok")
        await pilot.pause()
        assert app.results == [("[b]blog[/b]", False)]

        for way in ("#close", "escape"):
            dialog = ChooseAccount("Publish to", ACCOUNTS)
            await _shown(pilot, app, dialog)
            if way == "escape":
                await pilot.press("escape")
            else:
                await pilot.click(way)
            await pilot.pause()
        assert app.results[1:] == [None, None]
        assert len(app.screen_stack) == 1


async def test_choose_dismisses_once_with_the_value_or_none() -> None:
    app = Host()
    async with app.run_test(size=(100, 30)) as pilot:
        choices = [("a", "[i]first[/i]"), ("b", "second")]
        dialog = Choose("Pick", choices, current="b")
        await _shown(pilot, app, dialog)
        assert dialog.query_one(OptionList).highlighted == 1  # the current one
        await pilot.press("enter")
        await pilot.pause()
        await _shown(pilot, app, Choose("Pick", choices))
        await pilot.press("escape")
        await pilot.pause()
        assert app.results == ["b", None]
        assert len(app.screen_stack) == 1
