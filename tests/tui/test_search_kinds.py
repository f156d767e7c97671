"""Each search hit's title starts in the same column whatever its kind, in
both languages ("knowledge base" is 14 cells, wider than the old column)."""

from __future__ import annotations

import pytest
from rich.cells import cell_len

from inkbench.i18n import set_language
from inkbench.storage.search import ALL_KINDS, Hit
from inkbench.storage.text import Snippet


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_titles_line_up_for_every_kind(lang: str) -> None:
    from inkbench.tui.screens.search import hit_content, kind_width

    set_language(lang)
    try:
        width = kind_width()
        for kind in ALL_KINDS:
            hit = Hit(kind, 1, "TITLE", Snippet("body text", ((0, 4),)), 0.0)
            head, snippet = hit_content(hit, 80).plain.split("\n")
            assert cell_len(head[: head.index("TITLE")]) == width, kind
            assert snippet.startswith(" " * width + "body"), kind
    finally:
        set_language("en")
