"""Revision retention: old autosaves are thinned, everything else is kept.

Autosave revisions older than ``keep_days`` (``[novel]
revision_retention_days`` in the settings, default 30) keep one per text and
day, the day's last; the rest are deleted. Manual, AI and restore revisions
are never touched, nor are autosaves younger than the cut-off. Standard
library only, on a connection inside the caller's write transaction.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta

from inkbench.storage.vocab import db_time, utcnow

DEFAULT_KEEP_DAYS = 30

# revision table -> the column naming the text it belongs to
_TABLES = {"article_revision": "article_id", "chapter_revision": "chapter_id"}


@dataclass(frozen=True)
class RetentionResult:
    """How many autosave revisions were removed, per kind of text."""

    removed: dict[str, int]

    @property
    def total(self) -> int:
        """All removed revisions."""
        return sum(self.removed.values())


def thin_autosaves(
    conn: sqlite3.Connection, keep_days: int = DEFAULT_KEEP_DAYS, *, now: datetime | None = None
) -> RetentionResult:
    """Delete autosaves older than ``keep_days`` days but the last of each
    text's day; returns how many went (``{"article": n, "chapter": m}``)."""
    if keep_days < 0:
        raise ValueError("keep_days cannot be negative")
    cutoff = db_time((now or utcnow()) - timedelta(days=keep_days))
    removed = {}
    for table, owner in _TABLES.items():
        cur = conn.execute(
            f"DELETE FROM {table} WHERE kind = 'autosave' AND created_at < ?1 "
            f"AND id NOT IN (SELECT max(id) FROM {table} "
            f"WHERE kind = 'autosave' AND created_at < ?1 "
            f"GROUP BY {owner}, date(created_at))",
            (cutoff,),
        )
        removed[table.removesuffix("_revision")] = cur.rowcount
    return RetentionResult(removed)
