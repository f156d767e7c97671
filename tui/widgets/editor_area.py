"""The editors' TextArea, fit for long chapters.

Textual 8.2's ``WrappedDocument.height`` sums every line's wrap offsets on
each call, and ``TextArea`` asks for it for every rendered line, so a keystroke
in a 200k-character chapter cost ~100 ms (see also ``render_line`` below). The
number of wrapped lines is already kept (one ``_offset_to_line_info`` entry
per visual line, updated by ``wrap`` and ``wrap_range``), so reading its
length gives the same answer in O(1). A test checks both agree after edits.
"""

from __future__ import annotations

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

    def render_line(self, y: int) -> Strip:
        # TextArea.render_line starts with `if not self.text and self.placeholder`,
        # which joins the whole document for every rendered line (14 ms a frame
        # at 200k characters). With no placeholder the rest is the same as
        # Textual 8.2's: look the line up in the line cache, else render it.
        if self.placeholder:
            return super().render_line(y)
        scroll_x, scroll_y = self.scroll_offset
        absolute_y = scroll_y + y
        selection = self.selection
        _, cursor_y = self._cursor_offset
        cache_key = (
            self.size,
            scroll_x,
            absolute_y,
            (
                selection
                if selection.contains_line(absolute_y) or self.soft_wrap
                else selection.end[0] == absolute_y
            ),
            (
                selection.end
                if (self._cursor_visible and self.cursor_blink and absolute_y == cursor_y)
                else None
            ),
            self.theme,
            self._matching_bracket_location,
            self.match_cursor_bracket,
            self.soft_wrap,
            self.show_line_numbers,
            self.read_only,
            self.show_cursor,
            self.suggestion,
        )
        if (cached_line := self._line_cache.get(cache_key)) is not None:
            return cached_line
        line = self._render_line(y)
        self._line_cache[cache_key] = line
        return line
