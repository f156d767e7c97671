"""`inkbench stats`, `article import|list` and `search` from the command line,
with the bad input each must survive: one line on stderr, exit 1 (2 for
usage), nothing changed, and `db check` still passing."""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from inkbench.cli import main
from inkbench.storage.engine import raw_connect

MARKUP_TITLES = ["[b]x[/b]", "[/", "[0]", "[red]danger[/red] [link=x]y[/link]"]


def run(capsys, home: Path, *args: str) -> tuple[int, str, str]:
    code = main(["--home", str(home), *args])
    out, err = capsys.readouterr()
    return code, out, err


def sub(home: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "inkbench", "--home", str(home), *args],
        capture_output=True,
        text=True,
        timeout=60,
    )


def dump(home: Path) -> list[str]:
    conn = sqlite3.connect(home / "inkbench.db")
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


PROGRESS = re.compile(r"^[\w ]+: \d+/\d+$")  # progress lines when not on a terminal


def assert_one_line_error(stderr: str) -> None:
    lines = [line for line in stderr.strip().splitlines() if not PROGRESS.match(line)]
    assert len(lines) == 1 and lines[0].startswith("inkbench: "), stderr
    assert "Traceback" not in stderr and "bug" not in stderr


def assert_db_ok(capsys, home: Path) -> None:
    code, out, err = run(capsys, home, "db", "check")
    assert code == 0 and out.startswith("ok"), out + err


@pytest.fixture
def docs(tmp_path: Path) -> Path:
    d = tmp_path / "docs"
    (d / "sub").mkdir(parents=True)
    (d / "spring.md").write_text("\n# 春天的故事\n\n这是一个关于春天的故事。\n", encoding="utf-8")
    (d / "notes.txt").write_text("plain notes without a heading\nsecond line\n", encoding="utf-8")
    (d / "sub" / "deep.markdown").write_text("## Deep [0] title\nbody text\n", encoding="utf-8")
    (d / "skip.png").write_bytes(b"\x89PNG not text")
    return d


def test_import_files_and_folders_then_list(home, capsys, docs) -> None:
    code, out, err = run(capsys, home, "article", "import", str(docs), "--json")
    assert code == 0, err
    imported = json.loads(out)
    assert sorted(a["title"] for a in imported) == ["Deep [0] title", "notes", "春天的故事"]
    by_title = {a["title"]: a for a in imported}
    assert by_title["春天的故事"]["word_count"] == 11  # CJK characters, punctuation excluded
    assert by_title["notes"]["word_count"] == 7

    code, out, _ = run(capsys, home, "article", "list", "--json")
    listed = json.loads(out)
    assert code == 0 and {a["title"] for a in listed} == set(by_title)
    assert {a["origin"] for a in listed} == {"imported"}
    assert set(listed[0]) == {"id", "title", "status", "word_count", "origin", "updated_at"}

    code, out, _ = run(capsys, home, "article", "list", "--limit", "2")
    assert code == 0 and out.strip().splitlines()[-1] == "2 of 3 articles"
    code, out, _ = run(capsys, home, "article", "list", "--filter", "[0]", "--json")
    assert [a["title"] for a in json.loads(out)] == ["Deep [0] title"]
    assert_db_ok(capsys, home)


def test_markup_like_titles_are_stored_and_printed_literally(home, capsys, tmp_path) -> None:
    files = []
    for i, title in enumerate(MARKUP_TITLES):
        f = tmp_path / f"m{i}.md"
        f.write_text(f"# {title}\n\nmarkup {title} 标记 body\n", encoding="utf-8")
        files.append(str(f))
    assert run(capsys, home, "article", "import", *files)[0] == 0
    code, out, _ = run(capsys, home, "article", "list")
    for title in MARKUP_TITLES:
        assert any(line.endswith(f"  {title}") for line in out.splitlines()), (title, out)
    code, out, _ = run(capsys, home, "search", "标记", "--limit", "10")
    for title in MARKUP_TITLES:
        assert f": {title}\n" in out
        assert f"{title} 标记 body" in out
    code, out, _ = run(capsys, home, "search", "[b]x[/b]", "--json")
    assert code == 0 and json.loads(out)[0]["title"] == "[b]x[/b]"
    conn = sqlite3.connect(home / "inkbench.db")
    stored = {t for (t,) in conn.execute("SELECT title FROM article")}
    conn.close()
    assert stored == set(MARKUP_TITLES)


@pytest.mark.parametrize(
    ("name", "content", "expect"),
    [
        ("gbk.txt", "中文内容".encode("gb18030"), "not UTF-8"),
        ("latin1.md", "# Caf\xe9\n".encode("latin-1"), "not UTF-8"),
        ("binary.md", b"# x\n\x00\x01\x02\x03" * 100, "binary"),
    ],
)
def test_unusable_files_import_nothing(home, capsys, docs, name, content, expect) -> None:
    assert run(capsys, home, "article", "import", str(docs / "notes.txt"))[0] == 0
    before = dump(home)
    bad = docs / name
    bad.write_bytes(content)
    args = ("article", "import", str(docs / "spring.md"), str(bad))
    if name == "gbk.txt":  # once as a real process: no traceback reaches the user
        result = sub(home, *args)
        code, out, err = result.returncode, result.stdout, result.stderr
    else:
        code, out, err = run(capsys, home, *args)
    assert code == 1
    assert_one_line_error(err)
    assert expect in err and name in err
    assert "imported" not in out
    assert dump(home) == before  # the good file was not imported either
    assert_db_ok(capsys, home)


def test_missing_paths_and_empty_folders(home, capsys, tmp_path) -> None:
    run(capsys, home, "stats")  # create the database
    before = dump(home)
    result = sub(home, "article", "import", str(tmp_path / "nope.md"))
    assert result.returncode == 1
    assert_one_line_error(result.stderr)
    assert "no such file" in result.stderr
    empty = tmp_path / "empty"
    empty.mkdir()
    code, _out, err = run(capsys, home, "article", "import", str(empty))
    assert code == 1 and "no .md or .txt files" in err
    assert_one_line_error(err)
    assert dump(home) == before
    assert_db_ok(capsys, home)


def test_bad_usage_exits_2(home, capsys) -> None:
    with pytest.raises(SystemExit) as e:
        main(["--home", str(home), "article", "list", "--limit", "many"])
    assert e.value.code == 2
    with pytest.raises(SystemExit) as e:
        main(["--home", str(home), "no-such-command"])
    assert e.value.code == 2
    capsys.readouterr()
    code, _out, err = run(capsys, home, "article", "list", "--limit", "0")
    assert code == 1
    assert_one_line_error(err)


FTS_SYNTAX = ['"', "(", ")", "OR", "AND", "NOT", "*", "NEAR", "NEAR(a b)", 'a "b', "a OR b", "-x"]


def test_fts_syntax_in_search_is_just_text(home, capsys, docs) -> None:
    assert run(capsys, home, "article", "import", str(docs))[0] == 0
    before = dump(home)
    for query in FTS_SYNTAX:
        code, out, err = run(capsys, home, "search", "--json", "--", query)
        assert code == 0 and err == "", (query, err)
        assert isinstance(json.loads(out), list)
    # as a real process too: nothing reaches the user as a traceback
    for query in ('"', "NEAR("):
        result = sub(home, "search", query)
        assert result.returncode == 0, result.stderr
        assert result.stderr == ""
    code, out, _ = run(capsys, home, "search", "春天 OR", "--json")
    assert code == 0
    assert dump(home) == before
    assert_db_ok(capsys, home)


def _insert_states(home: Path) -> None:
    conn = raw_connect(home / "inkbench.db")
    conn.execute("BEGIN")
    now = "2026-01-01 00:00:00.000000"
    conn.execute(
        "INSERT INTO album (name, description, created_at, updated_at) VALUES ('a', '', ?, ?)",
        (now, now),
    )
    for i, status in enumerate(["pending", "pending", "done", "failed", "no_text"]):
        sha = f"{i:064x}"
        conn.execute("INSERT INTO blob (sha256, size, created_at) VALUES (?, 1, ?)", (sha, now))
        conn.execute(
            "INSERT INTO image (album_id, blob_sha, original_name, size_bytes, ocr_status,"
            " ocr_attempts, created_at) VALUES (1, ?, ?, 1, ?, 0, ?)",
            (sha, f"{i}.png", status, now),
        )
    conn.execute("COMMIT")
    conn.close()


def test_stats_counts_rows_trash_and_states(home, capsys, docs) -> None:
    assert run(capsys, home, "article", "import", str(docs))[0] == 0
    _insert_states(home)
    conn = raw_connect(home / "inkbench.db")
    conn.execute("UPDATE article SET deleted_at = '2026-01-02' WHERE title = 'notes'")
    conn.close()
    code, out, _ = run(capsys, home, "stats", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["rows"]["article"] == 3 and data["trashed"]["article"] == 1
    assert data["rows"]["image"] == 5 and data["rows"]["album"] == 1
    assert data["rows"]["blob"] == 5 and data["rows"]["chapter"] == 0
    assert data["ocr"] == {"pending": 2, "done": 1, "failed": 1, "no_text": 1}
    assert data["tasks"] == {} and data["items"] == {}
    code, out, _ = run(capsys, home, "stats")
    assert "article" in out and "(1 in the Trash)" in out
    assert "OCR: done 1, failed 1, no text 1, pending 2" in out


def test_a_data_directory_that_is_a_file(capsys, tmp_path) -> None:
    not_a_dir = tmp_path / "file"
    not_a_dir.write_text("x")
    code, _out, err = run(capsys, not_a_dir, "stats")
    assert code == 1 and "--home" in err
    assert_one_line_error(err)
    assert not_a_dir.read_text() == "x"


def test_opening_the_tui_builds_no_command_parsers() -> None:
    from inkbench.cli import opens_tui

    assert opens_tui([]) and opens_tui(["--home", "/x", "--lang", "zh"])
    assert opens_tui(["--home=/x", "--lang=en"])
    assert not opens_tui(["search", "x"]) and not opens_tui(["--home", "/x", "stats"])
    assert not opens_tui(["--help"]) and not opens_tui(["--version"])


def test_the_command_line_is_built_without_the_orm() -> None:
    """Every command's parser is built with SQLAlchemy, SQLModel and the
    command modules' storage left unimported (~0.25 s at every start): only
    the command that runs imports what it needs. A TUI start builds no
    command parser at all."""
    code = (
        "import sys\n"
        "from inkbench.cli import build_parser, set_language\n"
        "set_language('zh')\n"
        "build_parser(commands=False)\n"
        "assert 'inkbench.cli.work' not in sys.modules\n"
        "build_parser()\n"
        "heavy = sorted(m for m in ('sqlalchemy', 'sqlmodel', 'inkbench.storage.models')"
        " if m in sys.modules)\n"
        "assert not heavy, heavy\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
