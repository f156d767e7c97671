"""Search finds only what is still in a conversation: the messages an edit
or a regenerate supersedes stay in the conversation (marked) but leave the
search index, through `db reindex` too, and a database upgraded from before
(migration 0012) loses the superseded ones it had indexed."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

from alembic import command

import inkbench.storage.migrations.runner as runner
from inkbench.cli import main


def run(capsys, home: Path, *args: str) -> tuple[int, str, str]:
    code = main(["--home", str(home), "--lang", "en", *args])
    out, err = capsys.readouterr()
    return code, out, err


def found(capsys, home: Path, term: str) -> list[tuple[int, str]]:
    """The chat messages `inkbench search TERM` finds: (id, snippet)."""
    code, out, err = run(capsys, home, "search", term, "--json")
    assert code == 0, err
    return [(h["id"], h["snippet"]) for h in json.loads(out) if h["kind"] == "message"]


def test_an_edit_and_a_regenerate_take_the_replaced_text_out_of_search(
    capsys, logged_in, upstream
) -> None:
    home = logged_in
    run(capsys, home, "chat", "new", "--title", "Tea")
    upstream.behaviour.reply = "Oolong keeps well in a tin caddy."
    assert run(capsys, home, "chat", "send", "1", "how to store oolong")[0] == 0
    assert found(capsys, home, "caddy") == [(2, "Oolong keeps well in a tin caddy.")]

    upstream.behaviour.reply = "Keep it away from light, in a jar."
    code, _out, err = run(capsys, home, "chat", "regenerate", "1")
    assert code == 0, err
    assert found(capsys, home, "caddy") == []  # the replaced reply
    assert [i for i, _s in found(capsys, home, "jar")] == [4]
    assert [i for i, _s in found(capsys, home, "oolong")] == [3]  # the question, resent

    upstream.behaviour.reply = "Jasmine pearls like a cool dry place."
    code, _out, err = run(capsys, home, "chat", "edit", "1", "3", "how to store jasmine pearls")
    assert code == 0, err
    assert found(capsys, home, "oolong") == [] and found(capsys, home, "jar") == []
    assert [i for i, _s in found(capsys, home, "jasmine")] == [5, 6]
    # still in the conversation, marked superseded
    code, out, _err = run(capsys, home, "chat", "show", "1", "--json")
    kept = {m["id"]: m["superseded_by"] for m in json.loads(out)["messages"]}
    assert kept == {1: 3, 2: 3, 3: 5, 4: 5, 5: None, 6: None}

    # a rebuilt index and a renamed conversation keep them out too
    assert run(capsys, home, "db", "reindex")[0] == 0
    from inkbench.storage.engine import raw_connect

    conn = raw_connect(home / "inkbench.db")  # with the index functions the triggers call
    with conn:
        conn.execute("UPDATE conversation SET title = 'Tea notes' WHERE id = 1")
    conn.close()
    assert found(capsys, home, "oolong") == [] and found(capsys, home, "caddy") == []
    assert [i for i, _s in found(capsys, home, "jasmine")] == [5, 6]
    assert run(capsys, home, "db", "check")[0] == 0


def _database_at_0010_with_an_edit(home: Path) -> None:
    """A database at schema 0010 whose message 1 was edited (superseded by
    message 2) and, as 0010's triggers did, is still in the index."""
    home.mkdir(parents=True)
    path = home / "inkbench.db"
    engine = runner.migration_engine(path)
    with engine.connect() as conn:
        cfg = runner.alembic_config()
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0010")
    engine.dispose()
    from inkbench.storage.engine import raw_connect

    conn = raw_connect(path)  # with the index functions the triggers call
    now = "2026-11-01 00:00:00.000000"
    with conn:
        conn.execute(
            "INSERT INTO conversation (id, title, created_at, updated_at) VALUES (1, 'Tea', ?, ?)",
            (now, now),
        )
        for msg_id, text in ((1, "store oolong how"), (2, "store jasmine how")):
            conn.execute(
                "INSERT INTO chat_message (id, conversation_id, role, content, status,"
                " idempotency_key, created_at) VALUES (?, 1, 'user', ?, 'queued', ?, ?)",
                (msg_id, text, f"key{msg_id}", now),
            )
        conn.execute("UPDATE chat_message SET superseded_by = 2 WHERE id = 1")
    assert conn.execute("SELECT count(*) FROM search_message").fetchone() == (2,)
    conn.close()


def test_upgrading_takes_superseded_messages_out_of_the_index(tmp_path: Path) -> None:
    home = tmp_path / "home"
    _database_at_0010_with_an_edit(home)

    def search(term: str) -> list[int]:
        result = subprocess.run(
            [sys.executable, "-m", "inkbench", "--home", str(home), "search", term, "--json"],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stderr
        return [h["id"] for h in json.loads(result.stdout) if h["kind"] == "message"]

    assert search("oolong") == []  # upgraded on open
    assert search("jasmine") == [2]
    conn = sqlite3.connect(home / "inkbench.db")
    try:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone() == ("0012",)
        assert conn.execute("SELECT superseded_by FROM chat_message WHERE id = 1").fetchone() == (
            2,
        )
    finally:
        conn.close()
