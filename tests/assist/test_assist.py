"""`inkbench assist` against the real account server in front of the fake
upstream: what is sent is grounded in the story bible, an applied reply is an
`ai` revision whose request row names the assistant and model, and bad input
or an unreachable server changes nothing."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

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


def test_context_sent_names_the_characters_in_the_chapter(
    capsys, logged_in, novel, upstream
) -> None:
    upstream.behaviour.reply = "她撑开伞，走进雨里。"
    code, out, err = run(
        capsys, logged_in, "assist", "continue", "--chapter", str(novel["chapter"])
    )
    assert code == 0, err
    assert "她撑开伞，走进雨里。" in out
    sent = upstream.chat_requests()[-1].body["messages"]
    system = sent[0]["content"]
    assert sent[0]["role"] == "system" and system.startswith("你是小说作者的写作搭档")
    assert LIN in system and "林晚" in system and TOWN in system
    assert "周掌柜收留了一个孤女。" in system  # the previous chapter's synopsis
    assert "周掌柜" not in system.split("前情概要")[0]  # not named in this chapter
    assert "她想起了母亲。" in sent[-1]["content"]
    # logged, linked, not applied
    (req,) = rows(
        logged_in,
        "SELECT r.request_type, r.chapter_id, r.work_id, a.name, r.model, r.status "
        "FROM ai_request r JOIN assistant a ON a.id = r.assistant_id",
    )
    assert req == ("continue", novel["chapter"], novel["work"], "continue", "fake-small", "ok")
    assert rows(logged_in, "SELECT count(*) FROM chapter_revision WHERE kind = 'ai'") == [(0,)]


def test_applied_reply_is_an_ai_revision_linked_to_its_request(
    capsys, logged_in, novel, db, upstream
) -> None:
    upstream.behaviour.reply = "雨停了。"
    body = rows(logged_in, "SELECT body FROM chapter WHERE id = ?", novel["chapter"])[0][0]
    start = body.index("阿晚")
    end = body.index("\n", start)
    code, out, err = run(
        capsys,
        logged_in,
        "assist",
        "polish",
        "--chapter",
        str(novel["chapter"]),
        "--range",
        f"{start}:{end}",
        "--apply",
        "--json",
    )
    assert code == 0, err
    result = json.loads(out)
    new_body = rows(logged_in, "SELECT body FROM chapter WHERE id = ?", novel["chapter"])[0][0]
    assert new_body == body[:start] + "雨停了。" + body[end:]
    (rev,) = rows(
        logged_in,
        "SELECT v.id, v.body, a.name, r.model, r.request_type, r.completion_tokens "
        "FROM chapter_revision v JOIN ai_request r ON r.id = v.ai_request_id "
        "JOIN assistant a ON a.id = r.assistant_id WHERE v.kind = 'ai'",
    )
    assert rev[0] == result["revision_id"] and rev[1] == new_body
    assert rev[2:5] == ("polish", "fake-small", "polish") and rev[5] > 0
    # the text before was kept as a revision too
    kept = rows(logged_in, "SELECT body FROM chapter_revision WHERE kind = 'autosave'")
    assert (body,) in kept
    assert rows(logged_in, "SELECT uses FROM assistant WHERE name = 'polish'") == [(1,)]


def test_show_context_sends_nothing_and_is_deterministic(
    capsys, logged_in, novel, upstream
) -> None:
    args = ("assist", "review", "--chapter", str(novel["chapter"]), "--show-context", "--json")
    first = run(capsys, logged_in, *args)
    second = run(capsys, logged_in, *args)
    assert first[0] == 0 and first == second
    ctx = json.loads(first[1])
    assert ctx["entries"][:2] == ["林晚", "青石镇"] or set(ctx["entries"]) == {"林晚", "青石镇"}
    assert upstream.chat_requests() == []


def test_too_small_a_budget_says_what_was_cut(capsys, logged_in, novel, upstream) -> None:
    config = logged_in / "config.toml"
    config.write_text(
        config.read_text(encoding="utf-8") + '\n[ai.budgets]\n"fake-small" = { context = 300 }\n',
        encoding="utf-8",
    )
    long_body = "雨下了一夜。" * 400 + "\n阿晚推开门。"
    from inkbench.storage.engine import open_database
    from inkbench.storage.works import update_chapter

    db = open_database(logged_in)
    with db.write() as s:
        update_chapter(s, novel["chapter"], body=long_body)
    db.dispose()
    code, out, err = run(
        capsys,
        logged_in,
        "assist",
        "continue",
        "--chapter",
        str(novel["chapter"]),
        "--show-context",
        "--json",
    )
    assert code == 0, err
    ctx = json.loads(out)
    assert ctx["tokens"] <= 300 and any("text before the cursor" in c for c in ctx["cut"])
    assert ctx["messages"][-1]["content"].count("阿晚推开门。") == 1


def test_bad_input_and_offline_change_nothing(capsys, logged_in, novel, account_server) -> None:
    chapter = str(novel["chapter"])
    before = rows(logged_in, "SELECT body FROM chapter ORDER BY id")
    for args, says in (
        (("polish", "--chapter", chapter), "works on a selection"),
        (("continue", "--chapter", chapter, "--range", "5:999999"), "outside the text"),
        (("continue", "--chapter", "999"), "no chapter with id 999"),
        (("review", "--chapter", chapter, "--apply"), "changes nothing"),
        (("continue", "--chapter", chapter, "--assistant", "ghost"), "no assistant named"),
        (("summarise", "--article", "1"), "chapters only"),
    ):
        code, _out, err = run(capsys, logged_in, "assist", *args)
        assert code == 1, args
        assert says in err and len(err.strip().splitlines()) == 1, err
    account_server.server.stop()
    code, _out, err = run(capsys, logged_in, "assist", "continue", "--chapter", chapter, "--apply")
    assert code == 1 and "offline" in err and len(err.strip().splitlines()) == 1
    assert rows(logged_in, "SELECT body FROM chapter ORDER BY id") == before
    assert rows(logged_in, "SELECT status, request_type FROM ai_request") == [("error", "continue")]


def test_usage_groups_the_log_with_an_estimated_cost(capsys, logged_in, novel, upstream) -> None:
    upstream.behaviour.reply = "好。"
    for action in ("continue", "review"):
        code, _out, err = run(
            capsys, logged_in, "assist", action, "--chapter", str(novel["chapter"])
        )
        assert code == 0, err
    code, out, err = run(capsys, logged_in, "usage", "--by", "assistant", "--json")
    assert code == 0, err
    by_assistant = {r["key"]: r for r in json.loads(out)}
    assert set(by_assistant) == {"continue", "review"}
    tokens = rows(
        logged_in,
        "SELECT sum(prompt_tokens), sum(completion_tokens) FROM ai_request",
    )[0]
    code, out, _err = run(capsys, logged_in, "usage", "--by", "model", "--json")
    (model,) = json.loads(out)
    assert model["key"] == "fake-small" and model["requests"] == 2
    assert (model["prompt_tokens"], model["completion_tokens"]) == tokens
    # [ai.prices] "fake-small" = { input = 1.0, output = 2.0 } per million
    assert model["cost"] == round((tokens[0] * 1.0 + tokens[1] * 2.0) / 1e6, 6)
    code, out, _err = run(capsys, logged_in, "usage", "--by", "purpose")
    assert code == 0 and "continue" in out and "review" in out
    code, out, _err = run(capsys, logged_in, "usage", "--since", "2999-01-01", "--json")
    assert json.loads(out) == []
    with pytest.raises(SystemExit) as bad:
        main(["--home", str(logged_in), "usage", "--since", "yesterday"])
    assert bad.value.code == 2 and "YYYY-MM-DD" in capsys.readouterr().err
