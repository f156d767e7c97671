"""Alembic environment: batch mode for SQLite, FTS tables left to migrations."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

import inkbench.storage.models  # noqa: F401  (registers every table)
from inkbench.storage.migrations.filters import include_name, include_object
from inkbench.storage.models import metadata


def run() -> None:
    cfg = context.config
    connection = cfg.attributes.get("connection")
    if connection is None:  # `alembic` command line, for autogenerate during development
        engine = create_engine(cfg.get_main_option("sqlalchemy.url"))
        with engine.connect() as conn:
            _run(conn)
        return
    _run(connection)


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=True,
        include_name=include_name,
        include_object=include_object,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run()
