"""assistants, conversations kept only here, and what each AI request served

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 00:20:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Conversations are in the global search: one FTS5 table over their messages
# (title = the conversation's title), kept by triggers like migration 0001's.
FTS_OPTIONS = "tokenize='unicode61 remove_diacritics 2'"
_VALUES = (
    "new.id, ink_index_form((SELECT title FROM conversation WHERE id = new.conversation_id)), "
    "ink_index_form(new.content)"
)
SEARCH_SQL = [
    f"CREATE VIRTUAL TABLE search_message USING fts5(title, body, {FTS_OPTIONS})",
    "INSERT INTO search_message(search_message, rank) VALUES ('rank', 'bm25(4.0, 1.0)')",
    "CREATE TRIGGER search_message_ai AFTER INSERT ON chat_message BEGIN "
    f"INSERT INTO search_message(rowid, title, body) VALUES ({_VALUES}); END",
    "CREATE TRIGGER search_message_au AFTER UPDATE OF content ON chat_message BEGIN "
    "DELETE FROM search_message WHERE rowid = old.id; "
    f"INSERT INTO search_message(rowid, title, body) VALUES ({_VALUES}); END",
    "CREATE TRIGGER search_message_ad AFTER DELETE ON chat_message BEGIN "
    "DELETE FROM search_message WHERE rowid = old.id; END",
    # a renamed conversation: its messages' titles change
    "CREATE TRIGGER search_message_conversation_au AFTER UPDATE OF title ON conversation BEGIN "
    "UPDATE chat_message SET content = content WHERE conversation_id = new.id; END",
]


def upgrade() -> None:
    op.create_table(
        "assistant",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("title_zh", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("description", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("description_zh", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("system_prompt", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("system_prompt_zh", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("temperature", sa.Float(), nullable=True),
        sa.Column("max_tokens", sa.Integer(), nullable=True),
        sa.Column("model", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("examples", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("builtin", sa.Boolean(), nullable=False),
        sa.Column("uses", sa.Integer(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assistant")),
        sa.UniqueConstraint("name", name=op.f("uq_assistant_name")),
    )
    op.create_table(
        "conversation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("work_id", sa.Integer(), nullable=True),
        sa.Column("chapter_id", sa.Integer(), nullable=True),
        sa.Column("article_id", sa.Integer(), nullable=True),
        sa.Column("knowledge_base_id", sa.Integer(), nullable=True),
        sa.Column("assistant_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["article.id"],
            name=op.f("fk_conversation_article_id_article"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["assistant_id"],
            ["assistant.id"],
            name=op.f("fk_conversation_assistant_id_assistant"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["chapter_id"],
            ["chapter.id"],
            name=op.f("fk_conversation_chapter_id_chapter"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["knowledge_base_id"],
            ["knowledge_base.id"],
            name=op.f("fk_conversation_knowledge_base_id_knowledge_base"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["work_id"],
            ["work.id"],
            name=op.f("fk_conversation_work_id_work"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conversation")),
    )
    with op.batch_alter_table("conversation", schema=None) as batch_op:
        for col in ("article_id", "assistant_id", "chapter_id", "knowledge_base_id", "work_id"):
            batch_op.create_index(batch_op.f(f"ix_conversation_{col}"), [col], unique=False)

    with op.batch_alter_table("ai_request", schema=None) as batch_op:
        for col, target in (
            ("work_id", "work"),
            ("chapter_id", "chapter"),
            ("article_id", "article"),
            ("conversation_id", "conversation"),
            ("assistant_id", "assistant"),
        ):
            batch_op.add_column(sa.Column(col, sa.Integer(), nullable=True))
            batch_op.create_index(batch_op.f(f"ix_ai_request_{col}"), [col], unique=False)
            batch_op.create_foreign_key(
                batch_op.f(f"fk_ai_request_{col}_{target}"),
                target,
                [col],
                ["id"],
                ondelete="SET NULL",
            )
        batch_op.add_column(
            sa.Column(
                "request_type",
                sqlmodel.sql.sqltypes.AutoString(),
                nullable=False,
                server_default="generate",
            )
        )
    # what the old rows were for is their purpose
    op.execute("UPDATE ai_request SET request_type = purpose")

    op.create_table(
        "chat_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column("role", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("content", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("idempotency_key", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("ai_request_id", sa.Integer(), nullable=True),
        sa.Column("error", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.CheckConstraint("role IN ('user', 'assistant')", name=op.f("ck_chat_message_role")),
        sa.CheckConstraint(
            "status IN ('queued', 'done', 'incomplete', 'error')",
            name=op.f("ck_chat_message_status"),
        ),
        sa.ForeignKeyConstraint(
            ["ai_request_id"],
            ["ai_request.id"],
            name=op.f("fk_chat_message_ai_request_id_ai_request"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversation.id"],
            name=op.f("fk_chat_message_conversation_id_conversation"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chat_message")),
    )
    with op.batch_alter_table("chat_message", schema=None) as batch_op:
        batch_op.create_index(
            "ix_chat_message_conversation", ["conversation_id", "id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_chat_message_ai_request_id"), ["ai_request_id"], unique=False
        )

    for table in ("article_revision", "chapter_revision"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("ai_request_id", sa.Integer(), nullable=True))
            batch_op.create_index(batch_op.f(f"ix_{table}_ai_request_id"), ["ai_request_id"])
            batch_op.create_foreign_key(
                batch_op.f(f"fk_{table}_ai_request_id_ai_request"),
                "ai_request",
                ["ai_request_id"],
                ["id"],
                ondelete="SET NULL",
            )

    for sql in SEARCH_SQL:
        op.execute(sql)


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS search_message_conversation_au")
    op.execute("DROP TABLE IF EXISTS search_message")
    for table in ("article_revision", "chapter_revision"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(
                batch_op.f(f"fk_{table}_ai_request_id_ai_request"), type_="foreignkey"
            )
            batch_op.drop_index(batch_op.f(f"ix_{table}_ai_request_id"))
            batch_op.drop_column("ai_request_id")
    with op.batch_alter_table("chat_message", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_chat_message_ai_request_id"))
        batch_op.drop_index("ix_chat_message_conversation")
    op.drop_table("chat_message")
    with op.batch_alter_table("ai_request", schema=None) as batch_op:
        batch_op.drop_column("request_type")
        for col, target in (
            ("assistant_id", "assistant"),
            ("conversation_id", "conversation"),
            ("article_id", "article"),
            ("chapter_id", "chapter"),
            ("work_id", "work"),
        ):
            batch_op.drop_constraint(
                batch_op.f(f"fk_ai_request_{col}_{target}"), type_="foreignkey"
            )
            batch_op.drop_index(batch_op.f(f"ix_ai_request_{col}"))
            batch_op.drop_column(col)
    with op.batch_alter_table("conversation", schema=None) as batch_op:
        for col in ("article_id", "assistant_id", "chapter_id", "knowledge_base_id", "work_id"):
            batch_op.drop_index(batch_op.f(f"ix_conversation_{col}"))
    op.drop_table("conversation")
    op.drop_table("assistant")
