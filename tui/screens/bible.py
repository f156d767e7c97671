"""A work's story bible (``b`` in the Works area): its characters (role,
appearances), world entries as a tree, and tags, each a list with the
highlighted entry described beside it. Enter opens an entry's own screen
(``tui/screens/entry.py``), with every place the text names it."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Static, TabbedContent, TabPane

from inkbench.i18n import N_, _
from inkbench.storage.bible_lists import CharacterSource, TagSource, WorldEntrySource
from inkbench.tui import bible_actions
from inkbench.tui.bible_forms import ask_and_save, edit_entry, tag_fields
from inkbench.tui.screens.entry import describe
from inkbench.tui.widgets.footer import Footer
from inkbench.tui.widgets.list_pane import ListPane
from inkbench.tui.widgets.virtual_list import VirtualList

TABS = ("characters", "world", "tags")
KIND_OF_TAB = {"characters": "character", "world": "world_entry"}


class BibleScreen(Screen):
    """The story bible of one work."""

    HELP_SECTION = N_("Story bible")
    DEFAULT_CSS = """
    BibleScreen > #bible-head { height: 1; background: $panel; padding: 0 1; text-style: bold; }
    BibleScreen > Horizontal { height: 1fr; }
    BibleScreen TabbedContent { width: 3fr; height: 1fr; }
    BibleScreen TabPane { padding: 0; height: 1fr; }
    BibleScreen #bible-detail { width: 2fr; border-left: solid $panel; padding: 0 1; }
    """
    BINDINGS = [
        Binding("escape", "close", N_("Back"), id="bible.close"),
        Binding("c", "tab('characters')", N_("Characters"), id="bible.characters"),
        Binding("w", "tab('world')", N_("World"), id="bible.world"),
        Binding("t", "tab('tags')", N_("Tags"), id="bible.tags"),
        Binding("n", "new", N_("New"), id="bible.new"),
        Binding("e", "edit", N_("Edit"), id="bible.edit"),
        Binding("m", "move", N_("Move in tree"), id="bible.move"),
        Binding("d,delete", "trash", N_("Trash"), id="bible.trash"),
    ]

    def __init__(self, work_id: int, work_title: str, tab: str = "characters") -> None:
        super().__init__()
        self.work_id = work_id
        self.work_title = work_title
        self.first_tab = tab

    def compose(self) -> ComposeResult:
        yield Static(
            Content(_("Story bible of {title}").format(title=self.work_title)), id="bible-head"
        )
        with Horizontal():
            with TabbedContent(initial=self.first_tab):
                with TabPane(_("Characters"), id="characters"):
                    yield ListPane(
                        CharacterSource(self.work_id),
                        empty_text=_("No characters yet: n adds one."),
                        filter_placeholder=_("/ filter by name"),
                        id="characters-list",
                    )
                with TabPane(_("World"), id="world"):
                    yield ListPane(
                        WorldEntrySource(self.work_id),
                        empty_text=_("No world entries yet: n adds one."),
                        id="world-list",
                    )
                with TabPane(_("Tags"), id="tags"):
                    yield ListPane(
                        TagSource(self.work_id),
                        empty_text=_("No tags yet: n adds one."),
                        filter_placeholder=_("/ filter by name"),
                        id="tags-list",
                    )
            with VerticalScroll(id="bible-detail"):
                yield Static(id="detail", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        # Looked up when it runs, not now: a key may have switched the tab by
        # then, and focusing a hidden pane's list would switch it back.
        self.call_after_refresh(lambda: self.current_list.focus_list())

    # --- state ------------------------------------------------------------------------

    @property
    def tab(self) -> str:
        return self.query_one(TabbedContent).active or "characters"

    @property
    def current_list(self) -> ListPane:
        return self.query_one(f"#{self.tab}-list", ListPane)

    def current_row(self) -> tuple | None:
        return self.current_list.vlist.current_row

    def reload(self) -> None:
        """Read every list again (after a change)."""
        for tab in TABS:
            self.query_one(f"#{tab}-list", ListPane).reload()
        self._describe(self.current_row())

    @on(TabbedContent.TabActivated)
    def _tab_changed(self) -> None:
        self.current_list.focus_list()
        self._describe(self.current_row())

    @on(VirtualList.Highlighted)
    def _highlighted(self, event: VirtualList.Highlighted) -> None:
        if event.control is self.current_list.vlist:
            self._describe(event.row)

    @on(VirtualList.Selected)
    def _selected(self, event: VirtualList.Selected) -> None:
        event.stop()
        if event.control is not self.current_list.vlist:
            return
        kind = KIND_OF_TAB.get(self.tab)
        if kind is None:
            self.action_edit()
            return
        from inkbench.tui.screens.entry import EntryScreen

        self.app.push_screen(EntryScreen(kind, event.row[0]), lambda _r: self.reload())

    def _describe(self, row: tuple | None) -> None:
        detail = self.query_one("#detail", Static)
        if row is None:
            detail.update(Content(""))
            return
        kind = KIND_OF_TAB.get(self.tab)
        if kind is None:  # a tag: everything is in the row
            _id, name, color, chapters, scenes, description = row
            lines = [name]
            if color:
                lines.append(_("Colour: {color}").format(color=color))
            lines.append(
                _("On {chapters} chapters and {scenes} scenes").format(
                    chapters=chapters, scenes=scenes
                )
            )
            if description:
                lines += ["", description]
            detail.update(Content("\n".join(lines)))
            return
        self.app.db_job(  # type: ignore[attr-defined]
            bible_actions.read_entry,
            kind,
            row[0],
            name=_("read entry"),
            done=lambda view: self._described(row[0], view),
        )

    def _described(self, entry_id: int, view) -> None:
        row = self.current_row()
        if row is None or row[0] != entry_id or view.kind != KIND_OF_TAB.get(self.tab):
            return  # the cursor moved on
        self.query_one("#detail", Static).update(describe(view))

    # --- actions ------------------------------------------------------------------------

    def action_close(self) -> None:
        self.dismiss(None)

    def action_tab(self, tab: str) -> None:
        # Focus leaves the old list first: a focused widget that is hidden
        # hands focus to a sibling (Textual's Hide handler), here the hidden
        # pane's filter, and focusing inside a pane makes it the active tab
        # again. That raced the new list's (deferred) focus under load.
        if tab != self.tab:
            self.set_focus(None)
        self.query_one(TabbedContent).active = tab

    def _changed(self, _result=None) -> None:
        from inkbench.tui.messages import DataChanged

        self.reload()
        self.app.post_message(DataChanged("bible"))

    def action_new(self) -> None:
        kind = KIND_OF_TAB.get(self.tab)
        if kind is not None:
            edit_entry(self, kind, self.work_id, None, self._changed)
            return
        ask_and_save(
            self,
            _("New tag"),
            tag_fields(None),
            bible_actions.save_tag,
            self.work_id,
            None,
            name=_("save tag"),
            done=self._changed,
        )

    def action_edit(self) -> None:
        row = self.current_row()
        if row is None:
            return
        kind = KIND_OF_TAB.get(self.tab)
        if kind is not None:
            edit_entry(self, kind, self.work_id, row[0], self._changed)
            return
        ask_and_save(
            self,
            _("Edit tag “{name}”").format(name=row[1]),
            tag_fields(row),
            bible_actions.save_tag,
            self.work_id,
            row[0],
            name=_("save tag"),
            done=self._changed,
        )

    def action_move(self) -> None:
        """Put the highlighted world entry under another (or at the top)."""
        row = self.current_row()
        if self.tab != "world" or row is None:
            self.notify(_("Pick a world entry first: m moves it in the tree."))
            return
        from inkbench.tui.dialogs.fields_form import Field, FieldsForm

        def with_entries(entries: list[tuple[int, str]]) -> None:
            choices = {"0": _("(none: top of the tree)")}
            choices.update({str(i): t for i, t in entries if i != row[0]})
            field = Field("parent", _("Inside (parent entry)"), str(row[5] or 0), "choice", choices)

            def answered(values: dict | None) -> None:
                if values is None:
                    return
                parent = int(values["parent"] or 0) or None
                self.app.db_job(  # type: ignore[attr-defined]
                    bible_actions.move_world_entry,
                    row[0],
                    parent,
                    name=_("move world entry"),
                    done=self._changed,
                )

            title = _("Move “{name}”").format(name=row[1])
            self.app.push_screen(FieldsForm(title, [field]), answered)

        self.app.db_job(  # type: ignore[attr-defined]
            bible_actions.read_world_titles,
            self.work_id,
            name=_("reading the world entries"),
            done=with_entries,
        )

    def action_trash(self) -> None:
        row = self.current_row()
        if row is None:
            return
        kind = KIND_OF_TAB.get(self.tab)

        def done(_r=None) -> None:
            self.notify(_("Removed: {name}").format(name=row[1]), markup=False)
            self._changed()

        if kind is None:  # tags have no Trash: ask first
            from inkbench.tui.dialogs.confirm import Confirm

            def answered(yes: bool | None) -> None:
                if yes:
                    self.app.db_job(  # type: ignore[attr-defined]
                        bible_actions.delete_tag, row[0], name=_("delete tag"), done=done
                    )

            question = _("Delete the tag “{name}”? Chapters and scenes lose it.").format(
                name=row[1]
            )
            self.app.push_screen(Confirm(question, _("Delete")), answered)
        else:
            self.app.db_job(  # type: ignore[attr-defined]
                bible_actions.trash_entry, kind, row[0], name=_("trash entry"), done=done
            )

    def on_worker_state_changed(self, event) -> None:
        self.app.worker_failed(event)  # type: ignore[attr-defined]
