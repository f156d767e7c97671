"""Schema migrations (Alembic, batch mode).

``SCHEMA_HEAD`` lets the app check a database's revision without importing
Alembic; a test keeps it equal to Alembic's head. Add each new revision id to
``KNOWN_REVISIONS`` and move ``SCHEMA_HEAD`` to it.
"""

SCHEMA_HEAD = "0012"
KNOWN_REVISIONS = frozenset(
    {"0001", "0002", "0003", "0004", "0005", "0006", "0007", "0008", "0009", "0010", "0011", "0012"}
)
