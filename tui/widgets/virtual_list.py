"""A list of any length: a ``ScrollView`` that renders only visible rows.

Rows come from a :class:`inkbench.storage.lists.RowSource` a page at a time (``LIMIT/OFFSET`` on a
read connection); a small LRU keeps the pages near the viewport, so memory
stays the same at 100 or 100k rows. A page past the middle is read in the
reverse order from the far end, so "jump to the end" costs what "open" does.

Cell text is user text: it goes into ``Segment``s as it is (control
characters flattened), never through markup.
"""

from __future__ import annotations

import sqlite3
from collections import OrderedDict
from collections.abc import Callable
from contextlib import AbstractContextManager

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from textual.binding import Binding
from textual.content import Content
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from inkbench.i18n import N_, _
from inkbench.storage.lists import Row, RowSource
from inkbench.tui.vocab import category_name, kind_name, role_name, status_name

# the keys of every list (VirtualList, OutlineList): one set of binding ids
LIST_BINDINGS = [
    Binding("up,k", "cursor_up", N_("Up"), show=False, id="list.up"),
    Binding("down,j", "cursor_down", N_("Down"), show=False, id="list.down"),
    Binding("pageup", "page_up", N_("Page up"), show=False, id="list.page_up"),
    Binding("pagedown,space", "page_down", N_("Page down"), show=False, id="list.page_down"),
    Binding("home", "first", N_("First row"), show=False, id="list.first"),
    Binding("end", "last", N_("Last row"), show=False, id="list.last"),
    Binding("enter", "select", N_("Open"), id="list.open"),
]


class VirtualList(ScrollView, can_focus=True):
    HELP_SECTION = N_("Lists")
    DEFAULT_CSS = """
    VirtualList { height: 1fr; background: $surface; scrollbar-gutter: stable; }
    VirtualList > .virtual-list--cursor { background: $block-cursor-blurred-background; }
    VirtualList:focus > .virtual-list--cursor {
        background: $block-cursor-background;
        color: $block-cursor-foreground;
        text-style: bold;
    }
    VirtualList > .virtual-list--empty { color: $text-muted; }
    VirtualList > .virtual-list--marked { background: $accent 35%; text-style: bold; }
    """
    COMPONENT_CLASSES = {"virtual-list--cursor", "virtual-list--empty", "virtual-list--marked"}
    BINDINGS = LIST_BINDINGS

    cursor: reactive[int] = reactive(0, always_update=True)

    class Selected(Message):
        def __init__(self, vlist: VirtualList, row: Row) -> None:
            super().__init__()
            self.vlist = vlist
            self.row = row

        @property
        def control(self) -> VirtualList:
            return self.vlist

    class Highlighted(Message):
        """The row under the cursor; ``row`` None when the list has become
        empty (its last row trashed or filtered away), so what shows the
        highlighted row clears."""

        def __init__(self, vlist: VirtualList, row: Row | None) -> None:
            super().__init__()
            self.vlist = vlist
            self.row = row

        @property
        def control(self) -> VirtualList:
            return self.vlist

    class PageLoaded(Message):
        def __init__(self, generation: int, page_no: int, rows: list[Row]) -> None:
            super().__init__()
            self.generation = generation
            self.page_no = page_no
            self.rows = rows

    def __init__(
        self,
        source: RowSource,
        connection: Callable[[], sqlite3.Connection],
        *,
        reader: Callable[[], AbstractContextManager[sqlite3.Connection]] | None = None,
        page_size: int = 100,
        cache_pages: int = 12,
        empty_text: str = "",
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.source = source
        self._connection = connection
        self._reader = reader
        self._pending: set[int] = set()
        self.page_size = page_size
        self.cache_pages = cache_pages
        self.empty_text = empty_text or _("Nothing here yet.")
        self.total = 0
        self.text = ""
        self.sort = source.sorts[0]
        self.reverse = False
        self.generation = 0
        self.loaded = False
        self._pages: OrderedDict[int, list[Row]] = OrderedDict()
        self._widths: list[int] = []
        #: ids (a row's first cell) of the rows the user marked, drawn marked
        self.marks: set = set()

    # --- data -------------------------------------------------------------------

    def load(self) -> None:
        """Count and show rows now (on the calling thread: the UI thread's
        connection; unfiltered counts use an index and take milliseconds)."""
        self.generation += 1
        total = self.source.count(self._connection(), self.text)
        self.apply(self.generation, total, None)

    def apply(self, generation: int, total: int, first_page: list[Row] | None) -> bool:
        """Show a fresh count (from a worker); stale generations are ignored."""
        if generation != self.generation:
            return False
        self.total = total
        self.loaded = True
        self._pages.clear()
        self._pending.clear()
        if first_page is not None:
            self._pages[0] = first_page
        self.virtual_size = Size(self.row_width, total)
        if self.cursor >= total:
            self.cursor = max(0, total - 1)
        self.scroll_to(y=min(self.scroll_y, max(0, total - self.size.height)), animate=False)
        self.refresh()
        self._highlighted()
        return True

    def fetch_first_page(self, conn: sqlite3.Connection, total: int) -> list[Row]:
        return self.source.fetch(
            conn,
            0,
            self.page_size,
            sort=self.sort,
            reverse=self.reverse,
            text=self.text,
            total=total,
        )

    def invalidate(self) -> None:
        """Data changed underneath: recount and refetch what is visible."""
        if self.loaded:
            self.load()

    def fast(self) -> bool:
        """Can a missing page be read on the UI thread without a visible wait?"""
        if self._reader is None:
            return True
        if self.sort not in self.source.fast_sorts:
            return False
        return not self.text or self.total < 5000

    def row(self, index: int, *, block: bool = True) -> Row | None:
        """The row at ``index``; a page not in the cache is read now, or with
        ``block=False`` requested from a worker (None until it arrives)."""
        if not 0 <= index < self.total:
            return None
        page_no, pos = divmod(index, self.page_size)
        page = self._pages.get(page_no)
        if page is None:
            if not block:
                self._request(page_no)
                return None
            page = self._read_page(self._connection(), page_no)
            self._store(page_no, page)
        else:
            self._pages.move_to_end(page_no)
        return page[pos] if pos < len(page) else None

    def _read_page(self, conn: sqlite3.Connection, page_no: int) -> list[Row]:
        return self.source.fetch(
            conn,
            page_no * self.page_size,
            self.page_size,
            sort=self.sort,
            reverse=self.reverse,
            text=self.text,
            total=self.total,
        )

    def _store(self, page_no: int, page: list[Row]) -> None:
        self._pages[page_no] = page
        while len(self._pages) > self.cache_pages:
            self._pages.popitem(last=False)

    def _request(self, page_no: int) -> None:
        if page_no in self._pending:
            return
        self._pending.add(page_no)
        generation = self.generation

        def fetch() -> None:
            with self._reader() as conn:  # type: ignore[misc]
                rows = self._read_page(conn, page_no)
            self.post_message(self.PageLoaded(generation, page_no, rows))

        self.run_worker(fetch, thread=True, group="page", exit_on_error=False)

    def on_virtual_list_page_loaded(self, message: PageLoaded) -> None:
        message.stop()
        if message.generation != self.generation or message.page_no not in self._pending:
            return
        self._pending.discard(message.page_no)
        self._store(message.page_no, message.rows)
        self.refresh()
        if self.cursor // self.page_size == message.page_no:
            self._highlighted()

    @property
    def current_row(self) -> Row | None:
        return self.row(self.cursor)  # user actions need it: read now if missing

    @property
    def cached_rows(self) -> int:
        return sum(len(p) for p in self._pages.values())

    # --- layout -----------------------------------------------------------------

    def column_widths(self, width: int) -> list[int]:
        cols = self.source.columns
        gaps = max(0, len(cols) - 1)
        fixed = sum(c.width or 0 for c in cols)
        flexible = [c for c in cols if c.width is None]
        rest = max(0, width - fixed - gaps)
        share = rest // len(flexible) if flexible else 0
        return [c.width if c.width is not None else share for c in cols]

    def header(self, width: int) -> Content:
        widths = self.column_widths(width)
        parts = []
        for i, (col, w) in enumerate(zip(self.source.columns, widths, strict=True)):
            title = _(col.title)
            if self.source.sorts and col.title.lower() == self.sort.lower():
                title += " ▲" if self.reverse else " ▼"
            parts.append(self._fit(title, w, col.justify))
            if i < len(widths) - 1:
                parts.append(" ")
        return Content("".join(parts))

    @staticmethod
    def _fit(text: str, width: int, justify: str) -> str:
        if width <= 0:
            return ""
        if cell_len(text) > width:
            return set_cell_size(text, width - 1) + "…" if width > 1 else "…"
        if justify == "right":
            return " " * (width - cell_len(text)) + text
        return set_cell_size(text, width)

    @property
    def _vocab_columns(self) -> dict[int, Callable[[str], str]]:
        """Columns holding stored ids (a status, a kind of row), shown in the
        interface's language."""
        by_title = {
            "Status": status_name,
            "OCR": status_name,
            "Kind": kind_name,
            "Role": role_name,
            "Category": category_name,
        }
        return {
            i: by_title[c.title] for i, c in enumerate(self.source.columns) if c.title in by_title
        }

    @property
    def row_width(self) -> int:
        """Cells a row has: the widget less its vertical scrollbar."""
        return self.scrollable_content_region.width or self.size.width

    def on_resize(self) -> None:
        self.virtual_size = Size(self.row_width, self.total)
        self._widths = self.column_widths(self.row_width)

    # --- rendering --------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        width = self.row_width
        index = self.scroll_offset.y + y
        if not self.loaded or self.total == 0:
            if y == 0:
                text = self.empty_text if self.loaded else _("Loading…")
                style = self.get_component_rich_style("virtual-list--empty")
                return Strip([Segment(self._fit(" " + text, width, "left"), style)], width)
            return Strip.blank(width, self.rich_style)
        row = self.row(index, block=self.fast())
        if row is None:
            if index < self.total:  # its page is on the way
                style = self.get_component_rich_style("virtual-list--empty")
                return Strip([Segment(self._fit(" …", width, "left"), style)], width)
            return Strip.blank(width, self.rich_style)
        if len(self._widths) != len(self.source.columns):
            self._widths = self.column_widths(width)
        cells = self.source.cells(row)
        shown = self._vocab_columns
        if shown:
            cells = [shown[i](c) if i in shown else c for i, c in enumerate(cells)]
        parts = []
        for i, (cell, w, col) in enumerate(
            zip(cells, self._widths, self.source.columns, strict=False)
        ):
            parts.append(self._fit(cell, w, col.justify))
            if i < len(self._widths) - 1:
                parts.append(" ")
        line = "".join(parts)
        line = set_cell_size(line, width)
        style = self.rich_style
        if self.marks and row[0] in self.marks:
            style += self.get_component_rich_style("virtual-list--marked")
        if index == self.cursor:
            style += self.get_component_rich_style("virtual-list--cursor")
        return Strip([Segment(line, style)], width)

    # --- cursor -----------------------------------------------------------------

    def watch_cursor(self, old: int, new: int) -> None:
        top = self.scroll_offset.y
        self.refresh(Region(0, old - top, self.size.width, 1))
        self.refresh(Region(0, new - top, self.size.width, 1))
        self.scroll_to_region(Region(0, new, 1, 1), animate=False, immediate=True)
        self._highlighted()

    def _highlighted(self) -> None:
        if self.loaded and not self.total:
            self.post_message(self.Highlighted(self, None))
            return
        row = self.row(self.cursor, block=self.fast())
        if row is not None:
            self.post_message(self.Highlighted(self, row))

    def move_to(self, index: int) -> None:
        if self.total:
            self.cursor = max(0, min(self.total - 1, index))

    def action_cursor_up(self) -> None:
        self.move_to(self.cursor - 1)

    def action_cursor_down(self) -> None:
        self.move_to(self.cursor + 1)

    def action_page_up(self) -> None:
        self.move_to(self.cursor - max(1, self.size.height - 1))

    def action_page_down(self) -> None:
        self.move_to(self.cursor + max(1, self.size.height - 1))

    def action_first(self) -> None:
        self.move_to(0)

    def action_last(self) -> None:
        self.move_to(self.total - 1)

    def action_select(self) -> None:
        row = self.current_row
        if row is not None:
            self.post_message(self.Selected(self, row))

    def on_click(self, event) -> None:
        index = self.scroll_offset.y + event.y
        if 0 <= index < self.total:
            if index == self.cursor and event.chain >= 2:
                self.action_select()
            self.move_to(index)
