"""One ranked search over articles, chapters, knowledge-base chunks and OCR text.

Each kind has its own FTS5 table (see migration 0001) holding only visible
rows. A query runs ``ORDER BY rank LIMIT n`` on each table, merges by bm25
score, then reads the top rows' original text to build snippets. Snippets are
cut from the original text (not the index form), with match offsets so a UI
can highlight them with styled spans rather than markup.
"""

from __future__ import annotations

import sqlite3
from dataclasses import asdict, dataclass

from storage.text import Query, Snippet, make_snippet, parse_query

# kind -> (fts table, SQL reading id, title, text, parent id, parent title for ids)
_KINDS: dict[str, tuple[str, str]] = {
    "article": (
        "search_article",
        "SELECT a.id, a.title, a.body, NULL, NULL FROM article a WHERE a.id IN ({ids})",
    ),
    "chapter": (
        "search_chapter",
        "SELECT c.id, c.title, c.body, w.id, w.title FROM chapter c "
        "JOIN work w ON w.id = c.work_id WHERE c.id IN ({ids})",
    ),
    "chunk": (
        "search_chunk",
        "SELECT c.id, CASE WHEN c.heading != '' THEN d.title || ' › ' || c.heading "
        "ELSE d.title END, c.text, d.id, k.name FROM kb_chunk c "
        "JOIN kb_document d ON d.id = c.document_id JOIN knowledge_base k ON k.id = d.kb_id "
        "WHERE c.id IN ({ids})",
    ),
    "image": (
        "search_image",
        "SELECT i.id, i.original_name, i.ocr_text, al.id, al.name FROM image i "
        "JOIN album al ON al.id = i.album_id WHERE i.id IN ({ids})",
    ),
}
KINDS = tuple(_KINDS)

# Ranking cost grows with the number of matches (bm25 reads every matching
# row's sizes), so a term in most documents ("the", "的") would cost 100+ ms at
# 100k rows. When a table has more than RANK_WINDOW matches, only the newest
# RANK_WINDOW of them are ranked: found by a rowid-ordered scan (no ranking)
# and applied as a rowid bound, which FTS5 handles natively. For such common
# terms bm25 barely separates documents anyway; recency is the better order.
RANK_WINDOW = 4000


@dataclass(frozen=True)
class Hit:
    kind: str  # article, chapter, chunk, image
    id: int
    title: str
    snippet: Snippet
    score: float  # bm25: lower is better
    parent_id: int | None = None  # work, document or album
    parent_title: str | None = None

    def to_dict(self) -> dict:
        d = asdict(self)
        d["snippet"] = self.snippet.text
        d["highlights"] = [list(span) for span in self.snippet.highlights]
        return d


def search(
    conn: sqlite3.Connection,
    text: str,
    *,
    limit: int = 20,
    kinds: tuple[str, ...] = KINDS,
    snippet_width: int = 120,
) -> list[Hit]:
    """Top ``limit`` hits for what the user typed; never raises on odd input."""
    query = parse_query(text)
    if not query.match or limit <= 0:
        return []
    ranked: list[tuple[float, str, int]] = []
    for kind in kinds:
        fts, _ = _KINDS[kind]
        cutoff = conn.execute(
            f"SELECT rowid FROM {fts} WHERE {fts} MATCH ? ORDER BY rowid DESC LIMIT 1 OFFSET ?",
            (query.match, RANK_WINDOW - 1),
        ).fetchone()
        rows = conn.execute(
            f"SELECT rowid, rank FROM {fts} WHERE {fts} MATCH ? AND rowid >= ? "
            "ORDER BY rank LIMIT ?",
            (query.match, cutoff[0] if cutoff else 0, limit),
        ).fetchall()
        ranked.extend((score, kind, rowid) for rowid, score in rows)
    ranked.sort()
    top = ranked[:limit]
    return _hydrate(conn, top, query, snippet_width)


def _hydrate(
    conn: sqlite3.Connection,
    top: list[tuple[float, str, int]],
    query: Query,
    width: int,
) -> list[Hit]:
    by_kind: dict[str, list[int]] = {}
    for _score, kind, rowid in top:
        by_kind.setdefault(kind, []).append(rowid)
    rows: dict[tuple[str, int], tuple] = {}
    for kind, ids in by_kind.items():
        sql = _KINDS[kind][1].format(ids=",".join("?" * len(ids)))
        for row in conn.execute(sql, ids):
            rows[(kind, row[0])] = row
    hits = []
    for score, kind, rowid in top:
        row = rows.get((kind, rowid))
        if row is None:  # deleted between the two reads
            continue
        _id, title, body, parent_id, parent_title = row
        hits.append(
            Hit(
                kind=kind,
                id=rowid,
                title=title or "",
                snippet=make_snippet(body, query.terms, width),
                score=score,
                parent_id=parent_id,
                parent_title=parent_title,
            )
        )
    return hits
