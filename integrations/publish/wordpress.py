"""Publishing to WordPress through its REST API with an application password.

The API lives at ``/wp-json/wp/v2/…`` when the site has pretty permalinks and
only at ``/?rest_route=/wp/v2/…`` when it has not; the first call finds out
which (``/wp-json/`` answering 404 or HTML means the fallback). Requests use
HTTP Basic auth with the user name and an application password (WordPress
5.6+, Users → Profile → Application Passwords).

Exactly once: each post carries its publication marker as a hidden comment at
the start of its body (``integrations/publish/marker.py``); ``find_post``
searches drafts, scheduled and published posts for it (``status=any`` with
``context=edit``, which needs the login) and checks the raw body.
"""

from __future__ import annotations

import contextlib
import html
import mimetypes
import re
import socket
from datetime import UTC, datetime
from typing import Any

import httpx

from inkbench.i18n import _
from inkbench.integrations.publish.base import (
    Account,
    AuthFailed,
    Media,
    Post,
    Published,
    PublishError,
    Rejected,
    Transient,
)
from inkbench.integrations.publish.marker import has_marker, marker_token, with_marker

#: how many of the newest posts ``find_post`` also looks through
RECENT = 50
_NO_APP_PASSWORDS = {"application_passwords_disabled", "application_passwords_disabled_for_user"}


def _ascii_filename(media: Media) -> str:
    """A file name WordPress keeps: HTTP headers carry ASCII only, and WordPress
    reads the plain ``filename=`` parameter (not ``filename*=``)."""
    stem, dot, ext = media.filename.rpartition(".")
    if not dot:
        stem, ext = media.filename, ""
    safe = re.sub(r"[^A-Za-z0-9_-]+", "-", stem).strip("-")[:60] or media.digest[:12]
    ext = re.sub(r"[^A-Za-z0-9]", "", ext)[:8]
    if not ext:  # WordPress tells the file type by the extension
        ext = (mimetypes.guess_extension(media.mime) or "").lstrip(".")
    return f"{safe}.{ext}" if ext else safe


class WordPressTarget:
    """A WordPress site reached through its REST API (``Target``)."""

    media_per_post = False

    def __init__(
        self,
        account: Account,
        *,
        timeout: float = 30.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        base = (account.url or "").strip().rstrip("/")
        for tail in ("/wp-json", "/xmlrpc.php", "/wp-admin"):  # the site, not a page of it
            if base.endswith(tail):
                base = base[: -len(tail)]
        self.account = account
        self.base = base
        self.user = account.user or ""
        self._pretty: bool | None = None  # None until the first call finds out
        self._index: dict[str, Any] = {}
        self._terms: dict[tuple[str, str], int] = {}
        self.client = httpx.Client(
            timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
            auth=httpx.BasicAuth(self.user, account.secret or ""),
            transport=transport,
            headers={"User-Agent": "inkbench"},
        )

    def close(self) -> None:
        """Close the connection pool."""
        self.client.close()

    def abort(self) -> None:
        """Wake a call waiting on the site (from any thread): shut down the
        sockets of the client's connections, so the call ends at once with
        an error instead of at its timeout. The runner calls it when the
        item's lease is lost. Best effort: it reaches into httpcore's pool,
        and does nothing where that is not found."""
        pool = getattr(getattr(self.client, "_transport", None), "_pool", None)
        for conn in list(getattr(pool, "connections", None) or ()):
            stream = getattr(getattr(conn, "_connection", None), "_network_stream", None)
            sock = stream.get_extra_info("socket") if stream is not None else None
            if sock is not None:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)

    # --- the wire ------------------------------------------------------------------------

    def _url(self, route: str, params: dict[str, Any] | None) -> tuple[str, dict[str, Any]]:
        params = dict(params or {})
        if self._pretty:
            return f"{self.base}/wp-json{route}", params
        return f"{self.base}/", {"rest_route": route, **params}

    def _send(self, method: str, route: str, **kw: Any) -> httpx.Response:
        """One request, with network failures as ``Transient``."""
        url, params = self._url(route, kw.pop("params", None))
        try:
            return self.client.request(
                method, url, params=params, follow_redirects=method == "GET", **kw
            )
        except httpx.TimeoutException as exc:
            raise Transient(
                _("{site} did not answer in time; will try again").format(site=self.base)
            ) from exc
        except httpx.TransportError as exc:
            raise Transient(
                _("cannot reach {site} ({error}); will try again").format(
                    site=self.base, error=type(exc).__name__
                )
            ) from exc

    def _discover(self) -> None:
        """Find out once whether ``/wp-json/`` works or ``?rest_route=`` is needed."""
        if self._pretty is not None:
            return
        if not self.base.startswith(("http://", "https://")):
            raise Rejected(
                _(
                    "the account's URL {url} is not a web address; give the site's http(s) URL"
                ).format(url=self.base or "''")
            )
        for pretty in (True, False):
            self._pretty = pretty
            try:
                resp = self._send("GET", "/")
            except Transient:
                self._pretty = None
                raise
            if resp.status_code >= 500:
                self._pretty = None
                raise Transient(
                    _("{site} answered {status}; will try again").format(
                        site=self.base, status=resp.status_code
                    )
                )
            body = _json(resp)
            if isinstance(body, dict) and ("namespaces" in body or "code" in body):
                self._index = body
                if "wp/v2" in body.get("namespaces", ["wp/v2"]):
                    return
        self._pretty = None
        raise Rejected(
            _("{site} is not a WordPress site with the REST API; check the URL").format(
                site=self.base
            )
        )

    def _answer(self, method: str, route: str, **kw: Any) -> tuple[httpx.Response, Any]:
        """A REST call under ``/wp/v2``: the response and its JSON body (or None)."""
        self._discover()
        resp = self._send(method, "/wp/v2" + route, **kw)
        return resp, _json(resp)

    def _call(self, method: str, route: str, **kw: Any) -> Any:
        """A REST call under ``/wp/v2``; the JSON answer, or the error it means."""
        resp, body = self._answer(method, route, **kw)
        if resp.is_success:
            if body is None:
                raise Rejected(
                    _("{site} did not answer like WordPress; check the URL").format(site=self.base)
                )
            return body
        raise self._error(resp, body)

    def _error(self, resp: httpx.Response, body: Any) -> PublishError:
        status = resp.status_code
        code = body.get("code", "") if isinstance(body, dict) else ""
        message = body.get("message", "") if isinstance(body, dict) else ""
        message = html.unescape(str(message)).strip().splitlines()[0] if message else ""
        if status >= 500 or status == 429:
            return Transient(
                _("{site} answered {status}; will try again").format(site=self.base, status=status)
            )
        if code in _NO_APP_PASSWORDS:
            return AuthFailed(
                _(
                    "application passwords are turned off on {site} (they need HTTPS or "
                    "a plugin disabled them); enable them and check the password"
                ).format(site=self.base)
            )
        if code == "invalid_username" or code == "invalid_email":
            return AuthFailed(
                _("{site} has no user {user}; check the account's user name").format(
                    site=self.base, user=self.user
                )
            )
        if code == "incorrect_password":
            return AuthFailed(
                _(
                    "{site} did not accept the application password for {user}; check the "
                    "password (an application password, not the login password)"
                ).format(site=self.base, user=self.user)
            )
        if status == 401:
            # WordPress answers 401 only to a request it did not log in (a
            # wrong user name or password: 6.1 says so, newer versions often
            # answer rest_cannot_create or rest_not_logged_in instead); a
            # logged-in user without the right gets 403
            return AuthFailed(
                _(
                    "{site} did not accept {user} with this application password; check the "
                    "user name and the password (an application password, not the login "
                    "password)"
                ).format(site=self.base, user=self.user)
            )
        if status in (401, 403):
            return AuthFailed(
                _("{user} may not do this on {site} ({reason}); check the user's role").format(
                    user=self.user, site=self.base, reason=message or code or status
                )
            )
        if resp.is_redirect:
            return Rejected(
                _("{site} moved to {location}; change the account's URL").format(
                    site=self.base, location=resp.headers.get("location", "?")
                )
            )
        if code == "rest_no_route" or (status == 404 and not code):
            return Rejected(
                _("{site} is not a WordPress site with the REST API; check the URL").format(
                    site=self.base
                )
            )
        return Rejected(
            _("{site} refused: {reason}").format(site=self.base, reason=message or code or status)
        )

    # --- Target --------------------------------------------------------------------------

    def check(self) -> str:
        """Log in and make sure the user may publish; one line about the site."""
        if not self.user or not self.account.secret:
            raise AuthFailed(
                _("the account has no user name or application password; add them again")
            )
        self._discover()
        try:
            me = self._call("GET", "/users/me", params={"context": "edit"})
        except AuthFailed:
            auth = self._index.get("authentication")
            if isinstance(auth, dict) and "application-passwords" not in auth:
                raise AuthFailed(
                    _(
                        "{site} does not offer application passwords (WordPress 5.6 or "
                        "later over HTTPS); enable them, then add the account again"
                    ).format(site=self.base)
                ) from None
            raise
        caps = me.get("capabilities") or {}
        if not caps.get("publish_posts"):
            raise AuthFailed(
                _(
                    "{user} may not publish posts on {site}; give the user the Author role "
                    "or higher"
                ).format(user=self.user, site=self.base)
            )
        name = html.unescape(str(self._index.get("name") or self.base))
        return _("WordPress “{name}” at {site}, logged in as {user}").format(
            name=name, site=self.base, user=me.get("slug") or self.user
        )

    def upload_media(self, media: Media) -> str:
        """Upload one image to the media library; its public URL."""
        try:
            data = media.path.read_bytes()
        except OSError as exc:
            raise Rejected(
                _("cannot read the image {name} ({error})").format(
                    name=media.filename, error=exc.strerror or type(exc).__name__
                )
            ) from exc
        headers = {
            "Content-Type": media.mime,
            "Content-Disposition": f'attachment; filename="{_ascii_filename(media)}"',
        }
        body = self._call("POST", "/media", content=data, headers=headers)
        url = body.get("source_url")
        if not url:
            raise Rejected(_("{site} stored the image but gave no URL").format(site=self.base))
        return str(url)

    def find_post(self, marker: str) -> Published | None:
        """The post carrying ``marker`` (any status but trash), if there is one."""
        listing = {"status": "any", "context": "edit", "per_page": RECENT}
        # the search finds it wherever it is; the newest posts are looked through too,
        # for sites whose search plugin leaves drafts or HTML comments out
        for params in (
            {**listing, "search": marker_token(marker), "per_page": 20},
            {**listing, "orderby": "modified"},
        ):
            found = self._call("GET", "/posts", params=params)
            for item in found if isinstance(found, list) else []:
                content = item.get("content")
                raw = content.get("raw") if isinstance(content, dict) else None
                if has_marker(raw, marker):
                    return _published(item)
        return None

    def create_post(self, post: Post) -> Published:
        """Create the post: a draft, published now, or scheduled for ``post.date``."""
        return _published(self._call("POST", "/posts", json=self._fields(post)))

    def update_post(self, remote_id: str, post: Post) -> Published:
        """Replace the post's title, body, terms and status; same remote id."""
        return _published(self._call("POST", f"/posts/{remote_id}", json=self._fields(post)))

    # --- helpers -------------------------------------------------------------------------

    def _fields(self, post: Post) -> dict[str, Any]:
        fields: dict[str, Any] = {
            "title": post.title,
            "content": with_marker(post.html, post.marker),
            "status": "publish",
            "categories": [self._term_id("categories", n) for n in post.categories],
            "tags": [self._term_id("tags", n) for n in post.tags],
        }
        if post.slug:
            fields["slug"] = post.slug
        when = _future(post.date)
        if when is not None:  # a date now or past is left to the site: no backdating,
            # no clock skew, and an update keeps the date the post first went out
            fields["date_gmt"] = when.replace(tzinfo=None).isoformat(timespec="seconds")
            fields["status"] = "future"
        if post.draft:
            fields["status"] = "draft"
        return fields

    def _term_id(self, taxonomy: str, name: str) -> int:
        """The id of the category or tag called ``name``, created when missing."""
        key = (taxonomy, name.strip().casefold())
        if key in self._terms:
            return self._terms[key]
        found = self._call("GET", f"/{taxonomy}", params={"search": name.strip(), "per_page": 100})
        for term in found if isinstance(found, list) else []:
            if html.unescape(str(term.get("name", ""))).strip().casefold() == key[1]:
                self._terms[key] = int(term["id"])
                return self._terms[key]
        resp, made = self._answer("POST", f"/{taxonomy}", json={"name": name.strip()})
        if resp.is_success and isinstance(made, dict) and "id" in made:
            term_id = int(made["id"])
        elif isinstance(made, dict) and made.get("code") == "term_exists":
            # made meanwhile (or a name search did not show it): WordPress gives its id
            term_id = int((made.get("data") or {})["term_id"])
        elif resp.status_code in (401, 403) and taxonomy == "categories":
            # authors may use categories but not add them (tags they may add)
            raise Rejected(
                _(
                    "{user} may not add the category “{name}” on {site}; add it there or "
                    "take it off the article"
                ).format(user=self.user, name=name.strip(), site=self.base)
            )
        else:
            raise self._error(resp, made)
        self._terms[key] = term_id
        return term_id


def _future(date: datetime | None) -> datetime | None:
    """``date`` in UTC when it lies ahead (the post is scheduled), else None."""
    if date is None:
        return None
    when = date.astimezone(UTC)
    return when if when > datetime.now(UTC) else None


def _json(resp: httpx.Response) -> Any:
    """The JSON body, or None when the answer is not JSON (an HTML page)."""
    if "json" not in resp.headers.get("content-type", ""):
        return None
    try:
        return resp.json()
    except ValueError:
        return None


def _published(item: Any) -> Published:
    if not isinstance(item, dict) or "id" not in item:
        raise Rejected(_("the site did not say which post it made; check the URL"))
    return Published(remote_id=str(item["id"]), url=item.get("link") or None)
