from __future__ import annotations

import pytest

from storage import trash
from storage.articles import create_article, update_article
from storage.search import search

FTS_SYNTAX = [
    '"',
    "(",
    ")",
    "*",
    "OR",
    "AND",
    "NOT",
    "NEAR",
    "NEAR(a b)",
    'a"b',
    "a:b",
    "^x",
    "-x",
    "x*y",
    "{title}: x",
    "'",
    "[b]x[/b]",
    "[/",
    "[0]",
    "\\",
    "%",
    "_",
]


@pytest.fixture
def corpus(db):
    with db.write() as s:
        a = create_article(s, "春天的故事", "这是一个关于春天的故事。今天天气很好。").id
        b = create_article(s, "Garden notes", "The garden in spring; 中文 mixed with English.").id
        c = create_article(s, "人工智能写作", "用人工智能辅助写作，Python 教程也有。").id
    return db, a, b, c


def ids(db, q):
    with db.raw(write=False) as conn:
        return {h.id for h in search(conn, q)}


def test_chinese_terms_of_every_length(corpus) -> None:
    db, a, b, c = corpus
    assert ids(db, "春") == {a}
    assert ids(db, "故事") == {a}
    assert ids(db, "天气") == {a}
    assert ids(db, "人工智能") == {c}
    assert ids(db, "写作") == {c}
    assert ids(db, "中文") == {b}
    assert ids(db, "智能写") == {c}  # across the bigram boundary in the title
    assert ids(db, "辅助作") == set()  # the characters are there, not in this order


def test_english_and_mixed(corpus) -> None:
    db, _a, b, c = corpus
    assert ids(db, "garden") == {b}
    assert ids(db, "GARDEN spring") == {b}
    assert ids(db, "Python 教程") == {c}
    assert ids(db, "gard*") == {b}


def test_fts_syntax_never_raises(corpus) -> None:
    db, *_ = corpus
    for q in FTS_SYNTAX:
        with db.raw(write=False) as conn:
            search(conn, q)


def test_index_follows_updates_and_trash(corpus) -> None:
    db, a, _b, _c = corpus
    with db.write() as s:
        update_article(s, a, body="秋天来了")
    assert ids(db, "春天") == {a}  # still in the title
    assert ids(db, "秋天") == {a}
    assert ids(db, "天气") == set()
    with db.write() as s:
        trash.trash(s, "article", a)
    assert ids(db, "秋天") == set()
    with db.write() as s:
        trash.restore(s, "article", a)
    assert ids(db, "秋天") == {a}


def test_snippet_is_from_original_text_with_highlights(corpus) -> None:
    db, _a, *_ = corpus
    with db.raw(write=False) as conn:
        (hit,) = search(conn, "天气")
    start, end = hit.snippet.highlights[0]
    assert hit.snippet.text[start:end] == "天气"
