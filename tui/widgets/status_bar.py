"""The status bar: connectivity, account and quota, background jobs, and a
short note from the current area. Fed by the messages in ``tui.messages``
(the app handles them and calls the methods here)."""

from __future__ import annotations

from dataclasses import dataclass

from textual.content import Content
from textual.widget import Widget

from inkbench.i18n import _, aside, format_number


@dataclass
class Job:
    label: str
    done: float
    total: float | None


class StatusBar(Widget):
    DEFAULT_CSS = """
    StatusBar { height: 1; background: $panel; color: $text-muted; padding: 0 1; }
    """

    def __init__(self, id: str | None = None) -> None:
        super().__init__(id=id)
        self.online: bool | None = None
        self.online_detail = ""
        self.username: str | None = None
        self.plan = ""
        self.quota = ""
        self.jobs: dict[str, Job] = {}
        self.note = ""

    # --- the API (called by the app's message handlers) ---------------------------

    def set_online(self, online: bool, detail: str = "") -> None:
        self.online, self.online_detail = online, detail
        self.refresh()

    def set_account(self, username: str | None, plan: str = "", quota: str = "") -> None:
        self.username, self.plan, self.quota = username, plan, quota
        self.refresh()

    def set_job(self, job_id: str, label: str, done: float, total: float | None) -> None:
        self.jobs[job_id] = Job(label, done, total)
        self.refresh()

    def end_job(self, job_id: str) -> None:
        self.jobs.pop(job_id, None)
        self.refresh()

    def set_note(self, note: str) -> None:
        self.note = note
        self.refresh()

    # --- rendering ----------------------------------------------------------------

    def render(self) -> Content:
        line = self._line(with_detail=True)
        if line.cell_length > self.size.width and self.online_detail:
            line = self._line(with_detail=False)  # the offline reason is in area 7
        return line

    def _line(self, with_detail: bool) -> Content:
        parts: list[Content] = []
        if self.online is None:
            parts.append(Content.styled(_("○ not connected yet"), "$text-muted"))
        elif self.online:
            parts.append(Content.styled(_("● online"), "$text-success"))
        else:
            detail = self.online_detail if with_detail else ""
            if detail.lower().startswith("offline:"):
                detail = detail.split(":", 1)[1].strip()
            text = _("● offline") + aside(detail)
            parts.append(Content.styled(text, "$text-warning"))
        if self.username:
            account = self.username + (f" · {self.plan}" if self.plan else "")
            if self.quota:
                account += f" · {self.quota}"
            parts.append(Content(account))
        else:
            parts.append(Content(_("no account")))
        for job in self.jobs.values():
            if job.total:
                pct = int(100 * job.done / job.total) if job.total else 0
                done, total = format_number(job.done), format_number(job.total)
                parts.append(Content(f"⟳ {job.label} {pct}% ({done}/{total})"))
            else:
                parts.append(Content(f"⟳ {job.label} {format_number(job.done)}"))
        if not self.jobs:
            parts.append(Content(_("no background jobs")))
        if self.note:
            parts.append(Content(self.note))
        return Content(" │ ").join(parts)
