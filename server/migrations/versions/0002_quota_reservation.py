"""quota reservations; login-failure keys become digests

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30 23:40:00

A call reserves tokens and articles before the upstream is asked
(``quota_reservation``) and settles them afterwards. Login failures are now
keyed by SHA-256 digests of the user name and address, so rows written with
the old plain keys are dropped (they would never match again; they only ever
lived for the rate-limit window).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "quota_reservation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("tokens", sa.BigInteger(), nullable=False),
        sa.Column("articles", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["account_user.id"],
            name=op.f("fk_quota_reservation_user_id_account_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quota_reservation")),
    )
    with op.batch_alter_table("quota_reservation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_quota_reservation_user_id"), ["user_id"])
        batch_op.create_index(batch_op.f("ix_quota_reservation_expires_at"), ["expires_at"])
    with op.batch_alter_table("idempotency_record", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_idempotency_record_lease_until"), ["lease_until"])
    op.execute("DELETE FROM login_failure")


def downgrade() -> None:
    with op.batch_alter_table("idempotency_record", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_idempotency_record_lease_until"))
    with op.batch_alter_table("quota_reservation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_quota_reservation_expires_at"))
        batch_op.drop_index(batch_op.f("ix_quota_reservation_user_id"))
    op.drop_table("quota_reservation")
    op.execute("DELETE FROM login_failure")
