"""folded search index: width, traditional/simplified, pinyin titles

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 23:40:00

The search indexes now hold folded text (``storage.fold``: NFKC width,
OpenCC t2s) and article and chapter titles their pinyin
(``ink_title_form``). The triggers that write titles are recreated to call
``ink_title_form``; then every index is rebuilt from its rows, reporting
progress to the ``progress`` callback the runner was given (if any). No table
and no row of content changes.
"""

from collections.abc import Sequence

from alembic import context, op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# as in 0001: table -> (fts table, title column, body column, "visible" test)
SEARCHED = {
    "article": ("search_article", "title", "body", "new.deleted_at IS NULL"),
    "chapter": (
        "search_chapter",
        "title",
        "body",
        "new.deleted_at IS NULL AND (SELECT deleted_at FROM work WHERE id = new.work_id) IS NULL",
    ),
}
WORK_CHAPTERS = "SELECT id FROM chapter WHERE work_id = new.id AND deleted_at IS NULL"


def _triggers(title_fn: str) -> list[str]:
    out = []
    for table, (fts, title, body, visible) in SEARCHED.items():
        watched = f"{title}, {body}, deleted_at"
        values = f"new.id, {title_fn}(new.{title}), ink_index_form(new.{body})"
        out += [
            f"DROP TRIGGER IF EXISTS {fts}_ai",
            f"DROP TRIGGER IF EXISTS {fts}_au",
            f"CREATE TRIGGER {fts}_ai AFTER INSERT ON {table} WHEN {visible} BEGIN "
            f"INSERT INTO {fts}(rowid, title, body) VALUES ({values}); END",
            f"CREATE TRIGGER {fts}_au AFTER UPDATE OF {watched} ON {table} BEGIN "
            f"DELETE FROM {fts} WHERE rowid = old.id; "
            f"INSERT INTO {fts}(rowid, title, body) SELECT {values} WHERE {visible}; END",
        ]
    out += [
        "DROP TRIGGER IF EXISTS search_chapter_work_restore",
        "CREATE TRIGGER search_chapter_work_restore AFTER UPDATE OF deleted_at ON work "
        "WHEN old.deleted_at IS NOT NULL AND new.deleted_at IS NULL BEGIN "
        "INSERT INTO search_chapter(rowid, title, body) "
        f"SELECT id, {title_fn}(title), ink_index_form(body) FROM chapter "
        f"WHERE id IN ({WORK_CHAPTERS}); END",
    ]
    return out


def _rebuild() -> None:
    from inkbench.storage.search_index import reindex

    progress = context.config.attributes.get("progress")
    raw = op.get_bind().connection.dbapi_connection
    reindex(raw, progress=progress)


def upgrade() -> None:
    for statement in _triggers("ink_title_form"):
        op.execute(statement)
    _rebuild()


def downgrade() -> None:
    for statement in _triggers("ink_index_form"):
        op.execute(statement)
    _rebuild()
