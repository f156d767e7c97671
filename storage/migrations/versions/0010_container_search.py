"""works, albums and knowledge bases in the global search: their titles (with
pinyin) and descriptions

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 02:30:00.000000

Three FTS5 tables like migration 0005's: rowid = the row's id, the title in
``ink_title_form`` (folded, with its pinyin keys), the description in
``ink_index_form``, only rows a user can see (a trashed one leaves the index,
a restored one comes back). ``db reindex`` finds their update triggers as it
finds 0001's. The rows that exist are indexed by ``reindex`` over the three
new tables only, reporting progress to the ``progress`` callback the runner
was given (if any); no other index and no content changes.
"""

from collections.abc import Sequence

from alembic import context, op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FTS_OPTIONS = "tokenize='unicode61 remove_diacritics 2'"

# table: (fts table, title column, body column)
CONTAINERS = {
    "work": ("search_work", "title", "description"),
    "album": ("search_album", "name", "description"),
    "knowledge_base": ("search_knowledge_base", "name", "description"),
}


def _search_sql() -> list[str]:
    out = []
    for table, (fts, title, body) in CONTAINERS.items():
        values = f"new.id, ink_title_form(new.{title}), ink_index_form(new.{body})"
        out += [
            f"CREATE VIRTUAL TABLE {fts} USING fts5(title, body, {FTS_OPTIONS})",
            f"INSERT INTO {fts}({fts}, rank) VALUES ('rank', 'bm25(4.0, 1.0)')",
            f"CREATE TRIGGER {fts}_ai AFTER INSERT ON {table} WHEN new.deleted_at IS NULL "
            f"BEGIN INSERT INTO {fts}(rowid, title, body) VALUES ({values}); END",
            f"CREATE TRIGGER {fts}_au AFTER UPDATE OF {title}, {body}, deleted_at ON {table} "
            f"BEGIN DELETE FROM {fts} WHERE rowid = old.id; "
            f"INSERT INTO {fts}(rowid, title, body) SELECT {values} "
            "WHERE new.deleted_at IS NULL; END",
            f"CREATE TRIGGER {fts}_ad AFTER DELETE ON {table} BEGIN "
            f"DELETE FROM {fts} WHERE rowid = old.id; END",
        ]
    return out


def upgrade() -> None:
    from inkbench.storage.search_index import reindex

    for statement in _search_sql():
        op.execute(statement)
    # what exists already, through the update triggers, with progress
    raw = op.get_bind().connection.dbapi_connection
    tables = [fts for fts, _title, _body in CONTAINERS.values()]
    reindex(raw, progress=context.config.attributes.get("progress"), tables=tables)


def downgrade() -> None:
    for fts, _title, _body in CONTAINERS.values():
        for suffix in ("ai", "au", "ad"):
            op.execute(f"DROP TRIGGER IF EXISTS {fts}_{suffix}")
        op.execute(f"DROP TABLE IF EXISTS {fts}")
