"""The webhook target: the article as one signed JSON POST.

Every request body is signed with the account's key, HMAC-SHA256 over the
exact bytes sent, in ``X-Inkbench-Signature: sha256=<hex>``. Each carries an
``Idempotency-Key`` header (and ``idempotency_key`` in the body): the
publication's marker for a new post, so a receiver that keeps the keys it
saw never makes a second post when a killed run sends it again.

Bodies (``event``):

- ``ping``: ``account test``.
- ``post``: ``marker``, ``title``, ``html``, ``markdown``, ``slug``,
  ``draft``, ``date``, ``tags``, ``categories``, ``images``. With the
  account's format ``base64`` (the default) each image is
  ``{filename, mime, digest, base64}`` and the Markdown/HTML link the file
  names; with ``urls`` the images were sent before as ``media`` events and
  the links are the URLs the receiver gave.
- ``post.update``: the same plus ``remote_id``.
- ``media``: ``{filename, mime, digest, base64}``; the answer must be
  ``{"url": ...}``.

The receiver answers 2xx, optionally with ``{"id": ..., "url": ...}``; the
id becomes the remote id (else the marker). 401/403 is an authentication
failure, 5xx, 408, 429 and timeouts are transient, any other 4xx rejects.
``find_post`` cannot ask the receiver, so it returns None: deduplication is
the receiver's, by the idempotency key.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

import httpx

from inkbench.i18n import _
from inkbench.integrations.publish.base import (
    Account,
    AuthFailed,
    Media,
    Post,
    Published,
    Rejected,
    Transient,
)

SIGNATURE_HEADER = "X-Inkbench-Signature"


def sign(key: str, body: bytes) -> str:
    """The signature header's value for ``body``: ``sha256=<hex>``."""
    return "sha256=" + hmac.new(key.encode("utf-8"), body, hashlib.sha256).hexdigest()


def _image(media: Media) -> dict[str, str]:
    return {
        "filename": media.filename,
        "mime": media.mime,
        "digest": media.digest,
        "base64": base64.b64encode(media.path.read_bytes()).decode("ascii"),
    }


class WebhookTarget:
    """POSTs signed JSON to the account's URL."""

    def __init__(self, account: Account, *, timeout: float = 30.0) -> None:
        self.account = account
        self.url = account.url or ""
        self.timeout = timeout
        # base64: images travel inside the post; urls: uploaded once each
        self.media_per_post = (account.format or "base64") != "urls"

    def _send(self, payload: dict[str, Any], idempotency_key: str | None = None) -> dict:
        if not self.account.secret:
            raise AuthFailed(
                _(
                    "no key is stored for account {name}; set it with `inkbench publish account"
                    " secret {name}`"
                ).format(name=self.account.name)
            )
        if idempotency_key:
            payload = {**payload, "idempotency_key": idempotency_key}
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            SIGNATURE_HEADER: sign(self.account.secret, body),
            "User-Agent": "inkbench-publish",
        }
        if idempotency_key:
            headers["Idempotency-Key"] = idempotency_key
        try:
            resp = httpx.post(self.url, content=body, headers=headers, timeout=self.timeout)
        except httpx.TimeoutException:
            raise Transient(
                _("the webhook at {url} did not answer in time").format(url=self.url)
            ) from None
        except httpx.HTTPError as e:
            raise Transient(
                _("cannot reach the webhook at {url} ({error})").format(
                    url=self.url, error=type(e).__name__
                )
            ) from None
        code = resp.status_code
        if code in (401, 403):
            raise AuthFailed(
                _("the webhook at {url} refused the signature (HTTP {code})").format(
                    url=self.url, code=code
                )
            )
        if code >= 500 or code in (408, 429):
            raise Transient(
                _("the webhook at {url} answered HTTP {code}").format(url=self.url, code=code)
            )
        if code >= 400:
            raise Rejected(
                _("the webhook at {url} refused the post (HTTP {code})").format(
                    url=self.url, code=code
                )
            )
        try:
            data = resp.json()
        except ValueError:
            return {}
        return data if isinstance(data, dict) else {}

    def check(self) -> str:
        """A signed ping; the receiver must answer 2xx."""
        self._send({"event": "ping"})
        return _("webhook {url} accepts signed requests").format(url=self.url)

    def upload_media(self, media: Media) -> str:
        """Send one image; the receiver answers the URL it serves it at."""
        data = self._send({"event": "media", **_image(media)}, f"media-{media.digest}")
        url = data.get("url")
        if not isinstance(url, str) or not url:
            raise Rejected(
                _("the webhook at {url} did not answer a URL for image {name}").format(
                    url=self.url, name=media.filename
                )
            )
        return url

    def find_post(self, marker: str) -> Published | None:
        """The receiver cannot be asked; it deduplicates by the idempotency key."""
        return None

    def _payload(self, post: Post) -> dict[str, Any]:
        return {
            "marker": post.marker,
            "title": post.title,
            "html": post.html,
            "markdown": post.markdown,
            "slug": post.slug,
            "draft": post.draft,
            "date": post.date.isoformat() if post.date else None,
            "tags": list(post.tags),
            "categories": list(post.categories),
            "images": [_image(m) for m in post.media] if self.media_per_post else [],
        }

    def _published(self, data: dict, fallback: str) -> Published:
        remote = data.get("id")
        url = data.get("url")
        return Published(
            str(remote) if remote not in (None, "") else fallback,
            url if isinstance(url, str) else None,
        )

    def create_post(self, post: Post) -> Published:
        """POST the post; the marker is its idempotency key."""
        data = self._send({"event": "post", **self._payload(post)}, post.marker)
        return self._published(data, post.marker)

    def update_post(self, remote_id: str, post: Post) -> Published:
        """POST the new content for ``remote_id`` (keyed by the content)."""
        payload = {"event": "post.update", "remote_id": remote_id, **self._payload(post)}
        digest = hashlib.sha256(post.markdown.encode("utf-8")).hexdigest()[:16]
        data = self._send(payload, f"{post.marker}-update-{digest}")
        return self._published(data, remote_id)
