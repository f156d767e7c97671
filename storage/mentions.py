"""Where the text names the story bible: every name and alias of a work's
characters and world entries, found in each chapter.

One Aho–Corasick automaton (pyahocorasick) per work holds every name; it finds
all of them in one pass over a chapter, however many there are. Chinese has
no spaces, so a CJK name matches wherever its characters stand (林晚 in
林晚笑了); a Latin name only as a whole word (Lin, not Linda). Where names
overlap, the longest wins (林晚晴 over 林晚), and a match never starts inside
another. Latin letters match without regard to case, and names and text are
folded as the search folds them (``storage.fold``: full-width forms to normal
width, traditional characters to simplified), so 沈梦 is found where the text
writes 沈夢 (traditional) and ``Ｌｉｎ`` finds Lin. The folding keeps every
character's position (``fold_same_length``), so positions point into the
original text.

The automaton is built once per work and bible version (``work.bible_version``
is bumped by every change to a name) and cached in the process. Standard
library and pyahocorasick only, working on a DB-API connection, so it runs
inside the transaction that saves a chapter.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable
from dataclasses import dataclass

import ahocorasick

from inkbench.storage.fold import fold_same_length
from inkbench.storage.text import CJK_RUN

#: (kind, id): kind is "character" or "world_entry"
EntryKey = tuple[str, int]


@dataclass(frozen=True)
class Found:
    """One entry's appearances in one text."""

    count: int
    first_position: int


def _is_word_char(ch: str) -> bool:
    return ch.isalnum() and not CJK_RUN.match(ch)


class Matcher:
    """Finds a fixed set of names in texts. Build once, use many times (thread-safe)."""

    def __init__(self, names: Iterable[tuple[str, EntryKey]]) -> None:
        self._automaton = ahocorasick.Automaton()
        self.size = 0
        for name, key in names:
            name = name.strip()
            if not name:
                continue
            folded = fold_same_length(name).casefold()
            # a name equal under case folding to another keeps the first owner
            if folded not in self._automaton:
                # whether its first and last characters need a word boundary
                edges = (_is_word_char(folded[0]), _is_word_char(folded[-1]))
                self._automaton.add_word(folded, (len(folded), key, *edges))
                self.size += 1
        if self.size:
            self._automaton.make_automaton()

    def find(self, text: str) -> dict[EntryKey, Found]:
        """Each entry named in ``text``: how often and where first."""
        if not self.size or not text:
            return {}
        text = fold_same_length(text)
        folded = text.casefold()
        if len(folded) != len(text):  # rare (ß → ss): keep positions honest
            folded = "".join(ch.casefold() if len(ch.casefold()) == 1 else ch for ch in text)
        found = self._every_match(folded)
        return {key: Found(count, first) for key, (count, first) in found.items()}

    @staticmethod
    def _stands_alone(text: str, start: int, end: int, word_start: bool, word_end: bool) -> bool:
        """A name beginning or ending in a Latin letter or digit must not
        continue a word there (Lin, not Linda)."""
        if word_start and start > 0 and _is_word_char(text[start - 1]):
            return False
        after = end + 1
        return not (word_end and after < len(text) and _is_word_char(text[after]))

    def spans(self, text: str) -> list[tuple[int, int, EntryKey]]:
        """Every name found in ``text`` as (start, end, entry), in text order
        (the same matches ``find`` counts)."""
        if not self.size or not text:
            return []
        folded = text.casefold()
        if len(folded) != len(text):
            folded = "".join(ch.casefold() if len(ch.casefold()) == 1 else ch for ch in text)
        return list(self._kept(folded))

    def _kept(self, folded: str):
        """The matches kept, as (start, end, key): those not standing alone
        dropped, then the longest at each start, none starting inside another."""
        taken_until = 0
        for start, neg_length, key in self._raw_matches(folded):
            if start < taken_until:
                continue
            taken_until = start - neg_length
            yield start, taken_until, key

    def _raw_matches(self, folded: str) -> list[tuple[int, int, EntryKey]]:
        matches = []
        check = self._stands_alone
        for end, (length, key, word_start, word_end) in self._automaton.iter(folded):
            start = end - length + 1
            if (word_start or word_end) and not check(folded, start, end, word_start, word_end):
                continue
            matches.append((start, -length, key))
        matches.sort()
        return matches

    def _every_match(self, folded: str) -> dict[EntryKey, list[int]]:
        """Every match, those not standing alone dropped, then the longest at
        each start, none starting inside another."""
        matches = []
        check = self._stands_alone
        for end, (length, key, word_start, word_end) in self._automaton.iter(folded):
            start = end - length + 1
            if (word_start or word_end) and not check(folded, start, end, word_start, word_end):
                continue
            matches.append((start, -length, key))
        matches.sort()
        found: dict[EntryKey, list[int]] = {}
        taken_until = 0
        for start, neg_length, key in matches:
            if start < taken_until:
                continue  # inside a longer name already counted
            taken_until = start - neg_length
            seen = found.get(key)
            if seen is None:
                found[key] = [1, start]
            else:
                seen[0] += 1
        return found


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
