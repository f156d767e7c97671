"""One ranked search over articles, chapters, knowledge-base chunks, OCR text,
the story bible (characters and world entries), chat messages, and works,
albums and knowledge bases by their titles and descriptions.

Each kind has its own FTS5 table (see migration 0001) holding only visible
rows. A query ranks each table's matches by bm25 where the term is not too
common there (see RANK_WINDOW), merges the kinds by score, then reads the top
rows' original text to build snippets. Snippets are cut from the original
text (not the index form), with match offsets so a UI can highlight them
with styled spans rather than markup.

Matching is folded (width, traditional/simplified, pinyin for titles: see
``storage.text``); ``exact=True`` keeps only hits that hold every term as
typed (case aside), from the folded matches.
"""

from __future__ import annotations

import math
import sqlite3
from dataclasses import asdict, dataclass

from inkbench.storage.fold import fold
from inkbench.storage.scene_markers import strip_markers
from inkbench.storage.text import Query, Snippet, make_snippet, parse_query

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
        # a chunk's heading path may already start with its document's title
        "SELECT c.id, CASE WHEN c.heading = '' THEN d.title"
        " WHEN substr(c.heading, 1, length(d.title)) = d.title THEN c.heading"
        " ELSE d.title || ' › ' || c.heading END, c.text, d.id, k.name FROM kb_chunk c "
        "JOIN kb_document d ON d.id = c.document_id JOIN knowledge_base k ON k.id = d.kb_id "
        "WHERE c.id IN ({ids})",
    ),
    "image": (
        "search_image",
        "SELECT i.id, i.original_name, i.ocr_text, al.id, al.name FROM image i "
        "JOIN album al ON al.id = i.album_id WHERE i.id IN ({ids})",
    ),
    # the story bible (migration 0003): the body is the aliases, then the text
    "character": (
        "search_character",
        "SELECT c.id, c.name, trim(coalesce((SELECT group_concat(n.name, ' / ') FROM bible_name n"
        " WHERE n.character_id = c.id AND n.is_alias), '') || ' ' || c.description),"
        " w.id, w.title FROM character c JOIN work w ON w.id = c.work_id WHERE c.id IN ({ids})",
    ),
    "world_entry": (
        "search_world_entry",
        "SELECT e.id, e.title, trim(coalesce((SELECT group_concat(n.name, ' / ') FROM bible_name n"
        " WHERE n.world_entry_id = e.id AND n.is_alias), '') || ' ' || e.content),"
        " w.id, w.title FROM world_entry e JOIN work w ON w.id = e.work_id WHERE e.id IN ({ids})",
    ),
    # a chat message (migration 0003); its parent is the conversation
    "message": (
        "search_message",
        "SELECT m.id, cv.title, m.content, cv.id, cv.title FROM chat_message m "
        "JOIN conversation cv ON cv.id = m.conversation_id WHERE m.id IN ({ids})",
    ),
    # works, albums and knowledge bases themselves (migration 0010): title
    # (with its pinyin) and description
    "work": (
        "search_work",
        "SELECT id, title, description, NULL, NULL FROM work WHERE id IN ({ids})",
    ),
    "album": (
        "search_album",
        "SELECT id, name, description, NULL, NULL FROM album WHERE id IN ({ids})",
    ),
    "knowledge_base": (
        "search_knowledge_base",
        "SELECT id, name, description, NULL, NULL FROM knowledge_base WHERE id IN ({ids})",
    ),
}
#: the kinds a search covers unless told otherwise (the TUI's search screen
#: opens these; it does not open bible entries yet)
KINDS = ("article", "chapter", "chunk", "image")
#: story bible entries: characters and world entries
BIBLE_KINDS = ("character", "world_entry")
CHAT_KINDS = ("message",)
#: works, albums and knowledge bases, by title (and its pinyin) and description
CONTAINER_KINDS = ("work", "album", "knowledge_base")
ALL_KINDS = KINDS + BIBLE_KINDS + CHAT_KINDS + CONTAINER_KINDS

# How each kind is ranked, by how many rows match (one rowid-ordered probe
# fetches up to RANK_WINDOW of the newest matches, which costs little):
#
# - RANK_WINDOW or more: the term is too common in that kind for bm25 to say
#   much (its IDF is near zero), and ranking would cost 10-100 ms per table,
#   since FTS5's bm25 first runs each term over the whole table for its IDF.
#   The kind returns its newest matches, scored COMMON_SCORE, after the
#   bm25-ranked hits of kinds where the term is rarer, taking turns.
# - at most PY_RANK_MAX: bm25 is computed here, for the rows the probe found,
#   with FTS5's own formula and statistics (row count, average and per-row
#   lengths in tokens) and term frequencies counted in the original text.
#   This spares the two more passes over the whole table that FTS5's bm25
#   makes (IDF, then the ranked query), which for a rare phrase of common
#   words ("winter morning") cost 10+ ms per table.
# - in between: FTS5's ``ORDER BY rank``.
#
# Chapters are long (more positions per row to read), so their window is
# smaller. Figures: bench/README.md.
RANK_WINDOW: dict[str, int] = {
    "article": 1000,
    "chapter": 500,
    "chunk": 1000,
    "image": 1000,
    "character": 1000,
    "world_entry": 1000,
    "message": 1000,
    "work": 1000,
    "album": 1000,
    "knowledge_base": 1000,
}
PY_RANK_MAX = 200
COMMON_SCORE = 0.0  # bm25 scores are <= 0 (lower is better)
# bm25 as migration 0001 configures it: bm25(4.0, 1.0), FTS5's k1 and b
BM25_WEIGHTS = (4.0, 1.0)
BM25_K1 = 1.2
BM25_B = 0.75


@dataclass(frozen=True)
class Hit:
    kind: str  # article, chapter, chunk, image, character, world_entry, message,
    # work, album, knowledge_base
    id: int
    title: str
    snippet: Snippet
    score: float  # bm25: lower is better; COMMON_SCORE (0.0) when not ranked
    parent_id: int | None = None  # work, document or album (the work of a bible entry)
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
    exact: bool = False,
) -> list[Hit]:
    """Top ``limit`` hits for what the user typed; never raises on odd input.
    ``exact``: the characters as written (no width, script or pinyin folding)."""
    query = parse_query(text, exact=exact)
    if not query.match or limit <= 0:
        return []
    if exact:
        wanted = limit
        limit = min(max(limit * 10, 200), 2000)
    ranked: list[tuple[float, int, str, int]] = []  # (score, turn, kind, rowid)
    fetched: dict[tuple[str, int], tuple] = {}
    for kind in kinds:
        fts, _kind_label = _KINDS[kind]
        window = RANK_WINDOW[kind]
        ids = [
            r[0]
            for r in conn.execute(
                f"SELECT rowid FROM {fts} WHERE {fts} MATCH ? ORDER BY rowid DESC LIMIT ?",
                (query.match, max(window, limit)),
            )
        ]
        if len(ids) >= window:
            ranked.extend((COMMON_SCORE, turn, kind, i) for turn, i in enumerate(ids[:limit]))
        elif len(ids) <= PY_RANK_MAX:
            rows = _fetch(conn, kind, ids)
            fetched.update(((kind, i), row) for i, row in rows.items())
            scores = _bm25(conn, fts, rows, query.terms)
            ranked.extend((score, 0, kind, i) for i, score in scores)
        else:
            rows = conn.execute(
                f"SELECT rowid, rank FROM {fts} WHERE {fts} MATCH ? ORDER BY rank LIMIT ?",
                (query.match, limit),
            ).fetchall()
            ranked.extend((score, 0, kind, rowid) for rowid, score in rows)
    ranked.sort()
    top = [(score, kind, rowid) for score, _turn, kind, rowid in ranked[:limit]]
    if not exact:
        return _hydrate(conn, top, query, snippet_width, fetched)
    return _hydrate(conn, top, query, snippet_width, fetched, exact=True)[:wanted]


def _holds(title: str, body: str, terms: tuple[str, ...]) -> bool:
    """Every term, as typed (case aside), in the title or the body."""
    title, body = title.lower(), body.lower()
    return all(t.lower() in title or t.lower() in body for t in terms)


def _varints(blob: bytes) -> list[int]:
    """SQLite varints (FTS5's record format), one after another."""
    out = []
    i = 0
    while i < len(blob):
        value = 0
        for j in range(9):
            byte = blob[i]
            i += 1
            if j == 8:
                value = (value << 8) | byte
                break
            value = (value << 7) | (byte & 0x7F)
            if not byte & 0x80:
                break
        out.append(value)
    return out


def _bm25(
    conn: sqlite3.Connection, fts: str, rows: dict[int, tuple], terms: tuple[str, ...]
) -> list[tuple[int, float]]:
    """(rowid, score) for the matching ``rows``: FTS5's bm25 (same statistics,
    same formula), term frequencies counted in the original title and text."""
    if not rows:
        return []
    averages = conn.execute(f"SELECT block FROM {fts}_data WHERE id = 1").fetchone()
    n_rows, *col_tokens = _varints(averages[0]) if averages else [0]
    avgdl = sum(col_tokens) / n_rows if n_rows else 1.0
    sizes = {
        i: sum(_varints(sz))
        for i, sz in conn.execute(
            f"SELECT id, sz FROM {fts}_docsize WHERE id IN ({','.join('?' * len(rows))})",
            list(rows),
        )
    }
    hits = len(rows)  # rows matching the whole query: a term's own count is >= this
    idf = max(1e-6, math.log((n_rows - hits + 0.5) / (hits + 0.5)))
    needles = [t.lower() for t in terms] or [""]
    out = []
    for rowid, row in rows.items():
        title, body = (row[1] or "").lower(), (row[2] or "").lower()
        length = sizes.get(rowid, avgdl)
        norm = BM25_K1 * (1 - BM25_B + BM25_B * length / avgdl)
        score = 0.0
        for needle in needles:
            tf = BM25_WEIGHTS[0] * title.count(needle) + BM25_WEIGHTS[1] * body.count(needle)
            if not tf:  # written another way (full-width, traditional): count folded
                ft, fb = fold(title), fold(body)
                tf = BM25_WEIGHTS[0] * ft.count(needle) + BM25_WEIGHTS[1] * fb.count(needle)
            tf = tf or 1.0  # FTS5 matched it, maybe in another form (diacritics, spacing)
            score += idf * tf * (BM25_K1 + 1) / (tf + norm)
        out.append((rowid, -score))
    return out


def _fetch(conn: sqlite3.Connection, kind: str, ids: list[int]) -> dict[int, tuple]:
    """The rows (id, title, text, parent id, parent title) of one kind, by id."""
    if not ids:
        return {}
    sql = _KINDS[kind][1].format(ids=",".join("?" * len(ids)))
    return {row[0]: row for row in conn.execute(sql, ids)}


def _hydrate(
    conn: sqlite3.Connection,
    top: list[tuple[float, str, int]],
    query: Query,
    width: int,
    fetched: dict[tuple[str, int], tuple],
    exact: bool = False,
) -> list[Hit]:
    missing: dict[str, list[int]] = {}
    for _score, kind, rowid in top:
        if (kind, rowid) not in fetched:
            missing.setdefault(kind, []).append(rowid)
    rows = {(k, i): fetched[(k, i)] for _s, k, i in top if (k, i) in fetched}
    for kind, ids in missing.items():
        rows.update(((kind, i), row) for i, row in _fetch(conn, kind, ids).items())
    hits = []
    for score, kind, rowid in top:
        row = rows.get((kind, rowid))
        if row is None:  # deleted between the two reads
            continue
        _id, title, body, parent_id, parent_title = row
        if exact and not _holds(title or "", body or "", query.terms):
            continue
        if kind == "chapter":  # scene markers are not the writer's text
            body = strip_markers(body)
        hits.append(
            Hit(
                kind=kind,
                id=rowid,
                title=title or "",
                snippet=make_snippet(body, query.terms, width, exact=exact),
                score=score,
                parent_id=parent_id,
                parent_title=parent_title,
            )
        )
    return hits
