"""bible search and scene word counts: characters (name, aliases, description)
and world entries (title, aliases, content) in the global search; each scene's
word count cached for the outline; a covering index on mentions for it

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 00:20:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# As migration 0001's search tables: rowid = the row's id, text in the index
# form of ink_index_form, only rows a user can see. An entry's aliases live in
# bible_name, so the body is its aliases then its description (content); a
# name added or removed touches the entry (``SET name = name``), whose update
# trigger indexes it again. ``db reindex`` finds these triggers as it finds
# 0001's.
FTS_OPTIONS = "tokenize='unicode61 remove_diacritics 2'"
VISIBLE = "new.deleted_at IS NULL AND (SELECT deleted_at FROM work WHERE id = new.work_id) IS NULL"

# table: (fts table, title column, body column, bible_name column)
BIBLE = {
    "character": ("search_character", "name", "description", "character_id"),
    "world_entry": ("search_world_entry", "title", "content", "world_entry_id"),
}


def _body(owner: str, body: str, row: str) -> str:
    aliases = (
        f"(SELECT group_concat(name, ' ') FROM bible_name WHERE {owner} = {row}.id AND is_alias)"
    )
    return f"ink_index_form(coalesce({aliases}, '') || ' ' || {row}.{body})"


def _search_sql() -> list[str]:
    out = []
    for table, (fts, title, body, owner) in BIBLE.items():
        values = f"new.id, ink_title_form(new.{title}), {_body(owner, body, 'new')}"
        out += [
            f"CREATE VIRTUAL TABLE {fts} USING fts5(title, body, {FTS_OPTIONS})",
            f"INSERT INTO {fts}({fts}, rank) VALUES ('rank', 'bm25(4.0, 1.0)')",
            f"CREATE TRIGGER {fts}_ai AFTER INSERT ON {table} WHEN {VISIBLE} BEGIN "
            f"INSERT INTO {fts}(rowid, title, body) VALUES ({values}); END",
            f"CREATE TRIGGER {fts}_au AFTER UPDATE OF {title}, {body}, deleted_at ON {table} "
            f"BEGIN DELETE FROM {fts} WHERE rowid = old.id; "
            f"INSERT INTO {fts}(rowid, title, body) SELECT {values} WHERE {VISIBLE}; END",
            f"CREATE TRIGGER {fts}_ad AFTER DELETE ON {table} BEGIN "
            f"DELETE FROM {fts} WHERE rowid = old.id; END",
            f"CREATE TRIGGER {fts}_names_ai AFTER INSERT ON bible_name "
            f"WHEN new.{owner} IS NOT NULL BEGIN "
            f"UPDATE {table} SET {title} = {title} WHERE id = new.{owner}; END",
            f"CREATE TRIGGER {fts}_names_ad AFTER DELETE ON bible_name "
            f"WHEN old.{owner} IS NOT NULL BEGIN "
            f"UPDATE {table} SET {title} = {title} WHERE id = old.{owner}; END",
            f"CREATE TRIGGER {fts}_work_trash AFTER UPDATE OF deleted_at ON work "
            "WHEN old.deleted_at IS NULL AND new.deleted_at IS NOT NULL BEGIN "
            f"DELETE FROM {fts} WHERE rowid IN "
            f"(SELECT id FROM {table} WHERE work_id = new.id AND deleted_at IS NULL); END",
            f"CREATE TRIGGER {fts}_work_restore AFTER UPDATE OF deleted_at ON work "
            "WHEN old.deleted_at IS NOT NULL AND new.deleted_at IS NULL BEGIN "
            f"INSERT INTO {fts}(rowid, title, body) "
            f"SELECT e.id, ink_title_form(e.{title}), {_body(owner, body, 'e')} FROM {table} e "
            "WHERE e.work_id = new.id AND e.deleted_at IS NULL; END",
        ]
    return out


def upgrade() -> None:
    with op.batch_alter_table("scene", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("word_count", sa.Integer(), nullable=False, server_default="0")
        )
    # the outline reads a whole work's mentions: a covering index replaces
    # the one on chapter_id alone
    with op.batch_alter_table("mention", schema=None) as batch_op:
        batch_op.drop_index("ix_mention_chapter")
        batch_op.create_index(
            "ix_mention_chapter_names",
            ["chapter_id", sa.text("count DESC"), "first_position", "character_id"],
            unique=False,
        )
    for statement in _search_sql():
        op.execute(statement)
    # what exists already: every live entry touched, so its trigger indexes it
    for table, (_fts, title, _body, _owner) in BIBLE.items():
        op.execute(f"UPDATE {table} SET {title} = {title}")


def downgrade() -> None:
    for fts, *_rest in BIBLE.values():
        op.execute(f"DROP TRIGGER IF EXISTS {fts}_names_ai")
        op.execute(f"DROP TRIGGER IF EXISTS {fts}_names_ad")
        op.execute(f"DROP TRIGGER IF EXISTS {fts}_work_trash")
        op.execute(f"DROP TRIGGER IF EXISTS {fts}_work_restore")
        op.execute(f"DROP TABLE IF EXISTS {fts}")  # its own triggers go with the tables
    for table in BIBLE:
        for suffix in ("ai", "au", "ad"):
            op.execute(f"DROP TRIGGER IF EXISTS {BIBLE[table][0]}_{suffix}")
    with op.batch_alter_table("mention", schema=None) as batch_op:
        batch_op.drop_index("ix_mention_chapter_names")
        batch_op.create_index("ix_mention_chapter", ["chapter_id"], unique=False)
    with op.batch_alter_table("scene", schema=None) as batch_op:
        batch_op.drop_column("word_count")
