"""Alembic environment for the account server's own database (batch mode,
so the same migrations run on SQLite and PostgreSQL)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from inkbench.server.models import Base


def run() -> None:
    cfg = context.config
    connection = cfg.attributes.get("connection")
    if connection is None:  # `alembic` command line during development
        engine = create_engine(cfg.get_main_option("sqlalchemy.url"))
        with engine.connect() as conn:
            _run(conn)
            conn.commit()
        return
    _run(connection)


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=True,
        compare_type=True,
        version_table="server_alembic_version",
    )
    with context.begin_transaction():
        context.run_migrations()


run()
