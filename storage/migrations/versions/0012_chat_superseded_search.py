"""superseded chat messages leave the search index: an edited or regenerated
message's replaced ones stay in the conversation, but search no longer
finds their text

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01 05:30:00.000000

Migration 0006's triggers indexed every message; 0009 added
``superseded_by`` without touching them. Now, like a trashed article, only
current messages (``superseded_by IS NULL``) are indexed: the insert
trigger skips superseded ones, and the update trigger also watches
``superseded_by`` (setting it removes the row; ``db reindex`` still finds
the trigger by its first column, ``content``). The superseded rows indexed
so far are removed; nothing else changes.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_VALUES = (
    "new.id, ink_index_form((SELECT title FROM conversation WHERE id = new.conversation_id)), "
    "ink_index_form(new.content)"
)
CURRENT = "new.superseded_by IS NULL"
TRIGGERS = [
    "CREATE TRIGGER search_message_ai AFTER INSERT ON chat_message "
    f"WHEN {CURRENT} BEGIN "
    f"INSERT INTO search_message(rowid, title, body) VALUES ({_VALUES}); END",
    "CREATE TRIGGER search_message_au AFTER UPDATE OF content, superseded_by ON chat_message "
    "BEGIN DELETE FROM search_message WHERE rowid = old.id; "
    f"INSERT INTO search_message(rowid, title, body) SELECT {_VALUES} WHERE {CURRENT}; END",
]
# migration 0006's, for downgrade
OLD_TRIGGERS = [
    "CREATE TRIGGER search_message_ai AFTER INSERT ON chat_message BEGIN "
    f"INSERT INTO search_message(rowid, title, body) VALUES ({_VALUES}); END",
    "CREATE TRIGGER search_message_au AFTER UPDATE OF content ON chat_message BEGIN "
    "DELETE FROM search_message WHERE rowid = old.id; "
    f"INSERT INTO search_message(rowid, title, body) VALUES ({_VALUES}); END",
]


def _replace_triggers(statements: list[str]) -> None:
    op.execute("DROP TRIGGER IF EXISTS search_message_ai")
    op.execute("DROP TRIGGER IF EXISTS search_message_au")
    for statement in statements:
        op.execute(statement)


def upgrade() -> None:
    _replace_triggers(TRIGGERS)
    op.execute(
        "DELETE FROM search_message WHERE rowid IN "
        "(SELECT id FROM chat_message WHERE superseded_by IS NOT NULL)"
    )


def downgrade() -> None:
    _replace_triggers(OLD_TRIGGERS)
    # superseded messages back in the index, through the update trigger
    op.execute("UPDATE chat_message SET content = content WHERE superseded_by IS NOT NULL")
