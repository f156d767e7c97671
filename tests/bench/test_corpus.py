"""The benchmark corpus: deterministic, every kind built through storage.bulk,
and searchable the way bench_storage measures it."""

from __future__ import annotations

from bench import corpus
from inkbench.storage.search import search


def test_text_is_deterministic_and_mixed() -> None:
    a = list(corpus.article_rows(300))
    assert a == list(corpus.article_rows(300))
    bodies = [body for _title, body in a]
    chinese = [b for b in bodies if corpus.ZH_WORDS[0] in b]
    assert 0.15 < len(chinese) / len(bodies) < 0.45
    assert any(w in b for b in chinese for w in corpus.MIXED_EN)  # English names in Chinese
    assert all(b.endswith((".", "。")) for b in bodies)


def test_build_fills_every_kind_through_storage(db) -> None:
    sizes = {"article": 300, "image": 200, "chapter": 20, "kb_chunk": 250}
    with db.raw() as conn:
        counts = corpus.build(conn, **sizes)
    assert counts == sizes
    with db.raw(write=False) as conn:
        assert conn.execute("SELECT count(*) FROM kb_document").fetchone()[0] == 3
        for table in ("search_article", "search_image", "search_chapter", "search_chunk"):
            assert conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] > 0
        assert {h.kind for h in search(conn, "的", limit=1000)} == {
            "article",
            "image",
            "chapter",
            "chunk",
        }
        words = conn.execute("SELECT sum(word_count) FROM article").fetchone()[0]
        assert words > 300 * 100
