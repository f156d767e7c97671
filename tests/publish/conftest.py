"""Publishing tests: real articles with real PNG images in a real database,
and a real webhook receiver (an HTTP server thread on 127.0.0.1) that checks
each request's HMAC signature, keeps the idempotency keys it saw, and counts
posts and media."""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import json
import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from PIL import Image

from inkbench.storage import blobs
from inkbench.storage.vocab import db_time, utcnow
from tests.fakes.fixtures import keyring_file  # noqa: F401  (a fixture)

WEBHOOK_KEY = "s3cret-key"


def png(color: tuple[int, int, int], size: int = 24) -> bytes:
    """A real PNG of one colour."""
    out = io.BytesIO()
    Image.new("RGB", (size, size), color).save(out, "PNG")
    return out.getvalue()


@dataclass
class Content:
    """Albums, images and articles inserted into a real database."""

    db: object

    def images(self, colors: list[tuple[int, int, int]], album: str = "pics") -> list[int]:
        """One stored PNG per colour; their image ids."""
        now = db_time(utcnow())
        with self.db.raw() as conn:
            row = conn.execute("SELECT id FROM album WHERE name = ?", (album,)).fetchone()
            album_id = (
                row[0]
                if row
                else conn.execute(
                    "INSERT INTO album (name, description, created_at, updated_at)"
                    " VALUES (?, '', ?, ?)",
                    (album, now, now),
                ).lastrowid
            )
            ids = []
            for i, color in enumerate(colors):
                sha, size = blobs.put_bytes(self.db.blob_dir, png(color))
                blobs.register(conn, sha, size)
                ids.append(
                    conn.execute(
                        "INSERT INTO image (album_id, blob_sha, original_name,"
                        " size_bytes, format, width, height, ocr_status, ocr_attempts, created_at)"
                        " VALUES (?, ?, ?, ?, 'PNG', 24, 24, 'done', 1, ?) RETURNING id",
                        (album_id, sha, f"pic {i}.png", size, now),
                    ).fetchone()[0]
                )
        return ids

    def article(
        self, title: str, body: str, *, illustrations: list[int] = (), linked: list[int] = ()
    ) -> int:
        """An article whose provenance lists ``illustrations`` and whose body
        links ``linked`` (``![..](inkbench-image:ID)``)."""
        from inkbench.storage.articles import create_article

        text = body + "".join(f"\n\n![图 {i}](inkbench-image:{i})" for i in linked)
        with self.db.write() as s:
            article_id = create_article(s, title, text).id
        with self.db.raw() as conn:
            for pos, image_id in enumerate(illustrations):
                conn.execute(
                    "INSERT INTO article_image (article_id, image_id, position, caption)"
                    " VALUES (?, ?, ?, ?)",
                    (article_id, image_id, pos, f"caption {pos}"),
                )
        return article_id


@pytest.fixture
def content(db) -> Content:
    return Content(db)


# --- the webhook receiver ---------------------------------------------------------------


@dataclass
class Receiver:
    """What the receiver saw; how it answers is set by the test."""

    url: str = ""
    key: str = WEBHOOK_KEY
    requests: list[dict] = field(default_factory=list)  # every verified body
    bad_signatures: int = 0
    posts: dict[str, dict] = field(default_factory=dict)  # idempotency key -> post
    media: dict[str, str] = field(default_factory=dict)  # digest -> url
    fail_next: list[int] = field(default_factory=list)  # status codes to answer first
    slow_s: float = 0.0  # hold each new post this long before answering
    fail_media: dict[int, int] = field(default_factory=dict)  # nth media request -> status
    media_seen: int = 0
    got_post: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def count(self, event: str) -> int:
        return sum(1 for r in self.requests if r.get("event") == event)


def _handler(rx: Receiver):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:  # quiet
            pass

        def _answer(self, code: int, data: dict | None = None) -> None:
            body = json.dumps(data or {}).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            expected = "sha256=" + hmac.new(rx.key.encode(), raw, hashlib.sha256).hexdigest()
            if not hmac.compare_digest(self.headers.get("X-Inkbench-Signature", ""), expected):
                rx.bad_signatures += 1
                return self._answer(401, {"error": "bad signature"})
            with rx.lock:
                if rx.fail_next:
                    return self._answer(rx.fail_next.pop(0))
            data = json.loads(raw)
            assert data.get("idempotency_key", "") == self.headers.get("Idempotency-Key", "")
            with rx.lock:
                rx.requests.append(data)
            event = data["event"]
            if event == "ping":
                return self._answer(200, {"ok": True})
            if event == "media":
                with rx.lock:
                    rx.media_seen += 1
                    code = rx.fail_media.pop(rx.media_seen, None)
                if code:
                    return self._answer(code)
                assert (
                    hashlib.sha256(base64.b64decode(data["base64"])).hexdigest() == data["digest"]
                )
                with rx.lock:
                    url = rx.media.setdefault(data["digest"], f"{rx.url}media/{data['filename']}")
                return self._answer(201, {"url": url})
            key = data["idempotency_key"]
            with rx.lock:
                known = key in rx.posts
                if not known:
                    rx.posts[key] = data
            if not known:
                rx.got_post.set()
                if rx.slow_s:
                    time.sleep(rx.slow_s)
            post_id = data.get("remote_id") or f"post-{data['marker']}"
            return self._answer(200, {"id": post_id, "url": f"{rx.url}p/{data['slug']}"})

    return Handler


@pytest.fixture
def receiver():
    rx = Receiver()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(rx))
    server.daemon_threads = True
    rx.url = f"http://127.0.0.1:{server.server_address[1]}/"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield rx
    server.shutdown()
    server.server_close()


# --- the command line as a user runs it -----------------------------------------------


def run_cli(home: Path, *args: str, stdin: str = "", timeout: float = 120):
    """``inkbench ARGS`` in a subprocess with the data home ``home``."""
    env = {**os.environ, "INKBENCH_HOME": str(home)}
    return subprocess.run(
        [sys.executable, "-m", "inkbench", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
    )


def assert_one_line(proc, code: int, *fragments: str) -> str:
    """The command failed with ``code`` and one line on stderr naming ``fragments``."""
    assert proc.returncode == code, (proc.returncode, proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr
    lines = [  # argparse's usage lines (exit 2) come before its one error line
        ln for ln in proc.stderr.strip().splitlines() if not ln.startswith(("usage:", " "))
    ]
    assert len(lines) == 1, proc.stderr
    for f in fragments:
        assert f in lines[0], lines[0]
    return lines[0]
