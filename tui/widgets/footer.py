"""The footer in the interface's language.

Binding descriptions are English msgids marked with ``N_()`` (they are class
attributes, made at import time); this footer shows each through ``_()`` when
it is composed, so a language switched at run time shows on the next compose.

Keys that do not fit beside the command palette's key (docked right) are left
out rather than drawn under it: a wide (CJK) character cut by the overlap
would be lost. F1 and the palette list every key.
"""

from __future__ import annotations

from rich.cells import cell_len
from textual.app import ComposeResult
from textual.widgets import Footer as TextualFooter
from textual.widgets._footer import FooterKey, FooterLabel

from inkbench.i18n import _
from inkbench.tui.vocab import binding_text


def _key_cells(key: FooterKey) -> int:
    """Cells a footer key takes: `` key `` then ``description ``."""
    return cell_len(key.key_display) + 2 + (cell_len(key.description) + 1 if key.description else 0)


class Footer(TextualFooter):
    """Textual's footer, with every description and group label translated,
    and no key hidden under the command palette's."""

    def compose(self) -> ComposeResult:
        width = self.size.width or self.app.size.width
        palette = self._palette_cells()
        room = width - palette
        used = 0
        for widget in super().compose():
            if isinstance(widget, FooterKey):
                widget.description = binding_text(widget.description) if widget.description else ""
                if widget.tooltip:
                    widget.tooltip = binding_text(str(widget.tooltip))
                if not widget.has_class("-command-palette"):
                    if palette and widget.action == "command_palette":
                        continue  # shown once, docked at the right
                    used += _key_cells(widget)
                    if used > room:
                        continue
            elif isinstance(widget, FooterLabel):
                widget.update(_(str(widget.content)))
            yield widget

    def _palette_cells(self) -> int:
        """Cells of the command palette's key, docked at the right (0 if none)."""
        if not (self.show_command_palette and self.app.ENABLE_COMMAND_PALETTE):
            return 0
        active = self.screen.active_bindings.get(self.app.COMMAND_PALETTE_BINDING)
        if active is None:
            return 0
        binding = active.binding
        display = self.app.get_key_display(binding)
        return cell_len(display) + 2 + cell_len(binding_text(binding.description)) + 2

    def on_resize(self) -> None:
        self.call_after_refresh(self.recompose)
