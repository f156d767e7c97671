"""Where the text names the story bible: every name and alias of a work's
characters and world entries, found in each chapter.

One Aho–Corasick automaton (ahocorasick-rs, leftmost-longest) per work holds
every name; it finds all of them in one pass over a chapter, however many
there are, and already keeps the longest name where names overlap (林晚晴
over 林晚) and none starting inside another. Chinese has no spaces, so a CJK
name matches wherever its characters stand (林晚 in 林晚笑了); a Latin name only
as a whole word (Lin, not Linda). Where a Latin name is found inside a word,
the text from there on is matched again with every name the automaton holds,
the ones not standing alone left out, until the result rejoins the first
pass (a shorter name may stand alone there: Lin in "Lin Wanda"). Latin
letters match without regard to case, and names and text are folded as the
search folds them (``storage.fold``: full-width forms to normal width,
traditional characters to simplified), so 沈梦 is found where the text writes
沈夢 (traditional) and ``Ｌｉｎ`` finds Lin. The folding keeps every
character's position (``fold_same_length``), so positions point into the
original text.

The automaton is built once per work and bible version (``work.bible_version``
is bumped by every change to a name) and cached in the process. Standard
library and ahocorasick-rs only, working on a DB-API connection, so it runs
inside the transaction that saves a chapter.
"""

from __future__ import annotations

import sqlite3
import threading
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from itertools import compress
from operator import itemgetter

import ahocorasick_rs

from inkbench.storage.fold import fold_same_length
from inkbench.storage.text import CJK_RUN

#: (kind, id): kind is "character" or "world_entry"
EntryKey = tuple[str, int]

#: one kept match: (index of the name, start, end), end exclusive
_Match = tuple[int, int, int]

# builds in ~2 ms for 2,000 names and searches as fast as the DFA (which takes ~50 ms
# to build, paid again after every change to the bible)
_NFA = ahocorasick_rs.Implementation.ContiguousNFA

_first = itemgetter(0)
_second = itemgetter(1)


@dataclass(frozen=True)
class Found:
    """One entry's appearances in one text."""

    count: int
    first_position: int


@lru_cache(maxsize=65536)
def _is_word_char(ch: str) -> bool:
    return ch.isalnum() and not CJK_RUN.match(ch)


def _stands_alone(text: str, start: int, end: int, edges: tuple[bool, bool]) -> bool:
    """A name beginning or ending in a Latin letter or digit must not
    continue a word there (Lin, not Linda). ``end`` is exclusive."""
    if edges[0] and start > 0 and _is_word_char(text[start - 1]):
        return False
    return not (edges[1] and end < len(text) and _is_word_char(text[end]))


def _casefold_same_length(text: str) -> str:
    folded = text.casefold()
    if len(folded) != len(text):  # rare (ß → ss): keep positions honest
        folded = "".join(ch.casefold() if len(ch.casefold()) == 1 else ch for ch in text)
    return folded


class Matcher:
    """Finds a fixed set of names in texts. Build once, use many times (thread-safe)."""

    def __init__(self, names: Iterable[tuple[str, EntryKey]]) -> None:
        patterns: list[str] = []
        self._keys: list[EntryKey] = []
        # name index -> (needs a word boundary before, after): Latin-edged names only
        self._edges: dict[int, tuple[bool, bool]] = {}
        seen: set[str] = set()
        for name, key in names:
            name = name.strip()
            if not name:
                continue
            folded = fold_same_length(name).casefold()
            # a name equal under case folding to another keeps the first owner
            if folded in seen:
                continue
            seen.add(folded)
            edges = (_is_word_char(folded[0]), _is_word_char(folded[-1]))
            if edges[0] or edges[1]:
                self._edges[len(patterns)] = edges
            patterns.append(folded)
            self._keys.append(key)
        self.size = len(patterns)
        self._patterns = patterns
        # name index -> entry number, entry number -> key
        numbers: dict[EntryKey, int] = {}
        self._entry_of = [numbers.setdefault(key, len(numbers)) for key in self._keys]
        self._entry_keys = list(numbers)
        self._longest = max(map(len, patterns), default=0)
        self._leftmost_longest = (
            ahocorasick_rs.AhoCorasick(
                patterns, matchkind=ahocorasick_rs.MatchKind.LeftmostLongest, implementation=_NFA
            )
            if patterns
            else None
        )
        self._every: ahocorasick_rs.AhoCorasick | None = None  # built when first needed
        self._lock = threading.Lock()

    def find(self, text: str) -> dict[EntryKey, Found]:
        """Each entry named in ``text``: how often and where first."""
        if not self.size or not text:
            return {}
        matches = self._kept(_casefold_same_length(fold_same_length(text)))
        if not matches:
            return {}
        # each match's entry as a small int (an entry's aliases count as the entry)
        entries = list(map(self._entry_of.__getitem__, map(_first, matches)))
        counts = Counter(entries)
        # later items overwrite earlier ones: reversed, each entry keeps its first start
        firsts = dict(zip(reversed(entries), map(_second, reversed(matches)), strict=True))
        keys = self._entry_keys
        return {keys[entry]: Found(count, firsts[entry]) for entry, count in counts.items()}

    def spans(self, text: str) -> list[tuple[int, int, EntryKey]]:
        """Every name found in ``text`` as (start, end, entry), end exclusive,
        in text order (the same matches ``find`` counts)."""
        if not self.size or not text:
            return []
        keys = self._keys
        matches = self._kept(_casefold_same_length(fold_same_length(text)))
        return [(start, end, keys[index]) for index, start, end in matches]

    def _kept(self, folded: str) -> list[_Match]:
        """The matches kept, in text order: at each place the longest name
        standing alone there, none starting inside another."""
        fast = self._leftmost_longest.find_matches_as_indexes(folded)
        edges = self._edges
        if not edges or not fast:
            return fast
        # only names with a Latin edge need a look at their neighbours
        suspects = compress(range(len(fast)), map(edges.__contains__, map(_first, fast)))
        for i in suspects:
            index, start, end = fast[i]
            if not _stands_alone(folded, start, end, edges[index]):
                return self._with_rejections(folded, fast, i)
        return fast

    def _with_rejections(self, folded: str, fast: list[_Match], i: int) -> list[_Match]:
        """``fast`` (leftmost-longest over every name) from its ``i``-th match
        on, where that match does not stand alone, redone without such matches."""
        edges = self._edges
        ends = list(map(itemgetter(2), fast))
        kept = fast[:i]
        while i < len(fast):
            match = fast[i]
            edge = edges.get(match[0])
            if edge is None or _stands_alone(folded, match[1], match[2], edge):
                kept.append(match)
                i += 1
                continue
            i = self._redo(folded, fast, ends, i, kept)
        return kept

    def _every_name(self) -> ahocorasick_rs.AhoCorasick:
        with self._lock:
            if self._every is None:
                self._every = ahocorasick_rs.AhoCorasick(self._patterns, implementation=_NFA)
            return self._every

    def _redo(
        self, folded: str, fast: list[_Match], ends: list[int], i: int, kept: list[_Match]
    ) -> int:
        """Match from the start of ``fast[i]`` (which does not stand alone)
        with every name, the longest standing alone at each place first,
        appending to ``kept``, until the result is back in step with
        ``fast``; returns the index of the first match of ``fast`` from there
        on. In step: the place reached is not inside a match of ``fast``, so
        the leftmost-longest pass found no name starting between its previous
        match and the next one, and both go on alike from there."""
        every = self._every_name()
        edges = self._edges
        origin = fast[i][1]
        at = origin  # no match may start before this
        window = max(4 * self._longest, 256)
        size = len(folded)

        def in_step(place: int) -> int | None:
            j = bisect_right(ends, place)  # the first match of fast ending after place
            return j if j == len(fast) or fast[j][1] >= place else None

        while True:
            hi = min(size, at + window)
            # a name starting before `limit` ends inside the window
            limit = hi - self._longest + 1 if hi < size else size + 1
            raw = sorted(
                (start + at, start - end, index)
                for index, start, end in every.find_matches_as_indexes(
                    folded[at:hi], overlapping=True
                )
            )
            taken = at
            for start, neg_length, index in raw:
                if start >= limit:
                    break
                if start > origin:
                    j = in_step(max(taken, start))
                    if j is not None:
                        return j
                if start < taken:
                    continue
                end = start - neg_length
                edge = edges.get(index)
                if edge is not None and not _stands_alone(folded, start, end, edge):
                    continue
                kept.append((index, start, end))
                taken = end
            if hi >= size:
                return len(fast)
            place = max(taken, limit)
            j = in_step(place)
            if j is not None:
                return j
            at = place


_cache: dict[tuple[str, int], tuple[int, Matcher]] = {}
_cache_lock = threading.Lock()


def _database_name(conn: sqlite3.Connection) -> str:
    row = conn.execute("PRAGMA database_list").fetchone()
    return row[2] or ":memory:"


def bible_names(conn: sqlite3.Connection, work_id: int) -> list[tuple[str, EntryKey]]:
    """Every name and alias of the work's live characters and world entries."""
    rows = conn.execute(
        "SELECT n.name, n.character_id, n.world_entry_id FROM bible_name n "
        "LEFT JOIN character c ON c.id = n.character_id "
        "LEFT JOIN world_entry w ON w.id = n.world_entry_id "
        "WHERE n.work_id = ? AND c.deleted_at IS NULL AND w.deleted_at IS NULL "
        "ORDER BY n.is_alias, n.id",
        (work_id,),
    ).fetchall()
    return [
        (name, ("character", cid) if cid is not None else ("world_entry", wid))
        for name, cid, wid in rows
    ]


def matcher_for(conn: sqlite3.Connection, work_id: int) -> Matcher:
    """The work's matcher, built again only when its bible changed."""
    row = conn.execute("SELECT bible_version FROM work WHERE id = ?", (work_id,)).fetchone()
    version = row[0] if row else -1
    key = (_database_name(conn), work_id)
    with _cache_lock:
        cached = _cache.get(key)
    if cached and cached[0] == version:
        return cached[1]
    matcher = Matcher(bible_names(conn, work_id))
    with _cache_lock:
        _cache[key] = (version, matcher)
    return matcher


def refresh_chapter(conn: sqlite3.Connection, chapter_id: int) -> int:
    """Find the bible's names in one chapter's text again and store the counts;
    returns how many entries it names. Call inside the transaction that saved it."""
    row = conn.execute("SELECT work_id, body FROM chapter WHERE id = ?", (chapter_id,)).fetchone()
    if row is None:
        return 0
    work_id, body = row
    found = matcher_for(conn, work_id).find(body or "")
    conn.execute("DELETE FROM mention WHERE chapter_id = ?", (chapter_id,))
    conn.executemany(
        "INSERT INTO mention (chapter_id, character_id, world_entry_id, count, first_position) "
        "VALUES (?, ?, ?, ?, ?)",
        [
            (
                chapter_id,
                entry_id if kind == "character" else None,
                entry_id if kind == "world_entry" else None,
                f.count,
                f.first_position,
            )
            for (kind, entry_id), f in found.items()
        ],
    )
    return len(found)


def refresh_work(conn: sqlite3.Connection, work_id: int) -> int:
    """Every chapter of a work again (after its bible changed); returns the chapter count."""
    ids = [r[0] for r in conn.execute("SELECT id FROM chapter WHERE work_id = ?", (work_id,))]
    for chapter_id in ids:
        refresh_chapter(conn, chapter_id)
    return len(ids)
