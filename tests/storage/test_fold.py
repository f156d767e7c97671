"""Folding (width, script, pinyin), list filters, and the 0002 migration that
rebuilds an old database's search index in the folded form."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from alembic import command

from inkbench.storage import fold as fold_mod
from inkbench.storage import text as text_mod
from inkbench.storage.engine import open_database
from inkbench.storage.fold import (
    fold,
    fold_aligned,
    list_filter,
    name_matches,
    pinyin_keys,
)
from inkbench.storage.migrations import SCHEMA_HEAD, runner
from inkbench.storage.search import search
from inkbench.storage.text import (
    find_spans,
    index_form,
    parse_query,
    pinyin_form,
    register_functions,
    title_form,
)

LIKE = "title LIKE ? ESCAPE '\\'"


def test_fold_width_and_script() -> None:
    assert fold("我在学习Ｐｙｔｈｏｎ和ＳＱＬｉｔｅ") == "我在学习Python和SQLite"
    assert fold("鳳凰單叢") == "凤凰单丛"
    assert fold("Ａ　Ｂ１２３！") == "A B123!"
    assert fold("头发 乾隆") == "头发 乾隆"  # already simplified; OpenCC's phrases keep 乾隆
    assert fold("𠀀") == "𠀀" and fold("") == fold(None) == ""
    assert fold_aligned("鳳凰Ｐｙ") == "凤凰Py"
    assert fold_mod.script_folding_available()


def test_index_and_query_forms_meet() -> None:
    assert index_form("Ｐｙｔｈｏｎ") == "Python"
    assert index_form("鳳凰單叢") == index_form("凤凰单丛")
    assert parse_query("鳳凰單叢").match == parse_query("凤凰单丛").match
    assert "py0fhdc" in title_form("鳳凰單叢").split()  # before 0011
    assert "py0fenghuangdancong" in title_form("凤凰单丛").split()
    assert "py0" not in index_form("凤凰单丛")  # bodies carry no pinyin
    # since 0011 a title's keys have a table of their own
    assert pinyin_form("鳳凰單叢").split()[:2] == ["fenghuangdancong", "fhdc"]
    assert pinyin_form("plain English") == pinyin_form(None) == ""


def test_pinyin_keys_from_each_character() -> None:
    keys = pinyin_keys("鳳凰單叢 tea")
    assert keys[:4] == ["fenghuangdancong", "fhdc", "huangdancong", "hdc"]
    assert "cong" in keys and "c" in keys
    assert pinyin_keys("plain English") == [] and pinyin_keys(None) == []
    # rare extension characters: a reading where pypinyin has one, never an error
    assert all(k.isascii() and k.isalpha() for k in pinyin_keys("𠀀\U0002ebe0\U00030000"))
    assert len(pinyin_keys("一" * 200)) <= 2 * fold_mod.PINYIN_MAX_STARTS


def test_find_spans_are_offsets_in_the_text_as_written() -> None:
    text = "读《鳳凰單叢》，学Ｐｙｔｈｏｎ"
    spans = find_spans(text, parse_query("凤凰单丛 python").terms)
    assert [text[a:b] for a, b in spans] == ["鳳凰單叢", "Ｐｙｔｈｏｎ"]
    assert find_spans(text, ("凤凰单丛",), exact=True) == []


@pytest.mark.parametrize(
    ("name", "typed", "expected"),
    [
        ("我在学习Ｐｙｔｈｏｎ", "python", True),
        ("Python notes", "Ｐｙｔｈｏｎ", True),
        ("鳳凰單叢", "凤凰单丛", True),
        ("凤凰单丛", "鳳凰", True),
        ("鳳凰單叢", "fhdc", True),
        ("鳳凰單叢", "fenghuangdan", True),
        ("鳳凰單叢", "dancong", True),
        ("鳳凰單叢", "hdcx", False),
        ("Garden notes", "GARDEN", True),
        ("Garden notes", "den no", True),
        ("Garden", "！？", False),
        ("Garden", "𠀀", False),
        ("有𠀀字", "𠀀", True),
        (None, "x", False),
        ("anything", "", True),
    ],
)
def test_name_matches(name, typed, expected) -> None:
    assert name_matches(name, typed) is expected


def test_list_filter_in_sql(tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / "t.db")
    register_functions(conn)
    conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, title TEXT)")
    names = ["我在学习Ｐｙｔｈｏｎ和ＳＱＬｉｔｅ", "Python notes", "鳳凰單叢", "凤凰单丛"]
    names += ["100%_done", None]
    conn.executemany("INSERT INTO t (title) VALUES (?)", [(n,) for n in names])

    def ids(typed: str) -> list[int]:
        clause, args = list_filter(LIKE, typed)
        return [r[0] for r in conn.execute(f"SELECT id FROM t WHERE {clause} ORDER BY id", args)]

    clause, args = list_filter(LIKE, "Ｘ")
    assert "ink_name_matches(title, ?)" in clause and args == ("%X%", "Ｘ")
    assert ids("python") == [1, 2]
    assert ids("Ｐｙｔｈｏｎ") == [1, 2]
    assert ids("凤凰单丛") == [3, 4]
    assert ids("鳳凰單叢") == [3, 4]
    assert ids("fhdc") == [3, 4]
    assert ids("%_") == [5]  # LIKE's wildcards are just text
    # a clause of another shape keeps its LIKE pattern, escaped
    assert list_filter("a = ?", "50%") == ("a = ?", ("%50\\%%",))
    conn.close()


def _database_at_0001(home: Path, monkeypatch) -> Path:
    """A database at revision 0001 whose index was written the old way (no folding)."""
    home.mkdir(parents=True)
    path = home / "inkbench.db"
    engine = runner.migration_engine(path)
    with engine.connect() as conn:
        cfg = runner.alembic_config()
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0001")
    engine.dispose()
    with monkeypatch.context() as m:
        # the index form before 0002: no folding
        m.setattr(text_mod, "fold_width", lambda t: t)
        m.setattr(text_mod, "fold_script", lambda t, chars=None: t)
        conn = sqlite3.connect(path)
        register_functions(conn)
        now = "2026-11-01 00:00:00.000000"
        conn.executemany(
            "INSERT INTO article (title, body, status, word_count, origin, created_at,"
            " updated_at) VALUES (?, ?, 'draft', 1, 'manual', ?, ?)",
            [
                ("学习笔记", "我在学习Ｐｙｔｈｏｎ和ＳＱＬｉｔｅ", now, now),
                ("鳳凰單叢", "烏龍茶。", now, now),
            ]
            + [(f"filler {i}", f"body {i}", now, now) for i in range(30)],
        )
        conn.commit()
        before = {
            q: conn.execute(
                "SELECT count(*) FROM search_article WHERE search_article MATCH ?",
                (parse_query(q).match,),
            ).fetchone()[0]
            for q in ("Python", "凤凰单丛")
        }
        conn.close()
    assert before == {"Python": 0, "凤凰单丛": 0}  # the old index cannot find them
    return path


def test_an_old_database_is_migrated_and_finds_folded_forms(home, monkeypatch) -> None:
    path = _database_at_0001(home, monkeypatch)
    seen: list[tuple[int, int, str]] = []
    runner.upgrade_to_head(path, progress=lambda d, t, label: seen.append((d, t, label)))
    assert seen and seen[-1][0] == seen[-1][1] > 0  # counted up to every source row
    assert all(d <= t for d, t, _ in seen)
    db = open_database(home)
    try:
        with db.raw(write=False) as conn:
            assert conn.execute("SELECT version_num FROM alembic_version").fetchone() == (
                SCHEMA_HEAD,
            )
            titles = lambda q: [h.title for h in search(conn, q)]  # noqa: E731
            assert titles("Python") == ["学习笔记"]
            assert titles("Ｐｙｔｈｏｎ") == ["学习笔记"]
            assert titles("凤凰单丛") == ["鳳凰單叢"]
            assert titles("乌龙茶") == ["鳳凰單叢"]
            assert titles("fhdc") == ["鳳凰單叢"]
            assert conn.execute("SELECT count(*) FROM article").fetchone() == (32,)
            assert conn.execute("SELECT count(*) FROM search_article").fetchone() == (32,)
            # content unchanged
            assert conn.execute("SELECT body FROM article WHERE title = '鳳凰單叢'").fetchone() == (
                "烏龍茶。",
            )
    finally:
        db.dispose()


def test_opening_an_old_database_upgrades_it(home, monkeypatch) -> None:
    _database_at_0001(home, monkeypatch)
    db = open_database(home)  # the way users meet it: a copy is kept, then 0002 runs
    try:
        with db.raw(write=False) as conn:
            assert [h.title for h in search(conn, "凤凰单丛")] == ["鳳凰單叢"]
    finally:
        db.dispose()
    assert list(home.glob(f"inkbench.db.before-{SCHEMA_HEAD}-*.bak"))


def test_without_opencc_the_rest_still_folds() -> None:
    """Where opencc cannot be installed: width folding, pinyin and search work,
    traditional and simplified stay apart (a real interpreter without it)."""
    import subprocess
    import sys

    script = (
        "import sys; sys.modules['opencc'] = None\n"  # import opencc raises ImportError
        "from inkbench.storage.fold import fold, pinyin_keys, script_folding_available\n"
        "from inkbench.storage.text import index_form, parse_query\n"
        "assert not script_folding_available()\n"
        "assert fold('Ｐｙｔｈｏｎ　鳳凰') == 'Python 鳳凰'\n"
        "assert pinyin_keys('凤凰单丛')[:2] == ['fenghuangdancong', 'fhdc']\n"
        "assert index_form('鳳凰單叢') != index_form('凤凰单丛')\n"
        "assert parse_query('Ｐｙｔｈｏｎ').match == '\"python\"'\n"
        "assert parse_query('Ｐｙｔｈｏｎ').pinyin == ('python',)\n"
        "print('ok')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0 and result.stdout.strip() == "ok", result.stderr
