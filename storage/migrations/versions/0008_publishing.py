"""publishing: accounts, the publication queue, and media uploaded per account

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 02:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TEXT = sqlmodel.sql.sqltypes.AutoString
_TIME = sqlmodel.sql.sqltypes.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "publish_account",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("kind", _TEXT(), nullable=False),
        sa.Column("url", _TEXT(), nullable=True),
        sa.Column("user", _TEXT(), nullable=True),
        sa.Column("format", _TEXT(), nullable=True),
        sa.Column("path", _TEXT(), nullable=True),
        sa.Column("git_commit", sa.Boolean(), nullable=False),
        sa.Column("paused", sa.Boolean(), nullable=False),
        sa.Column("pause_reason", _TEXT(), nullable=True),
        sa.Column("created_at", _TIME(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('wordpress', 'metaweblog', 'folder', 'webhook')",
            name=op.f("ck_publish_account_kind"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_publish_account")),
        sa.UniqueConstraint("name", name=op.f("uq_publish_account_name")),
    )
    op.create_table(
        "publication",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.Column("account_name", _TEXT(), nullable=False),
        sa.Column("status", _TEXT(), nullable=False),
        sa.Column("draft", sa.Boolean(), nullable=False),
        sa.Column("scheduled_at", _TIME(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", _TIME(), nullable=True),
        sa.Column("last_error", _TEXT(), nullable=True),
        sa.Column("marker", _TEXT(), nullable=False),
        sa.Column("remote_id", _TEXT(), nullable=True),
        sa.Column("url", _TEXT(), nullable=True),
        sa.Column("published_revision_id", sa.Integer(), nullable=True),
        sa.Column("lease_owner", _TEXT(), nullable=True),
        sa.Column("lease_expires_at", _TIME(), nullable=True),
        sa.Column("started_at", _TIME(), nullable=True),
        sa.Column("published_at", _TIME(), nullable=True),
        sa.Column("created_at", _TIME(), nullable=False),
        sa.Column("updated_at", _TIME(), nullable=False),
        sa.CheckConstraint(
            "status IN ('queued', 'publishing', 'published', 'failed', 'cancelled')",
            name=op.f("ck_publication_status"),
        ),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["publish_account.id"],
            name=op.f("fk_publication_account_id_publish_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["article.id"],
            name=op.f("fk_publication_article_id_article"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["published_revision_id"],
            ["article_revision.id"],
            name=op.f("fk_publication_published_revision_id_article_revision"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_publication")),
    )
    with op.batch_alter_table("publication", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_publication_account_id"), ["account_id"])
        batch_op.create_index(batch_op.f("ix_publication_marker"), ["marker"])
        batch_op.create_index(
            batch_op.f("ix_publication_published_revision_id"), ["published_revision_id"]
        )
        batch_op.create_index("ix_publication_queue", ["status", "next_attempt_at"])
        batch_op.create_index("ix_publication_article_account", ["article_id", "account_id"])
    op.create_table(
        "published_media",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("blob_sha", sa.Text(), nullable=False),
        sa.Column("remote_url", _TEXT(), nullable=False),
        sa.Column("created_at", _TIME(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["publish_account.id"],
            name=op.f("fk_published_media_account_id_publish_account"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["blob_sha"],
            ["blob.sha256"],
            name=op.f("fk_published_media_blob_sha_blob"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_published_media")),
        sa.UniqueConstraint("account_id", "blob_sha", name=op.f("uq_published_media_account_blob")),
    )
    with op.batch_alter_table("published_media", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_published_media_blob_sha"), ["blob_sha"])


def downgrade() -> None:
    op.drop_table("published_media")
    op.drop_table("publication")
    op.drop_table("publish_account")
