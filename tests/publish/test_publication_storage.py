"""The publication queue in a real database file: enqueue refusals, leases,
retry and cancel, the media map, trash refusal, changed since published."""

from __future__ import annotations

from datetime import timedelta

import pytest

from inkbench.storage import publications as pubs
from inkbench.storage import publish_accounts as accounts
from inkbench.storage.articles import create_article, update_article
from inkbench.storage.blobs import put_bytes, register
from inkbench.storage.errors import InUse, InvalidInput, NotFound
from inkbench.storage.trash import trash
from inkbench.storage.vocab import utcnow


def _article(db, title="标题 One", body="正文 body") -> int:
    with db.write() as s:
        return create_article(s, title, body).id


def _folder(db, tmp_path, name="site") -> int:
    with db.raw() as conn:
        return accounts.add_account(conn, name, "folder", path=str(tmp_path / "site")).id


def test_enqueue_refuses_bad_input_as_a_whole(db, tmp_path):
    a, b = _article(db), _article(db, "Two")
    empty = _article(db, "Empty", "   ")
    _folder(db, tmp_path)
    cases = [
        (dict(article_ids=[a, b, a]), "given twice"),
        (dict(article_ids=[a, empty]), "empty body"),
        (dict(article_ids=[a, 999]), "no article with id 999"),
        (dict(article_ids=[a], at=utcnow() - timedelta(minutes=1)), "in the past"),
    ]
    for kwargs, fragment in cases:
        with pytest.raises((InvalidInput, NotFound), match=fragment), db.raw() as conn:
            pubs.enqueue(conn, account_name="site", **kwargs)
    with pytest.raises(NotFound, match="no publishing account"), db.raw() as conn:
        pubs.enqueue(conn, [a], "nope")
    with db.raw() as conn:
        assert pubs.list_publications(conn) == []  # nothing queued by any refusal
        rows = pubs.enqueue(conn, [a, b], "site")
    assert [r.status for r in rows] == ["queued", "queued"]
    assert rows[0].marker != rows[1].marker
    with pytest.raises(InvalidInput, match="already queued"), db.raw() as conn:
        pubs.enqueue(conn, [a], "site")


def test_lease_waits_for_schedule_and_paused_accounts(db, tmp_path):
    a, b = _article(db), _article(db, "Later")
    account_id = _folder(db, tmp_path)
    later = utcnow() + timedelta(hours=1)
    with db.raw() as conn:
        (now_pub,) = pubs.enqueue(conn, [a], "site")
        (later_pub,) = pubs.enqueue(conn, [b], "site", at=later)
        accounts.pause_account(conn, account_id, "wrong password")
        assert pubs.lease_next(conn, "w1", 60) is None  # paused
        accounts.resume_account(conn, account_id)
        assert pubs.lease_next(conn, "w1", 7200) == now_pub.id
        assert pubs.lease_next(conn, "w2", 60) is None  # the other waits for its time
        assert pubs.lease_next(conn, "w2", 60, now=later + timedelta(seconds=1)) == later_pub.id
        row = pubs.get_publication(conn, now_pub.id)
    assert row.status == "publishing" and row.attempts == 1


def test_expired_lease_is_taken_back_and_retry_backs_off(db, tmp_path):
    a = _article(db)
    _folder(db, tmp_path)
    with db.raw() as conn:
        (p,) = pubs.enqueue(conn, [a], "site")
        assert pubs.lease_next(conn, "dead", 1) == p.id
        assert pubs.lease_next(conn, "w2", 60) is None
        assert pubs.lease_next(conn, "w2", 60, now=utcnow() + timedelta(seconds=5)) == p.id
        assert pubs.get_publication(conn, p.id).attempts == 2
        assert (
            pubs.mark_retry(conn, p.id, "timeout\nmore", owner="w2", backoff_s=30, max_attempts=3)
            == "queued"
        )
        row = pubs.get_publication(conn, p.id)
        assert row.status == "queued" and row.last_error == "timeout"
        assert pubs.lease_next(conn, "w3", 60) is None  # backing off
        assert pubs.lease_next(conn, "w3", 60, now=utcnow() + timedelta(seconds=31)) == p.id
        assert (
            pubs.mark_retry(conn, p.id, "timeout", owner="w3", backoff_s=30, max_attempts=3)
            == "failed"
        )
        row = pubs.get_publication(conn, p.id)
        assert row.status == "failed" and "gave up after 3 attempts" in row.last_error
        with pytest.raises(InvalidInput, match="only queued"):
            pubs.cancel_publication(conn, p.id)
        assert pubs.retry_publication(conn, p.id).status == "queued"
        assert pubs.cancel_publication(conn, p.id).status == "cancelled"
        with pytest.raises(InvalidInput, match="only failed or cancelled"):
            pubs.retry_publication(conn, pubs.enqueue(conn, [a], "site")[0].id)


def test_outcome_writes_apply_only_for_the_lease_holder(db, tmp_path):
    """A worker whose lease ran out (w1) and another that took the row (w2):
    every outcome write of w1 is refused and changes nothing; w2's apply."""
    a = _article(db)
    _folder(db, tmp_path)
    later = utcnow() + timedelta(seconds=5)
    with db.raw() as conn:
        (p,) = pubs.enqueue(conn, [a], "site")
        assert pubs.lease_next(conn, "w1", 1) == p.id
        assert pubs.lease_next(conn, "w2", 60, now=later) == p.id  # w1's lease expired
        before = pubs.get_publication(conn, p.id)
        rev = pubs.ensure_revision(conn, a)
        assert not pubs.still_held(conn, p.id, "w1") and pubs.still_held(conn, p.id, "w2")
        assert not pubs.renew_lease(conn, p.id, "w1", 60)
        assert not pubs.record_remote(conn, p.id, "late", "/late/", owner="w1")
        assert not pubs.mark_published(
            conn, p.id, owner="w1", remote_id="late", url="/late/", revision_id=rev
        )
        assert not pubs.mark_failed(conn, p.id, "late failure", owner="w1")
        assert pubs.mark_retry(conn, p.id, "late", owner="w1", backoff_s=1, max_attempts=9) is None
        assert not pubs.release(conn, p.id, owner="w1", error="late")
        assert pubs.get_publication(conn, p.id) == before  # nothing of w1's was written
        status = conn.execute("SELECT status FROM article WHERE id = ?", (a,)).fetchone()[0]
        assert status != "published"
        assert pubs.record_remote(conn, p.id, "r2", "/two/", owner="w2")
        assert pubs.mark_published(
            conn, p.id, owner="w2", remote_id="r2", url="/two/", revision_id=rev
        )
        row = pubs.get_publication(conn, p.id)
        assert (row.status, row.remote_id, row.url) == ("published", "r2", "/two/")
        # the row is finished: neither worker can write over it any more
        assert not pubs.mark_failed(conn, p.id, "too late", owner="w2")
        assert not pubs.mark_published(
            conn, p.id, owner="w1", remote_id="late", url="/late/", revision_id=rev
        )
        assert pubs.get_publication(conn, p.id).remote_id == "r2"


def test_trash_refuses_an_article_waiting_to_be_published(db, tmp_path):
    a = _article(db, "Waiting [b]")
    _folder(db, tmp_path)
    with db.raw() as conn:
        (p,) = pubs.enqueue(conn, [a], "site")
    with pytest.raises(InUse, match=f"publication #{p.id} to site is queued"), db.write() as s:
        trash(s, "article", a)
    with db.raw() as conn:
        pubs.cancel_publication(conn, p.id)
    with db.write() as s:
        trash(s, "article", a)


def test_published_records_revision_and_changed_since(db, tmp_path):
    a = _article(db)
    _folder(db, tmp_path)
    with db.raw() as conn:
        (p,) = pubs.enqueue(conn, [a], "site")
        assert pubs.changed_since_published(conn, a) is None
        pubs.lease_next(conn, "w", 60)
        rev = pubs.ensure_revision(conn, a)
        assert pubs.ensure_revision(conn, a) == rev  # not made twice
        assert pubs.mark_published(
            conn, p.id, owner="w", remote_id="r1", url="/posts/one/", revision_id=rev
        )
        assert pubs.changed_since_published(conn, a) is False
        (where,) = pubs.article_publications(conn, a)
    assert where.url == "/posts/one/" and where.status == "published"
    with db.write() as s:
        assert s.get(type(create_article(s, "x", "y")), a).status == "published"
        update_article(s, a, body="新的正文")
    with db.raw() as conn:
        assert pubs.changed_since_published(conn, a) is True
        (again,) = pubs.enqueue(conn, [a], "site")
    assert again.remote_id == "r1" and again.marker == p.marker  # updates the same post


def test_media_map_and_account_removal(db, tmp_path):
    a = _article(db)
    account_id = _folder(db, tmp_path)
    sha, size = put_bytes(db.blob_dir, b"image bytes")
    with db.raw() as conn:
        register(conn, sha, size)
        assert pubs.media_url(conn, account_id, sha) is None
        pubs.put_media_url(conn, account_id, sha, "https://x/1.png")
        pubs.put_media_url(conn, account_id, sha, "https://x/2.png")
        assert pubs.media_url(conn, account_id, sha) == "https://x/2.png"
        assert pubs.count_media(conn, account_id) == 1
        (p,) = pubs.enqueue(conn, [a], "site")
    with pytest.raises(InUse, match=f"publication #{p.id} is queued"), db.raw() as conn:
        accounts.remove_account(conn, "site")
    with db.raw() as conn:
        pubs.cancel_publication(conn, p.id)
        accounts.remove_account(conn, "site")
        row = pubs.get_publication(conn, p.id)
        assert row.account_id is None and row.account_name == "site"  # history stays readable
        assert pubs.count_media(conn, account_id) == 0


def test_account_fields_are_checked(db):
    cases = [
        (dict(kind="ftp"), "unknown account kind"),
        (dict(kind="folder"), "needs --path"),
        (dict(kind="folder", path="/x", format="gatsby"), "unknown folder format"),
        (dict(kind="webhook", url="ftp://x"), "http:// or https://"),
        (dict(kind="wordpress", url="https://x", format="hugo"), "--format is for"),
    ]
    for kwargs, fragment in cases:
        with pytest.raises(InvalidInput, match=fragment), db.raw() as conn:
            accounts.add_account(conn, "a", **kwargs)
    with db.raw() as conn:
        accounts.add_account(conn, "hook", "webhook", url="http://127.0.0.1:1/")
        with pytest.raises(InvalidInput, match="exists"):
            accounts.add_account(conn, "hook", "webhook", url="http://127.0.0.1:1/")
        assert [x.format for x in accounts.list_accounts(conn)] == ["base64"]
