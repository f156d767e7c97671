"""The runner and the webhook target against a real HTTP receiver on
127.0.0.1 that checks every HMAC signature: images uploaded once per
account, retries on 5xx and timeouts, a paused account on a refused key,
and the HTML keeping Chinese text, tables and code."""

from __future__ import annotations

import base64
import hashlib

import pytest

from inkbench.integrations.publish.base import Account, Transient
from inkbench.integrations.publish.runner import run_publications
from inkbench.integrations.publish.webhook import WebhookTarget
from inkbench.storage import publications as pubs
from inkbench.storage.publish_accounts import add_account, get_account
from tests.publish.conftest import WEBHOOK_KEY

BODY = (
    "中文正文。\n\n| 列 | 值 |\n|---|---|\n| 甲 | 1 |\n\n"
    "```\ncode <b>kept</b>\n```\n\n<script>x</script>\n"
)


def _key(_row):
    return WEBHOOK_KEY


def _hook(db, receiver, name="hook", fmt=None) -> int:
    with db.raw() as conn:
        return add_account(conn, name, "webhook", url=receiver.url, format=fmt).id


def _run(db, **kw):
    kw.setdefault("retry_base_s", 0.0)
    return run_publications(db, kw.pop("secret_for", _key), **kw)


def _queue(db, ids, account="hook", **kw):
    with db.raw() as conn:
        return pubs.enqueue(conn, ids, account, **kw)


def test_media_uploaded_once_per_account_and_links_rewritten(db, content, receiver):
    account_id = _hook(db, receiver, fmt="urls")
    imgs = content.images([(i * 40, 0, 0) for i in range(4)])
    # 5 articles × 3 images, 4 distinct images among them
    ids = [
        content.article(f"文章 {n}", BODY, illustrations=imgs[n % 2 : n % 2 + 3]) for n in range(5)
    ]
    _queue(db, ids)
    summary = _run(db)
    assert (summary.published, summary.failed) == (5, 0)
    assert receiver.count("media") == 4 == len(receiver.media) == summary.media_uploads
    assert receiver.count("post") == 5 and receiver.bad_signatures == 0
    with db.raw() as conn:
        assert pubs.count_media(conn, account_id) == 4
    for post in receiver.posts.values():
        assert post["images"] == []
        links = [u for u in receiver.media.values() if f"({u})" in post["markdown"]]
        assert len(links) == 3 and all(f'src="{u}"' in post["html"] for u in links)
        assert "<td>甲</td>" in post["html"] and "中文正文。" in post["html"]
        assert "code &lt;b&gt;kept&lt;/b&gt;" in post["html"]
        assert "<script>" not in post["html"]  # raw HTML shown as text, never run

    # a second round to the same account uploads nothing again
    more = content.article("再来", BODY, illustrations=imgs[:2])
    _queue(db, [more])
    assert _run(db).media_uploads == 0 and receiver.count("media") == 4


def test_base64_images_travel_inside_the_post(db, content, receiver):
    _hook(db, receiver)
    (img,) = content.images([(5, 6, 7)])
    a = content.article("Inline", BODY, linked=[img])
    _queue(db, [a])
    assert _run(db).published == 1
    (post,) = receiver.posts.values()
    (image,) = post["images"]
    assert hashlib.sha256(base64.b64decode(image["base64"])).hexdigest() == image["digest"]
    assert f"]({image['filename']})" in post["markdown"]
    with db.raw() as conn:
        (row,) = pubs.list_publications(conn, article_id=a)
    assert row.remote_id == f"post-{row.marker}" and row.url.endswith("/p/inline")


def test_server_errors_are_retried_then_published_once(db, content, receiver):
    _hook(db, receiver)
    a, b = content.article("A", BODY), content.article("B", BODY)
    _queue(db, [a, b])
    receiver.fail_next = [500, 502]
    summary = _run(db)
    assert summary.published == 2 and summary.retried == 2
    assert len(receiver.posts) == 2


def test_gives_up_after_max_attempts_with_one_line(db, content, receiver):
    _hook(db, receiver)
    a = content.article("Down", BODY)
    _queue(db, [a])
    receiver.fail_next = [503] * 3
    summary = _run(db, max_attempts=3)
    assert summary.failed == 1 and receiver.posts == {}
    with db.raw() as conn:
        (row,) = pubs.list_publications(conn)
    assert row.status == "failed" and "HTTP 503" in row.last_error and "\n" not in row.last_error


def test_wrong_key_pauses_the_account_and_keeps_the_item(db, content, receiver):
    _hook(db, receiver)
    a = content.article("Secret", BODY)
    _queue(db, [a])
    summary = _run(db, secret_for=lambda row: "wrong")
    assert summary.paused == ["hook"] and receiver.bad_signatures == 1 and receiver.posts == {}
    with db.raw() as conn:
        account = get_account(conn, "hook")
        (row,) = pubs.list_publications(conn)
    assert account.paused and "account secret hook" in account.pause_reason
    assert row.status == "queued" and row.attempts == 0  # not counted, not lost
    assert _run(db).published == 0  # a paused account takes no work
    with db.raw() as conn:
        conn.execute("UPDATE publish_account SET paused = 0")
    assert _run(db).published == 1


def test_receiver_down_is_transient(db, content, receiver, tmp_path):
    with db.raw() as conn:
        add_account(conn, "gone", "webhook", url="http://127.0.0.1:9/")
    _hook(db, receiver)
    a = content.article("Both", BODY)
    _queue(db, [a], "gone")
    _queue(db, [a], "hook")
    summary = _run(db, retry_base_s=3600)
    assert summary.published == 1 and summary.retried == 1
    (retry,) = [o for o in summary.outcomes if o.status == "retry"]
    assert "cannot reach the webhook" in retry.message


def test_timeout_in_the_middle_of_an_image_upload_is_transient(receiver, tmp_path):
    path = tmp_path / "a.png"
    path.write_bytes(b"\x89PNG fake")
    target = WebhookTarget(
        Account(name="hook", kind="webhook", url=receiver.url, secret=WEBHOOK_KEY, format="urls"),
        timeout=0.2,
    )
    from inkbench.integrations.publish.base import Media

    media = Media(hashlib.sha256(path.read_bytes()).hexdigest(), "a.png", "image/png", path)
    receiver_slow = _SlowMedia(receiver)
    with receiver_slow, pytest.raises(Transient, match="did not answer in time"):
        target.upload_media(media)


def test_an_upload_failing_half_way_resumes_without_uploading_twice(db, content, receiver):
    _hook(db, receiver, fmt="urls")
    imgs = content.images([(0, 0, i * 60) for i in range(3)])
    a = content.article("Three images", BODY, illustrations=imgs)
    _queue(db, [a])
    receiver.fail_media = {2: 504}  # the second image's upload times out at the gateway
    summary = _run(db)
    assert summary.published == 1 and summary.retried == 1
    sent = [r["digest"] for r in receiver.requests if r["event"] == "media"]
    # the first image is not sent again; the one that failed is sent once more
    assert [sent.count(d) for d in dict.fromkeys(sent)] == [1, 2, 1]
    assert len(receiver.media) == 3
    assert len(receiver.posts) == 1


class _SlowMedia:
    """Hold the receiver's lock so its media answer comes late."""

    def __init__(self, receiver) -> None:
        self.receiver = receiver

    def __enter__(self):
        self.receiver.lock.acquire()
        return self

    def __exit__(self, *exc) -> None:
        self.receiver.lock.release()
