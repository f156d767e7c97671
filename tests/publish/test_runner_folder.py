"""The runner and the folder target on real files: Hugo page bundles with
their images, Hexo and Jekyll places, updates in place, bad input one line
each while the queue goes on, and git commits."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from inkbench.integrations.publish.runner import run_publications
from inkbench.storage import publications as pubs
from inkbench.storage.blobs import blob_path
from inkbench.storage.publish_accounts import add_account

BODY = "中文正文，第一段。\n\n| 列 | 值 |\n|---|---|\n| 甲 | 1 |\n\n```python\nprint('你好')\n```\n"


def _no_secret(_row):
    return None


def _folder(db, root, name="site", fmt="hugo", git=False) -> None:
    with db.raw() as conn:
        add_account(conn, name, "folder", path=str(root), format=fmt, git_commit=git)


def _queue(db, ids, account, **kw):
    with db.raw() as conn:
        return pubs.enqueue(conn, ids, account, **kw)


def _front(text: str) -> dict[str, str]:
    head = text.split("---\n")[1]
    return dict(line.split(": ", 1) for line in head.strip().splitlines())


def test_hugo_bundles_with_images_and_update_in_place(db, content, tmp_path):
    root = tmp_path / "site"
    root.mkdir()
    _folder(db, root)
    red, green, blue = content.images([(255, 0, 0), (0, 255, 0), (0, 0, 255)])
    a = content.article("第一篇 First", BODY, illustrations=[red, green], linked=[green, blue])
    b = content.article("Second [b]", "Plain *text*.", illustrations=[red])
    _queue(db, [a, b], "site")
    summary = run_publications(db, _no_secret)
    assert (summary.published, summary.failed) == (2, 0)

    posts = sorted((root / "content" / "posts").iterdir())
    assert [p.name for p in posts] == ["second-b", "第一篇-first"]
    first = (posts[1] / "index.md").read_text()
    meta = _front(first)
    assert meta["title"] == '"第一篇 First"' and meta["draft"] == "false"
    assert meta["inkbench_marker"].startswith('"inkbench-')
    images = sorted(p.name for p in posts[1].iterdir() if p.suffix == ".png")
    assert len(images) == 3  # red and green from provenance, blue from the body
    for name in images:  # every image is linked by its file name beside the post
        assert f"]({name})" in first
    assert "inkbench-image:" not in first and "| 甲 | 1 |" in first and "print('你好')" in first

    with db.raw() as conn:
        row = pubs.list_publications(conn, article_id=a)[0]
    assert row.status == "published" and row.url == "/posts/第一篇-first/"
    assert row.remote_id == "content/posts/第一篇-first/index.md"

    # publish again after an edit: the same file is rewritten, no second post
    with db.raw() as conn:
        conn.execute("UPDATE article SET body = body || '\n\n新的一段。' WHERE id = ?", (a,))
        assert pubs.changed_since_published(conn, a) is True
    _queue(db, [a], "site")
    assert run_publications(db, _no_secret).published == 1
    assert sorted(p.name for p in (root / "content" / "posts").iterdir()) == [
        "second-b",
        "第一篇-first",
    ]
    assert "新的一段。" in (posts[1] / "index.md").read_text()
    with db.raw() as conn:
        assert pubs.changed_since_published(conn, a) is False


def test_hexo_and_jekyll_places_and_drafts(db, content, tmp_path):
    (img,) = content.images([(9, 9, 9)])
    a = content.article("Hello World", BODY, illustrations=[img])
    for fmt in ("hexo", "jekyll"):
        (tmp_path / fmt).mkdir()
        _folder(db, tmp_path / fmt, name=fmt, fmt=fmt)
        _queue(db, [a], fmt, draft=True)
    assert run_publications(db, _no_secret).published == 2
    hexo = tmp_path / "hexo" / "source" / "_drafts" / "hello-world.md"
    assert "draft: true" in hexo.read_text()
    (pic,) = (tmp_path / "hexo" / "source" / "images").iterdir()
    assert f"](/images/{pic.name})" in hexo.read_text()
    (jekyll,) = (tmp_path / "jekyll" / "_posts").iterdir()
    assert jekyll.name.endswith("-hello-world.md") and "published: false" in jekyll.read_text()
    (pic,) = (tmp_path / "jekyll" / "assets" / "images").iterdir()
    assert f"](/assets/images/{pic.name})" in jekyll.read_text()
    with db.raw() as conn:  # a draft post does not make the article published
        assert (
            conn.execute("SELECT status FROM article WHERE id = ?", (a,)).fetchone()[0] == "draft"
        )


def test_unwritable_folder_fails_one_line_and_the_queue_goes_on(db, content, tmp_path):
    locked, fine = tmp_path / "locked", tmp_path / "fine"
    locked.mkdir(mode=0o500)
    if os.geteuid() == 0:  # root writes into read-only folders: block the path another way
        locked.chmod(0o700)
        (locked / "content").write_text("a file where the posts folder should be")
    fine.mkdir()
    _folder(db, locked, name="locked")
    _folder(db, fine, name="fine")
    a = content.article("One", BODY)
    _queue(db, [a], "locked")
    _queue(db, [a], "fine")
    summary = run_publications(db, _no_secret)
    assert (summary.published, summary.failed) == (1, 1)
    (bad,) = [o for o in summary.outcomes if o.status == "failed"]
    assert "not writable" in bad.message and "\n" not in bad.message


def test_a_folder_that_is_a_file_is_rejected(db, content, tmp_path):
    not_dir = tmp_path / "file"
    not_dir.write_text("x")
    _folder(db, not_dir, name="bad")
    (tmp_path / "ok").mkdir()
    _folder(db, tmp_path / "ok", name="ok")
    a, b = content.article("A", BODY), content.article("B", BODY)
    _queue(db, [a, b], "bad")
    _queue(db, [b], "ok")
    summary = run_publications(db, _no_secret)
    assert (summary.published, summary.failed) == (1, 2)
    with db.raw() as conn:
        errors = {r.last_error for r in pubs.list_publications(conn, status="failed")}
    assert len(errors) == 1 and "does not exist" in errors.pop()


def test_missing_image_file_and_empty_article_fail_one_line_each(db, content, tmp_path):
    root = tmp_path / "site"
    root.mkdir()
    _folder(db, root)
    gone, kept = content.images([(1, 2, 3), (4, 5, 6)])
    a = content.article("Missing image", BODY, illustrations=[gone])
    b = content.article("Emptied", BODY)
    c = content.article("Fine", BODY, illustrations=[kept])
    with db.raw() as conn:
        sha = conn.execute("SELECT blob_sha FROM image WHERE id = ?", (gone,)).fetchone()[0]
    _queue(db, [a, b, c], "site")
    blob_path(db.blob_dir, sha).unlink()
    with db.raw() as conn:  # emptied after it was queued
        conn.execute("UPDATE article SET body = '  ' WHERE id = ?", (b,))
    summary = run_publications(db, _no_secret)
    assert (summary.published, summary.failed) == (1, 2)
    messages = {o.article_title: o.message for o in summary.outcomes}
    assert "missing from the store" in messages["Missing image"]
    assert "body is empty" in messages["Emptied"]
    assert [p.name for p in (root / "content" / "posts").iterdir()] == ["fine"]


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_git_commit_in_the_folder(db, content, tmp_path):
    root = tmp_path / "site"
    root.mkdir()
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    _folder(db, root, git=True)
    (img,) = content.images([(7, 7, 7)])
    a = content.article("Committed", BODY, illustrations=[img])
    _queue(db, [a], "site")
    assert run_publications(db, _no_secret).published == 1
    files = subprocess.run(
        ["git", "-C", str(root), "ls-files"], capture_output=True, text=True, check=True
    ).stdout.split()
    assert "content/posts/committed/index.md" in files
    assert any(f.endswith(".png") for f in files)
    log = subprocess.run(
        ["git", "-C", str(root), "log", "--format=%s"], capture_output=True, text=True, check=True
    ).stdout
    assert log.strip() == "Publish: Committed"
