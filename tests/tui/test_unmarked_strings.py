"""Every user-visible string literal in the TUI is marked for translation.

An AST scan (``tests/tui/unmarked.py``) of the calls that put text on the
screen; the fixture module proves the scan catches unmarked text."""

from __future__ import annotations

from pathlib import Path

from tests.tui.unmarked import scan_source, scan_tree

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = Path(__file__).parent / "fixtures" / "unmarked_notice.py"


def test_tui_has_no_unmarked_user_visible_strings() -> None:
    found = scan_tree(ROOT / "tui")
    assert not found, "wrap these in _() / ngettext() / N_():\n" + "\n".join(found)


def test_the_scan_finds_unmarked_strings() -> None:
    found = scan_source(FIXTURE.read_text(encoding="utf-8"), str(FIXTURE))
    texts = sorted(text for _line, text in found)
    assert texts == sorted(["'Save'", "'Fixture'", "'Ready'", "'Saved'", "f'Saved {title}'"])
