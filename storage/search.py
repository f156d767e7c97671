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
typed (case aside), from the folded matches. A title's pinyin lives in its
kind's pinyin table (migration 0011, ``PINYIN_TABLES``), which ``_probe``
consults beside the kind's own table.
"""

from __future__ import annotations

import math
import re
import sqlite3
from collections.abc import Callable
from dataclasses import asdict, dataclass
from functools import lru_cache
from itertools import combinations

from inkbench.storage.fold import char_variants
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
# kinds whose titles are also found by pinyin: their pinyin table (migration 0011)
PINYIN_TABLES: dict[str, str] = {
    kind: f"search_{kind}_pinyin" for kind in ("article", "chapter", *BIBLE_KINDS, *CONTAINER_KINDS)
}

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
    # A phrase is read ascending where it is likely rare: the smallest tables
    # first, and a table ascending when the matches per token seen so far
    # (in tables read to the end) foretell few (see _probe).
    phrase = any(" " in part for part in query.parts)
    tokens = {kind: _stats(conn, _KINDS[kind][0])[1] for kind in kinds} if phrase else {}
    seen_matches, seen_tokens = 0, 0
    for kind in sorted(kinds, key=tokens.get) if phrase else kinds:
        fts, _kind_label = _KINDS[kind]
        window = RANK_WINDOW[kind]
        n = max(window, limit)
        rare = bool(seen_tokens) and seen_matches * tokens[kind] < n * seen_tokens / 4
        ids, by_pinyin = _probe(conn, kind, query, n, ascending=rare)
        if phrase and len(ids) < n:
            seen_matches, seen_tokens = seen_matches + len(ids), seen_tokens + tokens[kind]
        if len(ids) >= window:
            ranked.extend((COMMON_SCORE, turn, kind, i) for turn, i in enumerate(ids[:limit]))
        elif len(ids) <= PY_RANK_MAX:
            rows = _fetch(conn, kind, ids)
            fetched.update(((kind, i), row) for i, row in rows.items())
            scores = _bm25(conn, fts, rows, query.terms, by_pinyin=by_pinyin)
            ranked.extend((score, 0, kind, i) for i, score in scores)
        else:
            rows = conn.execute(
                f"SELECT rowid, rank FROM {fts} WHERE {fts} MATCH ? ORDER BY rank LIMIT ?",
                (query.match, limit),
            ).fetchall()
            ranked.extend((score, 0, kind, rowid) for rowid, score in rows)
            if by_pinyin:  # found by their titles' pinyin only: FTS5 cannot rank them
                newest = sorted(by_pinyin, reverse=True)[:limit]
                rows = _fetch(conn, kind, newest)
                fetched.update(((kind, i), row) for i, row in rows.items())
                scores = _bm25(conn, fts, rows, query.terms, hits=len(ids), by_pinyin=by_pinyin)
                ranked.extend((score, 0, kind, i) for i, score in scores)
    ranked.sort()
    top = [(score, kind, rowid) for score, _turn, kind, rowid in ranked[:limit]]
    if not exact:
        return _hydrate(conn, top, query, snippet_width, fetched)
    return _hydrate(conn, top, query, snippet_width, fetched, exact=True)[:wanted]


# a query with more pinyin terms than this (that each find some title) also
# looks for rows matching through the pinyin of only the first ones
PINYIN_TERMS_MAX = 4
# titles found by pinyin checked against the other terms one by one up to
# this many (see _matching)
ROWS_LOOKED_UP = 64


def _probe(
    conn: sqlite3.Connection, kind: str, query: Query, n: int, *, ascending: bool = False
) -> tuple[list[int], set[int]]:
    """The newest ``n`` rows of ``kind`` matching ``query`` (rowids, newest
    first), and those of them matching only through their title's pinyin.

    Each part of the query must match the text or, where it has a pinyin key,
    the title's pinyin (its pinyin table, one prefix-index doclist). Rows
    matching every part as text come from one FTS5 probe; for each set of
    pinyin keys that find titles, the rows those titles hold are checked
    against the remaining parts.

    ``ascending``: the matches are expected to be few. FTS5 reads a doclist
    backwards (newest first) at a cost, so they are read forwards instead,
    up to ``n``, and only when there are that many, backwards after all: a
    rare phrase of common words ("中国 文章") costs ~30% less."""
    fts = _KINDS[kind][0]
    ids: list[int] = []
    if ascending:
        sql = f"SELECT rowid FROM {fts} WHERE {fts} MATCH ? LIMIT ?"
        ids = [r[0] for r in conn.execute(sql, (query.match, n))]
        ids.reverse()
    if not ascending or len(ids) >= n:
        newest = f"SELECT rowid FROM {fts} WHERE {fts} MATCH ? ORDER BY rowid DESC LIMIT ?"
        ids = [r[0] for r in conn.execute(newest, (query.match, n))]
    table = PINYIN_TABLES.get(kind)
    keyed = [(i, key) for i, key in enumerate(query.pinyin) if key]
    if table is None or not keyed:
        return ids, set()
    only_part = len(query.parts) == 1
    # with n matches already, only newer rows can still be among the newest n
    floor = ids[-1] if len(ids) >= n else 0
    titled: dict[int, set[int]] = {}  # part -> rows whose title's pinyin matches
    for i, key in keyed:
        sql = f"SELECT rowid FROM {table} WHERE {table} MATCH ? AND rowid > ? ORDER BY rowid DESC"
        params: tuple = (_quote_key(key), floor)
        if only_part:  # nothing else to check: the newest n are enough
            sql += " LIMIT ?"
            params += (n,)
        rows = {r[0] for r in conn.execute(sql, params)}
        if rows:
            titled[i] = rows
    if not titled:
        return ids, set()
    found = set(ids)
    by_pinyin: set[int] = set()
    usable = list(titled)[:PINYIN_TERMS_MAX]
    for size in range(1, len(usable) + 1):
        for through in combinations(usable, size):
            rows = set.intersection(*(titled[i] for i in through))
            rest = query.without(set(through))
            if rows and rest:
                rows = _matching(conn, fts, rest, rows, n)
            by_pinyin |= rows - found
    merged = sorted(found | by_pinyin, reverse=True)[:n]
    kept = set(merged)
    return merged, by_pinyin & kept


def _quote_key(key: str) -> str:
    return '"' + key.replace('"', '""') + '"*'


def _matching(conn: sqlite3.Connection, fts: str, match: str, rows: set[int], n: int) -> set[int]:
    """The newest ``n`` of ``rows`` that match ``match`` in ``fts``. A few
    rows are looked up one by one (FTS5 seeks each rowid in every doclist,
    which costs per row); more are met on one backward walk over the matches,
    stopping at the ``n``-th."""
    if len(rows) <= ROWS_LOOKED_UP:
        found = conn.execute(
            f"SELECT rowid FROM {fts} WHERE {fts} MATCH ? AND rowid IN "
            f"({','.join('?' * len(rows))})",
            (match, *sorted(rows)),
        )
        return set(sorted((r[0] for r in found), reverse=True)[:n])
    out: set[int] = set()
    for (rowid,) in conn.execute(
        f"SELECT rowid FROM {fts} WHERE {fts} MATCH ? AND rowid BETWEEN ? AND ?"
        " ORDER BY rowid DESC",
        (match, min(rows), max(rows)),
    ):
        if rowid in rows:
            out.add(rowid)
            if len(out) >= n:
                break
    return out


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


def _varint_sum(blob: bytes) -> int:
    """The sum of the varints in a docsize record (each up to 8 bytes, as any
    token count is): one loop, for the hundreds of rows a search scores."""
    total = value = 0
    for byte in blob:
        value = (value << 7) | (byte & 0x7F)
        if byte < 0x80:
            total += value
            value = 0
    return total


def _stats(conn: sqlite3.Connection, fts: str) -> tuple[int, int]:
    """(rows, tokens in all columns) of an FTS5 table, from its own record."""
    averages = conn.execute(f"SELECT block FROM {fts}_data WHERE id = 1").fetchone()
    values = _varints(averages[0]) if averages else []
    if not values:  # an empty table
        return 0, 0
    return values[0], sum(values[1:])


def _bm25(
    conn: sqlite3.Connection,
    fts: str,
    rows: dict[int, tuple],
    terms: tuple[str, ...],
    hits: int | None = None,
    by_pinyin: set[int] | frozenset[int] = frozenset(),
) -> list[tuple[int, float]]:
    """(rowid, score) for the matching ``rows``: FTS5's bm25 (same statistics,
    same formula), term frequencies counted in the original title and text.
    ``hits``: how many rows match the query, when ``rows`` are not all;
    ``by_pinyin``: rows found through their title's pinyin, whose text holds
    no form of the pinyin term (not looked for)."""
    if not rows:
        return []
    n_rows, all_tokens = _stats(conn, fts)
    avgdl = all_tokens / n_rows if n_rows else 1.0
    sizes = {
        i: _varint_sum(sz)
        for i, sz in conn.execute(
            f"SELECT id, sz FROM {fts}_docsize WHERE id IN ({','.join('?' * len(rows))})",
            list(rows),
        )
    }
    if hits is None:  # rows matching the whole query: a term's own count is >= this
        hits = len(rows)
    idf = max(1e-6, math.log((n_rows - hits + 0.5) / (hits + 0.5)))
    needles = [t.lower() for t in terms] or [""]
    counters = [_counters(n) for n in needles]
    cased = any(n != n.upper() for n in needles)  # else lower() changes no count
    out = []
    for rowid, row in rows.items():
        title, body = row[1] or "", row[2] or ""
        if cased:
            title, body = title.lower(), body.lower()
        length = sizes.get(rowid, avgdl)
        norm = BM25_K1 * (1 - BM25_B + BM25_B * length / avgdl)
        score = 0.0
        for as_typed, any_form in counters:
            tf = BM25_WEIGHTS[0] * as_typed(title) + BM25_WEIGHTS[1] * as_typed(body)
            if not tf and rowid not in by_pinyin:  # written another way (full-width, traditional)
                tf = BM25_WEIGHTS[0] * any_form(title) + BM25_WEIGHTS[1] * any_form(body)
            tf = tf or 1.0  # FTS5 matched it another way (pinyin, diacritics, spacing)
            score += idf * tf * (BM25_K1 + 1) / (tf + norm)
        out.append((rowid, -score))
    return out


Counter = Callable[[str], int]


@lru_cache(maxsize=256)
def _counters(needle: str) -> tuple[Counter, Counter]:
    """How many times a (folded, lower-case) term occurs in a lower-case text:
    as typed (a literal search, fast), and in any form that folds to it, each
    character full-width or traditional (``國`` for ``国``; a class per
    character, slower, for the rows where the first finds none). A phrase's
    words may stand apart by any run of non-word characters, as FTS5's
    tokenizer splits them (``"中国 文章"`` in ``中国，文章``). No text is folded."""
    words = needle.split()
    if not words:
        return (lambda text: 0), (lambda text: 0)
    if len(words) == 1:
        as_typed: Counter = lambda text: text.count(needle)  # noqa: E731
    else:
        literal = re.compile(r"[\W_]*".join(re.escape(w) for w in words))
        as_typed = lambda text: len(literal.findall(text))  # noqa: E731
    forms = re.compile(
        r"[\W_]*".join("".join(f"[{re.escape(char_variants(c))}]" for c in word) for word in words)
    )
    return as_typed, lambda text: len(forms.findall(text))


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
