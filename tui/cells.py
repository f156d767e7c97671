"""Text laid out in terminal cells: CJK characters take two cells each, so
``str.ljust`` and ``f"{x:<10}"`` misalign Chinese; these count cells."""

from __future__ import annotations

from rich.cells import cell_len


def pad(text: str, width: int) -> str:
    """``text`` and spaces up to ``width`` cells (at least one space after it)."""
    return text + " " * max(1, width - cell_len(text))
