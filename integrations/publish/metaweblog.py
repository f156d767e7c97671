"""Publishing through the MetaWeblog XML-RPC API: WordPress ``xmlrpc.php``,
cnblogs (``https://rpc.cnblogs.com/metaweblog/<blog>``), Typecho
(``/action/xmlrpc``) and the other engines that speak it.

The account's URL is the XML-RPC endpoint; a bare site address gets
WordPress's ``/xmlrpc.php``. The password is the login password (or the
token the platform issues for MetaWeblog).

Exactly once: each post carries its publication marker as a hidden comment at
the start of its body (``integrations/publish/marker.py``), which WordPress,
cnblogs and Typecho all keep; ``find_post`` looks for it in
``metaWeblog.getRecentPosts``, which includes drafts and scheduled posts on
WordPress. Tags travel as ``mt_keywords`` and the slug as ``wp_slug``; neither
can hold the marker (tags are shown to readers, and cnblogs ignores slugs).
"""

from __future__ import annotations

import contextlib
import html
import http.client
import mimetypes
import xmlrpc.client
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit
from xml.parsers.expat import ExpatError

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
from inkbench.integrations.publish.marker import has_marker, with_marker

#: how many recent posts ``find_post`` looks through
RECENT = 50
#: words in a fault that mean the login failed (WordPress: "Incorrect username or
#: password.", Typecho: "无法登录, 密码错误"); other 401/403 faults are permissions
_AUTH_WORDS = ("password", "login", "密码", "登录", "用户名")


class _OnceMixin:
    """A socket timeout (the stdlib transport waits forever), and every call
    sent exactly once on a fresh connection: the stdlib transport silently
    sends a request again when the connection drops before the answer, which
    for ``newPost`` makes a second post the runner never hears about."""

    timeout: float

    def make_connection(self, host: Any) -> http.client.HTTPConnection:
        conn = super().make_connection(host)  # type: ignore[misc]
        conn.timeout = self.timeout
        return conn

    def request(self, host: Any, handler: str, request_body: bytes, verbose: bool = False) -> Any:
        try:
            return self.single_request(host, handler, request_body, verbose)  # type: ignore[attr-defined]
        finally:
            self.close()  # type: ignore[attr-defined]


class _TimeoutTransport(_OnceMixin, xmlrpc.client.Transport):
    """HTTP, each call once, with a timeout."""

    def __init__(self, timeout: float) -> None:
        super().__init__()
        self.timeout = timeout


class _SafeTimeoutTransport(_OnceMixin, xmlrpc.client.SafeTransport):
    """HTTPS, each call once, with a timeout."""

    def __init__(self, timeout: float) -> None:
        super().__init__()
        self.timeout = timeout


def endpoint_url(url: str) -> str:
    """The XML-RPC endpoint for an account URL: as given, or a bare site's
    ``/xmlrpc.php`` (where WordPress answers)."""
    url = url.strip()
    parts = urlsplit(url)
    if parts.path in ("", "/") and not parts.query:
        return url.rstrip("/") + "/xmlrpc.php"
    return url


class MetaWeblogTarget:
    """A blog reached through the MetaWeblog XML-RPC API (``Target``)."""

    media_per_post = False

    def __init__(self, account: Account, *, timeout: float = 30.0) -> None:
        self.account = account
        self.url = endpoint_url(account.url or "")
        self.user = account.user or ""
        self.password = account.secret or ""
        self._blog_id: str | None = None
        scheme = urlsplit(self.url).scheme
        transport: xmlrpc.client.Transport
        if scheme == "https":
            transport = _SafeTimeoutTransport(timeout)
        else:
            transport = _TimeoutTransport(timeout)
        self.valid = scheme in ("http", "https")
        self.proxy = xmlrpc.client.ServerProxy(
            self.url, transport=transport, allow_none=False, use_builtin_types=True
        )

    def close(self) -> None:
        """Close the connection."""
        self.proxy("close")()

    # --- the wire ------------------------------------------------------------------------

    def _rpc(self, method: str, *args: Any) -> Any:
        """Call ``method``; faults and network failures as the errors the runner acts on."""
        if not self.valid:
            raise Rejected(
                _("the account's URL {url} is not a web address; give the XML-RPC URL").format(
                    url=self.url or "''"
                )
            )
        try:
            return getattr(self.proxy, method)(*args)
        except xmlrpc.client.Fault as fault:
            raise self._fault(fault) from None
        except xmlrpc.client.ProtocolError as exc:
            raise self._protocol(exc.errcode) from None
        except TimeoutError:
            raise Transient(
                _("{site} did not answer in time; will try again").format(site=self.url)
            ) from None
        except (OSError, http.client.HTTPException) as exc:
            raise Transient(
                _("cannot reach {site} ({error}); will try again").format(
                    site=self.url, error=type(exc).__name__
                )
            ) from None
        except (ExpatError, xmlrpc.client.ResponseError):
            raise Rejected(
                _("{site} is not an XML-RPC endpoint; check the URL").format(site=self.url)
            ) from None

    def _fault(self, fault: xmlrpc.client.Fault) -> Exception:
        text = str(fault.faultString or "").strip()
        line = text.splitlines()[0] if text else str(fault.faultCode)
        lower = text.lower()
        try:  # some engines send the code as a string
            code = int(fault.faultCode)
        except (TypeError, ValueError):
            code = 0
        if code == 405 or "xml-rpc services are disabled" in lower:
            return Rejected(
                _(
                    "XML-RPC is turned off on {site}; enable it on the site, or use the "
                    "WordPress REST kind"
                ).format(site=self.url)
            )
        if code in (401, 403, 0) and any(w in lower for w in _AUTH_WORDS):
            return AuthFailed(
                _(
                    "{site} did not accept the user name and password of {user}; check the password"
                ).format(site=self.url, user=self.user)
            )
        if code in (401, 403):
            return AuthFailed(
                _("{user} may not do this on {site} ({reason}); check the user's role").format(
                    user=self.user, site=self.url, reason=line
                )
            )
        return Rejected(_("{site} refused: {reason}").format(site=self.url, reason=line))

    def _protocol(self, status: int) -> Exception:
        if status >= 500 or status == 429:
            return Transient(
                _("{site} answered {status}; will try again").format(site=self.url, status=status)
            )
        if status == 401:
            return AuthFailed(
                _(
                    "{site} did not accept the user name and password of {user}; check the password"
                ).format(site=self.url, user=self.user)
            )
        if status == 404:
            return Rejected(
                _("{site} has no XML-RPC endpoint there (404); check the URL").format(site=self.url)
            )
        return Rejected(
            _("{site} refused XML-RPC ({status}); it may be disabled or blocked").format(
                site=self.url, status=status
            )
        )

    def _blog(self) -> list[dict[str, Any]]:
        blogs = self._rpc("blogger.getUsersBlogs", "inkbench", self.user, self.password)
        if not isinstance(blogs, list) or not blogs:
            raise Rejected(
                _("{site} has no blog for {user}; check the user name").format(
                    site=self.url, user=self.user
                )
            )
        self._blog_id = str(blogs[0].get("blogid", "1"))
        return blogs

    def _blog_id_now(self) -> str:
        if self._blog_id is None:
            self._blog()
        return self._blog_id or "1"

    # --- Target --------------------------------------------------------------------------

    def check(self) -> str:
        """Log in (``blogger.getUsersBlogs``); one line naming the blog."""
        if not self.user or not self.password:
            raise AuthFailed(_("the account has no user name or password; add them again"))
        blog = self._blog()[0]
        return _("MetaWeblog blog “{name}” at {site}, logged in as {user}").format(
            name=blog.get("blogName") or "?", site=blog.get("url") or self.url, user=self.user
        )

    def upload_media(self, media: Media) -> str:
        """Upload one image (``metaWeblog.newMediaObject``); its public URL."""
        try:
            data = media.path.read_bytes()
        except OSError as exc:
            raise Rejected(
                _("cannot read the image {name} ({error})").format(
                    name=media.filename, error=exc.strerror or type(exc).__name__
                )
            ) from exc
        name = media.filename
        if "." not in name:  # the engines tell the file type by the extension
            name = (name or media.digest[:12]) + (mimetypes.guess_extension(media.mime) or "")
        answer = self._rpc(
            "metaWeblog.newMediaObject",
            self._blog_id_now(),
            self.user,
            self.password,
            {"name": name, "type": media.mime, "bits": xmlrpc.client.Binary(data)},
        )
        url = answer.get("url") if isinstance(answer, dict) else None
        if not url:
            raise Rejected(_("{site} stored the image but gave no URL").format(site=self.url))
        return str(url)

    def find_post(self, marker: str) -> Published | None:
        """The recent post whose body carries ``marker``, if there is one."""
        posts = self._rpc(
            "metaWeblog.getRecentPosts", self._blog_id_now(), self.user, self.password, RECENT
        )
        for item in posts if isinstance(posts, list) else []:
            body = f"{item.get('description') or ''}{item.get('mt_text_more') or ''}"
            if has_marker(body, marker):
                return _published(item)
        return None

    def create_post(self, post: Post) -> Published:
        """``metaWeblog.newPost``: a draft, published now, or scheduled for ``post.date``."""
        remote_id = self._rpc(
            "metaWeblog.newPost",
            self._blog_id_now(),
            self.user,
            self.password,
            self._struct(post),
            not post.draft,
        )
        return self._where(str(remote_id))

    def update_post(self, remote_id: str, post: Post) -> Published:
        """``metaWeblog.editPost``: replace the post, keeping its id."""
        self._rpc(
            "metaWeblog.editPost",
            remote_id,
            self.user,
            self.password,
            self._struct(post),
            not post.draft,
        )
        return self._where(remote_id)

    # --- helpers -------------------------------------------------------------------------

    def _struct(self, post: Post) -> dict[str, Any]:
        struct: dict[str, Any] = {
            "title": post.title,
            "description": with_marker(post.html, post.marker),
            "categories": self._categories(post.categories),
            "mt_keywords": ",".join(post.tags),
        }
        if post.slug:
            struct["wp_slug"] = post.slug
        if post.date is not None and post.date > datetime.now(UTC):
            # Only a date ahead is sent (scheduling); a date now or past is left to
            # the site, so an update keeps the date the post first went out.
            # XML-RPC dates carry no zone: WordPress reads date_created_gmt as UTC,
            # Typecho and cnblogs read dateCreated as the blog's local time, so that
            # one goes as the wall-clock time the date was given in (the writer's).
            struct["dateCreated"] = post.date.replace(tzinfo=None)
            struct["date_created_gmt"] = post.date.astimezone(UTC).replace(tzinfo=None)
        return struct

    def _categories(self, names: tuple[str, ...]) -> list[str]:
        """The names, each made first where missing and the site can (``wp.newCategory``)."""
        if not names:
            return []
        known = self._rpc("metaWeblog.getCategories", self._blog_id_now(), self.user, self.password)
        have = {
            html.unescape(str(c.get("categoryName") or c.get("description") or "")).casefold()
            for c in (known if isinstance(known, list) else [])
        }
        for name in names:
            if name.casefold() not in have:
                # not WordPress, or a user who may not add categories: the engine
                # makes it itself (Typecho) or leaves it out (WordPress, cnblogs)
                with contextlib.suppress(Rejected, AuthFailed):
                    self._rpc(
                        "wp.newCategory",
                        self._blog_id_now(),
                        self.user,
                        self.password,
                        {"name": name},
                    )
        return list(names)

    def _where(self, remote_id: str) -> Published:
        try:
            item = self._rpc("metaWeblog.getPost", remote_id, self.user, self.password)
        except Rejected:
            item = {}
        url = item.get("permaLink") or item.get("link") if isinstance(item, dict) else None
        return Published(remote_id=remote_id, url=str(url) if url else None)


def _published(item: dict[str, Any]) -> Published:
    url = item.get("permaLink") or item.get("link")
    return Published(remote_id=str(item.get("postid")), url=str(url) if url else None)
