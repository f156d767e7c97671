"""Writing statistics of a work: words added per day (from its saves, see
``storage.chapter_text``), the current streak, and progress to the word goal."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, timedelta

from sqlmodel import Session, select

from inkbench.storage.models import WritingDay
from inkbench.storage.works import get_work, progress


@dataclass(frozen=True)
class WritingStats:
    """Per-day words (oldest first, every day of the window, zeros included),
    the streak of days with words ending today (or yesterday, when today has
    none yet), the best day, and the work's words against its goal."""

    days: list[tuple[str, int]]
    streak: int
    total_added: int
    words: int
    goal: int

    @property
    def fraction(self) -> float | None:
        """Share of the goal written, or None without a goal."""
        return self.words / self.goal if self.goal > 0 else None

    def to_dict(self) -> dict:
        """A plain dict (for ``--json``)."""
        d = asdict(self)
        d["days"] = [{"day": day, "words": n} for day, n in self.days]
        d["fraction"] = self.fraction
        return d


def writing_stats(
    session: Session, work_id: int, *, days: int = 30, today: date | None = None
) -> WritingStats:
    """A work's words per day over the last ``days`` days, its streak and goal progress."""
    get_work(session, work_id)
    today = today or date.today()
    rows = dict(
        session.exec(
            select(WritingDay.day, WritingDay.words_added).where(WritingDay.work_id == work_id)
        ).all()
    )
    window = [today - timedelta(days=i) for i in range(max(1, days) - 1, -1, -1)]
    per_day = [(d.isoformat(), int(rows.get(d.isoformat(), 0))) for d in window]
    streak = 0
    day = today if rows.get(today.isoformat(), 0) > 0 else today - timedelta(days=1)
    while rows.get(day.isoformat(), 0) > 0:
        streak += 1
        day -= timedelta(days=1)
    p = progress(session, work_id)
    return WritingStats(
        days=per_day,
        streak=streak,
        total_added=sum(int(v) for v in rows.values()),
        words=p.words,
        goal=p.goal,
    )
