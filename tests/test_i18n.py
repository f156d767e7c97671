"""The translation mechanism: language choice, complete catalogs, placeholders
that survive translation, argparse in the chosen language."""

from __future__ import annotations

import argparse
import inspect
import os
import re
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from inkbench import i18n

ROOT = Path(__file__).resolve().parents[1]
LOCALE = ROOT / "assets" / "locale"
SOURCES = ("src", "cli", "tui", "integrations", "storage")


@pytest.fixture(autouse=True)
def _english_afterwards():
    yield
    i18n.set_language("en")


@pytest.mark.parametrize(
    ("configured", "env", "expected"),
    [
        ("zh", {"LANG": "en_US.UTF-8"}, "zh"),
        ("en", {"LANG": "zh_CN.UTF-8"}, "en"),
        (None, {"LANG": "zh_CN.UTF-8"}, "zh"),
        (None, {"LANG": "zh_TW.UTF-8"}, "zh"),
        (None, {"LC_ALL": "C", "LANG": "zh_CN.UTF-8"}, "en"),  # the first one set decides
        (None, {"LC_MESSAGES": "zh_CN", "LANG": "en_US"}, "zh"),
        (None, {"LANG": "fr_FR.UTF-8"}, "en"),
        (None, {}, "en"),
        ("klingon", {"LANG": "zh_CN.UTF-8"}, "zh"),  # an unknown setting is no choice
    ],
)
def test_language_choice(configured, env, expected) -> None:
    assert i18n.detect(configured, env) == expected


def _catalog(locale: str):
    with (LOCALE / locale / "LC_MESSAGES" / "inkbench.po").open("rb") as f:
        return read_po(f)


def _extracted() -> dict[tuple[str, str | None], int]:
    """Every marked message in the code ((msgid, context) → line), as `make
    messages` finds it (``pgettext`` gives a context)."""
    found: dict[tuple[str, str | None], int] = {}
    for folder in SOURCES:
        for _file, line, message, _comments, context in extract_from_dir(
            str(ROOT / folder), method_map=[("**.py", "python")]
        ):
            msgid = message[0] if isinstance(message, tuple) else message
            if msgid:
                found.setdefault((msgid, context), line)
    return found


def test_every_marked_string_is_in_the_chinese_catalog() -> None:
    catalog = _catalog("zh_CN")
    missing = sorted(
        f"{ctx}|{m}" if ctx else m for m, ctx in _extracted() if catalog.get(m, context=ctx) is None
    )
    assert not missing, f"not in zh_CN (run `make messages` and translate): {missing[:10]}"


def test_chinese_catalog_is_complete_and_not_fuzzy() -> None:
    catalog = _catalog("zh_CN")
    bad = []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(strings):
            bad.append(message.id)
    assert not bad, f"untranslated or fuzzy in zh_CN: {bad[:10]}"


PLACEHOLDER = re.compile(r"\{[a-z_]*(?:![rsa])?(?::[^}]*)?\}|%\([a-z_]+\)[a-z]|%[srd]")


def test_translations_keep_every_placeholder() -> None:
    for message in _catalog("zh_CN"):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        wanted = sorted(PLACEHOLDER.findall(ids[-1]))
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for s in strings:
            found = PLACEHOLDER.findall(s)
            # a translation may drop ``!r`` where it quotes the value its own way: 「{name}」
            quoted = {p.replace("!r}", "}") for p in wanted if p.endswith("!r}")}
            quoted &= {p for p in found if f"「{p}」" in s}
            got = sorted(f.replace("}", "!r}") if f in quoted else f for f in found)
            assert got == wanted, (message.id, s)


def test_argparse_messages_users_see_are_listed() -> None:
    from inkbench.cli.argparse_i18n import MESSAGES

    source = inspect.getsource(argparse)
    used = set(re.findall(r"\b_\('((?:[^'\\]|\\.)*)'\)", source))
    used |= set(re.findall(r'\b_\("((?:[^"\\]|\\.)*)"\)', source))
    used = {s.encode().decode("unicode_escape") for s in used}
    # argparse's errors about its own misuse (a bad add_argument call), not the user's
    programming = {
        m
        for m in used
        if any(
            w in m
            for w in ("callable", "__call__", "dest=", "subparser", "merge actions", "mode %r")
        )
        or m.startswith(("invalid conflict_resolution", "mutually exclusive", "unknown parser"))
        or "invalid argument for positionals" in m
    }
    assert used - programming <= set(MESSAGES), sorted(used - programming - set(MESSAGES))


def test_switching_language_translates_at_once() -> None:
    i18n.set_language("zh")
    assert i18n._("usage: ") == "用法："
    assert i18n.format_words(1234) == "1,234 字"
    assert i18n.format_date(date(2026, 11, 30)) == "2026年11月30日"
    assert i18n.format_datetime(datetime(2026, 11, 30, 9, 5)) == "2026年11月30日 09:05"
    i18n.set_language("en")
    assert i18n._("usage: ") == "usage: "
    assert i18n.format_words(1234) == "1,234 words"
    assert i18n.format_words(1) == "1 word"
    assert i18n.format_date(date(2026, 11, 30)) == "2026-11-30"


def _cli(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in ("LANG", "LC_ALL", "LC_MESSAGES")}
    return subprocess.run(
        [sys.executable, "-m", "inkbench", *args],
        capture_output=True,
        text=True,
        env={**clean, **env},
        timeout=60,
    )


def test_cli_speaks_the_chosen_language() -> None:
    r = _cli("--lang", "zh", "--help")
    assert r.returncode == 0 and r.stdout.startswith("用法：inkbench")
    assert "显示本帮助并退出" in r.stdout

    r = _cli("stats", "--bogus", LANG="zh_CN.UTF-8")
    assert r.returncode == 2
    assert r.stderr.splitlines()[-1] == "inkbench：错误：无法识别的参数：--bogus"

    r = _cli("stats", "--bogus", LANG="C.UTF-8")
    assert r.stderr.splitlines()[-1] == "inkbench: error: unrecognized arguments: --bogus"

    r = _cli("--lang", "en", "--help", LANG="zh_CN.UTF-8")  # --lang beats the environment
    assert r.stdout.startswith("usage: inkbench")
