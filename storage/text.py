"""Text rules shared by storage: word counts and the search index's token form.

Word counts: every CJK character is one word (punctuation excluded), and Latin
text counts whitespace-separated words, so Chinese prose gets a real count.

Search: SQLite's unicode61 tokenizer treats a run of Chinese characters as one
long token, so a word inside it can never be found. Before text reaches FTS5
each CJK run of two or more characters is rewritten as its overlapping
bigrams ("中文搜索" -> "中文 文搜 搜索"); a lone CJK character stays as it is.
After the whole text come the distinct CJK characters it contains, once each
("... 中 搜 文 索"). So:

- a 1-character term is one token (``"中"``), found through that tail,
- a 2-character term is one token (``"中文"``),
- a longer term is a phrase of its bigrams (``"中文 文搜 搜索"``), and text
  around it (Latin words, other runs) stays adjacent in phrases.

The tail replaces an FTS5 ``prefix='1'`` index (``"中"*``), which also indexed
a one-letter prefix of every English word; it sits after the text so phrase
positions inside the text are unchanged. One case is approximate: a single
CJK character next to other words in one term ("Python中") may be the edge
of a longer run in the text, so it is searched as its own AND-ed token (more
hits, never fewer). Measurements: bench/README.md.

Latin text passes through unchanged for unicode61 to fold and split.

Before all this, text and queries are folded (``storage.fold``): full-width
forms to normal width (NFKC) and traditional characters to simplified
(OpenCC), so ``Ｐｙｔｈｏｎ`` finds ``Python`` and ``鳳凰單叢`` finds ``凤凰单丛``.
Titles are also found by their pinyin: the full pinyin and initials from
each Han character on (``pinyin_form``) live in a small FTS5 table per kind
(``search_<kind>_pinyin``, migration 0011) with prefix indexes, and a
Latin-letters query term is also looked up there as a prefix (``fhdc`` ->
``"fhdc"*``; see ``Query.pinyin`` and ``storage.search``). Before 0011 the
keys were tokens ``py0…`` in the titles' own index (``title_form``), which a
short term had to expand over every title key of the big tables.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass

from inkbench.storage.fold import (
    fold,
    fold_aligned,
    fold_script,
    fold_width,
    is_pinyin_query,
    mixed_pinyin_key,
    pinyin_keys,
    sql_name_matches,
)

# Han (incl. extension A and compatibility ideographs), kana and Hangul
# syllables: scripts written without spaces between words.
_CJK_CLASS = (
    "\u3040-\u30ff"  # hiragana, katakana
    "\u3400-\u4dbf"  # CJK extension A
    "\u4e00-\u9fff"  # CJK unified ideographs
    "\uac00-\ud7af"  # Hangul syllables
    "\uf900-\ufaff"  # CJK compatibility ideographs
    "\U00020000-\U0003134f"  # extensions B..G
)
CJK_RUN = re.compile(f"[{_CJK_CLASS}]+")
_CJK_CHAR = re.compile(f"[{_CJK_CLASS}]")
_LATIN_WORD = re.compile(r"[^\s" + _CJK_CLASS + r"]+")
_HAS_ALNUM = re.compile(r"\w")


# a Latin word: from its first letter or digit to the end of its run of
# non-space, non-CJK characters (so "--ab--cd" is one word and "--" none)
_LATIN_COUNTED = re.compile(rf"[^\W{_CJK_CLASS}][^\s{_CJK_CLASS}]*")


def word_count(text: str | None) -> int:
    """CJK characters one each; other words split by whitespace (and by CJK runs),
    counted when they hold a letter or digit. (Two regex scans in C: this runs
    for every row a bulk import adds.)"""
    if not text:
        return 0
    return sum(map(len, CJK_RUN.findall(text))) + len(_LATIN_COUNTED.findall(text))


def _bigrams(run: str) -> str:
    if len(run) == 1:
        return run
    return " ".join([run[i : i + 2] for i in range(len(run) - 1)])


def index_form(text: str | None) -> str:
    """The form of ``text`` stored in the FTS5 tables (see module docstring)."""
    if not text:
        return ""
    if text.isascii():  # no CJK, nothing to fold: most English text
        return text
    text = fold_width(text)
    distinct = set(text)  # (C-speed) shared by the script fold and the tail
    folded = fold_script(text, distinct)
    if folded is not text:
        text, distinct = folded, set(folded)
    form = CJK_RUN.sub(lambda m: f" {_bigrams(m.group())} ", text)
    # distinct characters first, then keep the CJK ones
    chars = "".join(CJK_RUN.findall("".join(distinct)))
    if chars:
        form = f"{form} {' '.join(sorted(chars))}"
    return form


PINYIN_MARK = "py0"


def title_form(title: str | None) -> str:
    """The index form of a title before migration 0011: ``index_form`` plus
    its pinyin keys, each marked with PINYIN_MARK. Only the triggers of
    migrations 0004, 0005 and 0010 call it (as ``ink_title_form``), while a
    database is upgraded through them; 0011 moves the keys to their own
    tables (``pinyin_form``)."""
    form = index_form(title)
    keys = pinyin_keys(title)
    if keys:
        form = f"{form} {' '.join(PINYIN_MARK + k for k in keys)}"
    return form


def pinyin_form(title: str | None) -> str:
    """What a title's pinyin table row holds: its pinyin keys (full pinyin
    and initials from each Han character on), space-separated; "" for a
    title without Han characters."""
    return " ".join(pinyin_keys(title))


# --- queries -----------------------------------------------------------------

# Anything FTS5 would treat as syntax is dropped from a term: the user types
# words, never FTS5 expressions, so `"`, `(`, `*`, `:`, `^`, AND/OR/NOT/NEAR
# all search as plain text (or not at all), and nothing the user types can
# raise `fts5: syntax error`.
_TOKEN_CHARS = re.compile(r"\w+")


@dataclass(frozen=True)
class Query:
    """A parsed user query: an FTS5 MATCH expression and the literal terms.

    ``match`` is the AND of ``parts``. A part of ``pinyin`` that is not None
    is a Latin-letters term that also matches a title whose pinyin starts
    with it (the key, lower case, for a pinyin table's ``"key"*``), or a term
    of Han characters then letters (``鳳凰dancong``: key ``fenghuangdancong``,
    see ``fold.mixed_pinyin_key``): a row
    matches the query when each part matches its text or, where it has a
    key, its title's pinyin."""

    match: str  # FTS5 expression, "" when nothing searchable was typed
    terms: tuple[str, ...]  # what to highlight in the original text
    parts: tuple[str, ...] = ()  # the AND-ed FTS5 expressions making up ``match``
    pinyin: tuple[str | None, ...] = ()  # per part: its pinyin key, or None

    def without(self, skipped: set[int] | frozenset[int]) -> str:
        """``match`` without the parts at these positions ("" when none is left)."""
        return " AND ".join(p for i, p in enumerate(self.parts) if i not in skipped)


def _phrases_for_piece(piece: str) -> list[list[str]]:
    """FTS5 phrases (lists of index-form tokens) that one user word must all
    match, CJK-aware: one phrase, or more where a lone CJK character next to
    other tokens has to stand apart (see the module docstring)."""
    tokens: list[tuple[str, bool]] = []  # (token, is a lone CJK character)
    pos = 0
    for m in CJK_RUN.finditer(piece):
        tokens.extend((t.lower(), False) for t in _TOKEN_CHARS.findall(piece[pos : m.start()]))
        run = m.group()
        if len(run) == 1:
            tokens.append((run, True))
        else:
            tokens.extend((run[i : i + 2], False) for i in range(len(run) - 1))
        pos = m.end()
    tokens.extend((t.lower(), False) for t in _TOKEN_CHARS.findall(piece[pos:]))
    if len(tokens) == 1:
        return [[tokens[0][0]]]
    phrases: list[list[str]] = []
    current: list[str] = []
    for token, lone in tokens:
        if lone:
            if current:
                phrases.append(current)
                current = []
            phrases.append([token])
        else:
            current.append(token)
    if current:
        phrases.append(current)
    return phrases


def _quote(token: str) -> str:
    return '"' + token.replace('"', '""') + '"'


def parse_query(text: str, *, exact: bool = False) -> Query:
    """Turn what the user typed into a safe FTS5 expression.

    Whitespace separates terms, which must all match (AND). Text inside double
    quotes is one phrase. A Latin term followed by ``*`` is a prefix search.
    A lone CJK character is one token (the index's tail of characters), and
    apart from the rest of its term ("Python中" is "python" AND "中").

    The text is folded (width, script) to match the index; a term of Latin
    letters alone also matches titles by their pinyin (``Query.pinyin``).
    With ``exact`` the terms to highlight stay as typed and no pinyin is
    tried (the caller keeps only hits holding the terms as written).
    """
    terms: list[str] = []
    parts: list[str] = []
    pinyin_keys_: list[str | None] = []
    typed = text
    text = fold(text)
    typed_terms = [
        m.group(1) if m.group(1) is not None else m.group(2)
        for m in re.finditer(r'"([^"]*)"|(\S+)', typed)
    ]
    for m in re.finditer(r'"([^"]*)"|(\S+)', text):
        raw = m.group(1) if m.group(1) is not None else m.group(2)
        prefix_latin = m.group(2) is not None and raw.endswith("*")
        phrases = _phrases_for_piece(raw)
        if not phrases:
            continue
        literal = raw.strip("*").strip()
        if literal:
            terms.append(literal)
        key = None
        if not exact and m.group(2) is not None:
            key = literal.lower() if is_pinyin_query(literal) else mixed_pinyin_key(literal)
        for i, phrase in enumerate(phrases):
            expr = _quote(" ".join(phrase))
            last = phrase[-1]
            if prefix_latin and i == len(phrases) - 1 and not CJK_RUN.search(last):
                expr += "*"
            parts.append(expr)
            pinyin_keys_.append(key)
    if exact:
        # folding never splits nor joins whitespace-separated terms
        terms = [t.strip("*").strip() for t in typed_terms if _TOKEN_CHARS.search(t)]
    return Query(
        match=" AND ".join(parts),
        terms=tuple(terms),
        parts=tuple(parts),
        pinyin=tuple(pinyin_keys_),
    )


# --- snippets ------------------------------------------------------------------


@dataclass(frozen=True)
class Snippet:
    """A window of the original text with the spans that matched."""

    text: str
    highlights: tuple[tuple[int, int], ...]  # (start, end) offsets into text


def _term_pattern(terms: tuple[str, ...]) -> re.Pattern[str] | None:
    alts = []
    for term in sorted(set(terms), key=len, reverse=True):
        words = [w for w in re.split(r"\s+", term) if w]
        if words:
            alts.append(r"\s+".join(re.escape(w) for w in words))
    if not alts:
        return None
    return re.compile("|".join(alts), re.IGNORECASE)


def find_spans(
    text: str | None, terms: tuple[str, ...], *, exact: bool = False
) -> list[tuple[int, int]]:
    """(start, end) offsets in ``text`` as written of every match of the
    (folded, see ``parse_query``) terms, matched in the folded text unless
    ``exact``: ``鳳凰單叢`` is found by ``凤凰单丛``, ``Ｐｙｔｈｏｎ`` by ``python``."""
    pattern = _term_pattern(terms)
    if not text or pattern is None:
        return []
    folded = text if exact else fold_aligned(text)
    if folded is None:  # a phrase conversion changed the length: match as written
        folded = text
    return [(m.start(), m.end()) for m in pattern.finditer(folded)]


def make_snippet(
    text: str | None, terms: tuple[str, ...], width: int = 120, *, exact: bool = False
) -> Snippet:
    """About ``width`` characters of ``text`` (as written) around the first
    match, one line. Terms are found in the folded text (see ``parse_query``),
    unless ``exact``; the offsets are the original text's."""
    text = text or ""
    pattern = _term_pattern(terms)
    folded = text if exact else fold_aligned(text)
    if folded is None:  # a phrase conversion changed the length: match as written
        folded, pattern = text, _term_pattern(tuple(terms))
    first = pattern.search(folded) if pattern else None
    if first is None:
        start = 0
    else:
        start = max(0, first.start() - width // 3)
        # start on a word boundary where one is near
        space = text.rfind(" ", max(0, start - 15), start)
        if space != -1:
            start = space + 1
    end = min(len(text), start + width)
    window = text[start:end]
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(text) else ""
    flat = re.sub(r"\s", " ", window)  # same length: offsets stay valid
    shown = prefix + flat + suffix
    spans: list[tuple[int, int]] = []
    if pattern:
        off = len(prefix)
        matched = re.sub(r"\s", " ", folded[start:end])
        spans = [(m.start() + off, m.end() + off) for m in pattern.finditer(matched)]
    return Snippet(text=shown, highlights=tuple(spans))


def register_functions(conn: sqlite3.Connection) -> None:
    """The SQL functions search triggers and list filters call:
    ``ink_index_form(text)``, ``ink_pinyin_form(title)``,
    ``ink_title_form(title)`` (migrations 0004-0010) and
    ``ink_name_matches(name, typed)``."""
    conn.create_function("ink_index_form", 1, index_form, deterministic=True)
    conn.create_function("ink_pinyin_form", 1, pinyin_form, deterministic=True)
    conn.create_function("ink_title_form", 1, title_form, deterministic=True)
    conn.create_function("ink_name_matches", 2, sql_name_matches, deterministic=True)
