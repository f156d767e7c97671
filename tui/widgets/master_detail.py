"""Two lists side by side: the master (works, albums, knowledge bases,
keywords) and, for its highlighted row, the detail (chapters, images,
documents, topics).

The owner gives both ``ListPane``s and ``detail_source(row)``, the detail's
source for a master row (``row`` None when the master is empty). The widget
switches the detail when the master's highlighted row changes, moves focus to
the detail on Enter in the master, and posts ``MasterDetail.MasterChanged``
each time the master's row is shown (so the owner can update a heading).
Events of the detail list bubble to the owner untouched.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widget import Widget

from inkbench.storage.lists import Row, RowSource
from inkbench.tui.widgets.list_pane import ListPane
from inkbench.tui.widgets.virtual_list import VirtualList


class MasterDetail(Horizontal):
    """A master list (left) and its detail list (right)."""

    DEFAULT_CSS = """
    MasterDetail { height: 1fr; }
    MasterDetail > .master-side { width: 1fr; }
    MasterDetail > .detail-side { width: 2fr; border-left: solid $panel; }
    """

    class MasterChanged(Message):
        """The master's highlighted row (None: the master is empty);
        ``changed`` False when it is the same row as before (a reload)."""

        def __init__(self, master_detail: MasterDetail, row: Row | None, changed: bool) -> None:
            super().__init__()
            self.master_detail = master_detail
            self.row = row
            self.changed = changed

        @property
        def control(self) -> MasterDetail:
            return self.master_detail

    def __init__(
        self,
        master: ListPane,
        detail: ListPane,
        detail_source: Callable[[Row | None], RowSource],
        *,
        master_side: str,
        detail_side: str,
        above_detail: Iterable[Widget] = (),
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.master = master
        self.detail = detail
        self.detail_source = detail_source
        self.master_side = master_side
        self.detail_side = detail_side
        self.above_detail = list(above_detail)
        self.master_row: Row | None = None
        self._master_id: object = None  # the detail was built for no row

    def compose(self) -> ComposeResult:
        with Vertical(id=self.master_side, classes="master-side"):
            yield self.master
        with Vertical(id=self.detail_side, classes="detail-side"):
            yield from self.above_detail
            yield self.detail

    def on_mount(self) -> None:
        # the first Highlighted may come before the owner listens: read the row
        self.call_after_refresh(self.sync)

    # --- what owners call ---------------------------------------------------------

    def sync(self) -> None:
        """Show the master's current row (after a reload or a first mount)."""
        from textual.css.query import NoMatches

        with contextlib.suppress(NoMatches):
            self._show(self.master.vlist.current_row)

    def reload(self) -> None:
        """Read both lists again."""
        self.master.reload()
        self.detail.reload()

    def focus_master(self) -> None:
        self.master.focus_list()

    def focus_detail(self) -> None:
        self.detail.focus_list()

    @property
    def detail_focused(self) -> bool:
        """True when the focus is in the detail list."""
        focused = self.app.focused
        return focused is not None and self.detail in focused.ancestors_with_self

    # --- events -------------------------------------------------------------------

    def _from_master(self, vlist: VirtualList) -> bool:
        return self.master in vlist.ancestors

    @on(VirtualList.Highlighted)
    def _highlighted(self, event: VirtualList.Highlighted) -> None:
        if self._from_master(event.vlist):
            event.stop()
            self._show(event.row)

    @on(VirtualList.Selected)
    def _selected(self, event: VirtualList.Selected) -> None:
        if self._from_master(event.vlist):
            event.stop()
            self.focus_detail()

    def _show(self, row: Row | None) -> None:
        self.master_row = row
        row_id = row[0] if row else None
        changed = row_id != self._master_id
        if changed:
            self._master_id = row_id
            self.detail.set_source(self.detail_source(row))
        self.post_message(self.MasterChanged(self, row, changed))
