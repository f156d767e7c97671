"""A small MetaWeblog XML-RPC blog on 127.0.0.1 for publishing tests: the
stdlib ``SimpleXMLRPCServer`` in a thread with the methods WordPress's
``xmlrpc.php`` answers (``blogger.getUsersBlogs``, ``metaWeblog.newPost``,
``editPost``, ``getPost``, ``getRecentPosts``, ``getCategories``,
``newMediaObject``, ``wp.newCategory``) and its faults (403 for a wrong
password, 405 when XML-RPC is disabled).

Knobs: ``disabled``, ``fail_next`` (HTTP 500 for that many requests),
``stall_media`` (read half of a ``newMediaObject`` request, then hang),
``drop_after_create`` (make that many posts, then hang up without an answer).
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime
from socketserver import ThreadingMixIn
from typing import Any
from xmlrpc.client import Binary, Fault
from xmlrpc.server import SimpleXMLRPCRequestHandler, SimpleXMLRPCServer


class _Server(ThreadingMixIn, SimpleXMLRPCServer):
    daemon_threads = True


class FakeMetaWeblog:
    """The blog's state and knobs; ``start()`` serves it at ``url``."""

    def __init__(self, user: str = "writer", password: str = "s3cret pass") -> None:
        self.user, self.password = user, password
        self.disabled = False
        self.fail_next = 0
        self.stall_media = 0.0
        self.may_publish = True
        self.drop_after_create = 0
        #: the fault a wrong login gets (WordPress's by default)
        self.login_fault: tuple[int | str, str] = (403, "Incorrect username or password.")
        #: the fault publishing without the right gets (WordPress's by default)
        self.publish_fault: tuple[int | str, str] = (
            401,
            "Sorry, you are not allowed to publish posts on this site.",
        )
        self.last_struct: dict[str, Any] = {}
        self.posts: dict[str, dict[str, Any]] = {}
        self.media: dict[str, bytes] = {}
        self.categories = ["Uncategorized"]
        self.calls: list[str] = []
        self._ids = 0
        self.lock = threading.Lock()
        self.server: _Server | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}/xmlrpc.php"

    def start(self) -> FakeMetaWeblog:
        blog = self

        class Handler(SimpleXMLRPCRequestHandler):
            rpc_paths = ("/xmlrpc.php",)

            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                if not self.is_rpc_path_valid():
                    self.report_404()
                    return
                if blog.fail_next > 0:
                    blog.fail_next -= 1
                    self._answer(500, b"")
                    return
                length = int(self.headers.get("Content-Length") or 0)
                data = self.rfile.read(length // 2)
                if blog.stall_media and b"newMediaObject" in data:
                    time.sleep(blog.stall_media)  # the client gives up half way
                    self.close_connection = True
                    return
                data += self.rfile.read(length - len(data))
                reply = self.server._marshaled_dispatch(data, None, self.path)
                if blog.drop_after_create and b"metaWeblog.newPost" in data:
                    blog.drop_after_create -= 1
                    self.close_connection = True
                    return
                self._answer(200, reply)

            def _answer(self, status: int, body: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "text/xml")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = _Server(
            ("127.0.0.1", 0), requestHandler=Handler, logRequests=False, allow_none=True
        )
        for name in (
            "blogger.getUsersBlogs",
            "metaWeblog.newPost",
            "metaWeblog.editPost",
            "metaWeblog.getPost",
            "metaWeblog.getRecentPosts",
            "metaWeblog.getCategories",
            "metaWeblog.newMediaObject",
            "wp.newCategory",
        ):
            self.server.register_function(self._wrap(name), name)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()

    # --- the blog -----------------------------------------------------------------------

    def _wrap(self, name: str):
        method = getattr(self, "_" + name.replace(".", "_"))

        def call(*args: Any) -> Any:
            with self.lock:
                self.calls.append(name)
            if self.disabled:
                raise Fault(405, "XML-RPC services are disabled on this site.")
            return method(*args)

        return call

    def _auth(self, user: str, password: str) -> None:
        if user != self.user or password != self.password:
            raise Fault(*self.login_fault)

    def _blogger_getUsersBlogs(self, appkey: str, user: str, password: str) -> list:
        self._auth(user, password)
        return [
            {"blogid": "1", "blogName": "Fake blog", "url": "http://blog.example/", "isAdmin": True}
        ]

    def _post_from(self, struct: dict, publish: bool, post: dict) -> dict:
        self.last_struct = struct
        post.update(
            title=struct.get("title", ""),
            description=struct.get("description", ""),
            categories=[c for c in struct.get("categories", []) if c in self.categories],
            mt_keywords=struct.get("mt_keywords", ""),
            wp_slug=struct.get("wp_slug", ""),
        )
        when = struct.get("date_created_gmt") or struct.get("dateCreated")
        if when is not None:
            post["date_created_gmt"] = when
        status = "publish" if publish else "draft"
        if (
            publish
            and when is not None
            and when.value > datetime.now(UTC).strftime("%Y%m%dT%H:%M:%S")
        ):
            status = "future"
        post["post_status"] = status
        post["link"] = post["permaLink"] = f"http://blog.example/?p={post['postid']}"
        return post

    def _metaWeblog_newPost(
        self, blog_id: str, user: str, password: str, struct: dict, publish: bool
    ) -> str:
        self._auth(user, password)
        if publish and not self.may_publish:
            raise Fault(*self.publish_fault)
        with self.lock:
            self._ids += 1
            pid = str(self._ids)
            self.posts[pid] = {"postid": pid}
        self._post_from(struct, publish, self.posts[pid])
        return pid

    def _metaWeblog_editPost(
        self, pid: str, user: str, password: str, struct: dict, publish: bool
    ) -> bool:
        self._auth(user, password)
        if pid not in self.posts:
            raise Fault(404, "Invalid post ID.")
        self._post_from(struct, publish, self.posts[pid])
        return True

    def _metaWeblog_getPost(self, pid: str, user: str, password: str) -> dict:
        self._auth(user, password)
        if pid not in self.posts:
            raise Fault(404, "Invalid post ID.")
        return self.posts[pid]

    def _metaWeblog_getRecentPosts(self, blog_id: str, user: str, password: str, n: int) -> list:
        self._auth(user, password)
        return list(reversed(self.posts.values()))[:n]

    def _metaWeblog_getCategories(self, blog_id: str, user: str, password: str) -> list:
        self._auth(user, password)
        return [
            {"categoryId": str(i + 1), "categoryName": c, "description": c}
            for i, c in enumerate(self.categories)
        ]

    def _wp_newCategory(self, blog_id: str, user: str, password: str, struct: dict) -> int:
        self._auth(user, password)
        self.categories.append(struct["name"])
        return len(self.categories)

    def _metaWeblog_newMediaObject(
        self, blog_id: str, user: str, password: str, data: dict
    ) -> dict:
        self._auth(user, password)
        bits = data["bits"]
        raw = bits.data if isinstance(bits, Binary) else bits
        with self.lock:
            self._ids += 1
            name = f"{self._ids}-{data['name']}"
        self.media[name] = raw
        return {
            "id": str(self._ids),
            "file": name,
            "url": f"http://blog.example/uploads/{name}",
            "type": data["type"],
        }
