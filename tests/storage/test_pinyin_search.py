"""Title pinyin in tables of its own (migration 0011): a database upgraded from
0010 gives every search the answers it gave before, the pinyin tables follow
every change to titles, trash and restore, and a pinyin term combines with
the other terms of a query as any term does."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from alembic import command

import inkbench.storage.migrations.runner as runner
from inkbench.storage import bible, trash
from inkbench.storage.articles import create_article, update_article
from inkbench.storage.engine import open_database
from inkbench.storage.search import _KINDS, ALL_KINDS, PINYIN_TABLES, search
from inkbench.storage.search_index import reindex
from inkbench.storage.text import parse_query, register_functions
from inkbench.storage.works import create_chapter, create_work, update_chapter

NOW = "2026-11-01 00:00:00.000000"

# what users type: pinyin (full, initials, a part from the middle), Chinese
# as written, traditional, full-width, English words that are also pinyin
# prefixes, phrases, and terms mixing pinyin with text
QUERIES = (
    "fhdc",
    "fenghuang",
    "dancong",
    "lj",
    "longjing",
    "xhlj",
    "lin",
    "linwan",
    "zg",
    "cha",
    "an",
    "the",
    "tea",
    "notes",
    "凤凰",
    "鳳凰單叢",
    "龙井 tea",
    "lj tea",
    "lj 茶",
    "fhdc lj",
    "fenghuang dancong",
    "Ｐｙｔｈｏｎ",
    '"green tea"',
    "changye",
    "cy",
    "xiaowan",
)


def _database_at_0010(home: Path) -> Path:
    """A database at revision 0010 (title pinyin in the big indexes) holding
    articles, a work with chapters and bible entries, a trashed work, albums,
    knowledge bases and chat, written through 0010's own triggers."""
    home.mkdir(parents=True)
    path = home / "inkbench.db"
    engine = runner.migration_engine(path)
    with engine.connect() as conn:
        cfg = runner.alembic_config()
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0010")
    engine.dispose()
    conn = sqlite3.connect(path)
    register_functions(conn)
    articles = [
        ("凤凰单丛", "乌龙茶的一种，green tea 不是。"),
        ("鳳凰單叢 notes", "tea notes"),
        ("西湖龙井", "龙井 tea，中国的绿茶。"),
        ("龍井茶", "明前。"),
        ("Tea notes", "An English article about green tea."),
        ("中国茶", "安吉白茶。"),
        ("学习Ｐｙｔｈｏｎ", "Python 与中文。"),
        ("the 安 and", "English words, pinyin prefixes."),
    ]
    for i in range(12):
        articles.append((f"茶 {i}", f"filler {i} 林晚"))
    conn.executemany(
        "INSERT INTO article (title, body, status, word_count, origin, created_at, updated_at)"
        " VALUES (?, ?, 'draft', 1, 'manual', ?, ?)",
        [(t, b, NOW, NOW) for t, b in articles],
    )
    conn.execute("UPDATE article SET deleted_at = ? WHERE title = '茶 3'", (NOW,))
    for title in ("长夜", "凤凰"):
        conn.execute(
            "INSERT INTO work (title, genre, status, word_goal, description, chapter_naming,"
            " bible_version, created_at, updated_at) VALUES (?, '', 'drafting', 0, '龙井', '',"
            " 0, ?, ?)",
            (title, NOW, NOW),
        )
    for work_id, title, body in (
        (1, "第一章 林晚", "她走进了雨里。"),
        (1, "第二章 龙井", "tea"),
        (2, "凤凰单丛", "在被删的作品里。"),
    ):
        conn.execute(
            "INSERT INTO chapter (work_id, title, body, position, word_count, status,"
            " created_at, updated_at) VALUES (?, ?, ?, ?, 1, 'draft', ?, ?)",
            (work_id, title, body, work_id, NOW, NOW),
        )
    conn.execute(
        "INSERT INTO character (work_id, name, role, description, age, gender, appearance,"
        " personality, background, motivation, flaws, strengths, created_at, updated_at)"
        " VALUES (1, '林晚', 'protagonist', '卖茶的人', '', '', '', '', '', '', '', '', ?, ?)",
        (NOW, NOW),
    )
    conn.execute(
        "INSERT INTO bible_name (work_id, character_id, name, is_alias) VALUES (1, 1, '小晚', 1)",
    )
    conn.execute(
        "INSERT INTO world_entry (work_id, category, title, content, created_at, updated_at)"
        " VALUES (1, 'geography', '龙井村', '茶山', ?, ?)",
        (NOW, NOW),
    )
    conn.execute("UPDATE work SET deleted_at = ? WHERE title = '凤凰'", (NOW,))
    for table in ("album", "knowledge_base"):
        conn.executemany(
            f"INSERT INTO {table} (name, description, created_at, updated_at) VALUES (?, ?, ?, ?)",
            [("鳳凰單叢", "茶", NOW, NOW), ("龙井", "tea", NOW, NOW), ("Notes", "", NOW, NOW)],
        )
    conn.commit()
    conn.close()
    return path


def _answers_at_0010(path: Path) -> dict[str, set[tuple[str, int]]]:
    """Every query's matches as 0010's search found them: each term that may
    be pinyin also as the prefix of the marked title keys (``"py0…"*``)."""
    conn = sqlite3.connect(path)
    register_functions(conn)
    out = {}
    for text in QUERIES:
        query = parse_query(text)
        match = " AND ".join(
            f'({part} OR "py0{key}"*)' if key else part
            for part, key in zip(query.parts, query.pinyin, strict=True)
        )
        out[text] = {
            (kind, rowid)
            for kind in ALL_KINDS
            for (rowid,) in conn.execute(
                f"SELECT rowid FROM {_KINDS[kind][0]} WHERE {_KINDS[kind][0]} MATCH ?", (match,)
            )
        }
    conn.close()
    return out


def found(db, text: str, **kw) -> set[tuple[str, int]]:
    with db.raw(write=False) as conn:
        return {(h.kind, h.id) for h in search(conn, text, kinds=ALL_KINDS, limit=500, **kw)}


def test_upgrade_from_0010_keeps_every_answer(home) -> None:
    path = _database_at_0010(home)
    before = _answers_at_0010(path)
    assert before["fhdc"] and before["lj tea"] and before["xiaowan"] == set()
    seen: list[tuple[int, int, str]] = []
    runner.upgrade_to_head(path, progress=lambda d, t, label: seen.append((d, t, label)))
    # progress counts each row of the searched tables once, up to the total
    assert seen and seen[-1][0] == seen[-1][1] == 20 + 3 + 1 + 1 + 2 + 3 + 3
    assert all(d <= t for d, t, _ in seen)
    assert any("search_article_pinyin" in label for _d, _t, label in seen)
    db = open_database(home)
    try:
        for text in QUERIES:
            assert found(db, text) == before[text], text
        with db.raw(write=False) as conn:
            for kind in PINYIN_TABLES:
                fts = _KINDS[kind][0]
                # the big indexes hold no pinyin any more
                marked = conn.execute(
                    f"SELECT count(*) FROM {fts} WHERE {fts} MATCH '\"py0\"*'"
                ).fetchone()[0]
                assert marked == 0, fts
            pinyin_rows = conn.execute("SELECT count(*) FROM search_article_pinyin").fetchone()
            assert pinyin_rows == (18,)  # 20 articles: one trashed, one all ASCII
            # nothing else changed
            assert conn.execute("SELECT count(*) FROM article").fetchone() == (20,)
            problems = conn.execute("PRAGMA foreign_key_check").fetchall()
            assert problems == []
    finally:
        db.dispose()


def test_downgrade_to_0010_puts_the_keys_back(home) -> None:
    path = _database_at_0010(home)
    before = _answers_at_0010(path)
    runner.upgrade_to_head(path)
    engine = runner.migration_engine(path)
    with engine.connect() as conn:
        cfg = runner.alembic_config()
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0010")
    engine.dispose()
    assert _answers_at_0010(path) == before
    conn = sqlite3.connect(path)
    names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    conn.close()
    assert not [n for n in names if "pinyin" in n]


def test_pinyin_follows_titles_trash_restore_and_purge(db) -> None:
    with db.write() as s:
        work = create_work(s, "长夜")
        chapter = create_chapter(s, work.id, "第一章 林晚", "雨。").id
        lin = bible.create_character(s, work.id, "林晚", description="卖茶的人").id
        article = create_article(s, "凤凰单丛", "乌龙茶。").id
    assert ("chapter", chapter) in found(db, "linwan")
    assert ("character", lin) in found(db, "lw")
    with db.write() as s:
        update_chapter(s, chapter, title="第一章 龙井")
        update_article(s, article, body="只改正文")  # the title's pinyin stays
    assert ("chapter", chapter) not in found(db, "linwan")
    assert ("chapter", chapter) in found(db, "longjing")
    assert ("article", article) in found(db, "fhdc")
    with db.write() as s:
        trash.trash(s, "work", work.id)
    assert not {("chapter", chapter), ("character", lin)} & (
        found(db, "longjing") | found(db, "lw")
    )
    with db.write() as s:
        trash.restore(s, "work", work.id)
    assert ("chapter", chapter) in found(db, "longjing")
    assert ("character", lin) in found(db, "linwan")
    with db.write() as s:
        trash.trash(s, "article", article)
        trash.purge(s, "article", article)
    with db.raw(write=False) as conn:
        assert conn.execute(
            "SELECT count(*) FROM search_article_pinyin WHERE rowid = ?", (article,)
        ).fetchone() == (0,)
        assert conn.execute(
            "SELECT count(*) FROM search_chapter_pinyin WHERE rowid = ?", (chapter,)
        ).fetchone() == (1,)


def test_pinyin_terms_combine_with_text_terms(db) -> None:
    with db.write() as s:
        both = create_article(s, "西湖龙井", "tea notes").id
        other = create_article(s, "龙井", "没有英文").id
        english = create_article(s, "Longjing tea", "notes").id
    assert found(db, "lj") == {("article", both), ("article", other)}
    assert found(db, "lj tea") == {("article", both)}
    assert found(db, "xh lj notes") == {("article", both)}
    assert found(db, "longjing notes") == {("article", both), ("article", english)}
    assert found(db, "lj missing") == set()
    assert found(db, "lj", exact=True) == set()


@pytest.mark.parametrize("py_rank_max", [0, 200])
def test_pinyin_hits_are_ranked_whichever_way_a_kind_is(db, monkeypatch, py_rank_max) -> None:
    from inkbench.storage import search as search_mod

    monkeypatch.setattr(search_mod, "PY_RANK_MAX", py_rank_max)
    with db.write() as s:
        ids = {create_article(s, f"凤凰 {i}", "fenghuang in the text").id for i in range(3)}
        ids |= {create_article(s, "plain", "fenghuang").id}
        pinyin_only = create_article(s, "凤凰", "nothing").id
    hits = found(db, "fenghuang")
    assert hits == {("article", i) for i in ids | {pinyin_only}}


def test_reindex_reads_each_source_once(db) -> None:
    with db.write() as s:
        for i in range(7):
            create_article(s, f"凤凰 {i}", "茶")
    seen: list[tuple[int, int, str]] = []
    with db.raw() as conn:
        counts = reindex(
            conn,
            progress=lambda d, t, label: seen.append((d, t, label)),
            tables=["search_article", "search_article_pinyin"],
        )
    assert counts == {"search_article": 7, "search_article_pinyin": 7}
    assert seen[-1][:2] == (7, 7)
    assert found(db, "fh") == {("article", i) for i in range(1, 8)}
