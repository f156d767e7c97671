"""A list of rows of one or more lines each (the outline's chapters and
scenes) that builds and renders only the rows on screen.

The list is given each row's key and height up front (cheap numbers) and a
function that builds a row's lines (``Content``) when the row first comes
into view. Opening the outline of a 300-chapter work with 1,500 scenes thus
builds ~30 rows instead of 1,800, and nothing is wrapped or measured: a row
line longer than the list is cut with an ellipsis (bench/README.md).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable

from textual.content import Content
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.visual import Visual

from inkbench.i18n import N_
from inkbench.tui.widgets.virtual_list import LIST_BINDINGS

RowLines = Callable[[int], list[Content]]


class OutlineList(ScrollView, can_focus=True):
    """Rows with a cursor; ``Highlighted``/``Selected`` carry the row's key."""

    HELP_SECTION = N_("Outline")  # its keys listed beside the outline screen's
    DEFAULT_CSS = """
    OutlineList {
        height: 1fr; background: $surface; scrollbar-gutter: stable;
        text-wrap: nowrap; text-overflow: ellipsis;
    }
    OutlineList > .outline-list--cursor { background: $block-cursor-blurred-background; }
    OutlineList:focus > .outline-list--cursor {
        background: $block-cursor-background;
        color: $block-cursor-foreground;
    }
    """
    COMPONENT_CLASSES = {"outline-list--cursor"}
    BINDINGS = LIST_BINDINGS

    class Highlighted(Message):
        """The cursor moved to the row ``key``."""

        def __init__(self, outline_list: OutlineList, key: str) -> None:
            super().__init__()
            self.outline_list = outline_list
            self.key = key

        @property
        def control(self) -> OutlineList:
            return self.outline_list

    class Selected(Message):
        """Enter (or a double click) on the row ``key``."""

        def __init__(self, outline_list: OutlineList, key: str) -> None:
            super().__init__()
            self.outline_list = outline_list
            self.key = key

        @property
        def control(self) -> OutlineList:
            return self.outline_list

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.keys: list[str] = []
        self._index: dict[str, int] = {}
        self._starts: list[int] = []  # the first line of each row
        self._heights: list[int] = []
        self._lines_of: RowLines = lambda _row: []
        self._strips: dict[tuple[int, bool], list[Strip]] = {}
        self._cursor = 0

    # --- rows -------------------------------------------------------------------------

    def set_rows(
        self, keys: list[str], heights: list[int], lines_of: RowLines, keep: str | None = None
    ) -> None:
        """Show these rows (``lines_of(i)``: row i's ``heights[i]`` lines, built
        when it is first on screen); the cursor goes to ``keep`` if it is
        still there, else stays at its index."""
        self.keys = keys
        self._index = {k: i for i, k in enumerate(keys)}
        self._heights = heights
        starts, line = [], 0
        for h in heights:
            starts.append(line)
            line += h
        self._starts = starts
        self._lines_of = lines_of
        self._strips.clear()
        self.virtual_size = Size(self._width(), line)
        index = self._index.get(keep, self._cursor) if keep else self._cursor
        self._cursor = max(0, min(index, len(keys) - 1))
        self.refresh()
        self._scroll_to_cursor()
        if keys:
            self.post_message(self.Highlighted(self, keys[self._cursor]))

    @property
    def row_count(self) -> int:
        return len(self.keys)

    @property
    def highlighted(self) -> int | None:
        """The cursor's row (None when there are no rows)."""
        return self._cursor if self.keys else None

    @highlighted.setter
    def highlighted(self, index: int | None) -> None:
        if index is None or not self.keys:
            return
        index = max(0, min(index, len(self.keys) - 1))
        old, self._cursor = self._cursor, index
        self._refresh_row(old)
        self._refresh_row(index)
        self._scroll_to_cursor()
        self.post_message(self.Highlighted(self, self.keys[index]))

    @property
    def highlighted_key(self) -> str | None:
        return self.keys[self._cursor] if self.keys else None

    def _row_region(self, row: int) -> Region:
        return Region(0, self._starts[row], self.size.width, self._heights[row])

    def _refresh_row(self, row: int) -> None:
        if 0 <= row < len(self.keys):
            self._strips.pop((row, True), None)
            self._strips.pop((row, False), None)
            self.refresh(self._row_region(row).translate((0, -self.scroll_offset.y)))

    def _scroll_to_cursor(self) -> None:
        if self.keys:
            self.scroll_to_region(self._row_region(self._cursor), animate=False, immediate=True)

    # --- rendering --------------------------------------------------------------------

    def notify_style_update(self) -> None:
        self._strips.clear()
        super().notify_style_update()

    def on_focus(self) -> None:
        self._refresh_row(self._cursor)  # the cursor's colours follow the focus

    def on_blur(self) -> None:
        self._refresh_row(self._cursor)

    def _width(self) -> int:
        return self.scrollable_content_region.width or self.size.width

    def on_resize(self) -> None:
        self._strips.clear()
        self.virtual_size = Size(self._width(), self.virtual_size.height)

    def _row_strips(self, row: int, width: int) -> list[Strip]:
        cursor = row == self._cursor
        strips = self._strips.get((row, cursor))
        if strips is None:
            style = self.visual_style
            if cursor:
                style = style + self.get_visual_style("outline-list--cursor")
            rich_style = style.rich_style
            strips = []
            for content in self._lines_of(row)[: self._heights[row]]:
                rendered = Visual.to_strips(self, content, width, 1, style)
                strip = rendered[0] if rendered else Strip.blank(width, rich_style)
                strips.append(strip.adjust_cell_length(width, rich_style))
            if len(self._strips) > 400:  # rows long scrolled past
                self._strips.clear()
            self._strips[(row, cursor)] = strips
        return strips

    def render_line(self, y: int) -> Strip:
        width = self._width()
        line = self.scroll_offset.y + y
        if not self.keys or line >= self.virtual_size.height:
            return Strip.blank(width, self.visual_style.rich_style)
        row = bisect_right(self._starts, line) - 1
        strips = self._row_strips(row, width)
        offset = line - self._starts[row]
        if offset < len(strips):
            return strips[offset]
        return Strip.blank(width, self.visual_style.rich_style)

    # --- keys and mouse ---------------------------------------------------------------

    def action_cursor_up(self) -> None:
        self.highlighted = self._cursor - 1

    def action_cursor_down(self) -> None:
        self.highlighted = self._cursor + 1

    def _rows_in_page(self) -> int:
        top = self._starts[self._cursor] if self.keys else 0
        end = bisect_right(self._starts, top + max(1, self.size.height - 1))
        return max(1, end - 1 - self._cursor)

    def action_page_up(self) -> None:
        if not self.keys:
            return
        top = max(0, self._starts[self._cursor] - max(1, self.size.height - 1))
        self.highlighted = bisect_right(self._starts, top) - 1

    def action_page_down(self) -> None:
        if self.keys:
            self.highlighted = self._cursor + self._rows_in_page()

    def action_first(self) -> None:
        self.highlighted = 0

    def action_last(self) -> None:
        self.highlighted = len(self.keys) - 1

    def action_select(self) -> None:
        if self.keys:
            self.post_message(self.Selected(self, self.keys[self._cursor]))

    def on_click(self, event) -> None:
        line = self.scroll_offset.y + event.y
        if not self.keys or not 0 <= line < self.virtual_size.height:
            return
        row = bisect_right(self._starts, line) - 1
        if row == self._cursor and event.chain >= 2:
            self.action_select()
        self.highlighted = row
