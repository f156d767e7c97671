"""The issue's bad-input list through one run of the runner: a wrong
application password, a site answering 500, XML-RPC disabled, an image file
missing from the store, a folder that is not writable, all queued next to
good items. Each bad one ends with one line saying what to do; the good ones
are published once each; nothing is lost (the paused and retried items wait,
queued)."""

from __future__ import annotations

import os

from inkbench.integrations.publish.runner import run_publications
from inkbench.storage import publications as pubs
from inkbench.storage.blobs import blob_path
from inkbench.storage.publish_accounts import add_account, get_account
from tests.fakes.metaweblog import FakeMetaWeblog
from tests.fakes.wordpress import FakeWordPress


def test_every_bad_input_is_one_line_and_the_queue_goes_on(db, content, tmp_path) -> None:
    good, bad_pw, down = FakeWordPress().start(), FakeWordPress().start(), FakeWordPress().start()
    off = FakeMetaWeblog().start()
    try:
        down.fail_next = 1000
        off.disabled = True
        locked, site = tmp_path / "locked", tmp_path / "site"
        site.mkdir()
        locked.mkdir()
        (locked / "content").write_text("a file where the posts folder should be")
        if os.geteuid() != 0:
            locked.chmod(0o500)
        secrets = {
            "good": good.app_password,
            "badpw": "wrong wrong wrong",
            "down": down.app_password,
            "off": off.password,
        }
        with db.raw() as conn:
            for name, fake in (("good", good), ("badpw", bad_pw), ("down", down)):
                add_account(conn, name, "wordpress", url=fake.url, user=fake.user)
            add_account(conn, "off", "metaweblog", url=off.url, user=off.user)
            add_account(conn, "locked", "folder", path=str(locked))
            add_account(conn, "site", "folder", path=str(site))
        red, gone = content.images([(255, 0, 0), (0, 0, 9)])
        fine = content.article("好文章 Fine", "正文。", illustrations=[red])
        missing = content.article("缺图 Missing", "正文。", illustrations=[gone])
        with db.raw() as conn:
            sha = conn.execute("SELECT blob_sha FROM image WHERE id = ?", (gone,)).fetchone()[0]
            for account in ("badpw", "down", "off", "locked", "good"):
                pubs.enqueue(conn, [fine], account)
            pubs.enqueue(conn, [missing, fine], "site")
        blob_path(db.blob_dir, sha).unlink()

        summary = run_publications(db, lambda row: secrets[row.name], retry_base_s=3600)

        by = {(o.account, o.article_title): o for o in summary.outcomes}
        assert len(by) == len(summary.outcomes) == 7  # each item once
        for o in summary.outcomes:
            assert o.message and "\n" not in o.message and "Traceback" not in o.message
        assert by["badpw", "好文章 Fine"].status == "paused"
        assert "account secret badpw" in by["badpw", "好文章 Fine"].message
        assert by["down", "好文章 Fine"].status == "retry"
        assert "500" in by["down", "好文章 Fine"].message
        assert by["off", "好文章 Fine"].status == "failed"
        assert "XML-RPC" in by["off", "好文章 Fine"].message
        assert by["locked", "好文章 Fine"].status == "failed"
        assert by["site", "缺图 Missing"].status == "failed"
        assert "missing from the store" in by["site", "缺图 Missing"].message
        assert by["good", "好文章 Fine"].status == "published"
        assert by["site", "好文章 Fine"].status == "published"
        assert (summary.published, summary.failed, summary.retried) == (2, 3, 1)
        assert len(good.posts) == 1 and len(good.media) == 1
        assert bad_pw.posts == {} and down.posts == {} and off.posts == {}
        with db.raw(write=False) as conn:
            assert get_account(conn, "badpw").paused
            waiting = {p.account_name: p for p in pubs.list_publications(conn, status="queued")}
        # nothing lost: the paused item waits untried, the 500 one waits for its retry
        assert set(waiting) == {"badpw", "down"} and waiting["badpw"].attempts == 0
        # a second run publishes nothing twice (the retry is not due, the account paused)
        again = run_publications(db, lambda row: secrets[row.name], retry_base_s=3600)
        assert again.outcomes == [] and len(good.posts) == 1
    finally:
        for fake in (good, bad_pw, down, off):
            fake.stop()
