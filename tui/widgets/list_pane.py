"""A filterable, sortable list: filter input, column header, VirtualList, info line.

Filtering runs as you type in an exclusive thread worker (count + first page
on a pooled read connection); stale results are dropped by generation.
"""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Input, Static
from textual.worker import get_current_worker

from inkbench.i18n import N_, _, pgettext
from inkbench.storage.lists import RowSource
from inkbench.tui.widgets.virtual_list import VirtualList


def sort_name(sort: str) -> str:
    """A list order (an id of ``storage.lists``) in the interface's language."""
    names = {
        "deleted": pgettext("sort", "deleted"),
        "imported": pgettext("sort", "imported"),
        "keyword": pgettext("sort", "keyword"),
        "name": pgettext("sort", "name"),
        "newest": pgettext("sort", "newest"),
        "order": pgettext("sort", "order"),
        "position": pgettext("sort", "position"),
        "status": pgettext("sort", "status"),
        "title": pgettext("sort", "title"),
        "updated": pgettext("sort", "updated"),
        "words": pgettext("sort", "words"),
    }
    return names.get(sort, sort)


class ListPane(Vertical):
    HELP_SECTION = N_("Lists")
    DEFAULT_CSS = """
    ListPane { height: 1fr; }
    ListPane > #filter { height: 1; border: none; padding: 0 1; background: $boost; }
    ListPane > #filter:focus { background: $boost; }
    ListPane > .list-header { height: 1; background: $panel; color: $text-muted; text-style: bold; }
    ListPane > .list-info { height: 1; color: $text-muted; padding: 0 1; }
    """
    BINDINGS = [
        Binding("slash", "filter", N_("Filter"), id="list.filter"),
        Binding("s", "sort", N_("Sort"), id="list.sort"),
        Binding("o", "reverse", N_("Order"), show=False, id="list.reverse"),
    ]

    class Counted(Message):
        def __init__(self, generation: int, total: int, first_page: list) -> None:
            super().__init__()
            self.generation = generation
            self.total = total
            self.first_page = first_page

    def __init__(
        self,
        source: RowSource,
        *,
        empty_text: str = "",
        filter_placeholder: str = "",
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.source = source
        self.empty_text = empty_text or _("Nothing here yet.")
        self.filter_placeholder = filter_placeholder or _("/ filter by title")

    def compose(self) -> ComposeResult:
        store = self.app.store  # type: ignore[attr-defined]
        yield Input(placeholder=self.filter_placeholder, id="filter", compact=True)
        yield Static(classes="list-header", markup=False)
        yield VirtualList(
            self.source,
            lambda: store.ui_conn,
            reader=store.reader,
            empty_text=self.empty_text,
            id="rows",
        )
        yield Static(classes="list-info", markup=False)

    @property
    def vlist(self) -> VirtualList:
        return self.query_one("#rows", VirtualList)

    _focus_on_mount = False

    def on_mount(self) -> None:
        if self.app.store_ready:  # type: ignore[attr-defined]
            self.reload()
        if self._focus_on_mount:
            self.vlist.focus()

    def reload(self) -> None:
        """Recount and redraw now (cheap: unfiltered counts use an index)."""
        vlist = self.vlist
        if vlist.text:
            self._count_in_worker()
        else:
            vlist.load()
            self._update_chrome()

    def set_source(self, source: RowSource) -> None:
        self.source = source
        vlist = self.vlist
        vlist.source = source
        if vlist.sort not in source.sorts:
            vlist.sort = source.sorts[0]
        vlist.cursor = 0
        self.reload()

    def focus_list(self) -> None:
        if self.is_mounted and self.query("#rows"):
            self.vlist.focus()
        else:
            self._focus_on_mount = True

    def on_resize(self) -> None:
        self._update_chrome()

    def _update_chrome(self) -> None:
        vlist = self.vlist
        width = vlist.row_width or self.size.width or 80
        self.query_one(".list-header", Static).update(vlist.header(width))
        info = self.source.count_text(vlist.total) if vlist.loaded else _("loading…")
        if vlist.text:
            info += _(" matching “{text}”").format(text=vlist.text)
        if len(self.source.sorts) > 1:
            sort = sort_name(vlist.sort)
            if vlist.reverse:
                info += _(" · sorted by {sort} (reversed)").format(sort=sort)
            else:
                info += _(" · sorted by {sort}").format(sort=sort)
        self.query_one(".list-info", Static).update(Content(info))

    # --- filter -----------------------------------------------------------------

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.vlist.text = event.value.strip()
        self._count_in_worker()

    @on(Input.Submitted, "#filter")
    def _filter_done(self, event: Input.Submitted) -> None:
        event.stop()
        self.vlist.focus()

    def on_key(self, event) -> None:
        if event.key in ("escape", "down") and self.query_one("#filter", Input).has_focus:
            event.stop()
            self.vlist.focus()

    def _count_in_worker(self) -> None:
        vlist = self.vlist
        vlist.generation += 1
        self._count(vlist.generation)
        self._update_chrome()

    @work(thread=True, exclusive=True, group="list-count", exit_on_error=False)
    def _count(self, generation: int) -> None:
        vlist = self.vlist
        store = self.app.store  # type: ignore[attr-defined]
        with store.reader() as conn:
            total = self.source.count(conn, vlist.text)
            if get_current_worker().is_cancelled:
                return
            first = vlist.fetch_first_page(conn, total)
        if not get_current_worker().is_cancelled:
            self.post_message(self.Counted(generation, total, first))

    @on(Counted)
    def _counted(self, event: Counted) -> None:
        event.stop()
        if self.vlist.apply(event.generation, event.total, event.first_page):
            self._update_chrome()

    def on_worker_state_changed(self, event) -> None:
        self.app.worker_failed(event)  # type: ignore[attr-defined]

    # --- actions ----------------------------------------------------------------

    def show_filtered(self, text: str) -> None:
        """Filter the list by ``text`` (as typing it after / would) and focus
        the rows: how a search hit for a work, album or knowledge base opens."""
        self.query_one("#filter", Input).value = text
        self.vlist.focus()

    def action_filter(self) -> None:
        self.query_one("#filter", Input).focus()

    def action_sort(self) -> None:
        vlist = self.vlist
        sorts = self.source.sorts
        if len(sorts) < 2:
            self.notify(_("This list has one order only."))
            return
        vlist.sort = sorts[(sorts.index(vlist.sort) + 1) % len(sorts)]
        vlist.cursor = 0
        self.reload()

    def action_reverse(self) -> None:
        self.vlist.reverse = not self.vlist.reverse
        self.vlist.cursor = 0
        self.reload()
