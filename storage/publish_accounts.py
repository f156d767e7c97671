"""Publishing accounts: add, list, get, pause, resume, remove.

An account names a place articles go (a WordPress site, a MetaWeblog
endpoint, a static-site folder, a webhook). Its secret lives in the keyring
(``integrations.publish.secrets``), never in this table. Functions take a
stdlib ``sqlite3`` connection in the caller's transaction (``db.raw()``).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime

from inkbench.i18n import _
from inkbench.storage.errors import InUse, InvalidInput, NotFound
from inkbench.storage.vocab import (
    ACTIVE_PUBLICATION_STATUSES,
    PUBLISH_KINDS,
    db_time,
    status_name,
    utcnow,
)

FOLDER_FORMATS = ("hugo", "hexo", "jekyll")
WEBHOOK_FORMATS = ("base64", "urls")

_COLUMNS = "id, name, kind, url, user, format, path, git_commit, paused, pause_reason, created_at"


@dataclass(frozen=True)
class AccountRow:
    """A publishing account as stored (no secret)."""

    id: int
    name: str
    kind: str
    url: str | None
    user: str | None
    format: str | None
    path: str | None
    git_commit: bool
    paused: bool
    pause_reason: str | None
    created_at: datetime | None


def _row(r: tuple) -> AccountRow:
    created = datetime.fromisoformat(r[10]) if isinstance(r[10], str) else r[10]
    return AccountRow(
        r[0], r[1], r[2], r[3], r[4], r[5], r[6], bool(r[7]), bool(r[8]), r[9], created
    )


def validate_account(
    kind: str, *, url: str | None, format: str | None, path: str | None
) -> str | None:
    """Check the fields a kind needs; the format to store (defaults filled in),
    or ``InvalidInput`` naming what is missing."""
    if kind not in PUBLISH_KINDS:
        raise InvalidInput(
            _("unknown account kind {kind!r}; use one of: {choices}").format(
                kind=kind, choices=", ".join(PUBLISH_KINDS)
            )
        )
    if kind == "folder":
        if not path:
            raise InvalidInput(_("a folder account needs --path DIR (the site's folder)"))
        format = format or "hugo"
        if format not in FOLDER_FORMATS:
            raise InvalidInput(
                _("unknown folder format {format!r}; use one of: {choices}").format(
                    format=format, choices=", ".join(FOLDER_FORMATS)
                )
            )
        return format
    if not url or not url.startswith(("http://", "https://")):
        raise InvalidInput(
            _("a {kind} account needs --url with an http:// or https:// address").format(kind=kind)
        )
    if kind == "webhook":
        format = format or "base64"
        if format not in WEBHOOK_FORMATS:
            raise InvalidInput(
                _("unknown webhook format {format!r}; use one of: {choices}").format(
                    format=format, choices=", ".join(WEBHOOK_FORMATS)
                )
            )
        return format
    if format:
        raise InvalidInput(_("--format is for folder and webhook accounts only"))
    return None


def add_account(
    conn: sqlite3.Connection,
    name: str,
    kind: str,
    *,
    url: str | None = None,
    user: str | None = None,
    format: str | None = None,
    path: str | None = None,
    git_commit: bool = False,
) -> AccountRow:
    """Create an account; ``InvalidInput`` for a taken name or missing fields."""
    name = (name or "").strip()
    if not name:
        raise InvalidInput(_("an account needs a name"))
    format = validate_account(kind, url=url, format=format, path=path)
    if conn.execute("SELECT 1 FROM publish_account WHERE name = ?", (name,)).fetchone():
        raise InvalidInput(
            _("an account named {name!r} exists; choose another name or remove it first").format(
                name=name
            )
        )
    row = conn.execute(
        "INSERT INTO publish_account (name, kind, url, user, format, path, git_commit, paused,"
        f" created_at) VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?) RETURNING {_COLUMNS}",
        (name, kind, url, user, format, path, int(git_commit), db_time(utcnow())),
    ).fetchone()
    return _row(row)


def list_accounts(conn: sqlite3.Connection) -> list[AccountRow]:
    """Every account, by name."""
    return [
        _row(r)
        for r in conn.execute(
            f"SELECT {_COLUMNS} FROM publish_account ORDER BY name COLLATE NOCASE"
        )
    ]


def get_account(conn: sqlite3.Connection, name: str) -> AccountRow:
    """The account called ``name``, or ``NotFound`` saying how to list them."""
    row = conn.execute(f"SELECT {_COLUMNS} FROM publish_account WHERE name = ?", (name,)).fetchone()
    if row is None:
        raise NotFound(
            _(
                "no publishing account named {name!r}; `inkbench publish account list` shows them"
            ).format(name=name)
        )
    return _row(row)


def find_account(conn: sqlite3.Connection, name: str) -> AccountRow | None:
    """The account called ``name``, or None."""
    row = conn.execute(f"SELECT {_COLUMNS} FROM publish_account WHERE name = ?", (name,)).fetchone()
    return _row(row) if row else None


def get_account_by_id(conn: sqlite3.Connection, account_id: int) -> AccountRow | None:
    """The account with this id, or None (removed)."""
    row = conn.execute(
        f"SELECT {_COLUMNS} FROM publish_account WHERE id = ?", (account_id,)
    ).fetchone()
    return _row(row) if row else None


def pause_account(conn: sqlite3.Connection, account_id: int, reason: str) -> None:
    """Stop taking work for the account (its credentials were refused)."""
    conn.execute(
        "UPDATE publish_account SET paused = 1, pause_reason = ? WHERE id = ?",
        (reason.splitlines()[0][:500] if reason else None, account_id),
    )


def resume_account(conn: sqlite3.Connection, account_id: int) -> bool:
    """Take work again; True if the account was paused."""
    cur = conn.execute(
        "UPDATE publish_account SET paused = 0, pause_reason = NULL WHERE id = ? AND paused",
        (account_id,),
    )
    return cur.rowcount == 1


def remove_account(conn: sqlite3.Connection, name: str) -> AccountRow:
    """Remove the account. Refused while a publication to it is queued or
    publishing; finished ones keep the account's name. Its media map goes."""
    account = get_account(conn, name)
    active = conn.execute(
        "SELECT id, status FROM publication WHERE account_id = ? AND status IN (?, ?)"
        " ORDER BY id LIMIT 1",
        (account.id, *ACTIVE_PUBLICATION_STATUSES),
    ).fetchone()
    if active:
        raise InUse(
            _(
                "cannot remove account {name!r}: publication #{id} is {status}; cancel it"
                " (`inkbench publish cancel {id}`) or wait for it to finish"
            ).format(name=name, id=active[0], status=status_name(active[1]))
        )
    conn.execute("DELETE FROM publish_account WHERE id = ?", (account.id,))
    return account
