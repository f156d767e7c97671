"""`inkbench search` as a real process finds Chinese however it was written:
full-width letters, traditional or simplified characters, titles by pinyin;
`--exact` matches the characters as written."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest


def inkbench(home: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "inkbench", "--home", str(home), *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture(scope="module")
def home(tmp_path_factory) -> Path:
    """Content imported through the CLI: two articles and a knowledge base."""
    root = tmp_path_factory.mktemp("cli-folding")
    home = root / "home"
    docs = root / "docs"
    docs.mkdir()
    wide = "# 学习笔记\n\n我在学习Ｐｙｔｈｏｎ和ＳＱＬｉｔｅ。\n"
    (docs / "wide.md").write_text(wide, encoding="utf-8")
    (docs / "narrow.md").write_text("# Notes\n\nAn article about Python.\n", encoding="utf-8")
    (docs / "tea.md").write_text("# 凤凰单丛\n\n乌龙茶的一种。\n", encoding="utf-8")
    kb = root / "kb"
    kb.mkdir()
    (kb / "trad.md").write_text("# 鳳凰單叢\n\n鳳凰單叢是廣東的烏龍茶。\n", encoding="utf-8")
    (kb / "simp.md").write_text("# 岩茶\n\n大红袍和凤凰单丛不一样。\n", encoding="utf-8")
    for args in (("article", "import", str(docs)), ("kb", "import", "茶", str(kb))):
        result = inkbench(home, *args)
        assert result.returncode == 0, result.stderr
    return home


def hits(home: Path, *args: str) -> list[dict]:
    result = inkbench(home, "search", "--json", *args)
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    return json.loads(result.stdout)


def titles(found: list[dict]) -> set[str]:
    return {h["title"] for h in found}


def test_full_width_and_normal_letters_find_each_other(home) -> None:
    assert titles(hits(home, "Python")) == {"学习笔记", "Notes"}
    assert titles(hits(home, "Ｐｙｔｈｏｎ")) == {"学习笔记", "Notes"}
    [wide] = [h for h in hits(home, "python") if h["title"] == "学习笔记"]
    a, b = wide["highlights"][0]
    assert wide["snippet"][a:b] == "Ｐｙｔｈｏｎ"  # shown as written


def test_traditional_and_simplified_find_each_other(home) -> None:
    docs = {h["parent_id"] for h in hits(home, "凤凰单丛") if h["kind"] == "chunk"}
    assert len(docs) == 2
    assert {h["parent_id"] for h in hits(home, "鳳凰單叢") if h["kind"] == "chunk"} == docs
    assert "鳳凰單叢" in titles(hits(home, "乌龙茶"))
    result = inkbench(home, "search", "广东")
    assert result.returncode == 0 and "鳳凰單叢是廣東的烏龍茶" in result.stdout


def test_titles_by_pinyin(home) -> None:
    for query in ("fenghuangdancong", "fhdc"):
        found = hits(home, query)
        assert any(h["kind"] == "article" and h["title"] == "凤凰单丛" for h in found), query


def test_exact_matches_as_written(home) -> None:
    assert titles(hits(home, "--exact", "Ｐｙｔｈｏｎ")) == {"学习笔记"}
    assert titles(hits(home, "--exact", "Python")) == {"Notes"}
    assert [h["kind"] for h in hits(home, "--exact", "fhdc")] == []
    trad = [h for h in hits(home, "--exact", "鳳凰單叢") if h["kind"] == "chunk"]
    assert titles(trad) == {"鳳凰單叢"}


@pytest.mark.parametrize("query", ["鳳凰dancong", "。，！？", "𠀀", "\u3000"])
def test_odd_queries_exit_0(home, query) -> None:
    result = inkbench(home, "search", "--", query)
    assert result.returncode == 0 and result.stderr == "", result.stderr
