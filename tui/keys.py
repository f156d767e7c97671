"""Every binding in the app, by section: the help screen lists them, the
keymap check knows their ids, the palette offers them."""

from __future__ import annotations

from collections.abc import Iterator

from textual.binding import Binding


def binding_owners() -> list[tuple[str, type]]:
    from inkbench.tui.app import InkbenchApp
    from inkbench.tui.areas import AREAS
    from inkbench.tui.screens.dialogs import AskText, Confirm, ShowText
    from inkbench.tui.screens.editor import EditorScreen
    from inkbench.tui.screens.help import HelpScreen
    from inkbench.tui.screens.revisions import RevisionsScreen
    from inkbench.tui.screens.search import SearchScreen
    from inkbench.tui.widgets.list_pane import ListPane
    from inkbench.tui.widgets.virtual_list import VirtualList

    owners: list[tuple[str, type]] = [("Everywhere", InkbenchApp)]
    owners += [(a.title, a.load()) for a in AREAS]
    owners += [
        ("Lists", ListPane),
        ("Lists", VirtualList),
        ("Editor", EditorScreen),
        ("History", RevisionsScreen),
        ("Search", SearchScreen),
        ("Dialogs", AskText),
        ("Dialogs", Confirm),
        ("Dialogs", ShowText),
        ("Help", HelpScreen),
    ]
    return owners


def declared(cls: type) -> list[Binding]:
    """Bindings a class declares itself (not inherited ones)."""
    out = []
    for item in cls.__dict__.get("BINDINGS", []):
        if isinstance(item, Binding) and item.id:
            out.append(item)
    return out


def all_bindings() -> Iterator[tuple[str, type, Binding]]:
    for section, cls in binding_owners():
        for binding in declared(cls):
            yield section, cls, binding


def all_ids() -> set[str]:
    return {b.id for _s, _c, b in all_bindings() if b.id}
