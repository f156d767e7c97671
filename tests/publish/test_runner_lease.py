"""The runner's lease while a remote call is slow: a heartbeat keeps it, and a
worker that lost it anyway stops and writes nothing over the worker that
took the row. Two owners in one real database; a fake target that blocks in
the call under test until told (or until the runner aborts it); the lease's
loss is forced by a second owner claiming the row, never by waiting."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from inkbench.integrations.publish import runner
from inkbench.integrations.publish.base import Published
from inkbench.storage import publications as pubs
from inkbench.storage.publish_accounts import add_account
from inkbench.storage.vocab import db_time, utcnow

WAIT = 30.0  # a bound for a step that should happen at once, never a measurement


class BlockingTarget:
    """Answers at once, except the first call to ``block`` (``upload_media``
    or ``create_post``), which waits until ``release`` is set or the runner
    calls ``abort()``; an aborted call raises (a cut connection) unless
    ``finish_when_aborted`` (the call's answer arrived just in time)."""

    def __init__(self, *, block: str, media_per_post: bool, finish_when_aborted=False) -> None:
        self.block = block
        self.media_per_post = media_per_post
        self.finish_when_aborted = finish_when_aborted
        self.calls: list[str] = []
        self.entered = threading.Event()
        self.release = threading.Event()
        self.aborted = threading.Event()
        self._blocked = False
        self._woken = threading.Event()

    def abort(self) -> None:
        self.aborted.set()
        self._woken.set()

    def _maybe_block(self, name: str) -> None:
        if name != self.block or self._blocked:
            return
        self._blocked = True
        self.entered.set()
        self._woken.wait(WAIT)
        if self.aborted.is_set() and not self.finish_when_aborted:
            raise ConnectionResetError("connection cut by abort")

    def check(self) -> str:
        return "fake"

    def upload_media(self, media) -> str:
        self.calls.append("upload")
        self._maybe_block("upload_media")
        return f"https://fake.example/media/{media.digest[:8]}.png"

    def find_post(self, marker: str):
        self.calls.append("find")
        return None

    def create_post(self, post) -> Published:
        self.calls.append("create")
        self._maybe_block("create_post")
        return Published("a-post", "https://fake.example/a-post")

    def update_post(self, remote_id: str, post) -> Published:
        self.calls.append("update")
        return Published(remote_id, f"https://fake.example/{remote_id}")

    def go(self) -> None:
        self.release.set()
        self._woken.set()


@pytest.fixture
def queued(db, content, tmp_path, monkeypatch):
    """One article with one image, queued for a folder account whose target
    is replaced by the test's fake; (publication id, install the fake)."""
    with db.raw() as conn:
        add_account(conn, "site", "folder", path=str(tmp_path / "site"))
    (image,) = content.images([(200, 30, 30)])
    article = content.article("慢的 Slow one", "正文。", illustrations=[image])
    with db.raw() as conn:
        (pub,) = pubs.enqueue(conn, [article], "site")

    def install(target: BlockingTarget) -> None:
        monkeypatch.setattr(runner, "target_for", lambda account: target)

    return pub.id, install


def _run_in_thread(db, **kw):
    box: dict = {}

    def work() -> None:
        box["summary"] = runner.run_publications(db, lambda row: None, **kw)

    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    return thread, box


def _take_over(db, pub_id: int, owner: str = "worker-b") -> None:
    """Another worker claims the row as if the first one's lease had run out."""
    with db.raw() as conn:
        later = utcnow() + timedelta(hours=1)
        assert pubs.lease_next(conn, owner, 3600, now=later) == pub_id


def test_heartbeat_keeps_the_lease_through_a_long_call(db, queued):
    pub_id, install = queued
    target = BlockingTarget(block="create_post", media_per_post=True)
    install(target)
    thread, box = _run_in_thread(db, lease_seconds=2.0, heartbeat_s=0.05)
    assert target.entered.wait(WAIT)
    with db.raw(write=False) as conn:
        first = conn.execute(
            "SELECT lease_expires_at FROM publication WHERE id = ?", (pub_id,)
        ).fetchone()[0]
    # wait until the lease the claim gave has run out (the call still blocks)
    while db_time(utcnow()) <= first:
        target.entered.wait(0.05)
    with db.raw() as conn:
        assert pubs.lease_next(conn, "worker-b", 60) is None  # renewed: still held
    target.go()
    thread.join(WAIT)
    summary = box["summary"]
    assert (summary.published, summary.lost) == (1, 0), summary.outcomes
    with db.raw(write=False) as conn:
        row = pubs.get_publication(conn, pub_id)
    assert (row.status, row.remote_id) == ("published", "a-post")


def test_lost_lease_aborts_the_call_and_leaves_the_row_to_its_holder(db, queued):
    pub_id, install = queued
    target = BlockingTarget(block="create_post", media_per_post=True)
    install(target)
    thread, box = _run_in_thread(db, lease_seconds=30.0, heartbeat_s=0.05)
    assert target.entered.wait(WAIT)
    _take_over(db, pub_id)
    with db.raw() as conn:  # worker B finishes it its own way
        rev = pubs.ensure_revision(conn, pubs.get_publication(conn, pub_id).article_id)
        assert pubs.mark_published(
            conn, pub_id, owner="worker-b", remote_id="b-post", url="/b/", revision_id=rev
        )
    aborted = target.aborted.wait(WAIT)
    target.go()  # without a heartbeat nothing aborts the call: let it answer
    thread.join(WAIT)
    assert aborted, "the runner did not notice it had lost the lease"
    summary = box["summary"]
    assert (summary.published, summary.failed, summary.lost) == (0, 0, 1), summary.outcomes
    (outcome,) = summary.outcomes
    assert outcome.status == "lost" and "another worker" in outcome.message
    with db.raw(write=False) as conn:
        row = pubs.get_publication(conn, pub_id)
    assert (row.status, row.remote_id, row.url) == ("published", "b-post", "/b/")


def test_lost_lease_stops_before_the_next_remote_call(db, queued):
    """The upload's answer arrives although the lease was lost meanwhile: the
    image's URL is kept (it is on the site now), but no post is made, and
    the row stays with the worker that took it."""
    pub_id, install = queued
    target = BlockingTarget(block="upload_media", media_per_post=False, finish_when_aborted=True)
    install(target)
    thread, box = _run_in_thread(db, lease_seconds=30.0, heartbeat_s=0.05)
    assert target.entered.wait(WAIT)
    _take_over(db, pub_id)
    aborted = target.aborted.wait(WAIT)
    target.go()
    thread.join(WAIT)
    assert aborted, "the runner did not notice it had lost the lease"
    assert target.calls == ["upload"]  # no find, no create after the loss
    summary = box["summary"]
    assert (summary.published, summary.lost, summary.media_uploads) == (0, 1, 1)
    with db.raw(write=False) as conn:
        row = pubs.get_publication(conn, pub_id)
        owner = conn.execute(
            "SELECT lease_owner FROM publication WHERE id = ?", (pub_id,)
        ).fetchone()[0]
        account_id = row.account_id
        assert pubs.count_media(conn, account_id) == 1
    assert (row.status, row.remote_id, owner) == ("publishing", None, "worker-b")


def test_a_late_failure_does_not_overwrite_the_new_holder(db, queued):
    """The call in hand fails after the lease passed on: the failure is not
    recorded (no retry counted, no error shown on the other worker's row)."""
    pub_id, install = queued
    target = BlockingTarget(block="create_post", media_per_post=True)
    install(target)
    thread, box = _run_in_thread(db, lease_seconds=30.0, heartbeat_s=0.05)
    assert target.entered.wait(WAIT)
    _take_over(db, pub_id)
    target.aborted.wait(WAIT)
    target.go()
    thread.join(WAIT)
    with db.raw(write=False) as conn:
        row = pubs.get_publication(conn, pub_id)
    assert (row.status, row.last_error, row.attempts) == ("publishing", None, 2)
    assert box["summary"].lost == 1
