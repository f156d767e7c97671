"""`inkbench chat` against the real account server: messages written while
it is down are queued and sent once, in order, when it answers; a message
whose sender is killed mid-reply is answered and charged exactly once; the
conversation is in the global search and exports to Markdown."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from inkbench.cli import main


def run(capsys, home: Path, *args: str) -> tuple[int, str, str]:
    code = main(["--home", str(home), *args])
    out, err = capsys.readouterr()
    return code, out, err


def rows(home: Path, sql: str, *params) -> list[tuple]:
    conn = sqlite3.connect(home / "inkbench.db")
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def test_chat_bound_to_a_chapter_sends_history_and_is_searchable(
    capsys, logged_in, novel, upstream, tmp_path
) -> None:
    code, out, err = run(
        capsys,
        logged_in,
        "chat",
        "new",
        "--chapter",
        str(novel["chapter"]),
        "--title",
        "林晚的过去",
    )
    assert code == 0, err
    upstream.behaviour.reply = "她是孤女。"
    code, out, err = run(capsys, logged_in, "chat", "send", "1", "林晚从哪里来？")
    assert code == 0, err
    assert "她是孤女。" in out
    upstream.behaviour.reply = "她十七岁。"
    code, out, err = run(capsys, logged_in, "chat", "send", "1", "她多大了？")
    assert code == 0, err
    sent = upstream.chat_requests()[-1].body["messages"]
    assert [m["role"] for m in sent] == ["system", "user", "assistant", "user"]
    assert "第二章" in sent[0]["content"] and sent[2]["content"] == "她是孤女。"
    code, out, _err = run(capsys, logged_in, "chat", "show", "1", "--json")
    shown = json.loads(out)
    assert [(m["role"], m["status"]) for m in shown["messages"]] == [
        ("user", "done"),
        ("assistant", "done"),
    ] * 2
    assert rows(
        logged_in, "SELECT DISTINCT request_type, conversation_id, chapter_id FROM ai_request"
    ) == [("chat", 1, novel["chapter"])]
    code, out, _err = run(capsys, logged_in, "search", "孤女", "--json")
    hits = json.loads(out)
    assert any(h["kind"] == "message" and h["title"] == "林晚的过去" for h in hits)
    md = tmp_path / "chat.md"
    code, _out, err = run(capsys, logged_in, "chat", "export", "1", "--out", str(md))
    assert code == 0, err
    text = md.read_text(encoding="utf-8")
    assert text.startswith("# 林晚的过去") and "她多大了？" in text and "她十七岁。" in text


def test_offline_messages_queue_and_go_out_once_in_order(
    capsys, logged_in, novel, upstream, account_server, tmp_path
) -> None:
    run(capsys, logged_in, "chat", "new", "--title", "ideas")
    db_url = account_server.settings.db_url
    account_server.server.stop()
    for text in ("first question", "second question"):
        code, out, err = run(capsys, logged_in, "chat", "send", "1", text)
        assert code == 0, err
        assert "queued" in out
    assert rows(logged_in, "SELECT content, status FROM chat_message ORDER BY id") == [
        ("first question", "queued"),
        ("second question", "queued"),
    ]
    code, out, _err = run(capsys, logged_in, "chat", "list")
    assert "2 queued" in out
    # the server comes back on the same port and database
    _restart(account_server, upstream, db_url)  # the fixture stops it at the end
    upstream.reset()
    code, out, err = run(capsys, logged_in, "chat", "flush")
    assert code == 0, err
    asked = [r.body["messages"][-1]["content"] for r in upstream.chat_requests()]
    assert asked == ["first question", "second question"]
    code, out, err = run(capsys, logged_in, "chat", "flush")
    assert code == 0 and "nothing queued" in out
    assert len(upstream.chat_requests()) == 2
    assert rows(logged_in, "SELECT role, status FROM chat_message ORDER BY id") == [
        ("user", "done"),
        ("user", "done"),
        ("assistant", "done"),
        ("assistant", "done"),
    ]


def _restart(old, upstream, db_url) -> None:
    """The account server again, on the port the client is configured for."""
    from inkbench.server.app import create_app
    from tests.fakes.fixtures import cheap_settings
    from tests.fakes.servers import ThreadedServer

    port = int(old.url.rsplit(":", 1)[1])
    app = create_app(cheap_settings(db_url=db_url, upstream_url=upstream.url))
    server = ThreadedServer(app, port=port).start()
    old.server = server
    old.app = app


def test_a_queued_message_is_sent_exactly_once_across_a_kill(
    logged_in, novel, upstream, account_server
) -> None:
    exe = str(Path(sys.executable).with_name("inkbench"))
    home = str(logged_in)
    subprocess.run([exe, "--home", home, "chat", "new", "--title", "k"], check=True, timeout=60)
    upstream.behaviour.words = 300
    upstream.behaviour.chunk_delay = 0.01  # 3 s of reply
    proc = subprocess.Popen(
        [exe, "--home", home, "chat", "send", "1", "tell me a long story"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        first = proc.stdout.read(10)  # the reply has started streaming
        assert first, proc.stderr.read().decode()
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stdout.close()
        proc.stderr.close()
    assert rows(logged_in, "SELECT status FROM chat_message WHERE role = 'user'") == [("queued",)]
    upstream.behaviour.chunk_delay = 0.0
    flushed = subprocess.run(
        [exe, "--home", home, "chat", "flush"], capture_output=True, text=True, timeout=90
    )
    assert flushed.returncode == 0, flushed.stderr
    assert "w0 w1" in flushed.stdout and "w299" in flushed.stdout
    replies = rows(
        logged_in, "SELECT content FROM chat_message WHERE role = 'assistant' AND status = 'done'"
    )
    assert len(replies) == 1 and replies[0][0].startswith("w0 w1") and "w299" in replies[0][0]
    assert rows(logged_in, "SELECT status FROM chat_message WHERE role = 'user'") == [("done",)]
    # the upstream was asked once; the server charged the one key once
    asked = [r for r in upstream.chat_requests() if "long story" in json.dumps(r.body)]
    assert len(asked) == 1
    deadline = time.monotonic() + 10
    while not account_server.usage_rows("alice") and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(account_server.usage_rows("alice")) == 1


def test_a_reply_cut_mid_stream_is_kept_incomplete_and_asked_again(
    capsys, logged_in, upstream
) -> None:
    run(capsys, logged_in, "chat", "new", "--title", "cut")
    upstream.behaviour.words = 40
    upstream.behaviour.fail_next("cut")
    code, out, err = run(capsys, logged_in, "chat", "send", "1", "go on")
    assert code == 0, err
    assert "queued" in out
    assert rows(logged_in, "SELECT role, status FROM chat_message ORDER BY id") == [
        ("user", "queued"),
        ("assistant", "incomplete"),
    ]
    assert rows(logged_in, "SELECT status FROM ai_request") == [("incomplete",)]
    code, out, err = run(capsys, logged_in, "chat", "flush")
    assert code == 0, err
    done = rows(
        logged_in, "SELECT content FROM chat_message WHERE role = 'assistant' AND status = 'done'"
    )
    assert len(done) == 1 and "w39" in done[0][0]
    assert rows(logged_in, "SELECT status FROM chat_message WHERE role = 'user'") == [("done",)]


def test_without_a_model_a_message_waits_in_the_queue(capsys, home) -> None:
    home.mkdir(parents=True, exist_ok=True)
    (home / "config.toml").write_text(
        '[ai]\nprovider = "direct"\nbase_url = "http://127.0.0.1:9/v1"\n', encoding="utf-8"
    )
    run(capsys, home, "chat", "new", "--title", "t")
    code, out, err = run(capsys, home, "chat", "send", "1", "hello")
    assert code == 0, err
    assert "queued" in out and "model" in out
    assert rows(home, "SELECT content, status FROM chat_message") == [("hello", "queued")]
    code, _out, err = run(capsys, home, "chat", "new", "--chapter", "42")
    assert code == 1 and "no chapter with id 42" in err
