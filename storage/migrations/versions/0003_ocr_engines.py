"""OCR engines: which engine an album uses, which engine and model read an
image, the text boxes in reading order, and the text an earlier read found.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30 23:30:00

Every column is nullable and added with ``ALTER TABLE ADD COLUMN`` (batch
mode leaves the tables, and so the search triggers on ``image``, in place).
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TEXT = sqlmodel.sql.sqltypes.AutoString

IMAGE_COLUMNS = ("ocr_engine", "ocr_model", "ocr_boxes", "ocr_previous_text")


def upgrade() -> None:
    # the album's engine: tesseract, ppocr or auto; NULL means config.toml's default
    with op.batch_alter_table("album", schema=None) as batch_op:
        batch_op.add_column(sa.Column("ocr_engine", TEXT(), nullable=True))
    with op.batch_alter_table("image", schema=None) as batch_op:
        batch_op.add_column(sa.Column("ocr_engine", TEXT(), nullable=True))
        batch_op.add_column(sa.Column("ocr_model", TEXT(), nullable=True))
        # JSON: [{"text": ..., "box": [[x, y] x4], "confidence": ...}] in reading order
        batch_op.add_column(sa.Column("ocr_boxes", TEXT(), nullable=True))
        batch_op.add_column(sa.Column("ocr_previous_text", TEXT(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("image", schema=None) as batch_op:
        for name in reversed(IMAGE_COLUMNS):
            batch_op.drop_column(name)
    with op.batch_alter_table("album", schema=None) as batch_op:
        batch_op.drop_column("ocr_engine")
