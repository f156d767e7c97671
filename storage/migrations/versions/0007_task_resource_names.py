"""a generation task keeps the last name of a resource it used when that is purged

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 02:30:00.000000

A task shows the live names of its article setting, knowledge base, album
and conversion target through its foreign keys (``storage.task_names``); the
names it stores serve once the row is deleted and the key becomes NULL.
These triggers write the row's name at that moment into the task, so a
resource renamed after the task was created is shown by its last name, not
its first, whichever path deletes it.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (trigger, table, the task's foreign key, the task's stored name)
KEPT = (
    ("generation_task_keeps_setting_name", "article_setting", "setting_id", "setting_name"),
    ("generation_task_keeps_kb_name", "knowledge_base", "knowledge_base_id", "knowledge_base_name"),
    ("generation_task_keeps_album_name", "album", "album_id", "album_name"),
    ("generation_task_keeps_target_name", "conversion_target", "target_id", "target_name"),
)


def upgrade() -> None:
    for trigger, table, key, column in KEPT:
        op.execute(
            f"CREATE TRIGGER {trigger} BEFORE DELETE ON {table} BEGIN"
            f" UPDATE generation_task SET {column} = OLD.name WHERE {key} = OLD.id; END"
        )


def downgrade() -> None:
    for trigger, *_rest in KEPT:
        op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
