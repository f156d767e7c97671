"""title pinyin in small tables of its own, with prefix indexes

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 05:30:00.000000

Until now a title's pinyin keys were tokens ``py0…`` in its kind's big FTS5
table (``ink_title_form``), and a pinyin term was the prefix query
``"py0zg"*`` there, which FTS5 answers by merging the doclist of every title
key starting that way: 34 ms at a tenth of the bench corpus (issue 16,
bench/README.md). Now each kind whose titles are found by pinyin has a small
FTS5 table, ``search_<kind>_pinyin(keys)``, holding only the keys
(``ink_pinyin_form``), with prefix indexes for the lengths short terms have,
so a term is one prefix-index doclist; the big tables index titles as text
(``ink_index_form``), as every other column.

The new tables follow the rows as the title indexes do (migrations 0004,
0005 and 0010): rowid = the row's id, only rows a user can see (trashing the
row, or the work holding a chapter or bible entry, takes it out; restoring
puts it back), and only titles with a character beyond ASCII (no Han
character, no pinyin). Their update triggers watch the title and
``deleted_at`` only, so saving a body does not recompute pinyin. Then the
title-bearing indexes and the new tables are rebuilt by ``reindex``, with
progress; no table of content changes.
"""

import re
from collections.abc import Sequence

from alembic import context, op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# keys are lower-case ASCII letters; terms of 2 letters and more are looked
# up, so these prefix lengths answer them from one doclist (longer terms
# merge the few keys starting that way)
PINYIN_OPTIONS = "tokenize='ascii', prefix='2 3 4 5 6'"

IN_LIVE_WORK = "(SELECT deleted_at FROM work WHERE id = new.work_id) IS NULL"

# table: (its search table, title column, "visible" test on new.*, in a work)
TITLED = {
    "article": ("search_article", "title", "new.deleted_at IS NULL", False),
    "chapter": ("search_chapter", "title", f"new.deleted_at IS NULL AND {IN_LIVE_WORK}", True),
    "character": ("search_character", "name", f"new.deleted_at IS NULL AND {IN_LIVE_WORK}", True),
    "world_entry": (
        "search_world_entry",
        "title",
        f"new.deleted_at IS NULL AND {IN_LIVE_WORK}",
        True,
    ),
    "work": ("search_work", "title", "new.deleted_at IS NULL", False),
    "album": ("search_album", "name", "new.deleted_at IS NULL", False),
    "knowledge_base": ("search_knowledge_base", "name", "new.deleted_at IS NULL", False),
}

# the triggers of 0004, 0005 and 0010 that write a title with ink_title_form
TITLE_TRIGGERS = (
    "search_article_ai",
    "search_article_au",
    "search_chapter_ai",
    "search_chapter_au",
    "search_chapter_work_restore",
    "search_character_ai",
    "search_character_au",
    "search_character_work_restore",
    "search_world_entry_ai",
    "search_world_entry_au",
    "search_world_entry_work_restore",
    "search_work_ai",
    "search_work_au",
    "search_album_ai",
    "search_album_au",
    "search_knowledge_base_ai",
    "search_knowledge_base_au",
)
# a title column as those triggers pass it (new.title, e.name, title)
_TITLE_ARG = re.compile(r"ink_index_form\(((?:\w+\.)?(?:title|name))\)")


def pinyin_table(table: str) -> str:
    """The pinyin table of a searched table's rows."""
    return f"{TITLED[table][0]}_pinyin"


def _has_pinyin(column: str) -> str:
    """SQL: the title may have pinyin (holds a character beyond ASCII)."""
    return f"{column} GLOB '*[^ -~]*'"


def _pinyin_sql() -> list[str]:
    out = []
    for table, (_fts, title, visible, in_work) in TITLED.items():
        p = pinyin_table(table)
        keep = f"{visible} AND {_has_pinyin('new.' + title)}"
        out += [
            f"CREATE VIRTUAL TABLE {p} USING fts5(keys, {PINYIN_OPTIONS})",
            f"CREATE TRIGGER {p}_ai AFTER INSERT ON {table} WHEN {keep} BEGIN "
            f"INSERT INTO {p}(rowid, keys) VALUES (new.id, ink_pinyin_form(new.{title})); END",
            f"CREATE TRIGGER {p}_au AFTER UPDATE OF {title}, deleted_at ON {table} BEGIN "
            f"DELETE FROM {p} WHERE rowid = old.id; "
            f"INSERT INTO {p}(rowid, keys) SELECT new.id, ink_pinyin_form(new.{title}) "
            f"WHERE {keep}; END",
            f"CREATE TRIGGER {p}_ad AFTER DELETE ON {table} BEGIN "
            f"DELETE FROM {p} WHERE rowid = old.id; END",
        ]
        if in_work:  # the work's trash and restore take its rows out and back
            live = f"SELECT id FROM {table} WHERE work_id = new.id AND deleted_at IS NULL"
            out += [
                f"CREATE TRIGGER {p}_work_trash AFTER UPDATE OF deleted_at ON work "
                "WHEN old.deleted_at IS NULL AND new.deleted_at IS NOT NULL BEGIN "
                f"DELETE FROM {p} WHERE rowid IN ({live}); END",
                f"CREATE TRIGGER {p}_work_restore AFTER UPDATE OF deleted_at ON work "
                "WHEN old.deleted_at IS NOT NULL AND new.deleted_at IS NULL BEGIN "
                f"INSERT INTO {p}(rowid, keys) SELECT id, ink_pinyin_form({title}) "
                f"FROM {table} WHERE work_id = new.id AND deleted_at IS NULL "
                f"AND {_has_pinyin(title)}; END",
            ]
    return out


def _rewrite_triggers(change) -> None:
    """Each of TITLE_TRIGGERS dropped and created again with ``change(sql)``."""
    bind = op.get_bind()
    for name in TITLE_TRIGGERS:
        row = bind.exec_driver_sql(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?", (name,)
        ).fetchone()
        if row is None:  # pragma: no cover - every one exists at 0010
            continue
        op.execute(f"DROP TRIGGER {name}")
        op.execute(change(row[0]))


def _reindex() -> None:
    from inkbench.storage.search_index import reindex

    raw = op.get_bind().connection.dbapi_connection
    tables = [fts for fts, *_rest in TITLED.values()]
    tables += [pinyin_table(table) for table in TITLED]
    reindex(raw, progress=context.config.attributes.get("progress"), tables=tables)


def upgrade() -> None:
    _rewrite_triggers(lambda sql: sql.replace("ink_title_form(", "ink_index_form("))
    for statement in _pinyin_sql():
        op.execute(statement)
    _reindex()


def downgrade() -> None:
    for table, (_fts, _title, _visible, in_work) in TITLED.items():
        p = pinyin_table(table)
        suffixes = ("ai", "au", "ad") + (("work_trash", "work_restore") if in_work else ())
        for suffix in suffixes:
            op.execute(f"DROP TRIGGER IF EXISTS {p}_{suffix}")
        op.execute(f"DROP TABLE IF EXISTS {p}")
    _rewrite_triggers(lambda sql: _TITLE_ARG.sub(r"ink_title_form(\1)", sql))
    from inkbench.storage.search_index import reindex

    raw = op.get_bind().connection.dbapi_connection
    tables = [fts for fts, *_rest in TITLED.values()]
    reindex(raw, progress=context.config.attributes.get("progress"), tables=tables)
