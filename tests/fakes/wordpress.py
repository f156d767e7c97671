"""A small WordPress REST API on 127.0.0.1 for publishing tests: a real HTTP
server in a thread that speaks WordPress's wire format (``/wp-json/wp/v2/…``,
or only ``/?rest_route=/wp/v2/…`` with pretty permalinks off), Basic auth with
application passwords, posts with ``status=any``/``search``/``slug``, categories
and tags, media uploads named by ``Content-Disposition``.

Knobs for the bad cases: ``fail_next`` (answer 500 to that many requests),
``stall_media`` (read half of an upload's body, then hang),
``search_drafts`` (False: search only published posts, as some search
plugins do), ``drop_after_create`` (make that many posts, then hang up without an answer, as
a connection cut after the site committed), ``role``
(``author`` publishes, ``contributor`` does not), ``app_passwords``.
"""

from __future__ import annotations

import base64
import json
import re
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

CAPS = {
    "administrator": {
        "publish_posts": True,
        "upload_files": True,
        "edit_posts": True,
        "manage_categories": True,
    },
    "author": {"publish_posts": True, "upload_files": True, "edit_posts": True},
    "contributor": {"edit_posts": True},
}


class _Reply(Exception):
    def __init__(self, status: int, body: Any) -> None:
        super().__init__(status)
        self.status, self.body = status, body


def _err(status: int, code: str, message: str, **data: Any) -> _Reply:
    return _Reply(status, {"code": code, "message": message, "data": {"status": status, **data}})


@dataclass
class FakeWordPress:
    """The site's state and its knobs; ``start()`` serves it."""

    user: str = "editor"
    app_password: str = "abcd EFGH ijkl MNOP qrst UVWX"
    pretty: bool = True
    role: str = "administrator"
    app_passwords: bool = True
    fail_next: int = 0
    stall_media: float = 0.0
    drop_after_create: int = 0
    search_drafts: bool = True
    #: answer a wrong password as WordPress 6 often does: the request runs
    #: anonymously and a write is refused 401 ``rest_cannot_create``
    anonymous_on_bad_password: bool = False
    posts: dict[int, dict[str, Any]] = field(default_factory=dict)
    media: dict[int, dict[str, Any]] = field(default_factory=dict)
    terms: dict[str, dict[int, str]] = field(
        default_factory=lambda: {"categories": {1: "Uncategorized"}, "tags": {}}
    )
    requests: list[tuple[str, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._ids = 100
        self.lock = threading.Lock()
        self.server: ThreadingHTTPServer | None = None

    # --- serving ------------------------------------------------------------------------

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> FakeWordPress:
        site = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                site._handle(self, "GET")

            def do_POST(self) -> None:
                site._handle(self, "POST")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()

    def _handle(self, h: BaseHTTPRequestHandler, method: str) -> None:
        parts = urlsplit(h.path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        route = None
        if parts.path.startswith("/wp-json") and self.pretty:
            route = parts.path[len("/wp-json") :] or "/"
        elif parts.path == "/" and "rest_route" in query:
            route = query.pop("rest_route")
        with self.lock:
            self.requests.append((method, route or parts.path))
        try:
            if self.fail_next > 0:
                self.fail_next -= 1
                self._send(h, 500, "<h1>Internal Server Error</h1>", "text/html")
                return
            if route is None:
                self._send(h, 404, "<h1>Not Found</h1>", "text/html")
                return
            body = self._route(h, method, route.rstrip("/") or "/", query)
            if self.drop_after_create and method == "POST" and route.endswith("/posts"):
                self.drop_after_create -= 1
                h.close_connection = True
                return
            self._send(h, 201 if method == "POST" and route.count("/") == 3 else 200, body)
        except _Reply as reply:
            self._send(h, reply.status, reply.body)
        except (ConnectionError, TimeoutError):
            pass

    def _send(self, h: BaseHTTPRequestHandler, status: int, body: Any, ctype: str = "") -> None:
        data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
        h.send_response(status)
        h.send_header("Content-Type", ctype or "application/json; charset=UTF-8")
        h.send_header("Content-Length", str(len(data)))
        h.end_headers()
        h.wfile.write(data)

    # --- WordPress ----------------------------------------------------------------------

    def _login(self, h: BaseHTTPRequestHandler) -> bool:
        header = h.headers.get("Authorization", "")
        if not header.startswith("Basic "):
            return False
        user, _, password = base64.b64decode(header[6:]).decode().partition(":")
        if not self.app_passwords:
            raise _err(
                401, "application_passwords_disabled", "Application passwords are not available."
            )
        if user != self.user:
            raise _err(401, "invalid_username", "Unknown username.")
        if password.replace(" ", "") != self.app_password.replace(" ", ""):
            if self.anonymous_on_bad_password:
                return False
            raise _err(
                401,
                "incorrect_password",
                "The provided password is an invalid application password.",
            )
        return True

    def _route(self, h: BaseHTTPRequestHandler, method: str, route: str, q: dict) -> Any:
        if route == "/":
            auth = {"application-passwords": {}} if self.app_passwords else {}
            return {
                "name": "Fake &amp; Blog",
                "namespaces": ["oembed/1.0", "wp/v2"],
                "authentication": auth,
            }
        authed = self._login(h)
        m = re.fullmatch(r"/wp/v2/(\w+)(?:/(\w+))?", route)
        if not m:
            raise _err(
                404, "rest_no_route", "No route was found matching the URL and request method."
            )
        kind, ident = m.groups()
        if kind == "users" and ident == "me":
            if not authed:
                raise _err(401, "rest_not_logged_in", "You are not currently logged in.")
            return {
                "id": 1,
                "slug": self.user,
                "roles": [self.role],
                "capabilities": CAPS[self.role],
            }
        if not authed and method == "POST" and self.anonymous_on_bad_password:
            raise _err(401, "rest_cannot_create", "Sorry, you are not allowed to create posts.")
        if not authed and (method == "POST" or q.get("context") == "edit" or q.get("status")):
            raise _err(401, "rest_forbidden", "Sorry, you are not allowed to do that.")
        caps = CAPS[self.role]
        length = int(h.headers.get("Content-Length") or 0)
        if kind == "media" and method == "POST":
            return self._upload(h, length, caps)
        payload = json.loads(h.rfile.read(length) or b"{}") if method == "POST" else {}
        if kind in ("categories", "tags"):
            if method == "POST" and kind == "categories" and not caps.get("manage_categories"):
                raise _err(
                    403,
                    "rest_cannot_create",
                    "Sorry, you are not allowed to create terms in this taxonomy.",
                )
            return self._terms(kind, method, payload, q)
        if kind == "posts":
            return self._posts(method, ident, payload, q, caps)
        raise _err(404, "rest_no_route", "No route was found matching the URL and request method.")

    def _upload(self, h: BaseHTTPRequestHandler, length: int, caps: dict) -> Any:
        if not caps.get("upload_files"):
            raise _err(403, "rest_cannot_create", "Sorry, you are not allowed to upload files.")
        if self.stall_media:
            h.rfile.read(length // 2)
            time.sleep(self.stall_media)
            raise ConnectionError("stalled upload")
        data = h.rfile.read(length)
        disp = h.headers.get("Content-Disposition", "")
        m = re.search(r'filename="?([^";]+)"?', disp)
        if not m:
            raise _err(
                400, "rest_upload_no_content_disposition", "No Content-Disposition supplied."
            )
        with self.lock:
            self._ids += 1
            mid = self._ids
        url = f"{self.url}/wp-content/uploads/{mid}-{m.group(1)}"
        self.media[mid] = {
            "id": mid,
            "source_url": url,
            "bytes": data,
            "mime": h.headers.get("Content-Type"),
        }
        return {"id": mid, "source_url": url, "media_type": "image"}

    def _terms(self, kind: str, method: str, payload: dict, q: dict) -> Any:
        # WordPress stores names with ``&`` as ``&amp;`` and searches the stored form,
        # so a search for "A & B" misses "A &amp; B" and a create answers term_exists
        table = self.terms[kind]
        if method == "POST":
            name = payload["name"].replace("&", "&amp;")
            for tid, have in table.items():
                if have.lower() == name.lower():
                    raise _err(
                        400,
                        "term_exists",
                        "A term with the name provided already exists.",
                        term_id=tid,
                    )
            with self.lock:
                self._ids += 1
                table[self._ids] = name
            return {"id": self._ids, "name": name}
        term = q.get("search", "").lower()
        return [{"id": t, "name": n} for t, n in table.items() if term in n.lower()]

    def _posts(self, method: str, ident: str | None, payload: dict, q: dict, caps: dict) -> Any:
        if method == "POST":
            status = payload.get("status", "draft")
            if status in ("publish", "future") and not caps.get("publish_posts"):
                raise _err(
                    403,
                    "rest_cannot_publish",
                    "Sorry, you are not allowed to publish posts as this user.",
                )
            if ident is None:
                with self.lock:
                    self._ids += 1
                    post = {"id": self._ids}
                    self.posts[self._ids] = post
            else:
                post = self.posts.get(int(ident))
                if post is None:
                    raise _err(404, "rest_post_invalid_id", "Invalid post ID.")
            for key in ("categories", "tags"):
                for tid in payload.get(key, []):
                    if tid not in self.terms[key]:
                        raise _err(400, "rest_invalid_param", f"Invalid parameter(s): {key}")
            post.update({k: v for k, v in payload.items()})
            if status == "future" and "date_gmt" not in payload:
                raise _err(400, "rest_invalid_param", "future needs a date")
            if status == "publish" and payload.get("date_gmt"):
                when = datetime.fromisoformat(payload["date_gmt"]).replace(tzinfo=UTC)
                if when > datetime.now(UTC):
                    post["status"] = "future"  # as wp_insert_post does
            post["link"] = f"{self.url}/?p={post['id']}"
            return self._view(post, "edit")
        if ident is not None:
            return self._view(self.posts[int(ident)], q.get("context", "view"))
        found = list(self.posts.values())
        status = q.get("status", "publish")
        if status != "any":
            found = [p for p in found if p.get("status") == status]
        if "search" in q:
            found = [p for p in found if q["search"].lower() in (p["title"] + p["content"]).lower()]
            if not self.search_drafts:  # as some search plugins do
                found = [p for p in found if p.get("status") == "publish"]
        if "slug" in q:
            found = [p for p in found if p.get("slug") == q["slug"]]
        found = sorted(found, key=lambda p: p["id"], reverse=True)[: int(q.get("per_page", 10))]
        return [self._view(p, q.get("context", "view")) for p in found]

    def _view(self, post: dict, context: str) -> dict:
        out = {
            "id": post["id"],
            "link": post.get("link"),
            "status": post.get("status"),
            "slug": post.get("slug", ""),
            "date_gmt": post.get("date_gmt"),
            "categories": post.get("categories", []),
            "tags": post.get("tags", []),
            "title": {"rendered": post.get("title", "")},
            "content": {"rendered": post.get("content", "")},
        }
        if context == "edit":
            out["title"]["raw"] = post.get("title", "")
            out["content"]["raw"] = post.get("content", "")
        return out
