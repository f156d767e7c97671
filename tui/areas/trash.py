"""The Trash: everything deleted, newest first. Restore brings a row back with
what it owns; purge deletes it for good after a confirmation. A refusal
(an active task uses it) is shown as a notice naming the task."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding

from inkbench.i18n import N_, _
from inkbench.storage.lists import TrashSource
from inkbench.tui import actions
from inkbench.tui.areas.base import AreaPane
from inkbench.tui.messages import DataChanged
from inkbench.tui.vocab import kind_name
from inkbench.tui.widgets.list_pane import ListPane

# what changes in other lists when a row of this kind comes back or goes
_KIND_OF = {"chapter": "chapter", "work": "work", "article": "article"}


class TrashArea(AreaPane):
    area_id = "trash"
    BINDINGS = [
        Binding("r", "restore", N_("Restore"), id="trash.restore"),
        Binding("p,delete", "purge", N_("Purge"), id="trash.purge"),
    ]

    def compose(self) -> ComposeResult:
        yield ListPane(TrashSource(), empty_text=_("The Trash is empty."))

    @property
    def pane(self) -> ListPane:
        return self.query_one(ListPane)

    def focus_default(self) -> None:
        self.pane.focus_list()

    def on_area_shown(self) -> None:
        if self.pane.vlist.loaded:
            self.pane.reload()

    def data_changed(self, kind: str) -> None:
        self.pane.reload()

    def _changed(self, entity: str) -> None:
        self.post_message(DataChanged(_KIND_OF.get(entity, entity)))
        self.pane.reload()

    def action_restore(self) -> None:
        row = self.pane.vlist.current_row
        if row is None:
            return
        entity, row_id, title, _deleted = row

        def restored(_r: None) -> None:
            self.notify(
                _("Restored {kind}: {title}").format(kind=kind_name(entity), title=title),
                markup=False,
            )
            self._changed(entity)

        self.ink.db_job(actions.restore_row, entity, row_id, name=_("restore"), done=restored)

    def action_purge(self) -> None:
        row = self.pane.vlist.current_row
        if row is None:
            return
        entity, row_id, title, _deleted = row
        from inkbench.tui.dialogs.confirm import Confirm

        def purged(_r: None) -> None:
            self.notify(_("Purged for good: {title}").format(title=title), markup=False)
            self._changed(entity)

        def answered(yes: bool | None) -> None:
            if yes:
                self.ink.db_job(actions.purge_row, entity, row_id, name=_("purge"), done=purged)

        what = kind_name(entity)
        self.app.push_screen(
            Confirm(
                _(
                    "Purge {what} “{title}” for good, with everything it owns? This cannot be "
                    "undone."
                ).format(what=what, title=title),
                yes=_("Purge"),
            ),
            answered,
        )
