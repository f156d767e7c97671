"""The names a generation task shows for the resources it uses (its article
setting, knowledge base, album, conversion target): the live names, read
through its foreign keys, so a renamed album shows its new name, also while
it sits in the Trash. The name stored when the task was created serves only
once the resource is purged (the foreign key is then NULL), so a finished
task stays readable. Standard library only, like the other read paths.

The keyword is not a resource name: it is the task's own input, the text its
articles are written about, and stays as it was when the task was created.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass

_SQL = (
    "SELECT t.id, coalesce(s.name, t.setting_name), coalesce(kb.name, t.knowledge_base_name),"
    " coalesce(al.name, t.album_name), coalesce(ct.name, t.target_name)"
    " FROM generation_task t"
    " LEFT JOIN article_setting s ON s.id = t.setting_id"
    " LEFT JOIN knowledge_base kb ON kb.id = t.knowledge_base_id"
    " LEFT JOIN album al ON al.id = t.album_id"
    " LEFT JOIN conversion_target ct ON ct.id = t.target_id"
)


@dataclass(frozen=True)
class TaskNames:
    """The names of what a task uses, live where the resource still exists."""

    setting: str
    knowledge_base: str | None
    album: str | None
    target: str | None


def task_names(conn: sqlite3.Connection, task_ids: Iterable[int]) -> dict[int, TaskNames]:
    """Task id -> the names of what it uses, for each id that exists."""
    ids = list(dict.fromkeys(int(i) for i in task_ids))
    out: dict[int, TaskNames] = {}
    for start in range(0, len(ids), 500):  # under SQLite's variable limit
        chunk = ids[start : start + 500]
        marks = ",".join("?" * len(chunk))
        for row in conn.execute(f"{_SQL} WHERE t.id IN ({marks})", chunk):
            out[row[0]] = TaskNames(row[1] or "", row[2], row[3], row[4])
    return out


def task_names_of(conn: sqlite3.Connection, task_id: int) -> TaskNames | None:
    """The names of what one task uses; None if there is no such task."""
    return task_names(conn, [task_id]).get(task_id)
