"""What every publishing target implements, and the errors the runner acts on.

The runner (``integrations/publish/runner.py``) owns the exactly-once
protocol: it records intent and a *marker* in the database before any remote
call, then asks the target ``find_post(marker)`` before ``create_post`` on a
retry, so a crash between the remote create and the local commit never makes
a second post. Targets only speak their wire protocol.

Errors decide what the runner does next:

- ``AuthFailed``: wrong password, revoked application password, no
  permission to publish. Not retried; the account is paused with a message
  that says to check the password.
- ``Transient``: timeouts, connection refused, 5xx. Retried with backoff.
- ``Rejected``: everything else the remote refused (4xx other than auth,
  XML-RPC disabled, an unwritable folder). The item fails; no retry.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Protocol

KINDS = ("wordpress", "metaweblog", "folder", "webhook")
FOLDER_FORMATS = ("hugo", "hexo", "jekyll")


@dataclass(frozen=True)
class Account:
    """A publishing account as a target needs it (the secret from the keyring)."""

    name: str
    kind: str
    url: str | None = None
    user: str | None = None
    secret: str | None = None
    format: str | None = None  # folder targets: hugo | hexo | jekyll
    path: Path | None = None  # folder targets: the site folder
    git_commit: bool = False  # folder targets: commit the new files


@dataclass(frozen=True)
class Media:
    """One stored image to publish: its blob digest, a file name, its type."""

    digest: str
    filename: str
    mime: str
    path: Path  # a readable local file with the bytes


@dataclass(frozen=True)
class Post:
    """One article as a target receives it.

    ``markdown`` and ``html`` already point at the images' remote URLs (for
    targets that upload media) or at the file names in ``media`` (for
    targets whose ``media_per_post`` is true, which place the files beside
    the post themselves).
    """

    marker: str  # unique per publication; the target stores it on the post
    title: str
    markdown: str
    html: str
    slug: str
    draft: bool = False
    date: datetime | None = None  # aware; a future date schedules the post
    tags: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    media: tuple[Media, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Published:
    """Where a post now lives."""

    remote_id: str
    url: str | None


class PublishError(Exception):
    """A target refused or failed; the message is one line for the user."""


class AuthFailed(PublishError):
    """Credentials wrong or insufficient: pause the account, do not retry."""


class Transient(PublishError):
    """Timeout, connection failure or a 5xx answer: retry with backoff."""


class Rejected(PublishError):
    """Refused for a reason retrying will not fix: fail the item."""


class Target(Protocol):
    """A publishing target speaking one protocol or format."""

    #: True when the target places ``Post.media`` beside the post itself
    #: (folder); False when the runner uploads each image once per account.
    media_per_post: bool

    def check(self) -> str:
        """Check the account works; one line describing the site, or raise."""
        ...

    def upload_media(self, media: Media) -> str:
        """Upload one image and return its public URL."""
        ...

    def find_post(self, marker: str) -> Published | None:
        """The post an earlier attempt made with this marker, if any."""
        ...

    def create_post(self, post: Post) -> Published:
        """Create the post (draft, published or scheduled per ``post``)."""
        ...

    def update_post(self, remote_id: str, post: Post) -> Published:
        """Replace an existing post's content, keeping its remote id."""
        ...
