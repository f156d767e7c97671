"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-23 15:19:39.656387
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# Search: one FTS5 table per kind, rowid = the row's id, text stored in the
# index form of storage.text.index_form (CJK bigrams, then the distinct CJK
# characters, so a 1-character term is one token: no prefix index, which cost
# a third of the index's size and build time; see bench/README.md). Triggers
# keep each index holding exactly the rows a user can see, in the same
# transaction as the change: trashing a row, or the work/album/document/KB
# that holds it, takes it out; restoring puts it back.
SEARCHED = {
    # table: (fts table, title column, body column, "visible" test on new.*)
    "article": ("search_article", "title", "body", "new.deleted_at IS NULL"),
    "chapter": (
        "search_chapter",
        "title",
        "body",
        "new.deleted_at IS NULL AND (SELECT deleted_at FROM work WHERE id = new.work_id) IS NULL",
    ),
    "kb_chunk": (
        "search_chunk",
        "heading",
        "text",
        "IFNULL((SELECT d.deleted_at IS NULL AND k.deleted_at IS NULL FROM kb_document d "
        "JOIN knowledge_base k ON k.id = d.kb_id WHERE d.id = new.document_id), 0)",
    ),
    "image": (
        "search_image",
        "original_name",
        "ocr_text",
        "new.deleted_at IS NULL AND (SELECT deleted_at FROM album WHERE id = new.album_id) IS NULL",
    ),
}

# parent table -> (child table, SELECT of the child ids that become visible
# or invisible with the parent, given the parent as new.*)
PARENTS = {
    "work": ("chapter", "SELECT id FROM chapter WHERE work_id = new.id AND deleted_at IS NULL"),
    "album": ("image", "SELECT id FROM image WHERE album_id = new.id AND deleted_at IS NULL"),
    "kb_document": (
        "kb_chunk",
        "SELECT c.id FROM kb_chunk c JOIN knowledge_base k ON k.id = new.kb_id "
        "WHERE c.document_id = new.id AND k.deleted_at IS NULL",
    ),
    "knowledge_base": (
        "kb_chunk",
        "SELECT c.id FROM kb_chunk c JOIN kb_document d ON d.id = c.document_id "
        "WHERE d.kb_id = new.id AND d.deleted_at IS NULL",
    ),
}


# Not contentless (content=''), though search never reads the stored text: that
# would save ~40% of the database (bench/README.md), but then rows leave the
# index only through the 'delete' command with their old text, so every
# DELETE on a searched table would need ink_index_form, and
# ``DELETE FROM search_*`` would no longer work.
FTS_OPTIONS = "tokenize='unicode61 remove_diacritics 2'"


def _search_sql() -> list[str]:
    out = []
    for table, (fts, title, body, visible) in SEARCHED.items():
        watched = f"{title}, {body}" + (", deleted_at" if table != "kb_chunk" else "")
        values = f"new.id, ink_index_form(new.{title}), ink_index_form(new.{body})"
        out += [
            f"CREATE VIRTUAL TABLE {fts} USING fts5(title, body, {FTS_OPTIONS})",
            f"INSERT INTO {fts}({fts}, rank) VALUES ('rank', 'bm25(4.0, 1.0)')",
            f"CREATE TRIGGER {fts}_ai AFTER INSERT ON {table} WHEN {visible} BEGIN "
            f"INSERT INTO {fts}(rowid, title, body) VALUES ({values}); END",
            f"CREATE TRIGGER {fts}_au AFTER UPDATE OF {watched} ON {table} BEGIN "
            f"DELETE FROM {fts} WHERE rowid = old.id; "
            f"INSERT INTO {fts}(rowid, title, body) SELECT {values} WHERE {visible}; END",
            f"CREATE TRIGGER {fts}_ad AFTER DELETE ON {table} BEGIN "
            f"DELETE FROM {fts} WHERE rowid = old.id; END",
        ]
    for parent, (child, ids) in PARENTS.items():
        fts, title, body, _visible = SEARCHED[child]
        out += [
            f"CREATE TRIGGER {fts}_{parent}_trash AFTER UPDATE OF deleted_at ON {parent} "
            "WHEN old.deleted_at IS NULL AND new.deleted_at IS NOT NULL BEGIN "
            f"DELETE FROM {fts} WHERE rowid IN ({ids}); END",
            f"CREATE TRIGGER {fts}_{parent}_restore AFTER UPDATE OF deleted_at ON {parent} "
            "WHEN old.deleted_at IS NOT NULL AND new.deleted_at IS NULL BEGIN "
            f"INSERT INTO {fts}(rowid, title, body) "
            f"SELECT id, ink_index_form({title}), ink_index_form({body}) FROM {child} "
            f"WHERE id IN ({ids}); END",
        ]
    return out


ACTIVE = "('queued', 'running', 'paused')"

# Rule 2 of the design, enforced by the database too: what an active task uses
# cannot be deleted (nor trashed). Operations check first to name the task.
GUARDED = {
    "album": "album_id",
    "knowledge_base": "knowledge_base_id",
    "distillation": "distillation_id",
    "article_setting": "setting_id",
    "conversion_target": "target_id",
}
TRASHABLE_GUARDED = ("album", "knowledge_base")


def _guard_sql() -> list[str]:
    out = []
    for table, column in GUARDED.items():
        used = (
            f"EXISTS (SELECT 1 FROM generation_task WHERE {column} = old.id AND status IN {ACTIVE})"
        )
        message = f"this {table.replace('_', ' ')} is used by an active generation task"
        out.append(
            f"CREATE TRIGGER guard_{table}_delete BEFORE DELETE ON {table} WHEN {used} "
            f"BEGIN SELECT RAISE(ABORT, '{message}'); END"
        )
        if table in TRASHABLE_GUARDED:
            out.append(
                f"CREATE TRIGGER guard_{table}_trash BEFORE UPDATE OF deleted_at ON {table} "
                f"WHEN new.deleted_at IS NOT NULL AND {used} "
                f"BEGIN SELECT RAISE(ABORT, '{message}'); END"
            )
    out.append(
        "CREATE TRIGGER guard_topic_delete BEFORE DELETE ON topic WHEN EXISTS ("
        "SELECT 1 FROM generation_item i JOIN generation_task t ON t.id = i.task_id "
        f"WHERE i.topic_id = old.id AND t.status IN {ACTIVE}) "
        "BEGIN SELECT RAISE(ABORT, 'this topic is used by an active generation task'); END"
    )
    return out


def upgrade() -> None:
    op.create_table(
        "album",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("description", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("deleted_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_album")),
    )
    with op.batch_alter_table("album", schema=None) as batch_op:
        batch_op.create_index(
            "uq_album_live_name", ["name"], unique=True, sqlite_where=sa.text("deleted_at IS NULL")
        )

    op.create_table(
        "article_setting",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("style", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("length", sa.Integer(), nullable=False),
        sa.Column("language", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("structure", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("extra_instructions", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("template", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_article_setting")),
        sa.UniqueConstraint("name", name=op.f("uq_article_setting_name")),
    )
    op.create_table(
        "blob",
        sa.Column("sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("sha256", name=op.f("pk_blob")),
    )
    op.create_table(
        "conversion_target",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("pitch", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("site", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("contact", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conversion_target")),
    )
    op.create_table(
        "distillation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("keyword", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("model", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_distillation")),
    )
    op.create_table(
        "knowledge_base",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("description", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("deleted_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_knowledge_base")),
    )
    with op.batch_alter_table("knowledge_base", schema=None) as batch_op:
        batch_op.create_index(
            "uq_knowledge_base_live_name",
            ["name"],
            unique=True,
            sqlite_where=sa.text("deleted_at IS NULL"),
        )

    op.create_table(
        "work",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("genre", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("word_goal", sa.Integer(), nullable=False),
        sa.Column("description", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("deleted_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.CheckConstraint(
            "status IN ('planning', 'drafting', 'revising', 'complete', 'abandoned')",
            name=op.f("ck_work_status"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_work")),
    )
    op.create_table(
        "chapter",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("work_id", sa.Integer(), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("body", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("word_count", sa.Integer(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("deleted_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.CheckConstraint(
            "status IN ('draft', 'revised', 'final')", name=op.f("ck_chapter_status")
        ),
        sa.ForeignKeyConstraint(
            ["work_id"], ["work.id"], name=op.f("fk_chapter_work_id_work"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chapter")),
    )
    with op.batch_alter_table("chapter", schema=None) as batch_op:
        batch_op.create_index("ix_chapter_work_position", ["work_id", "position"], unique=False)

    op.create_table(
        "generation_task",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("distillation_id", sa.Integer(), nullable=True),
        sa.Column("setting_id", sa.Integer(), nullable=True),
        sa.Column("album_id", sa.Integer(), nullable=True),
        sa.Column("knowledge_base_id", sa.Integer(), nullable=True),
        sa.Column("target_id", sa.Integer(), nullable=True),
        sa.Column("keyword", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("setting_name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("album_name", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("knowledge_base_name", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("target_name", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("model", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("article_count", sa.Integer(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("pause_reason", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("error", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("done_count", sa.Integer(), nullable=False),
        sa.Column("failed_count", sa.Integer(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("started_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("finished_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.CheckConstraint(
            "status IN ('queued', 'running', 'paused', 'completed', 'failed', 'cancelled')",
            name=op.f("ck_generation_task_status"),
        ),
        sa.ForeignKeyConstraint(
            ["album_id"],
            ["album.id"],
            name=op.f("fk_generation_task_album_id_album"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["distillation_id"],
            ["distillation.id"],
            name=op.f("fk_generation_task_distillation_id_distillation"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["knowledge_base_id"],
            ["knowledge_base.id"],
            name=op.f("fk_generation_task_knowledge_base_id_knowledge_base"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["setting_id"],
            ["article_setting.id"],
            name=op.f("fk_generation_task_setting_id_article_setting"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["target_id"],
            ["conversion_target.id"],
            name=op.f("fk_generation_task_target_id_conversion_target"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_generation_task")),
    )
    with op.batch_alter_table("generation_task", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_generation_task_album_id"), ["album_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_generation_task_distillation_id"), ["distillation_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_generation_task_knowledge_base_id"), ["knowledge_base_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_generation_task_setting_id"), ["setting_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_generation_task_target_id"), ["target_id"], unique=False
        )

    op.create_table(
        "image",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("album_id", sa.Integer(), nullable=False),
        sa.Column("blob_sha", sa.Text(), nullable=False),
        sa.Column("thumb_sha", sa.Text(), nullable=True),
        sa.Column("original_name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("width", sa.Integer(), nullable=True),
        sa.Column("height", sa.Integer(), nullable=True),
        sa.Column("format", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("taken_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("orientation", sa.Integer(), nullable=True),
        sa.Column("ocr_status", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("ocr_text", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("ocr_lang", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("ocr_confidence", sa.Float(), nullable=True),
        sa.Column("ocr_error", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("ocr_attempts", sa.Integer(), nullable=False),
        sa.Column("ocr_next_attempt_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("ocr_lease_owner", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("ocr_lease_expires_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("ocr_started_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("ocr_finished_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("deleted_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.CheckConstraint(
            "ocr_status IN ('pending', 'running', 'done', 'no_text', 'failed')",
            name=op.f("ck_image_ocr_status"),
        ),
        sa.ForeignKeyConstraint(
            ["album_id"], ["album.id"], name=op.f("fk_image_album_id_album"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["blob_sha"], ["blob.sha256"], name=op.f("fk_image_blob_sha_blob"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["thumb_sha"],
            ["blob.sha256"],
            name=op.f("fk_image_thumb_sha_blob"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_image")),
    )
    with op.batch_alter_table("image", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_image_blob_sha"), ["blob_sha"], unique=False)
        batch_op.create_index(
            "ix_image_ocr_queue", ["ocr_status", "ocr_next_attempt_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_image_thumb_sha"), ["thumb_sha"], unique=False)
        batch_op.create_index("uq_image_album_blob", ["album_id", "blob_sha"], unique=True)
        batch_op.create_index(
            "ix_image_album_live_ocr", ["album_id", "deleted_at", "ocr_status"], unique=False
        )

    op.create_table(
        "kb_document",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kb_id", sa.Integer(), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("blob_sha", sa.Text(), nullable=True),
        sa.Column("format", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("text", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("char_count", sa.Integer(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("deleted_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["blob_sha"],
            ["blob.sha256"],
            name=op.f("fk_kb_document_blob_sha_blob"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["kb_id"],
            ["knowledge_base.id"],
            name=op.f("fk_kb_document_kb_id_knowledge_base"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kb_document")),
    )
    with op.batch_alter_table("kb_document", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_kb_document_blob_sha"), ["blob_sha"], unique=False)
        batch_op.create_index("uq_kb_document_kb_blob", ["kb_id", "blob_sha"], unique=True)

    op.create_table(
        "topic",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("distillation_id", sa.Integer(), nullable=False),
        sa.Column("question", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["distillation_id"],
            ["distillation.id"],
            name=op.f("fk_topic_distillation_id_distillation"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_topic")),
    )
    with op.batch_alter_table("topic", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_topic_distillation_id"), ["distillation_id"], unique=False
        )

    op.create_table(
        "chapter_revision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("chapter_id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("body", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("word_count", sa.Integer(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('manual', 'autosave', 'ai', 'restore')", name=op.f("ck_chapter_revision_kind")
        ),
        sa.ForeignKeyConstraint(
            ["chapter_id"],
            ["chapter.id"],
            name=op.f("fk_chapter_revision_chapter_id_chapter"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chapter_revision")),
    )
    with op.batch_alter_table("chapter_revision", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_chapter_revision_chapter_id"), ["chapter_id"], unique=False
        )

    op.create_table(
        "generation_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("topic_id", sa.Integer(), nullable=True),
        sa.Column("topic_text", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("error", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("partial_text", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("next_attempt_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("lease_owner", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("lease_expires_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("started_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("finished_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "status IN ('pending', 'running', 'done', 'failed')",
            name=op.f("ck_generation_item_status"),
        ),
        sa.ForeignKeyConstraint(
            ["task_id"],
            ["generation_task.id"],
            name=op.f("fk_generation_item_task_id_generation_task"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["topic_id"],
            ["topic.id"],
            name=op.f("fk_generation_item_topic_id_topic"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_generation_item")),
    )
    with op.batch_alter_table("generation_item", schema=None) as batch_op:
        batch_op.create_index(
            "ix_generation_item_queue", ["status", "next_attempt_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_generation_item_task_id"), ["task_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_generation_item_topic_id"), ["topic_id"], unique=False)

    op.create_table(
        "kb_chunk",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("heading", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("text", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("char_count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["kb_document.id"],
            name=op.f("fk_kb_chunk_document_id_kb_document"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kb_chunk")),
    )
    with op.batch_alter_table("kb_chunk", schema=None) as batch_op:
        batch_op.create_index("uq_kb_chunk_doc_position", ["document_id", "position"], unique=True)

    op.create_table(
        "ai_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("generation_item_id", sa.Integer(), nullable=True),
        sa.Column("purpose", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("provider", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("model", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("prompt_tokens", sa.Integer(), nullable=False),
        sa.Column("completion_tokens", sa.Integer(), nullable=False),
        sa.Column("duration_ms", sa.Integer(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("error", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("idempotency_key", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["generation_item_id"],
            ["generation_item.id"],
            name=op.f("fk_ai_request_generation_item_id_generation_item"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ai_request")),
    )
    with op.batch_alter_table("ai_request", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ai_request_created_at"), ["created_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_ai_request_generation_item_id"), ["generation_item_id"], unique=False
        )

    op.create_table(
        "article",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("body", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("word_count", sa.Integer(), nullable=False),
        sa.Column("origin", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("source_path", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("generation_item_id", sa.Integer(), nullable=True),
        sa.Column("topic_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("deleted_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.CheckConstraint(
            "origin IN ('manual', 'generated', 'imported')", name=op.f("ck_article_origin")
        ),
        sa.CheckConstraint(
            "status IN ('draft', 'ready', 'published', 'archived')", name=op.f("ck_article_status")
        ),
        sa.ForeignKeyConstraint(
            ["generation_item_id"],
            ["generation_item.id"],
            name=op.f("fk_article_generation_item_id_generation_item"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["topic_id"], ["topic.id"], name=op.f("fk_article_topic_id_topic"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_article")),
    )
    with op.batch_alter_table("article", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_article_generation_item_id"), ["generation_item_id"], unique=False
        )
        batch_op.create_index("ix_article_live_updated", ["deleted_at", "updated_at"], unique=False)
        batch_op.create_index(
            "ix_article_live_title",
            ["deleted_at", sa.text("title COLLATE NOCASE"), "id"],
            unique=False,
        )
        batch_op.create_index(
            "ix_article_live_words", ["deleted_at", "word_count", "id"], unique=False
        )
        batch_op.create_index(
            "ix_article_live_status", ["deleted_at", "status", sa.text("id DESC")], unique=False
        )
        batch_op.create_index(batch_op.f("ix_article_topic_id"), ["topic_id"], unique=False)

    op.create_table(
        "article_image",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("image_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("caption", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["article.id"],
            name=op.f("fk_article_image_article_id_article"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["image_id"],
            ["image.id"],
            name=op.f("fk_article_image_image_id_image"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_article_image")),
    )
    with op.batch_alter_table("article_image", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_article_image_article_id"), ["article_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_article_image_image_id"), ["image_id"], unique=False)

    op.create_table(
        "article_revision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("body", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("word_count", sa.Integer(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('manual', 'autosave', 'ai', 'restore')", name=op.f("ck_article_revision_kind")
        ),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["article.id"],
            name=op.f("fk_article_revision_article_id_article"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_article_revision")),
    )
    with op.batch_alter_table("article_revision", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_article_revision_article_id"), ["article_id"], unique=False
        )

    op.create_table(
        "article_source",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("chunk_id", sa.Integer(), nullable=True),
        sa.Column("document_title", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["article.id"],
            name=op.f("fk_article_source_article_id_article"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["chunk_id"],
            ["kb_chunk.id"],
            name=op.f("fk_article_source_chunk_id_kb_chunk"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_article_source")),
    )
    with op.batch_alter_table("article_source", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_article_source_article_id"), ["article_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_article_source_chunk_id"), ["chunk_id"], unique=False)

    # ### end Alembic commands ###
    for statement in _search_sql() + _guard_sql():
        op.execute(statement)


def downgrade() -> None:
    for table in GUARDED:
        op.execute(f"DROP TRIGGER IF EXISTS guard_{table}_delete")
        op.execute(f"DROP TRIGGER IF EXISTS guard_{table}_trash")
    op.execute("DROP TRIGGER IF EXISTS guard_topic_delete")
    for fts, _title, _body, _visible in SEARCHED.values():
        op.execute(f"DROP TABLE IF EXISTS {fts}")  # its triggers go with their tables below
    # ### commands auto generated by Alembic - please adjust! ###
    with op.batch_alter_table("article_source", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_article_source_chunk_id"))
        batch_op.drop_index(batch_op.f("ix_article_source_article_id"))

    op.drop_table("article_source")
    with op.batch_alter_table("article_revision", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_article_revision_article_id"))

    op.drop_table("article_revision")
    with op.batch_alter_table("article_image", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_article_image_image_id"))
        batch_op.drop_index(batch_op.f("ix_article_image_article_id"))

    op.drop_table("article_image")
    with op.batch_alter_table("article", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_article_topic_id"))
        batch_op.drop_index("ix_article_live_updated")
        batch_op.drop_index("ix_article_live_title")
        batch_op.drop_index("ix_article_live_words")
        batch_op.drop_index("ix_article_live_status")
        batch_op.drop_index(batch_op.f("ix_article_generation_item_id"))

    op.drop_table("article")
    with op.batch_alter_table("ai_request", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ai_request_generation_item_id"))
        batch_op.drop_index(batch_op.f("ix_ai_request_created_at"))

    op.drop_table("ai_request")
    with op.batch_alter_table("kb_chunk", schema=None) as batch_op:
        batch_op.drop_index("uq_kb_chunk_doc_position")

    op.drop_table("kb_chunk")
    with op.batch_alter_table("generation_item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_generation_item_topic_id"))
        batch_op.drop_index(batch_op.f("ix_generation_item_task_id"))
        batch_op.drop_index("ix_generation_item_queue")

    op.drop_table("generation_item")
    with op.batch_alter_table("chapter_revision", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_chapter_revision_chapter_id"))

    op.drop_table("chapter_revision")
    with op.batch_alter_table("topic", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_topic_distillation_id"))

    op.drop_table("topic")
    with op.batch_alter_table("kb_document", schema=None) as batch_op:
        batch_op.drop_index("uq_kb_document_kb_blob")
        batch_op.drop_index(batch_op.f("ix_kb_document_blob_sha"))

    op.drop_table("kb_document")
    with op.batch_alter_table("image", schema=None) as batch_op:
        batch_op.drop_index("uq_image_album_blob")
        batch_op.drop_index("ix_image_album_live_ocr")
        batch_op.drop_index(batch_op.f("ix_image_thumb_sha"))
        batch_op.drop_index("ix_image_ocr_queue")
        batch_op.drop_index(batch_op.f("ix_image_blob_sha"))

    op.drop_table("image")
    with op.batch_alter_table("generation_task", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_generation_task_target_id"))
        batch_op.drop_index(batch_op.f("ix_generation_task_setting_id"))
        batch_op.drop_index(batch_op.f("ix_generation_task_knowledge_base_id"))
        batch_op.drop_index(batch_op.f("ix_generation_task_distillation_id"))
        batch_op.drop_index(batch_op.f("ix_generation_task_album_id"))

    op.drop_table("generation_task")
    with op.batch_alter_table("chapter", schema=None) as batch_op:
        batch_op.drop_index("ix_chapter_work_position")

    op.drop_table("chapter")
    op.drop_table("work")
    with op.batch_alter_table("knowledge_base", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_knowledge_base_live_name", sqlite_where=sa.text("deleted_at IS NULL")
        )

    op.drop_table("knowledge_base")
    op.drop_table("distillation")
    op.drop_table("conversion_target")
    op.drop_table("blob")
    op.drop_table("article_setting")
    with op.batch_alter_table("album", schema=None) as batch_op:
        batch_op.drop_index("uq_album_live_name", sqlite_where=sa.text("deleted_at IS NULL"))

    op.drop_table("album")
    # ### end Alembic commands ###
