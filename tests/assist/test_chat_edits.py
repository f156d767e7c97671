"""Chat beyond sending, against the real account server in front of the fake
upstream: context attached to a message is stored with it and sent; editing
an earlier message or regenerating a reply is a new request with its own
Idempotency-Key (kept across restarts and a kill -9) and supersedes the
later messages without deleting them; a reply copies into a chapter as an
``ai`` revision; a reply cut off mid-stream keeps its partial text in the log."""

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
from tests.assist.conftest import LIN, TOWN


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


def test_attachments_are_stored_with_the_message_and_sent(
    capsys, logged_in, novel, upstream, tmp_path
) -> None:
    (lin,) = rows(logged_in, "SELECT id FROM character WHERE name = '林晚'")[0]
    (town,) = rows(logged_in, "SELECT id FROM world_entry WHERE title = '青石镇'")[0]
    run(capsys, logged_in, "chat", "new", "--title", "问")
    upstream.behaviour.reply = "好。"
    code, out, err = run(
        capsys,
        logged_in,
        "chat",
        "send",
        "1",
        "她是谁？",
        "--attach",
        f"character:{lin}",
        "--attach",
        f"world:{town}",
        "--attach",
        f"chapter:{novel['chapter']}",
    )
    assert code == 0, err
    sent = upstream.chat_requests()[-1].body["messages"][-1]["content"]
    assert LIN in sent and TOWN in sent and "她想起了母亲。" in sent
    assert sent.endswith("她是谁？")
    code, out, err = run(capsys, logged_in, "chat", "show", "1", "--json")
    first = json.loads(out)["messages"][0]
    assert [(a["kind"], a["title"]) for a in first["attachments"]] == [
        ("character", "林晚"),
        ("world", "青石镇"),
        ("chapter", "第二章"),
    ]
    code, out, err = run(capsys, logged_in, "chat", "show", "1")
    assert "character" in out and "林晚" in out
    # the next message sends the history with the attachments as they were
    code, out, err = run(capsys, logged_in, "chat", "send", "1", "还有呢？")
    assert code == 0, err
    again = upstream.chat_requests()[-1].body["messages"]
    assert LIN in again[1]["content"] and again[-1]["content"] == "还有呢？"
    md = tmp_path / "c.md"
    run(capsys, logged_in, "chat", "export", "1", "--out", str(md))
    assert "林晚" in md.read_text(encoding="utf-8").split("她是谁？")[0]
    # something that is not there: one line, nothing stored
    before = rows(logged_in, "SELECT count(*) FROM chat_message")
    code, out, err = run(capsys, logged_in, "chat", "send", "1", "x", "--attach", "character:999")
    assert code == 1 and "999" in err and len(err.strip().splitlines()) == 1
    code, out, err = run(capsys, logged_in, "chat", "send", "1", "x", "--attach", "scene:1")
    assert code == 1 and "KIND:ID" in err
    assert rows(logged_in, "SELECT count(*) FROM chat_message") == before


def test_edit_supersedes_the_later_messages_and_sends_anew(capsys, logged_in, upstream) -> None:
    run(capsys, logged_in, "chat", "new", "--title", "e")
    upstream.behaviour.reply = "一。"
    run(capsys, logged_in, "chat", "send", "1", "first")
    upstream.behaviour.reply = "二。"
    run(capsys, logged_in, "chat", "send", "1", "second")
    upstream.behaviour.reply = "改。"
    code, out, err = run(capsys, logged_in, "chat", "edit", "1", "1", "first, edited")
    assert code == 0, err
    assert "改。" in out
    sent = upstream.chat_requests()[-1].body["messages"]
    assert [m["role"] for m in sent] == ["system", "user"]  # nothing superseded is sent
    assert sent[-1]["content"] == "first, edited"
    code, out, _err = run(capsys, logged_in, "chat", "show", "1", "--json")
    shown = [
        (m["id"], m["role"], m["content"], m["superseded_by"]) for m in json.loads(out)["messages"]
    ]
    assert shown == [
        (1, "user", "first", 5),
        (2, "assistant", "一。", 5),
        (3, "user", "second", 5),
        (4, "assistant", "二。", 5),
        (5, "user", "first, edited", None),
        (6, "assistant", "改。", None),
    ]
    keys = rows(logged_in, "SELECT idempotency_key FROM ai_request ORDER BY id")
    assert len(keys) == 3 and len(set(keys)) == 3
    # a superseded message cannot be edited again; one line
    code, _out, err = run(capsys, logged_in, "chat", "edit", "1", "3", "x")
    assert code == 1 and "5" in err
    code, _out, err = run(capsys, logged_in, "chat", "edit", "1", "6", "x")
    assert code == 1 and "6" in err


def test_regenerate_is_its_own_request_queued_offline_and_sent_once(
    capsys, logged_in, upstream, account_server, tmp_path
) -> None:
    from tests.assist.test_chat import _restart

    run(capsys, logged_in, "chat", "new", "--title", "r")
    upstream.behaviour.reply = "旧的回答。"
    run(capsys, logged_in, "chat", "send", "1", "问题")
    db_url = account_server.settings.db_url
    account_server.server.stop()
    code, out, err = run(capsys, logged_in, "chat", "regenerate", "1")
    assert code == 0 and "queued" in out, err
    assert rows(logged_in, "SELECT id, status, superseded_by FROM chat_message ORDER BY id") == [
        (1, "done", 3),
        (2, "done", 3),
        (3, "queued", None),
    ]
    _restart(account_server, upstream, db_url)
    upstream.reset()
    upstream.behaviour.reply = "新的回答。"
    code, out, err = run(capsys, logged_in, "chat", "flush")
    assert code == 0 and "新的回答。" in out, err
    code, out, err = run(capsys, logged_in, "chat", "flush")
    assert "nothing queued" in out
    assert len(upstream.chat_requests()) == 1
    assert upstream.chat_requests()[0].body["messages"][-1]["content"] == "问题"
    (old_key, new_key) = [
        k
        for (k,) in rows(
            logged_in, "SELECT idempotency_key FROM chat_message WHERE role = 'user' ORDER BY id"
        )
    ]
    assert old_key != new_key
    assert rows(
        logged_in, "SELECT idempotency_key FROM ai_request WHERE status = 'ok' ORDER BY id"
    )[-1] == (new_key,)
    md = tmp_path / "r.md"
    run(capsys, logged_in, "chat", "export", "1", "--out", str(md))
    text = md.read_text(encoding="utf-8")
    assert "新的回答。" in text and "旧的回答。" not in text and text.count("问题") == 1
    code, _out, err = run(capsys, logged_in, "chat", "new", "--title", "empty")
    code, _out, err = run(capsys, logged_in, "chat", "regenerate", "2")
    assert code == 1 and "no reply" in err


def test_a_regenerate_is_charged_once_across_a_kill(logged_in, upstream, account_server) -> None:
    exe = str(Path(sys.executable).with_name("inkbench"))
    home = str(logged_in)
    subprocess.run([exe, "--home", home, "chat", "new", "--title", "k"], check=True, timeout=60)
    upstream.behaviour.reply = "短。"
    subprocess.run([exe, "--home", home, "chat", "send", "1", "tell me"], check=True, timeout=60)
    upstream.behaviour.reply = None
    upstream.behaviour.words = 300
    upstream.behaviour.chunk_delay = 0.01
    proc = subprocess.Popen(
        [exe, "--home", home, "chat", "regenerate", "1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        assert proc.stdout.read(10), proc.stderr.read().decode()
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stdout.close()
        proc.stderr.close()
    assert rows(logged_in, "SELECT status FROM chat_message WHERE id = 3") == [("queued",)]
    upstream.behaviour.chunk_delay = 0.0
    flushed = subprocess.run(
        [exe, "--home", home, "chat", "flush"], capture_output=True, text=True, timeout=90
    )
    assert flushed.returncode == 0, flushed.stderr
    done = rows(
        logged_in,
        "SELECT content FROM chat_message WHERE role = 'assistant' AND superseded_by IS NULL",
    )
    assert len(done) == 1 and "w299" in done[0][0]
    asked = [r for r in upstream.chat_requests() if "tell me" in json.dumps(r.body)]
    assert len(asked) == 2  # the first answer and the regenerate, once
    deadline = time.monotonic() + 10
    while len(account_server.usage_rows("alice")) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(account_server.usage_rows("alice")) == 2


def test_a_reply_copies_into_the_chapter_as_an_ai_revision(
    capsys, logged_in, novel, upstream
) -> None:
    chapter = novel["chapter"]
    before = rows(logged_in, "SELECT body FROM chapter WHERE id = ?", chapter)[0][0]
    run(capsys, logged_in, "chat", "new", "--chapter", str(chapter), "--title", "c")
    code, _out, err = run(capsys, logged_in, "chat", "copy", "1")
    assert code == 1 and "no reply" in err
    upstream.behaviour.reply = "她推开了门。"
    run(capsys, logged_in, "chat", "send", "1", "写一句")
    code, out, err = run(capsys, logged_in, "chat", "copy", "1")
    assert "revision" in out
    assert code == 0, err
    assert rows(logged_in, "SELECT body FROM chapter WHERE id = ?", chapter)[0][0] == (
        before + "\n\n她推开了门。"
    )
    (rev,) = rows(
        logged_in,
        "SELECT v.body, r.request_type, r.conversation_id FROM chapter_revision v "
        "JOIN ai_request r ON r.id = v.ai_request_id WHERE v.kind = 'ai'",
    )
    assert rev == (before + "\n\n她推开了门。", "chat", 1)
    # the text before is kept as a revision
    assert (before,) in rows(
        logged_in, "SELECT body FROM chapter_revision WHERE chapter_id = ?", chapter
    )
    run(capsys, logged_in, "chat", "new", "--title", "free")
    run(capsys, logged_in, "chat", "send", "2", "再写")
    code, _out, err = run(capsys, logged_in, "chat", "copy", "2")
    assert code == 1 and "--chapter" in err
    code, _out, err = run(
        capsys, logged_in, "chat", "copy", "2", "--chapter", str(novel["first"]), "--replace"
    )
    assert code == 0, err
    assert rows(logged_in, "SELECT body FROM chapter WHERE id = ?", novel["first"]) == [
        ("她推开了门。",)
    ]


def test_an_assist_reply_cut_mid_stream_keeps_its_partial_text_in_the_log(
    capsys, logged_in, novel, upstream
) -> None:
    upstream.behaviour.words = 40
    upstream.behaviour.fail_next("cut")
    before = rows(logged_in, "SELECT body FROM chapter WHERE id = ?", novel["chapter"])
    code, _out, err = run(
        capsys, logged_in, "assist", "continue", "--chapter", str(novel["chapter"]), "--apply"
    )
    assert code == 1 and len(err.strip().splitlines()) == 1
    ((status, partial),) = rows(logged_in, "SELECT status, partial_reply FROM ai_request")
    assert status == "incomplete" and partial.startswith("w0 w1") and "w39" not in partial
    assert rows(logged_in, "SELECT body FROM chapter WHERE id = ?", novel["chapter"]) == before
    # the chat's partial reply is in the log too
    run(capsys, logged_in, "chat", "new", "--title", "cut")
    upstream.behaviour.fail_next("cut")
    run(capsys, logged_in, "chat", "send", "1", "go")
    ((partial,),) = rows(
        logged_in, "SELECT partial_reply FROM ai_request WHERE request_type = 'chat'"
    )
    (kept,) = rows(logged_in, "SELECT content FROM chat_message WHERE status = 'incomplete'")
    assert partial and partial == kept[0]


def test_an_assist_request_queued_offline_goes_out_once_with_its_context(
    capsys, logged_in, novel, upstream, account_server
) -> None:
    from tests.assist.test_chat import _restart

    chapter = novel["chapter"]
    before = rows(logged_in, "SELECT body FROM chapter WHERE id = ?", chapter)[0][0]
    db_url = account_server.settings.db_url
    account_server.server.stop()
    code, _out, err = run(capsys, logged_in, "assist", "continue", "--chapter", str(chapter))
    assert code == 1 and len(err.strip().splitlines()) == 1
    code, out, err = run(
        capsys, logged_in, "assist", "continue", "--chapter", str(chapter), "--queue", "--json"
    )
    assert code == 0, err
    conv = json.loads(out)["conversation_id"]
    assert rows(logged_in, "SELECT status FROM chat_message WHERE conversation_id = ?", conv) == [
        ("queued",)
    ]
    _restart(account_server, upstream, db_url)
    upstream.reset()
    upstream.behaviour.reply = "雨停了。"
    code, out, err = run(capsys, logged_in, "chat", "flush")
    assert code == 0 and "雨停了。" in out, err
    run(capsys, logged_in, "chat", "flush")
    (sent,) = [r.body["messages"] for r in upstream.chat_requests()]
    assert sent[0]["role"] == "system" and LIN in sent[0]["content"]  # the bible context kept
    assert "她想起了母亲。" in sent[-1]["content"]
    code, out, err = run(capsys, logged_in, "chat", "copy", str(conv))
    assert code == 0, err
    assert rows(logged_in, "SELECT body FROM chapter WHERE id = ?", chapter) == [
        (before + "\n\n雨停了。",)
    ]


def test_a_knowledge_passage_attaches_by_its_search_hit(capsys, logged_in, db, upstream) -> None:
    from inkbench.storage.knowledge import add_document, create_kb

    with db.write() as s:
        kb = create_kb(s, "药材")
        kb_id = kb.id
    with db.raw() as conn:
        add_document(
            conn,
            kb_id,
            title="本草",
            text="当归",
            chunks=[("当归", "当归补血活血，调经止痛。"), ("黄芪", "黄芪补气升阳。")],
        )
    (chunk,) = rows(logged_in, "SELECT id FROM kb_chunk WHERE heading = '黄芪'")[0]
    run(capsys, logged_in, "chat", "new", "--kb", str(kb_id), "--title", "药")
    upstream.behaviour.reply = "好。"
    code, _out, err = run(
        capsys, logged_in, "chat", "send", "1", "怎么用", "--attach", f"chunk:{chunk}"
    )
    assert code == 0, err
    sent = upstream.chat_requests()[-1].body["messages"][-1]["content"]
    assert "黄芪补气升阳。" in sent and "当归补血" not in sent
    code, out, _err = run(capsys, logged_in, "chat", "show", "1", "--json")
    (att,) = json.loads(out)["messages"][0]["attachments"]
    assert att == {"kind": "kb", "id": chunk, "title": "本草 · 黄芪", "cut": 0}


def test_a_long_attachment_is_cut_and_says_so(db) -> None:
    from inkbench.storage.chat import add_user_message, create_conversation, history_before
    from inkbench.storage.chat_attachments import ATTACH_LIMIT, AttachmentRef
    from inkbench.storage.works import create_chapter, create_work

    with db.write() as s:
        work = create_work(s, "长")
        chapter = create_chapter(s, work.id, "长章", "雨" * (ATTACH_LIMIT + 500))
        conv = create_conversation(s, "c")
        msg = add_user_message(s, conv.id, "看看", [AttachmentRef("chapter", chapter.id)])
        (sent,) = history_before(s, msg)
    assert sent["content"].count("雨") == ATTACH_LIMIT
    assert "500 characters cut" in sent["content"] and sent["content"].endswith("看看")
