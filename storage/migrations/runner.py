"""Run Alembic programmatically against one database file."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, event
from sqlalchemy.pool import NullPool

from inkbench.i18n import _
from inkbench.storage.errors import DatabaseProblem
from inkbench.storage.jobs import ProgressFn
from inkbench.storage.text import register_functions

HERE = Path(__file__).parent


def alembic_config(url: str | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(HERE))
    if url:
        cfg.set_main_option("sqlalchemy.url", url)
    return cfg


def migration_engine(path: Path):
    """Foreign keys are off while a migration runs (batch mode copies tables);
    they are checked as a whole once it finishes."""
    engine = create_engine(f"sqlite:///{path}", poolclass=NullPool)

    @event.listens_for(engine, "connect")
    def _connect(dbapi_conn: sqlite3.Connection, _record) -> None:
        dbapi_conn.isolation_level = None
        dbapi_conn.execute("PRAGMA busy_timeout = 10000")
        dbapi_conn.execute("PRAGMA foreign_keys = OFF")
        dbapi_conn.execute("PRAGMA journal_mode = WAL")
        register_functions(dbapi_conn)

    @event.listens_for(engine, "begin")
    def _begin(conn) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def upgrade_to_head(path: Path, progress: ProgressFn | None = None) -> None:
    """Migrate the file to the newest schema; ``progress`` hears long steps
    (the search index rebuild of 0002)."""
    engine = migration_engine(path)
    try:
        with engine.connect() as conn:
            cfg = alembic_config()
            cfg.attributes["connection"] = conn
            cfg.attributes["progress"] = progress
            command.upgrade(cfg, "head")
            problems = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            if problems:
                raise DatabaseProblem(
                    _("migration left broken references: {value}").format(value=problems[:3])
                )
    finally:
        engine.dispose()
