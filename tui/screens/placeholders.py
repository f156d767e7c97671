"""Honest placeholders for areas other issues build. Each says on screen what
is not built yet and what to use meanwhile; none shows made-up data."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Static

from inkbench.tui.screens.base import AreaPane


class PlaceholderArea(AreaPane):
    DEFAULT_CSS = """
    PlaceholderArea { padding: 1 2; }
    PlaceholderArea .placeholder-text { color: $text-muted; }
    """
    can_focus = True
    heading = ""
    missing = ""
    meanwhile = ""

    def compose(self) -> ComposeResult:
        yield Static(self.heading, classes="area-title", markup=False)
        yield Static(
            f"Not built yet: {self.missing}\n\nMeanwhile: {self.meanwhile}",
            classes="placeholder-text",
            markup=False,
        )

    def focus_default(self) -> None:
        self.focus()


class AlbumsArea(PlaceholderArea):
    area_id = "albums"
    heading = "Albums"
    missing = "browsing albums and images, image previews and the OCR queue in the TUI."
    meanwhile = (
        "`inkbench album import NAME PATH...` and `inkbench ocr run`; "
        "OCR text is already found by global search (ctrl+f)."
    )


class KnowledgeArea(PlaceholderArea):
    area_id = "knowledge"
    heading = "Knowledge"
    missing = "knowledge bases, their documents and chunks in the TUI."
    meanwhile = "`inkbench kb import NAME PATH...`; chunks are already found by global search."


class GenerateArea(PlaceholderArea):
    area_id = "generate"
    heading = "Generate"
    missing = "distilling keywords into topics and creating generation tasks in the TUI."
    meanwhile = "`inkbench distill KEYWORD` and `inkbench task create ...` (when available)."


class TasksArea(PlaceholderArea):
    area_id = "tasks"
    heading = "Tasks"
    missing = "the generation task queue: progress, pause, resume, cancel."
    meanwhile = "`inkbench generate run` (when available); `inkbench stats` shows task counts."


class AccountArea(PlaceholderArea):
    area_id = "account"
    heading = "Account"
    missing = "login, logout and quota in the TUI (the status bar will show them)."
    meanwhile = "`inkbench login`, `inkbench quota` (when available)."
