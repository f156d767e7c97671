"""Text rules shared by storage: word counts and the search index's token form.

Word counts: every CJK character is one word (punctuation excluded), and Latin
text counts whitespace-separated words, so Chinese prose gets a real count.

Search: SQLite's unicode61 tokenizer treats a run of Chinese characters as one
long token, so a word inside it can never be found. Before text reaches FTS5
each CJK run is rewritten as overlapping bigrams followed by its last
character ("中文搜索" -> "中文 文搜 搜索 索"). Every character then starts exactly
one token, so:

- a 1-character term is a prefix query (``"中"*``),
- a 2-character term is one token (``"中文"``),
- a longer term is a phrase of its bigrams (``"中文 文搜 搜索"``).

Latin text passes through unchanged for unicode61 to fold and split.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

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


def word_count(text: str | None) -> int:
    """CJK characters one each; other words split by whitespace (and by CJK runs)."""
    if not text:
        return 0
    cjk = len(_CJK_CHAR.findall(text))
    latin = sum(1 for w in _LATIN_WORD.findall(text) if _HAS_ALNUM.search(w))
    return cjk + latin


def _bigrams(run: str) -> str:
    if len(run) == 1:
        return run
    grams = [run[i : i + 2] for i in range(len(run) - 1)]
    grams.append(run[-1])
    return " ".join(grams)


def index_form(text: str | None) -> str:
    """The form of ``text`` stored in the FTS5 tables (see module docstring)."""
    if not text:
        return ""
    return CJK_RUN.sub(lambda m: f" {_bigrams(m.group())} ", text)


# --- queries -----------------------------------------------------------------

# Anything FTS5 would treat as syntax is dropped from a term: the user types
# words, never FTS5 expressions, so `"`, `(`, `*`, `:`, `^`, AND/OR/NOT/NEAR
# all search as plain text (or not at all), and nothing the user types can
# raise `fts5: syntax error`.
_TOKEN_CHARS = re.compile(r"\w+")


@dataclass(frozen=True)
class Query:
    """A parsed user query: an FTS5 MATCH expression and the literal terms."""

    match: str  # FTS5 expression, "" when nothing searchable was typed
    terms: tuple[str, ...]  # what to highlight in the original text


def _phrase_for_piece(piece: str) -> list[str]:
    """FTS5 tokens (index form) for one user word, CJK-aware."""
    out: list[str] = []
    pos = 0
    for m in CJK_RUN.finditer(piece):
        out.extend(t.lower() for t in _TOKEN_CHARS.findall(piece[pos : m.start()]))
        run = m.group()
        if len(run) == 1:
            out.append(run)
        else:
            out.extend(run[i : i + 2] for i in range(len(run) - 1))
            # the index follows every run with its last character; a phrase
            # that goes on past the run must step over that token too
            if _TOKEN_CHARS.search(piece[m.end() :]):
                out.append(run[-1])
        pos = m.end()
    out.extend(t.lower() for t in _TOKEN_CHARS.findall(piece[pos:]))
    return out


def _quote(token: str) -> str:
    return '"' + token.replace('"', '""') + '"'


def parse_query(text: str) -> Query:
    """Turn what the user typed into a safe FTS5 expression.

    Whitespace separates terms, which must all match (AND). Text inside double
    quotes is one phrase. A term ending in a single CJK character, or a Latin
    term followed by ``*``, is a prefix search.
    """
    terms: list[str] = []
    parts: list[str] = []
    for m in re.finditer(r'"([^"]*)"|(\S+)', text):
        raw = m.group(1) if m.group(1) is not None else m.group(2)
        prefix_latin = m.group(2) is not None and raw.endswith("*")
        tokens = _phrase_for_piece(raw)
        if not tokens:
            continue
        literal = raw.strip("*").strip()
        if literal:
            terms.append(literal)
        last = tokens[-1]
        single_cjk_tail = len(last) == 1 and CJK_RUN.fullmatch(last) is not None
        phrase = " ".join(tokens)
        expr = _quote(phrase)
        if single_cjk_tail or prefix_latin:
            expr += "*"
        parts.append(expr)
    return Query(match=" AND ".join(parts), terms=tuple(terms))


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


def make_snippet(text: str | None, terms: tuple[str, ...], width: int = 120) -> Snippet:
    """About ``width`` characters of ``text`` around the first match, one line."""
    text = text or ""
    pattern = _term_pattern(terms)
    first = pattern.search(text) if pattern else None
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
        spans = [(m.start() + off, m.end() + off) for m in pattern.finditer(flat)]
    return Snippet(text=shown, highlights=tuple(spans))
