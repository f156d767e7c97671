"""Search finds Chinese however it was written: full-width letters, traditional
or simplified characters, titles by pinyin; ``exact`` matches as written."""

from __future__ import annotations

import pytest

from inkbench.storage import trash
from inkbench.storage.articles import create_article, update_article
from inkbench.storage.search import search
from inkbench.storage.works import create_chapter, create_work

FULL_WIDTH = "我在学习Ｐｙｔｈｏｎ和ＳＱＬｉｔｅ"


@pytest.fixture
def ids(db, rows) -> dict[str, int]:
    with db.write() as s:
        out = {
            "wide": create_article(s, "学习笔记", FULL_WIDTH + "，每天一点。").id,
            "narrow": create_article(s, "Notes", "An article about Python and SQLite.").id,
            "tea": create_article(s, "凤凰单丛", "乌龙茶的一种，香气高。").id,
            "tea_body": create_article(s, "茶", "说说凤凰单丛的冲泡。").id,
        }
        work = create_work(s, "长夜")
        out["chapter"] = create_chapter(s, work.id, "第一章 林晚", "她走进了雨里。").id
    _kb, (trad_doc, simp_doc) = rows.kb(
        "茶", {"鳳凰單叢": ["鳳凰單叢是烏龍茶。"], "岩茶": ["大红袍与凤凰单丛不同。"]}
    )
    out["trad_doc"], out["simp_doc"] = trad_doc, simp_doc
    return out


def found(db, text: str, **kw) -> set[tuple[str, int]]:
    with db.raw(write=False) as conn:
        return {(h.kind, h.id) for h in search(conn, text, **kw)}


def chunk_docs(db, text: str, **kw) -> set[int]:
    with db.raw(write=False) as conn:
        hits = [h for h in search(conn, text, **kw) if h.kind == "chunk"]
    return {h.parent_id for h in hits}


def test_full_width_letters_match_normal_ones_both_ways(db, ids) -> None:
    for query in ("Python", "python", "Ｐｙｔｈｏｎ", "ｓｑｌｉｔｅ"):
        assert ("article", ids["wide"]) in found(db, query), query
        assert ("article", ids["narrow"]) in found(db, query), query
    with db.raw(write=False) as conn:
        [hit] = [h for h in search(conn, "python") if h.id == ids["wide"]]
    # the snippet is the text as written, highlighted where the match is
    assert [hit.snippet.text[a:b] for a, b in hit.snippet.highlights] == ["Ｐｙｔｈｏｎ"]


def test_ideographic_space_and_full_width_digits_fold(db) -> None:
    with db.write() as s:
        a = create_article(s, "版本", "版本１２３发布　今天").id
    assert ("article", a) in found(db, "123")
    assert ("article", a) in found(db, "发布 今天")


def test_traditional_and_simplified_find_each_other(db, ids) -> None:
    assert chunk_docs(db, "凤凰单丛") == {ids["trad_doc"], ids["simp_doc"]}
    assert chunk_docs(db, "鳳凰單叢") == {ids["trad_doc"], ids["simp_doc"]}
    assert chunk_docs(db, "乌龙茶") == {ids["trad_doc"]}
    with db.raw(write=False) as conn:
        [hit] = [h for h in search(conn, "凤凰单丛") if h.parent_id == ids["trad_doc"]]
    assert hit.title == "鳳凰單叢"  # shown as written
    assert [hit.snippet.text[a:b] for a, b in hit.snippet.highlights] == ["鳳凰單叢"]


def test_exact_matches_the_characters_as_written(db, ids) -> None:
    assert found(db, "Ｐｙｔｈｏｎ", exact=True) == {("article", ids["wide"])}
    assert ("article", ids["wide"]) not in found(db, "Python", exact=True)
    assert ("article", ids["narrow"]) in found(db, "Python", exact=True)
    assert chunk_docs(db, "鳳凰單叢", exact=True) == {ids["trad_doc"]}
    assert chunk_docs(db, "凤凰单丛", exact=True) == {ids["simp_doc"]}
    assert found(db, "fhdc", exact=True) == set()  # no pinyin


def test_titles_are_found_by_pinyin_bodies_are_not(db, ids) -> None:
    for query in ("fenghuangdancong", "fhdc", "FHDC", "fenghuang", "dancong", "dc"):
        hits = found(db, query)
        assert ("article", ids["tea"]) in hits, query
        assert ("article", ids["tea_body"]) not in hits, query  # only its body has it
    # a chapter title, from the middle of it
    assert ("chapter", ids["chapter"]) in found(db, "linwan")
    assert ("chapter", ids["chapter"]) in found(db, "lw")
    assert found(db, "fhdq") == set()


def test_pinyin_follows_title_changes_trash_and_restore(db, ids) -> None:
    with db.write() as s:
        update_article(s, ids["tea"], title="龍井")
    assert ("article", ids["tea"]) not in found(db, "fhdc")
    assert ("article", ids["tea"]) in found(db, "longjing")
    with db.write() as s:
        trash.trash(s, "article", ids["tea"])
    assert ("article", ids["tea"]) not in found(db, "longjing")
    with db.write() as s:
        trash.restore(s, "article", ids["tea"])
    assert ("article", ids["tea"]) in found(db, "longjing")
    assert ("article", ids["tea"]) in found(db, "龙井")


def test_an_english_word_does_not_match_pinyin_of_other_words(db, ids) -> None:
    # "dan" is a pinyin prefix of 单丛 in the title 凤凰单丛, and matches it;
    # "notes" is no one's pinyin and finds the English title only
    assert found(db, "notes") == {("article", ids["narrow"])}


@pytest.mark.parametrize(
    "query",
    [
        "鳳凰dancong",  # mixed scripts in one term
        "鳳凰 dancong",
        "。，！？　……",  # punctuation only (incl. an ideographic space)
        "！！！",
        "𠀀",  # CJK extension B, no OpenCC mapping
        "㐀㐁",  # extension A
        "\U0002a6d6",
        "🙂",
        "Ｐｙ*",
        '"鳳凰單叢"',
        "\u3000",
    ],
)
def test_odd_queries_never_raise(db, ids, query) -> None:
    with db.raw(write=False) as conn:
        hits = search(conn, query)
        search(conn, query, exact=True)
    for hit in hits:
        assert isinstance(hit.snippet.text, str)


def test_odd_queries_give_sensible_results(db, ids) -> None:
    assert found(db, "。，！？") == set()
    # mixed: the Han part folds, the Latin word must follow it
    with db.write() as s:
        a = create_article(s, "混合", "鳳凰dancong 是一种写法").id
    assert ("article", a) in found(db, "凤凰dancong")
    assert ("article", a) in found(db, "鳳凰dancong")
    # ... or the title its pinyin goes on with: the input method's last
    # syllables left unconverted (凤凰 typed, dancong not yet)
    assert ("article", ids["tea"]) in found(db, "鳳凰dancong")
    assert ("article", ids["tea"]) in found(db, "凤凰dan")
    assert ("article", ids["tea"]) not in found(db, "凤dancong")  # 凰 is missing
    assert ("article", ids["tea"]) not in found(db, "凤凰dancong", exact=True)
    # characters OpenCC does not map are matched as they are
    with db.write() as s:
        b = create_article(s, "罕见字", "这里有𠀀字和㐀字。").id
    assert found(db, "𠀀") == {("article", b)}
    assert ("article", b) in found(db, "㐀")
    assert ("article", b) in found(db, "𠀀字")


def test_storage_title_filters_fold_too(db, ids) -> None:
    from inkbench.storage.articles import count_articles, list_articles
    from inkbench.storage.knowledge import create_kb, list_kbs

    with db.write() as s:
        create_kb(s, "鳳凰單叢資料")
    with db.read() as s:
        assert {a.id for a in list_articles(s, text="fhdc")} == {ids["tea"]}
        assert {a.id for a in list_articles(s, text="鳳凰")} == {ids["tea"]}
        assert count_articles(s, text="学习") == 1
        assert [k.name for k in list_kbs(s, text_filter="凤凰单丛")] == ["鳳凰單叢資料"]
        assert [k.name for k in list_kbs(s, text_filter="fhdczl")] == ["鳳凰單叢資料"]
        assert [k.name for k in list_kbs(s, text_filter="鳳凰dancong")] == ["鳳凰單叢資料"]
        assert list_kbs(s, text_filter="凤dancong") == []
        assert list_kbs(s, text_filter="%") == []
