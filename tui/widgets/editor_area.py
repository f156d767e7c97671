"""The editors' TextArea, fit for long chapters.

Textual 8.2's ``WrappedDocument.height`` sums every line's wrap offsets on
each call, and ``TextArea`` asks for it for every rendered line, so a keystroke
in a 200k-character chapter cost ~100 ms (see also ``render_line`` below). The
number of wrapped lines is already kept (one ``_offset_to_line_info`` entry
per visual line, updated by ``wrap`` and ``wrap_range``), so reading its
length gives the same answer in O(1). A test checks both agree after edits.

Scene markers (``<!-- scene:ID -->`` lines, ``storage.scene_markers``) stay
in the text exactly as stored, so undo, revisions, search and the saved text
round-trip byte for byte and cursor columns mean what they say. They are
drawn dim and italic, and protected: a keystroke, paste or cut that would
break a marker line or glue text to it is refused (the editor says how to
remove a scene: select its whole marker line). The check looks only at the
lines an edit touches, so typing costs the same in a long chapter.

A key typed inside one line repaints only that line's rows. Textual's
``TextArea`` repaints the whole view after every edit (its ``selection``
reactive refreshes the widget), so each key re-styled every visible row
(~35 rows, most of a keystroke's time). While a keyboard edit runs, a whole
refresh is noted instead of done; afterwards, if the edit stayed inside one
line and nothing else moved (scroll position, the number of rows, the size,
a matching bracket, highlighting, a suggestion, the placeholder), only that
line's rows are refreshed, and otherwise the whole view as before.
"""

from __future__ import annotations

from typing import Self

from rich.style import Style
from textual.cache import LRUCache
from textual.document._wrapped_document import WrappedDocument
from textual.geometry import Region
from textual.message import Message
from textual.strip import Strip
from textual.widgets import TextArea
from textual.widgets.text_area import EditResult, Location

from inkbench.storage.scene_markers import MARKER

MARKER_STYLE = Style(dim=True, italic=True)


def _is_marker(line: str) -> bool:
    return line.startswith("<!-- scene:") and MARKER.fullmatch(line) is not None


class FastWrappedDocument(WrappedDocument):
    @property
    def height(self) -> int:
        return len(self._offset_to_line_info)


class EditorArea(TextArea):
    class MarkerProtected(Message):
        """A keyboard edit was refused because it would break a scene marker."""

    def _markers_kept(self, insert: str, start: Location, end: Location) -> bool:
        """Whether replacing start..end by ``insert`` keeps every scene marker
        line whole (markers whose whole line is in the range may go)."""
        top, bottom = sorted((start, end))
        document = self.document
        first = max(0, top[0] - 1)
        last = min(document.line_count - 1, bottom[0] + 1)
        rows = range(first, last + 1)
        lines = [document.get_line(r) for r in rows]
        if not any(_is_marker(line) for line in lines):
            return True
        before = "\n".join(lines)

        # offsets of top and bottom inside this snippet
        def offset(location: Location) -> int:
            row, column = location
            return sum(len(lines[i]) + 1 for i in range(row - first)) + column

        a, b = offset(top), offset(bottom)
        after = before[:a] + insert + before[b:]
        kept_before = [m.group(1) for m in MARKER.finditer(before)]
        kept_after = [m.group(1) for m in MARKER.finditer(after)]
        if kept_after == kept_before:
            return True
        # a selection holding whole marker lines may remove them
        removed = list(kept_before)
        for sid in kept_after:
            if sid in removed:
                removed.remove(sid)
            else:
                return False
        for i, line in enumerate(lines):
            m = MARKER.fullmatch(line)
            if m and m.group(1) in removed:
                row = first + i
                if not (top <= (row, 0) and (row, len(line)) <= bottom):
                    return False
        return True

    def _delete_via_keyboard(self, start: Location, end: Location) -> EditResult | None:
        if not self._markers_kept("", start, end):
            self.post_message(self.MarkerProtected())
            return None
        return self._repainting_one_line(
            start[0] == end[0], lambda: super(EditorArea, self)._delete_via_keyboard(start, end)
        )

    def _replace_via_keyboard(
        self, insert: str, start: Location, end: Location
    ) -> EditResult | None:
        if not self._markers_kept(insert, start, end):
            self.post_message(self.MarkerProtected())
            return None
        one_line = start[0] == end[0] and "\n" not in insert and "\r" not in insert
        return self._repainting_one_line(
            one_line, lambda: super(EditorArea, self)._replace_via_keyboard(insert, start, end)
        )

    # --- repainting only the line a key changed ----------------------------------------

    _typing = False  # a keyboard edit is running
    _whole_refresh_wanted = False

    def _view(self) -> tuple:
        """What decides where every row is drawn and how it looks, apart
        from the text of the edited line."""
        return (
            self.scroll_offset,
            self.virtual_size,
            self.size,
            self.wrapped_document.height,
            self._matching_bracket_location,
            self.gutter_width,
        )

    def _repainting_one_line(self, one_line: bool, edit) -> EditResult | None:
        if not one_line or self.language is not None or self.placeholder or self.suggestion:
            return edit()
        row = self.selection.end[0]
        before = self._view()
        self._typing, self._whole_refresh_wanted = True, False
        try:
            result = edit()
        finally:
            self._typing = False
        if not self._whole_refresh_wanted:
            return result
        if (
            result is not None
            and self.selection.end[0] == row
            and not self.suggestion
            and self._view() == before
        ):
            rows = self.wrapped_document._line_index_to_offsets[row]
            self.refresh_lines(rows[0], len(rows))
        else:
            super().refresh()
        return result

    def refresh(
        self,
        *regions: Region,
        repaint: bool = True,
        layout: bool = False,
        recompose: bool = False,
    ) -> Self:
        if self._typing and not regions and repaint and not layout and not recompose:
            self._whole_refresh_wanted = True  # decided when the edit is done
            return self
        return super().refresh(*regions, repaint=repaint, layout=layout, recompose=recompose)

    def _set_document(self, text: str, language: str | None) -> None:
        super()._set_document(text, language)
        self.wrapped_document.__class__ = FastWrappedDocument

    def _build_highlight_map(self) -> None:
        # Textual clears the whole line cache here, on every edit, so each
        # keystroke re-rendered every visible line. Our cache keys carry each
        # line's own content (below), so entries for unchanged lines stay valid.
        keep = self._line_cache
        self._line_cache = LRUCache(1)
        try:
            super()._build_highlight_map()
        finally:
            self._line_cache = keep

    def render_line(self, y: int) -> Strip:
        # Textual 8.2's TextArea.render_line, with two changes:
        # - no `if not self.text and self.placeholder` first (that joins the
        #   whole document for every rendered line: 14 ms a frame at 200k);
        # - the cache key holds what this line shows (its document line's text,
        #   wrap offsets and highlights, and the selection only where it
        #   touches this line), so an edit re-renders the lines it changed,
        #   not all of them.
        if self.placeholder:
            return super().render_line(y)
        scroll_x, scroll_y = self.scroll_offset
        absolute_y = scroll_y + y
        selection = self.selection
        _x, cursor_y = self._cursor_offset
        wrapped = self.wrapped_document
        info = wrapped._offset_to_line_info
        if absolute_y < len(info):
            line_index, section = info[absolute_y]
            top, bottom = sorted((selection.start[0], selection.end[0]))
            content = (
                line_index,
                section,
                self.document.get_line(line_index),
                tuple(wrapped._wrap_offsets[line_index]),
                tuple(self._highlights.get(line_index, ())),
                selection if top <= line_index <= bottom else selection.end[0] == line_index,
            )
        else:
            content = None
        cache_key = (
            content,
            self.size,
            self.virtual_size,
            scroll_x,
            absolute_y,
            selection.end
            if (self._cursor_visible and self.cursor_blink and absolute_y == cursor_y)
            else None,
            self.theme,
            self._matching_bracket_location,
            self.match_cursor_bracket,
            self.soft_wrap,
            self.show_line_numbers,
            self.line_number_start,
            self.gutter_width,
            self.indent_width,
            self.highlight_cursor_line,
            self.read_only,
            self.show_cursor,
            self._draw_cursor,
            self.has_focus,
            self.suggestion,
        )
        if (cached_line := self._line_cache.get(cache_key)) is not None:
            return cached_line
        line = self._render_line(y)
        if content is not None and _is_marker(content[2]):
            line = line.apply_style(MARKER_STYLE)
        self._line_cache[cache_key] = line
        return line
