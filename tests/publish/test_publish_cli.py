"""``inkbench publish ...`` as a user runs it: real subprocesses on a real
database, secrets on stdin into a keyring file, a real webhook receiver,
bad input one line each, and kill -9 between the remote create and the
local commit never making a second post."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import assert_db_sound
from tests.publish.conftest import WEBHOOK_KEY, assert_one_line, run_cli

BODY = "正文。\n\n| a | b |\n|---|---|\n| 1 | 2 |\n"


@pytest.fixture
def hook(db, home, receiver, keyring_file):
    proc = run_cli(
        home, "publish", "account", "add", "hook", "--kind", "webhook", "--url", receiver.url,
        stdin=WEBHOOK_KEY + "\n",
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    return receiver


def test_account_add_keeps_the_secret_in_the_keyring_only(db, home, hook, keyring_file):
    import keyring

    for f in home.glob("inkbench.db*"):
        assert WEBHOOK_KEY.encode() not in f.read_bytes()
    assert keyring.get_password("inkbench-publish", "account hook") == WEBHOOK_KEY
    proc = run_cli(home, "publish", "account", "list", "--json")
    (acc,) = json.loads(proc.stdout)
    assert acc["name"] == "hook" and acc["kind"] == "webhook" and acc["format"] == "base64"
    proc = run_cli(home, "publish", "account", "test", "hook")
    assert proc.returncode == 0 and "accepts signed requests" in proc.stdout

    proc = run_cli(home, "publish", "account", "secret", "hook", stdin="wrong\n")
    assert proc.returncode == 0, proc.stderr
    proc = run_cli(home, "publish", "account", "test", "hook")
    assert_one_line(proc, 1, "hook:", "refused the signature (HTTP 401)")

    proc = run_cli(home, "publish", "account", "remove", "hook")
    assert proc.returncode == 0 and keyring.get_password("inkbench-publish", "account hook") is None
    assert_one_line(run_cli(home, "publish", "account", "test", "hook"), 1, "no publishing account")


def test_bad_input_is_one_line_and_changes_nothing(db, home, content, hook, tmp_path):
    a = content.article("One", BODY)
    empty = content.article("Empty", " ")
    cases = [
        (["publish", str(a), str(a), "--to", "hook"], 1, "given twice"),
        (["publish", str(a), "--to", "hook", "--at", "2020-01-01 09:00"], 1, "in the past"),
        (["publish", str(a), "--to", "hook", "--at", "tomorrow"], 1, "cannot read the time"),
        (["publish", str(a), "--to", "nope"], 1, "no publishing account named 'nope'"),
        (["publish", str(empty), "--to", "hook"], 1, "empty body"),
        (["publish", "999", "--to", "hook"], 1, "no article with id 999"),
        (["publish", "show", "42"], 1, "no publication with id 42"),
        (["publish", "account", "add", "x", "--kind", "webhook", "--url", "ftp://x"], 1, "http://"),
        (["publish", "account", "add", "x", "--kind", "folder"], 1, "--path"),
        (["publish", "abc", "--to", "hook"], 2, "invalid int value"),
        (["publish"], 2, "required"),
        (["article", "status", str(a), "gone"], 2, "invalid choice"),
    ]
    for args, code, fragment in cases:
        assert_one_line(run_cli(home, *args), code, fragment)
    proc = run_cli(home, "publish", "account", "add", "x", "--kind", "webhook", "--url",
                   hook.url, stdin="\n")  # fmt: skip
    assert_one_line(proc, 1, "no password or key given")
    proc = run_cli(home, "publish", "list", "--json")
    assert json.loads(proc.stdout) == []
    assert "x" not in run_cli(home, "publish", "account", "list").stdout.split()


def test_queue_run_list_show_cancel_retry(db, home, content, hook):
    a, b, c = (content.article(t, BODY) for t in ("文章 A", "B [b]", "C"))
    helped = run_cli(home, "publish", "--help")
    assert helped.returncode == 0 and "--to ACCOUNT" in helped.stdout and "account" in helped.stdout
    proc = run_cli(home, "publish", "--to", "hook", str(a), str(b), "--json")  # options first
    assert proc.returncode == 0, proc.stderr
    queued = json.loads(proc.stdout)
    assert [q["status"] for q in queued] == ["queued", "queued"]
    proc = run_cli(home, "publish", str(c), "--to", "hook", "--at", "2099-01-01 09:00")
    assert proc.returncode == 0 and "at 2099-01-01 09:00" in proc.stdout
    late = json.loads(run_cli(home, "publish", "list", "--json").stdout)[0]["id"]

    proc = run_cli(home, "publish", "run", "--once")
    assert proc.returncode == 0, proc.stderr
    assert "2 published, 0 failed" in proc.stdout
    assert len(hook.posts) == 2
    rows = {
        r["article_id"]: r for r in json.loads(run_cli(home, "publish", "list", "--json").stdout)
    }
    assert rows[a]["status"] == "published" and rows[c]["status"] == "queued"
    proc = run_cli(home, "publish", "show", str(rows[a]["id"]))
    assert "status: published" in proc.stdout and "url: " + hook.url in proc.stdout
    proc = run_cli(home, "article", "show", str(a))
    assert "status published" in proc.stdout and "publication #" in proc.stdout

    assert_one_line(run_cli(home, "publish", "retry", str(rows[a]["id"])), 1, "only failed")
    assert run_cli(home, "publish", "cancel", str(late)).returncode == 0
    assert_one_line(run_cli(home, "publish", "cancel", str(late)), 1, "only queued")
    assert run_cli(home, "publish", "retry", str(late)).returncode == 0
    assert json.loads(run_cli(home, "publish", "show", str(late), "--json").stdout)["status"] == (
        "queued"
    )
    proc = run_cli(home, "article", "status", str(a), "archived")
    assert proc.returncode == 0 and "archived" in proc.stdout


def _wait_for(check, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.05)


def _start_run(home: Path, *extra: str) -> subprocess.Popen:
    env = {**os.environ, "INKBENCH_HOME": str(home)}
    return subprocess.Popen(
        [sys.executable, "-m", "inkbench", "publish", "run", "--once", *extra],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own process group: kill -9 takes git with it
    )


def _kill9(proc: subprocess.Popen) -> None:
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)


def _publication(home: Path) -> dict:
    (row,) = json.loads(run_cli(home, "publish", "list", "--json").stdout)
    return row


def test_kill9_after_the_webhook_got_the_post_gives_no_second_post(db, home, content, hook):
    a = content.article("Once only", BODY)
    assert run_cli(home, "publish", str(a), "--to", "hook").returncode == 0
    hook.slow_s = 60  # the receiver has the post but the runner never hears back
    proc = _start_run(home, "--lease", "1")
    assert hook.got_post.wait(60)
    _kill9(proc)
    hook.slow_s = 0
    assert _publication(home)["status"] == "publishing"
    time.sleep(1.5)  # the killed run's lease runs out
    again = run_cli(home, "publish", "run", "--once")
    assert again.returncode == 0, again.stdout + again.stderr
    row = _publication(home)
    assert row["status"] == "published" and row["attempts"] == 2
    assert hook.count("post") == 2 and len(hook.posts) == 1  # sent twice, one post
    assert_db_sound(home / "inkbench.db")


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_kill9_between_the_folder_write_and_the_local_commit(db, home, content, tmp_path):
    site = tmp_path / "site"
    subprocess.run(["git", "init", "-q", str(site)], check=True)
    signal_file = tmp_path / "in-commit"
    hook = site / ".git" / "hooks" / "pre-commit"
    hook.write_text(
        f'#!/bin/sh\nif [ ! -e "{signal_file}" ]; then touch "{signal_file}"; sleep 60; fi\n'
    )
    hook.chmod(0o755)
    proc = run_cli(home, "publish", "account", "add", "site", "--kind", "folder", "--path",
                   str(site), "--git-commit")  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    a = content.article("Folder once", BODY)
    assert run_cli(home, "publish", str(a), "--to", "site").returncode == 0

    runner = _start_run(home, "--lease", "1")
    _wait_for(signal_file.exists)  # the post file is written; git commit is under way
    _kill9(runner)
    posts = site / "content" / "posts"
    assert [p.name for p in posts.iterdir()] == ["folder-once"]
    assert _publication(home)["status"] == "publishing"
    time.sleep(1.5)
    again = run_cli(home, "publish", "run", "--once")
    assert again.returncode == 0, again.stdout + again.stderr
    assert [p.name for p in posts.iterdir()] == ["folder-once"]  # found by its marker
    row = _publication(home)
    assert row["status"] == "published" and row["remote_id"] == "content/posts/folder-once/index.md"
    log = subprocess.run(
        ["git", "-C", str(site), "log", "--format=%s"], capture_output=True, text=True, check=True
    )
    assert log.stdout.strip() == "Publish: Folder once"
    assert_db_sound(home / "inkbench.db")
