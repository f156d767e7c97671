"""Writing statistics: words per day over a window, the streak (today or,
before today's first words, up to yesterday), and progress to the goal."""

from __future__ import annotations

from datetime import date

from inkbench.storage import works
from inkbench.storage.writing_stats import writing_stats


def test_days_streak_and_goal(db) -> None:
    with db.write() as s:
        w = works.create_work(s, "长夜", word_goal=100)
        works.create_chapter(s, w.id, "一", "一二三四五")
    with db.raw() as conn:
        conn.execute("DELETE FROM writing_day")
        conn.executemany(
            "INSERT INTO writing_day (work_id, day, words_added) VALUES (?, ?, ?)",
            [
                (w.id, d, n)
                for d, n in [
                    ("2026-11-20", 50),
                    ("2026-11-27", 10),
                    ("2026-11-28", 20),
                    ("2026-11-29", 5),
                ]
            ],
        )
    with db.read() as s:
        st = writing_stats(s, w.id, days=5, today=date(2026, 11, 30))
        assert st.days == [
            ("2026-11-26", 0),
            ("2026-11-27", 10),
            ("2026-11-28", 20),
            ("2026-11-29", 5),
            ("2026-11-30", 0),
        ]
        assert st.streak == 3  # nothing yet today: the run up to yesterday counts
        assert st.total_added == 85 and (st.words, st.goal) == (5, 100)
        assert st.fraction == 0.05
        assert writing_stats(s, w.id, today=date(2026, 12, 2)).streak == 0
        assert st.to_dict()["days"][1] == {"day": "2026-11-27", "words": 10}
