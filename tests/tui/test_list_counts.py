"""Every list's footer counts its rows with the language's plural forms:
``1 album`` / ``2 albums`` in English (never "1 albums"), ``1,234 个图库``
in Chinese with no English word left."""

from __future__ import annotations

import re

import pytest

from inkbench import i18n
from inkbench.storage import bible_lists, lists


def _sources() -> list[type]:
    found = []
    for module in (lists, bible_lists):
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, lists.RowSource)
                and value.__module__ == module.__name__
                and value is not lists.RowSource
                and "count_text" in vars(value)
            ):
                found.append(value)
    return found


@pytest.fixture
def language():
    yield i18n.set_language
    i18n.set_language("en")


def test_every_source_counts_its_rows() -> None:
    names = {s.__name__ for s in _sources()}
    assert {"AlbumSource", "TrashSource", "CharacterSource", "TaskSource"} <= names
    assert len(names) >= 16


@pytest.mark.parametrize("source", _sources(), ids=lambda s: s.__name__)
def test_english_singular_and_plural(source: type, language) -> None:
    language("en")
    one, two = source.count_text(source, 1), source.count_text(source, 2)
    assert one.startswith("1 ") and two.startswith("2 ")
    assert one[2:] != two[2:], (one, two)  # "1 album", not "1 albums"
    assert source.count_text(source, 1234).startswith("1,234 ")


@pytest.mark.parametrize("source", _sources(), ids=lambda s: s.__name__)
def test_chinese_counts_have_no_english(source: type, language) -> None:
    language("zh")
    text = source.count_text(source, 1234)
    assert "1,234" in text and not re.search(r"[A-Za-z]", text), text
