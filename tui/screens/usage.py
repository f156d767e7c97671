"""The AI usage log (``ai_request``) as a table: requests, prompt and
completion tokens, time spent, errors and estimated cost (``[ai.prices]``),
grouped by day, model, assistant or purpose (``d``, ``m``, ``a``, ``p``).
The same figures as ``inkbench usage``."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import DataTable, Static

from inkbench.i18n import N_, _
from inkbench.storage.vocab import purpose_name
from inkbench.tui.dialogs.base import PageDialog

GROUPINGS = {
    "day": N_("by day"),
    "model": N_("by model"),
    "assistant": N_("by assistant"),
    "purpose": N_("by purpose"),
}


class UsageScreen(PageDialog[None]):
    """The usage log, one row per group; keys switch the grouping."""

    DEFAULT_CSS = """
    UsageScreen DataTable { height: 1fr; }
    UsageScreen #usage-by { height: 1; padding: 0 1; color: $text-muted; }
    """
    BINDINGS = [
        Binding("escape,q", "close", N_("Close"), id="usage.close"),
        Binding("d", "group('day')", N_("By day"), id="usage.by_day"),
        Binding("m", "group('model')", N_("By model"), id="usage.by_model"),
        Binding("a", "group('assistant')", N_("By assistant"), id="usage.by_assistant"),
        Binding("p", "group('purpose')", N_("By purpose"), id="usage.by_purpose"),
    ]

    def __init__(self, by: str = "day") -> None:
        super().__init__()
        self.by = by
        self.rows: list = []

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Content(_("AI usage")), classes="dialog-title")
            yield Static(id="usage-by", markup=False)
            yield DataTable(id="usage-table", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns(
            _("group"),
            _("requests"),
            _("prompt"),
            _("completion"),
            _("time"),
            _("errors"),
            _("cost"),
        )
        table.focus()
        self.action_group(self.by)

    def action_group(self, by: str) -> None:
        """Regroup the table (day, model, assistant, purpose)."""
        from inkbench.tui.assist_actions import usage_rows

        self.by = by
        marks = {key: " ✓" if key == by else "" for key in GROUPINGS}
        keys = " · ".join(f"{key[0]}: {_(label)}{marks[key]}" for key, label in GROUPINGS.items())
        self.query_one("#usage-by", Static).update(Content(keys))
        self.app.db_job(usage_rows, by, name=_("usage"), done=self._show)  # type: ignore[attr-defined]

    def _show(self, rows: list) -> None:
        self.rows = rows
        table = self.query_one(DataTable)
        table.clear()
        for r in rows:
            cost = "-" if r.cost is None else f"{r.cost:.4f}"
            key = purpose_name(r.key) if self.by == "purpose" else r.key
            table.add_row(
                Text(key or "-"),
                Text(str(r.requests), justify="right"),
                Text(str(r.prompt_tokens), justify="right"),
                Text(str(r.completion_tokens), justify="right"),
                Text(f"{r.duration_ms / 1000:.1f} s", justify="right"),
                Text(str(r.errors), justify="right"),
                Text(cost, justify="right"),
            )
        if not rows:
            self.query_one("#usage-by", Static).update(
                Content(_("No AI requests yet: the log fills as the AI is used."))
            )

    def action_close(self) -> None:
        self.dismiss(None)
