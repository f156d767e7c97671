"""The server database's schema changes go through its Alembic migrations:
a database at the first revision, with data, upgrades to head and back, on
SQLite and (with INKBENCH_TEST_PG) PostgreSQL."""

from __future__ import annotations

import os
import uuid

import pytest
from sqlalchemy import inspect, text

from inkbench.server.db import Database, alembic_config

PG_URL = os.environ.get("INKBENCH_TEST_PG")


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'server.db'}"
        return
    if not PG_URL:
        pytest.skip("INKBENCH_TEST_PG is not set (a PostgreSQL URL for the server tests)")
    pytest.importorskip("psycopg")
    from sqlalchemy import create_engine

    schema = "ink_" + uuid.uuid4().hex[:12]
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    sep = "&" if "?" in PG_URL else "?"
    yield f"{PG_URL}{sep}options=-csearch_path%3D{schema}"
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    admin.dispose()


def _to(db: Database, revision: str, *, down: bool = False) -> None:
    from alembic import command

    with db.engine.connect() as conn:
        cfg = alembic_config()
        cfg.attributes["connection"] = conn
        (command.downgrade if down else command.upgrade)(cfg, revision)
        conn.commit()


def test_upgrade_from_the_first_revision_keeps_data_and_downgrades(db_url):
    db = Database(db_url)
    try:
        _to(db, "0001")
        with db.engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO account_user (username, username_key, password_hash,"
                    " plan_name, disabled, created_at) VALUES ('bob', 'bob', 'h', 'free',"
                    " false, CURRENT_TIMESTAMP)"
                )
            )
            conn.execute(
                text("INSERT INTO login_failure (key, at) VALUES ('user:bob', CURRENT_TIMESTAMP)")
            )
        assert "quota_reservation" not in inspect(db.engine).get_table_names()
        db.migrate()
        tables = inspect(db.engine).get_table_names()
        assert "quota_reservation" in tables
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT username FROM account_user")).scalars().all() == [
                "bob"
            ]
            # plain-text keys of the old limiter would never match again
            assert conn.execute(text("SELECT count(*) FROM login_failure")).scalar() == 0
            version = conn.execute(text("SELECT version_num FROM server_alembic_version"))
            assert version.scalar() == "0002"
        _to(db, "0001", down=True)
        assert "quota_reservation" not in inspect(db.engine).get_table_names()
        db.migrate()
        assert "quota_reservation" in inspect(db.engine).get_table_names()
    finally:
        db.dispose()


def test_the_models_match_the_migrations(db_url):
    """Nothing in models.py is missing from the migrations."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from inkbench.server.models import Base

    db = Database(db_url)
    try:
        db.migrate()
        with db.engine.connect() as conn:
            ctx = MigrationContext.configure(conn, opts={"compare_type": False})
            diff = [
                d
                for d in compare_metadata(ctx, Base.metadata)
                if not (isinstance(d, tuple) and "server_alembic_version" in str(d))
            ]
        assert diff == []
    finally:
        db.dispose()
