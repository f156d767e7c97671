"""Checking a publishing account: the CLI's ``publish account test`` and the
Publish area's test key. A good check resumes an account the runner paused."""

from __future__ import annotations

from collections.abc import Callable

from inkbench.integrations.publish.base import PublishError
from inkbench.integrations.publish.runner import account_for
from inkbench.integrations.publish.targets import target_for
from inkbench.storage.engine import Database
from inkbench.storage.errors import InvalidInput
from inkbench.storage.publish_accounts import AccountRow, get_account, resume_account


def check_account(
    db: Database, name: str, secret_for: Callable[[AccountRow], str | None]
) -> tuple[str, bool]:
    """Check the account against its site: (one line describing the site,
    whether a paused account was resumed). A failure is ``InvalidInput``
    naming the account and what is wrong."""
    with db.raw(write=False) as conn:
        row = get_account(conn, name)
    secret = secret_for(row) if row.kind != "folder" else None
    try:
        line = target_for(account_for(row, secret)).check()
    except PublishError as e:
        raise InvalidInput(f"{row.name}: {e}") from None
    with db.raw() as conn:
        resumed = resume_account(conn, row.id)
    return line, resumed
