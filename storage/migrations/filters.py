"""What Alembic's autogenerate compares (env.py and the schema test use these).

FTS5 tables and their shadow tables belong to hand-written migration code.
Indexes with expressions (``title COLLATE NOCASE``, ``id DESC``) are written
by hand too: SQLite reflection loses the collation and direction, so they
could never compare equal."""

from __future__ import annotations

from sqlalchemy.sql.elements import TextClause

from inkbench.storage.models import metadata

FTS_PREFIXES = ("search_",)

EXPRESSION_INDEXES = frozenset(
    index.name
    for table in metadata.tables.values()
    for index in table.indexes
    if any(isinstance(e, TextClause) for e in index.expressions)
)


def include_name(name, type_, parent_names) -> bool:  # noqa: ANN001
    if type_ == "table" and name and name.startswith(FTS_PREFIXES):
        return False
    return not (type_ == "index" and name in EXPRESSION_INDEXES)


def include_object(obj, name, type_, reflected, compare_to) -> bool:  # noqa: ANN001
    return not (type_ == "index" and name in EXPRESSION_INDEXES)
