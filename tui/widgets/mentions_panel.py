"""The chapter editor's side panel: who and what this chapter names, with
counts, most named first. It is filled from the stored mentions (found in the
save's own transaction, off the UI thread) after each save, never on a
keystroke, so typing costs the same with the panel open. A save that leaves
the list as shown (most saves: the same names, the same counts) changes
nothing on screen, so the panel is not rebuilt while the writer types. Enter
on a line opens that entry's page."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from inkbench.i18n import N_, _


class MentionsPanel(Vertical):
    """Named entries of one chapter."""

    HELP_SECTION = N_("Editor")
    DEFAULT_CSS = """
    MentionsPanel { width: 30; border-left: solid $panel; }
    MentionsPanel > #mentions-head { height: 1; color: $text-muted; padding: 0 1; }
    MentionsPanel > OptionList { height: 1fr; border: none; }
    """

    class Open(Message):
        """Open the page of a character or world entry."""

        def __init__(self, kind: str, entry_id: int) -> None:
            super().__init__()
            self.kind = kind
            self.entry_id = entry_id

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.named: list = []
        self.generation = 0  # bumped by every show(): tests wait on it
        self._shown: list[tuple] | None = None  # what the lines say

    def compose(self) -> ComposeResult:
        yield Static(Content(_("In this chapter")), id="mentions-head")
        yield OptionList(id="mentions")

    def show(self, named: list) -> None:
        """Show ``named`` (``storage.bible.Named`` rows, most named first)."""
        self.named = named
        shown = [(n.kind, n.id, n.name, n.count) for n in named]
        if shown == self._shown:
            self.generation += 1
            return
        self._shown = shown
        box = self.query_one("#mentions", OptionList)
        highlighted = box.highlighted
        box.clear_options()
        options = []
        for n in named:
            mark = "◆" if n.kind == "character" else "◇"
            options.append(
                Option(
                    Content.assemble(f"{mark} ", n.name, (f"  {n.count}", "$text-muted")),
                    id=f"{n.kind}:{n.id}",
                )
            )
        box.add_options(options)
        if options:
            box.highlighted = min(highlighted or 0, len(options) - 1)
        head = _("In this chapter: {n}").format(n=len(named)) if named else _("No names found yet")
        self.query_one("#mentions-head", Static).update(Content(head))
        self.generation += 1

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        kind, _sep, entry_id = (event.option.id or "").partition(":")
        if entry_id.isdigit():
            self.post_message(self.Open(kind, int(entry_id)))
