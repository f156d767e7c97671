from __future__ import annotations

import pytest

from inkbench.storage import trash
from inkbench.storage.articles import create_article, update_article
from inkbench.storage.search import search

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


def test_single_characters_anywhere_in_a_run(corpus) -> None:
    db, a, b, c = corpus
    assert ids(db, "天") == {a}  # inside runs, never a run's last character
    assert ids(db, "事") == {a}  # a run's last character
    assert ids(db, "智") == {c}
    assert ids(db, "文") == {b}
    assert ids(db, "秋") == set()
    assert ids(db, "春 事") == {a}
    assert ids(db, "写 Python") == {c}
    assert ids(db, "Python教") == {c}  # a term ending in one CJK character


def test_phrases_across_words_and_scripts(corpus) -> None:
    db, a, b, c = corpus
    assert ids(db, '"mixed with english"') == {b}
    assert ids(db, '"with mixed"') == set()
    assert ids(db, '"中文 mixed"') == {b}
    assert ids(db, "中文mixed") == {b}
    assert ids(db, '"关于春天的故事"') == {a}
    assert ids(db, '"春天 故事"') == set()  # not next to each other
    assert ids(db, "Python 教程") == {c}


def test_common_terms_rank_within_a_window(db, monkeypatch) -> None:
    from inkbench.storage import search as search_mod

    monkeypatch.setattr(search_mod, "RANK_WINDOW", dict.fromkeys(search_mod.KINDS, 3))
    with db.write() as s:
        made = [create_article(s, f"note {i}", f"的 common word {i}").id for i in range(6)]
        rare = create_article(s, "rare", "common 的 and 琥珀").id
    with db.raw(write=False) as conn:
        hits = search(conn, "common", limit=4)
        assert [h.id for h in hits] == [rare, made[5], made[4], made[3]]  # newest first
        assert all(h.score == search_mod.COMMON_SCORE for h in hits)
        assert [h.id for h in search(conn, "的", limit=20)] == [rare, *reversed(made)]
        (hit,) = search(conn, "琥珀")  # below the window: bm25
        assert hit.id == rare and hit.score < 0


def test_english_and_mixed(corpus) -> None:
    db, _a, b, c = corpus
    assert ids(db, "garden") == {b}
    assert ids(db, "GARDEN spring") == {b}
    assert ids(db, "Python 教程") == {c}
    assert ids(db, "gard*") == {b}


# what each query in FTS_SYNTAX finds when its words are searched as plain text:
# the article holding all of them, or nothing when it holds no word at all
SYNTAX_WORDS = {"OR", "AND", "NOT", "NEAR", "NEAR(a b)", 'a"b', "a:b", "^x", "-x", "x*y"}
SYNTAX_WORDS |= {"{title}: x", "[b]x[/b]", "[0]"}


def test_fts_syntax_is_searched_as_plain_text(corpus) -> None:
    db, *_ = corpus
    with db.write() as s:
        syntax = create_article(s, "OR AND NOT NEAR", "near a b, x y 0 title [b]x[/b] here").id
    for q in FTS_SYNTAX:
        with db.raw(write=False) as conn:
            found = {h.id for h in search(conn, q)}
        assert found == ({syntax} if q in SYNTAX_WORDS else set()), q
    # operators between words are words too: nothing is OR-ed or negated
    assert ids(db, "garden OR 春天") == set()
    assert ids(db, "garden NOT spring") == set()
    assert ids(db, "NEAR(x y)") == set()  # "near x" is not in its text


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


def test_bm25_computed_here_matches_fts5(db, monkeypatch) -> None:
    """Few matches are ranked in Python with FTS5's formula: same scores."""
    from inkbench.storage import search as search_mod

    with db.write() as s:
        for i in range(8):
            create_article(
                s,
                f"garden {i}" if i % 3 == 0 else f"title {i}",
                " ".join(["garden"] * (i % 4 + 1) + ["soil"] * i) + " 花园的故事",
            )
    for q in ("garden", "花园", "soil"):
        with db.raw(write=False) as conn:
            mine = {(h.id, round(h.score, 6)) for h in search(conn, q)}
            monkeypatch.setattr(search_mod, "PY_RANK_MAX", 0)
            theirs = {(h.id, round(h.score, 6)) for h in search(conn, q)}
            monkeypatch.setattr(search_mod, "PY_RANK_MAX", 200)
        assert mine == theirs, q


def test_kinds_where_a_term_is_common_take_turns_after_ranked_ones(db, rows, monkeypatch) -> None:
    from inkbench.storage import search as search_mod

    monkeypatch.setattr(search_mod, "RANK_WINDOW", dict.fromkeys(search_mod.KINDS, 2))
    with db.write() as s:
        arts = [create_article(s, f"a{i}", "灯塔 common").id for i in range(3)]
    _album, images = rows.album("photos", {f"p{i}.png": "灯塔 common" for i in range(3)})
    _kb, chunks = rows.kb("kb", {"doc": ["灯塔 here", "nothing"]})
    with db.raw(write=False) as conn:
        hits = search(conn, "灯塔", limit=5)
    # the chunk kind has one match: ranked by bm25 (< 0), so first; then the
    # newest article and image, then the next newest of each
    assert [(h.kind, h.id) for h in hits] == [
        ("chunk", chunks[0]),
        ("article", arts[2]),
        ("image", images[2]),
        ("article", arts[1]),
        ("image", images[1]),
    ]
    assert hits[0].score < 0 and {h.score for h in hits[1:]} == {search_mod.COMMON_SCORE}


def test_chunk_title_does_not_repeat_the_document_title(db) -> None:
    from inkbench.storage.models import db_time, utcnow

    now = db_time(utcnow())
    with db.raw() as conn:
        conn.execute(
            "INSERT INTO knowledge_base (name, description, created_at, updated_at)"
            " VALUES ('kb', '', ?, ?)",
            (now, now),
        )
        conn.execute(
            "INSERT INTO kb_document (kb_id, title, source, format, text, char_count, created_at)"
            " VALUES (1, '绿茶指南', '', 'text', '', 0, ?)",
            (now,),
        )
        conn.executemany(
            "INSERT INTO kb_chunk (document_id, position, heading, text, char_count)"
            " VALUES (1, ?, ?, ?, 4)",
            [(0, "绿茶指南 › 储存", "密封冷藏"), (1, "冲泡", "八十度水"), (2, "", "采摘明前")],
        )
    with db.raw(write=False) as conn:
        titles = {h.snippet.text: h.title for h in search(conn, "密封")}
        titles |= {h.snippet.text: h.title for h in search(conn, "八十")}
        titles |= {h.snippet.text: h.title for h in search(conn, "明前")}
    assert sorted(titles.values()) == ["绿茶指南", "绿茶指南 › 储存", "绿茶指南 › 冲泡"]
