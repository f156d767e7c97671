"""The command line in Chinese and in English, from a real ``inkbench``
process: help of the program and of a subcommand, errors from argparse, from
the CLI and from storage, success lines, counts and word counts."""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ZH = {"LANG": "zh_CN.UTF-8"}
EN = {"LANG": "C.UTF-8"}


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


def _cli(home: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in ("LANG", "LC_ALL", "LC_MESSAGES", "INKBENCH_HOME")
    }
    return subprocess.run(
        [sys.executable, "-m", "inkbench", "--home", str(home), *args],
        capture_output=True,
        text=True,
        env={**clean, **env},
        timeout=120,
    )


def _english_words(text: str) -> set[str]:
    """Lower-case English words in ``text``, less option names, metavars and
    the words the help keeps on purpose (names, keys, formats)."""
    text = re.sub(r"--?[\w-]+", " ", text)  # options
    text = re.sub(r"`[^`]*`|\[[^\]]*\]|\{[^}]*\}", " ", text)  # commands, usage, choices
    words = set(re.findall(r"\b[a-z][a-z]+\b", text))
    return words - {"inkbench", "usage", "json", "toml", "config", "tesseract"}


def test_help_of_the_program_and_a_subcommand_is_chinese(home: Path) -> None:
    r = _cli(home, "--help", **ZH)
    assert r.returncode == 0, r.stderr
    assert "导入、列出和导出文章" in r.stdout and "载入示例内容" in r.stdout
    # every command's line is Chinese: only command names are left in English
    lines = r.stdout.split("命令")[1].splitlines()
    left = _english_words("\n".join(line.split(maxsplit=1)[-1] for line in lines if line.strip()))
    assert not left - {"command", "tesseract"}, left

    r = _cli(home, "article", "list", "--help", **ZH)
    assert r.returncode == 0
    assert "列出回收站中的文章" in r.stdout and "显示多少条（默认 50）" in r.stdout
    r = _cli(home, "album", "move", "--help", **ZH)
    assert "放入哪个图库" in r.stdout

    r = _cli(home, "--lang", "en", "article", "list", "--help", **ZH)
    assert "list the articles in the Trash" in r.stdout


def test_errors_are_chinese(home: Path) -> None:
    r = _cli(home, "article", "list", "--bogus", **ZH)
    assert r.returncode == 2
    assert r.stderr.splitlines()[-1] == "inkbench：错误：无法识别的参数：--bogus"

    r = _cli(home, "article", "list", "--limit", "0", **ZH)  # the CLI's own check
    assert r.returncode == 1
    assert r.stderr.strip() == "inkbench: --limit 至少为 1，--offset 至少为 0"

    r = _cli(home, "task", "show", "999", **ZH)  # raised in storage
    assert r.returncode == 1
    assert r.stderr.strip() == (
        "inkbench: 没有编号为 999 的生成任务；`inkbench task list` 可列出全部任务"
    )
    r = _cli(home, "--lang", "en", "task", "show", "999", **ZH)
    assert r.stderr.strip() == (
        "inkbench: no generation task with id 999; `inkbench task list` shows them"
    )


def test_success_lines_counts_and_words_follow_the_language(home: Path, tmp_path: Path) -> None:
    text = tmp_path / "spring.md"
    text.write_text("# 春天\n\n" + "春天来了。" * 300, encoding="utf-8")

    r = _cli(home, "article", "import", str(text), **ZH)
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[-1] == "已导入 1 篇文章"
    assert "1,200 字" in r.stdout

    r = _cli(home, "article", "list", **ZH)
    assert r.stdout.splitlines()[-1] == "共 1 篇文章，显示 1 篇"
    assert "1,200 字" in r.stdout

    r = _cli(home, "article", "list", **EN)
    assert r.stdout.splitlines()[-1] == "1 of 1 article"
    assert "1,200 words" in r.stdout

    r = _cli(home, "album", "create", "素材", **ZH)
    assert r.returncode == 0 and re.fullmatch(r"图库 \d+：素材\n", r.stdout), r.stdout
    r = _cli(home, "album", "create", "素材", **ZH)
    assert r.returncode == 1
    assert r.stderr.strip() == "inkbench: 已有名为“素材”的图库，请换一个名称"

    r = _cli(home, "search", "春天", **ZH)
    assert r.returncode == 0 and r.stdout.startswith("文章 1：春天"), r.stdout


def test_stored_ids_are_shown_in_the_language_and_json_keeps_them(home: Path) -> None:
    """Statuses, roles and categories are stored as English ids; lists print
    them in the interface's language (aligned by cells), ``--json`` keeps the ids."""
    loaded = _cli(home, "demo", **ZH)
    assert loaded.returncode == 0, loaded.stderr
    assert "5 个角色" in loaded.stdout and "characters" not in loaded.stdout
    shown = {
        ("article", "list"): ("草稿", "已发布"),
        ("work", "list"): ("写作中",),
        ("chapter", "list", "1"): ("草稿",),
        ("character", "list", "1"): ("主角", "反派"),
        ("world", "list", "1"): ("地理", "组织"),
        ("task", "list"): ("已完成",),
        ("ocr", "status"): ("待处理",),
    }
    ids = {"draft", "published", "drafting", "protagonist", "antagonist", "geography"}
    ids |= {"organisation", "completed", "pending"}
    for args, words in shown.items():
        r = _cli(home, *args, **ZH)
        assert r.returncode == 0, r.stderr
        for word in words:
            assert word in r.stdout, (args, r.stdout)
        assert not _english_words(r.stdout) & ids, (args, r.stdout)
    # composed lines: table names and states, origins, dates, streaks
    for args in (("stats",), ("article", "show", "1"), ("ocr", "show", "1"), ("kb", "show", "1")):
        r = _cli(home, *args, **ZH)
        assert r.returncode == 0, r.stderr
        names = {"brewing", "notes", "poster", "zh", "png"}  # file and document names
        assert not _english_words(r.stdout) - names, (args, r.stdout)
    stats = _cli(home, "work", "stats", "1", **ZH).stdout
    assert re.search(r"\d{4}年\d{1,2}月\d{1,2}日", stats) and "连续写作：1 天" in stats, stats
    stats = _cli(home, "work", "stats", "1", **EN).stdout
    assert re.search(r"\d{4}-\d\d-\d\d", stats) and "streak: 1 day\n" in stats, stats
    refused = _cli(home, "task", "pause", "1", **ZH)
    assert refused.returncode == 1 and "“已完成”" in refused.stderr, refused.stderr
    rows = _cli(home, "character", "list", "1", "--json", **ZH).stdout
    assert '"protagonist"' in rows and "主角" not in rows
    english = _cli(home, "character", "list", "1", **EN).stdout
    assert "protagonist" in english
    # asides (aliases) in the language's brackets
    assert "林照 (林小姐)" in english
    assert "5 characters in 雾港" in english  # counted with ngettext, not "character(s)"
    assert "named 1 time\n" in _cli(home, "world", "show", "3", **EN).stdout
    assert "林照（林小姐）" in _cli(home, "character", "list", "1", **ZH).stdout
    assert "灯塔（灯室）" in _cli(home, "world", "list", "1", **ZH).stdout


#: names, formats and ids the Chinese help keeps on purpose (besides option
#: names, metavars, choices and command names, which are found in the parsers)
KEPT_WORDS = {
    "inkbench",
    "json",
    "toml",
    "config",
    "tesseract",
    "ppocr",
    "auto",
    "default",
    "md",
    "txt",
    "html",
    "pdf",
    "docx",
    "epub",
    "markdown",
    "hugo",
    "hexo",
    "jekyll",
    "base64",
    "urls",
    "chi_sim",
    "eng",
    "rrggbb",
    "xml",
    "rpc",
    "url",
    "api",
    "id",
    "wordpress",
    "metaweblog",
    "webhook",
    "ai",
    "ocr",
    "pp",
    "git",
    "token",
    "inkbench_home",
    "chapter",
    "article",
    "character",
    "world",
    "kb",
    "account",
    "server",
    "user",
    "engine",
    "base_url",
    "keymap",
    "budgets",
    "lang",
    "tar",
    "en",
    "zh",
}


def _parsers_in(parser: argparse.ArgumentParser) -> Iterator[argparse.ArgumentParser]:
    yield parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in dict.fromkeys(action.choices.values()):
                yield from _parsers_in(sub)


def _left_in_help(parser: argparse.ArgumentParser) -> set[str]:
    """English words in one parser's help that are no option, metavar, choice,
    command name or kept name."""
    from inkbench.cli.publish import COMMANDS
    from inkbench.storage import vocab

    kept = set(KEPT_WORDS) | set(COMMANDS)
    # the ids a --status filter takes
    kept |= {*vocab.ARTICLE_STATUSES, *vocab.TASK_STATUSES, *vocab.OCR_STATUSES}
    kept |= set(vocab.PUBLICATION_STATUSES)
    for action in parser._actions:
        kept |= {str(c).lower() for c in action.choices or ()}
        if isinstance(action, argparse._SubParsersAction):
            kept |= {part for name in action.choices for part in name.split("-")}
    text = parser.format_help().replace(parser.prog, " ")  # the command's own name
    text = re.sub(r"--?[\w-]+", " ", text)  # options
    text = re.sub(r"`[^`]*`|\{[^}]*\}|\b[A-Z][A-Z_|:]+\b", " ", text)  # commands, choices, metavars
    words = {w.lower() for w in re.findall(r"[A-Za-z][A-Za-z_0-9]+", text)}
    return words - kept


def test_every_help_of_every_command_is_chinese(monkeypatch: pytest.MonkeyPatch) -> None:
    """Walks the whole argparse tree (and the two parsers ``publish`` hands
    its words to): in Chinese, any English word left in a --help is a bug."""
    from inkbench import i18n
    from inkbench.cli import argparse_i18n, build_parser
    from inkbench.cli.publish import _articles_parser, _commands_parser

    monkeypatch.setenv("COLUMNS", "1000")  # no word cut by a line break
    i18n.set_language("zh")
    try:
        argparse_i18n.install()
        roots = (build_parser(), _articles_parser(), _commands_parser())
        left = {
            parser.prog: words
            for root in roots
            for parser in _parsers_in(root)
            if (words := _left_in_help(parser))
        }
        count = sum(1 for root in roots for _parser in _parsers_in(root))
        # section headings end in the full-width colon Chinese text takes
        ascii_colon = {
            parser.prog: heading
            for root in roots
            for parser in _parsers_in(root)
            for heading in re.findall(r"^\S.*:$", parser.format_help(), re.M)
        }
    finally:
        i18n.set_language("en")
    assert count > 100  # the walk reached every subcommand
    assert not left, "\n".join(f"{prog}: {sorted(words)}" for prog, words in left.items())
    assert not ascii_colon, ascii_colon
    assert re.search(r"^options:$", build_parser().format_help(), re.M)  # English keeps its own


def test_progress_lines_are_written_in_the_language() -> None:
    """What a long job prints when output is not a terminal (CI, a pipe)."""
    import io

    from inkbench import i18n
    from inkbench.cli.output import Progress
    from inkbench.i18n import pgettext

    out = io.StringIO()
    i18n.set_language("zh")
    try:
        Progress(pgettext("job", "OCR"), stream=out)(5, 5)
    finally:
        i18n.set_language("en")
    Progress(pgettext("job", "OCR"), stream=out)(5, 5)
    assert out.getvalue() == "文字识别：5/5\nOCR: 5/5\n"
