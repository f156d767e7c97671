"""Revision retention: old autosaves thin to one per text and day; manual,
AI and restore revisions and recent autosaves stay."""

from __future__ import annotations

from datetime import timedelta

from inkbench.storage import revisions, works
from inkbench.storage.models import ChapterRevision, utcnow
from inkbench.storage.retention import thin_autosaves


def test_old_autosaves_keep_one_per_day_and_other_kinds_stay(db) -> None:
    now = utcnow().replace(hour=12)
    with db.write() as s:
        w = works.create_work(s, "长夜")
        c = works.create_chapter(s, w.id, "一", "x")
        other = works.create_chapter(s, w.id, "二", "y")
        made = []
        for age_days, hour, kind, chapter in [
            (40, 9, "autosave", c),
            (40, 10, "autosave", c),
            (40, 11, "autosave", c),  # the day's last: kept
            (40, 10, "autosave", other),  # another chapter's only one that day: kept
            (39, 10, "manual", c),
            (39, 11, "ai", c),
            (39, 12, "restore", c),
            (39, 9, "autosave", c),
            (39, 13, "autosave", c),  # kept
            (2, 9, "autosave", c),  # recent: all kept
            (2, 10, "autosave", c),
        ]:
            rev = ChapterRevision(
                chapter_id=chapter.id,
                kind=kind,
                title="t",
                body=f"{age_days}-{hour}-{kind}",
                created_at=now - timedelta(days=age_days) + timedelta(hours=hour - 12),
            )
            s.add(rev)
            s.flush()
            made.append(rev.id)
    with db.raw() as conn:
        result = thin_autosaves(conn, 30, now=now)
    assert result.removed == {"article": 0, "chapter": 3} and result.total == 3
    with db.read() as s:
        left = {r.id for r in revisions.list_revisions(s, "chapter", c.id)}
        left |= {r.id for r in revisions.list_revisions(s, "chapter", other.id)}
    gone = {made[0], made[1], made[7]}
    assert left == set(made) - gone
    with db.raw() as conn:  # a second run finds nothing more
        assert thin_autosaves(conn, 30, now=now).total == 0
