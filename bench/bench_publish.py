"""Publishing 100 articles with 3 images each (issue 15).

- ``publish_folder_articles_per_s``: ``run_publications`` to a Hugo folder
  account (lease, render with markdown-it, page bundle with its images,
  record) vs a raw loop doing the same file writes (the same Markdown bytes
  and the same image copies into the same bundle layout), for the record.
- ``publish_folder_media_copies``: image files the folder holds after it vs
  distinct images (Hugo page bundles keep each post's images beside it, so
  copies are per post by design).
- ``publish_webhook_media_uploads``: the same articles to a webhook account
  in ``urls`` mode (a receiver on 127.0.0.1 in this process): uploads vs
  distinct images. Target: equal (once per image and account, not per use).
- ``publish_wordpress_articles_per_s`` and ``publish_wordpress_media_uploads``
  (only when ``INKBENCH_TEST_WP_URL`` is set, as the tests read it: the
  WordPress of ``../shared/wordpress/setup.sh``): the same articles through
  the REST API with the application password; the media the site holds
  afterwards vs distinct images. The posts and media are deleted after.

The articles share 30 distinct PNGs (each uses 3). Scratch data under
``bench/work/publish/``. ``INKBENCH_BENCH_PUBLISH`` changes the count.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import os
import shutil
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from PIL import Image

from bench.results import record

WORK = Path(__file__).with_name("work") / "publish"
COUNT = int(os.environ.get("INKBENCH_BENCH_PUBLISH", "100"))
DISTINCT = 30
PER_ARTICLE = 3
KEY = "bench-key"
BODY = (
    "## 小节\n\n这是一段中文正文，讲述发布流程。Inkbench publishes it.\n\n"
    "| 列 | 值 |\n|---|---|\n| 甲 | 1 |\n\n```python\nprint('hello')\n```\n\n"
) * 5


def _png(i: int) -> bytes:
    out = io.BytesIO()
    Image.effect_noise((256, 192), 20 + i).convert("RGB").save(out, "PNG")
    return out.getvalue()


def _corpus(db) -> list[int]:
    from inkbench.storage import blobs
    from inkbench.storage.articles import create_article
    from inkbench.storage.vocab import db_time, utcnow

    now = db_time(utcnow())
    with db.raw() as conn:
        album = conn.execute(
            "INSERT INTO album (name, description, created_at, updated_at)"
            " VALUES ('bench', '', ?, ?) RETURNING id",
            (now, now),
        ).fetchone()[0]
        images = []
        for i in range(DISTINCT):
            sha, size = blobs.put_bytes(db.blob_dir, _png(i))
            blobs.register(conn, sha, size)
            images.append(
                conn.execute(
                    "INSERT INTO image (album_id, blob_sha, original_name, size_bytes, format,"
                    " ocr_status, ocr_attempts, created_at) VALUES (?, ?, ?, ?, 'PNG', 'done',"
                    " 1, ?) RETURNING id",
                    (album, sha, f"photo-{i}.png", size, now),
                ).fetchone()[0]
            )
    ids = []
    for n in range(COUNT):
        with db.write() as s:
            ids.append(create_article(s, f"发布测试 {n} Publishing", BODY).id)
        with db.raw() as conn:
            for pos in range(PER_ARTICLE):
                conn.execute(
                    "INSERT INTO article_image (article_id, image_id, position, caption)"
                    " VALUES (?, ?, ?, '')",
                    (ids[-1], images[(n * PER_ARTICLE + pos) % DISTINCT], pos),
                )
    return ids


def _raw_writes(site: Path, bundles: list[tuple[str, str, list[tuple[Path, str]]]]) -> float:
    """The same file writes without Inkbench: articles/s."""
    start = time.perf_counter()
    for slug, text, images in bundles:
        folder = site / "content" / "posts" / slug
        folder.mkdir(parents=True, exist_ok=True)
        for source, name in images:
            shutil.copyfile(source, folder / name)
        (folder / "index.md").write_text(text, encoding="utf-8")
    return len(bundles) / (time.perf_counter() - start)


class _Receiver(BaseHTTPRequestHandler):
    uploads = 0

    def log_message(self, *args) -> None:
        pass

    def do_POST(self) -> None:
        raw = self.rfile.read(int(self.headers["Content-Length"]))
        good = "sha256=" + hmac.new(KEY.encode(), raw, hashlib.sha256).hexdigest()
        assert self.headers["X-Inkbench-Signature"] == good
        data = json.loads(raw)
        answer = {"id": data.get("marker")}
        if data["event"] == "media":
            type(self).uploads += 1
            answer = {"url": f"http://127.0.0.1/media/{data['digest']}"}
        body = json.dumps(answer).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def main() -> None:
    from inkbench.integrations.publish.runner import run_publications
    from inkbench.storage import publications as pubs
    from inkbench.storage.blobs import blob_path
    from inkbench.storage.engine import open_database
    from inkbench.storage.publish_accounts import add_account

    shutil.rmtree(WORK, ignore_errors=True)
    WORK.mkdir(parents=True)
    db = open_database(WORK / "home")
    ids = _corpus(db)
    site = WORK / "site"
    site.mkdir()
    with db.raw() as conn:
        add_account(conn, "site", "folder", path=str(site), format="hugo")
        pubs.enqueue(conn, ids, "site")
    start = time.perf_counter()
    summary = run_publications(db, lambda row: None)
    value = len(ids) / (time.perf_counter() - start)
    assert summary.published == len(ids), summary.outcomes[:3]

    # the raw side writes what Inkbench wrote: the same text, the same images
    bundles = []
    with db.raw(write=False) as conn:
        shas = {r[0]: r[1] for r in conn.execute("SELECT original_name, blob_sha FROM image")}
    for post in sorted((site / "content" / "posts").iterdir()):
        text = (post / "index.md").read_text(encoding="utf-8")
        images = [
            (blob_path(db.blob_dir, shas[f.name.split("-", 1)[1]]), f.name)
            for f in post.glob("*.png")
        ]
        bundles.append((post.name, text, images))
    raw_site = WORK / "raw-site"
    baseline = _raw_writes(raw_site, bundles)
    record(
        "publish_folder_articles_per_s",
        value=value,
        unit="art/s",
        baseline=baseline,
        target="for the record",
        met=True,
    )
    copies = len(list((site / "content" / "posts").rglob("*.png")))
    record(
        "publish_folder_media_copies",
        value=copies,
        unit="files",
        baseline=DISTINCT,
        target="for the record (page bundles: images beside each post)",
        met=True,
    )

    # the same articles to a webhook that takes uploads
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/"
        with db.raw() as conn:
            add_account(conn, "hook", "webhook", url=url, format="urls")
            pubs.enqueue(conn, ids, "hook")
        summary = run_publications(db, lambda row: KEY)
    finally:
        server.shutdown()
        server.server_close()
    assert summary.published == len(ids), summary.outcomes[:3]
    record(
        "publish_webhook_media_uploads",
        value=_Receiver.uploads,
        unit="uploads",
        baseline=DISTINCT,
        target="uploads == distinct images",
        met=_Receiver.uploads == DISTINCT,
    )
    if os.environ.get("INKBENCH_TEST_WP_URL"):
        wordpress(db, ids)
    db.dispose()
    shutil.rmtree(WORK, ignore_errors=True)


def wordpress(db, ids: list[int]) -> None:
    """The articles to the real WordPress of ``INKBENCH_TEST_WP_URL``."""
    import httpx

    from inkbench.integrations.publish.runner import run_publications
    from inkbench.storage import publications as pubs
    from inkbench.storage.publish_accounts import add_account

    url = os.environ["INKBENCH_TEST_WP_URL"].rstrip("/")
    user = os.environ.get("INKBENCH_TEST_WP_USER", "admin")
    secret = os.environ["INKBENCH_TEST_WP_APP_PASSWORD"]
    rest = httpx.Client(auth=(user, secret), timeout=60)

    def listed(kind: str) -> set[int]:
        found: set[int] = set()
        for page in range(1, 100):
            params = {"rest_route": f"/wp/v2/{kind}", "per_page": 100, "page": page}
            if kind == "posts":
                params["status"] = "any"
            params["context"] = "edit"
            resp = rest.get(f"{url}/", params=params)
            if resp.status_code == 400:  # past the last page
                break
            resp.raise_for_status()
            batch = {item["id"] for item in resp.json()}
            found |= batch
            if len(batch) < 100:
                break
        return found

    media_before, posts_before = listed("media"), listed("posts")
    with db.raw() as conn:
        add_account(conn, "wp", "wordpress", url=url, user=user)
        pubs.enqueue(conn, ids, "wp")
    try:
        start = time.perf_counter()
        summary = run_publications(db, lambda row: secret)
        value = len(ids) / (time.perf_counter() - start)
        assert summary.published == len(ids), summary.outcomes[:3]
        media = listed("media") - media_before
        record(
            "publish_wordpress_articles_per_s",
            value=value,
            unit="art/s",
            baseline=None,
            target="for the record",
            met=True,
        )
        record(
            "publish_wordpress_media_uploads",
            value=len(media),
            unit="uploads",
            baseline=DISTINCT,
            target="media on the site == distinct images",
            met=len(media) == DISTINCT == summary.media_uploads,
        )
    finally:
        for kind, before in (("posts", posts_before), ("media", media_before)):
            for item in listed(kind) - before:
                params = {"rest_route": f"/wp/v2/{kind}/{item}", "force": "true"}
                rest.delete(f"{url}/", params=params)
        rest.close()


if __name__ == "__main__":
    main()
