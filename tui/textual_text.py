"""Textual's own words (its system commands in the palette, the palette's
placeholder) in the interface's language.

Textual writes them in English; each one it shows is spelled out here so the
catalog has it (``pgettext("textual", …)``); a word Textual adds later stays
English until it is listed (``tests/tui/test_language.py`` says which).
"""

from __future__ import annotations

from inkbench.i18n import pgettext


def textual_text(text: str) -> str:
    """One of Textual's user-visible strings, translated if it is known."""
    known = {
        "Bell": pgettext("textual", "Bell"),
        "Ring the bell": pgettext("textual", "Ring the bell"),
        "Theme": pgettext("textual", "Theme"),
        "Change the current theme": pgettext("textual", "Change the current theme"),
        "Quit": pgettext("textual", "Quit"),
        "Quit the application as soon as possible": pgettext(
            "textual", "Quit the application as soon as possible"
        ),
        "Keys": pgettext("textual", "Keys"),
        "Hide the keys and widget help panel": pgettext(
            "textual", "Hide the keys and widget help panel"
        ),
        "Show help for the focused widget and a summary of available keys": pgettext(
            "textual", "Show help for the focused widget and a summary of available keys"
        ),
        "Minimize": pgettext("textual", "Minimize"),
        "Minimize the widget and restore to normal size": pgettext(
            "textual", "Minimize the widget and restore to normal size"
        ),
        "Maximize": pgettext("textual", "Maximize"),
        "Maximize the focused widget": pgettext("textual", "Maximize the focused widget"),
        "Screenshot": pgettext("textual", "Screenshot"),
        "Save an SVG 'screenshot' of the current screen": pgettext(
            "textual", "Save an SVG 'screenshot' of the current screen"
        ),
        "Search for commands…": pgettext("textual", "Search for commands…"),
        "Search for themes…": pgettext("textual", "Search for themes…"),
    }
    return known.get(text, text)
