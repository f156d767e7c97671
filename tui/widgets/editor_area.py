"""The editors' TextArea, fit for long chapters.

Textual 8.2's ``WrappedDocument.height`` sums every line's wrap offsets on
each call, and ``TextArea`` asks for it for every rendered line, so a keystroke
in a 200k-character chapter cost ~100 ms (see also ``render_line`` below). The
number of wrapped lines is already kept (one ``_offset_to_line_info`` entry
per visual line, updated by ``wrap`` and ``wrap_range``), so reading its
length gives the same answer in O(1). A test checks both agree after edits.
"""

from __future__ import annotations

from textual.cache import LRUCache
from textual.document._wrapped_document import WrappedDocument
from textual.strip import Strip
from textual.widgets import TextArea


class FastWrappedDocument(WrappedDocument):
    @property
    def height(self) -> int:
        return len(self._offset_to_line_info)


class EditorArea(TextArea):
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
        self._line_cache[cache_key] = line
        return line
