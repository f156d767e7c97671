"""chat edits and attachments: an edited or regenerated message supersedes the
later ones of its branch (kept, marked by the message that replaced them);
context attached to a message is stored with it; a reply cut off mid-stream
keeps its partial text in the request log; an assist request queued while
offline becomes a conversation with the assembled system prompt

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 02:20:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # plain ADD COLUMN (no table copy): chat_message keeps its search triggers
    op.add_column("chat_message", sa.Column("superseded_by", sa.Integer(), nullable=True))
    op.add_column(
        "conversation",
        sa.Column("system_prompt", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    )
    op.add_column(
        "ai_request",
        sa.Column("partial_reply", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    )
    op.create_table(
        "chat_attachment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("ref_id", sa.Integer(), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("content", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("cut", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('chapter', 'article', 'character', 'world', 'kb')",
            name=op.f("ck_chat_attachment_kind"),
        ),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["chat_message.id"],
            name=op.f("fk_chat_attachment_message_id_chat_message"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chat_attachment")),
    )
    with op.batch_alter_table("chat_attachment", schema=None) as batch_op:
        batch_op.create_index("ix_chat_attachment_message", ["message_id", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("chat_attachment", schema=None) as batch_op:
        batch_op.drop_index("ix_chat_attachment_message")
    op.drop_table("chat_attachment")
    op.drop_column("ai_request", "partial_reply")
    op.drop_column("conversation", "system_prompt")
    op.drop_column("chat_message", "superseded_by")
