"""The Textual app. ``make_app`` is the one way to build it (CLI and tests)."""

from __future__ import annotations

import os

from textual.app import App, ComposeResult
from textual.widgets import Footer, Header, Static


class InkbenchApp(App):
    TITLE = "Inkbench"

    def __init__(self, home: str | os.PathLike[str] | None = None) -> None:
        super().__init__()
        self.home = home

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(
            "The workbench screens are being built. Use the CLI meanwhile: inkbench --help"
        )
        yield Footer()


def make_app(home: str | os.PathLike[str] | None = None) -> InkbenchApp:
    return InkbenchApp(home=home)
