"""How Chinese is written, folded to one form for matching.

- Width: NFKC turns full-width letters, digits and punctuation and the
  ideographic space (what Chinese input methods type) into their normal forms.
- Script: OpenCC's ``t2s`` conversion, with its phrase tables, folds
  traditional characters to simplified. It costs ~20 µs a call and more per
  character, so a text is converted only when one of its distinct characters
  is one OpenCC changes; which characters those are is learnt from OpenCC
  itself, one batch of new characters at a time, and remembered.
- Pinyin (pypinyin): ``pinyin_keys`` gives a name's full pinyin and initials
  (``fenghuangdancong``, ``fhdc``), for titles and names only, never bodies.

Where ``opencc`` cannot be installed, script folding is skipped (width
folding and pinyin still work); nothing is hand-written in its place.

Folding keeps the text as written elsewhere: only the index and the matching
use it, results show the original.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache


class _LazyT2S:
    """OpenCC's t2s converter, loaded on first use (start-up does not pay for
    it); None-like (false) where ``opencc`` cannot be installed."""

    def __init__(self) -> None:
        self._converter = None
        self._missing = False

    def __bool__(self) -> bool:
        return self._load() is not None

    def _load(self):
        if self._converter is None and not self._missing:
            try:  # the wheels carry the dictionaries; without them only t2s is lost
                import opencc

                self._converter = opencc.OpenCC("t2s")
            except (ImportError, OSError, RuntimeError):  # pragma: no cover - platform
                self._missing = True
        return self._converter

    def convert(self, text: str) -> str:
        return self._load().convert(text)


_T2S = _LazyT2S()

HAN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")
_HAN_RUN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]+")

# characters OpenCC's t2s leaves alone / changes, learnt as texts arrive
_SAME: set[str] = set()
_CHANGED: set[str] = set()


def script_folding_available() -> bool:
    """True when OpenCC is installed (traditional/simplified folding works)."""
    return bool(_T2S)


def _learn(chars: set[str]) -> None:
    """Sort the characters not seen before into _SAME and _CHANGED (non-Han
    ones are _SAME without asking OpenCC)."""
    unseen = chars - _SAME - _CHANGED
    han = set(HAN.findall("".join(unseen)))
    _SAME.update(unseen - han)
    new = list(han)
    if not new:
        return
    # one call for the batch; newlines keep phrases from forming across characters
    converted = _T2S.convert("\n".join(new)).split("\n")
    if len(converted) != len(new):  # pragma: no cover - OpenCC kept one line per line so far
        converted = [_T2S.convert(c) for c in new]
    for char, out in zip(new, converted, strict=True):
        (_SAME if out == char else _CHANGED).add(char)


def fold_script(text: str, chars: set[str] | None = None) -> str:
    """``text`` with traditional characters as simplified (OpenCC t2s), or
    ``text`` itself when it holds none or OpenCC is missing. ``chars``: the
    set of its characters, when the caller has it already."""
    if not text or text.isascii() or not _T2S:
        return text
    if chars is None:
        chars = set(text)
    if _CHANGED.isdisjoint(chars):
        if chars <= _SAME:  # every character seen before, none changes: C-speed
            return text
        _learn(chars)
        if _CHANGED.isdisjoint(chars):
            return text
    return _T2S.convert(text)


_NFKC_CHANGES: re.Pattern[str] | None = None


def _nfkc_changes() -> re.Pattern[str]:
    """Runs of the characters NFKC changes, from ``unicodedata`` itself (the
    BMP and the CJK compatibility supplement; ~5k characters, built once)."""
    global _NFKC_CHANGES
    if _NFKC_CHANGES is None:
        spans: list[list[int]] = []
        for cp in [*range(0x80, 0x10000), *range(0x2F800, 0x2FA20)]:
            if 0xD800 <= cp < 0xE000:
                continue
            char = chr(cp)
            if unicodedata.normalize("NFKC", char) != char:
                if spans and spans[-1][1] == cp - 1:
                    spans[-1][1] = cp
                else:
                    spans.append([cp, cp])
        ranges = "".join(f"{re.escape(chr(a))}-{re.escape(chr(b))}" for a, b in spans)
        _NFKC_CHANGES = re.compile(f"[{ranges}]+")
    return _NFKC_CHANGES


def _nfkc(m: re.Match[str]) -> str:
    return unicodedata.normalize("NFKC", m.group())


def fold_width(text: str) -> str:
    """NFKC: full-width forms and ideographic spaces to their normal forms.
    Only the runs NFKC changes are normalised (Chinese prose is full of
    full-width commas; normalising whole documents costs 3x more)."""
    if text.isascii() or unicodedata.is_normalized("NFKC", text):
        return text
    return _nfkc_changes().sub(_nfkc, text)


def fold(text: str | None) -> str:
    """Width and script folded: the form the index and queries match in."""
    if not text:
        return ""
    return fold_script(fold_width(text))


# --- folding that keeps every character's offset (for highlighting) ----------


@lru_cache(maxsize=4096)
def _char_fold(char: str) -> str:
    out = fold(char)
    return out if len(out) == 1 else char


def _aligned_run(m: re.Match[str]) -> str:
    return "".join(map(_char_fold, m.group()))


def fold_aligned(text: str) -> str | None:
    """``text`` folded character for character, so offsets into the result are
    offsets into ``text``; None when a phrase conversion changed the length."""
    if not text or text.isascii():
        return text
    if not unicodedata.is_normalized("NFKC", text):
        text = _nfkc_changes().sub(_aligned_run, text)
    out = fold_script(text)
    return out if len(out) == len(text) else None


_WIDTH_TABLE: dict[str, str] | None = None
_NAME_FOLDS: re.Pattern[str] | None = None


def _width_table() -> dict[str, str]:
    """Each character whose NFKC form is one letter, digit or space
    (full-width letters and digits, the ideographic space, compatibility
    ideographs, circled digits …) to that character. Built once."""
    global _WIDTH_TABLE
    if _WIDTH_TABLE is None:
        table: dict[str, str] = {}
        for cp in [*range(0x80, 0x10000), *range(0x2F800, 0x2FA20)]:
            if 0xD800 <= cp < 0xE000:
                continue
            out = unicodedata.normalize("NFKC", chr(cp))
            if len(out) == 1 and out != chr(cp) and (out.isalnum() or out.isspace()):
                table[chr(cp)] = out
        _WIDTH_TABLE = table
    return _WIDTH_TABLE


def _name_folds() -> re.Pattern[str]:
    """A character ``fold_same_length`` may change: one of the width table's
    in the BMP, a BMP Han character OpenCC's t2s changes (OpenCC is asked
    once, for all of them, in one call), or any character beyond the BMP
    (rare; those go the slow way). One class of BMP characters compiles to a
    bitmap, so a search over a 200,000-character chapter costs ~2 ms."""
    global _NAME_FOLDS
    if _NAME_FOLDS is None:
        chars = {c for c in _width_table() if ord(c) < 0x10000}
        if _T2S:
            han = [chr(cp) for a, b in ((0x3400, 0x4DC0), (0x4E00, 0xA000)) for cp in range(a, b)]
            out = _T2S.convert("\n".join(han)).split("\n")
            if len(out) == len(han):
                chars.update(c for c, o in zip(han, out, strict=True) if c != o)
            else:  # pragma: no cover - OpenCC kept one line per line so far
                chars.update(han)
        cls = "".join(re.escape(c) for c in sorted(chars))
        _NAME_FOLDS = re.compile(f"[{cls}\U00010000-\U0010ffff]")
    return _NAME_FOLDS


def fold_same_length(text: str) -> str:
    """``text`` folded where it can spell a name (letters, digits, spaces,
    Han characters) without changing its length, so every position in the
    result is the same position in ``text``: for matching the story bible's
    names in a chapter and reporting where they stand.

    Width: each character whose NFKC form is one letter, digit or space is
    replaced by it (one ``str.replace`` per distinct such character, in C);
    punctuation and symbols stay as written (names are matched by their
    letters), as do the few characters NFKC expands (ligatures, ``㈱``).
    Script: OpenCC t2s with its phrase tables over the whole text; in the
    rare case a phrase conversion changes the length, each character is
    converted on its own. A text with nothing to fold (most simplified
    prose) is known so by one regex search and returned as it is."""
    if not text or text.isascii() or _name_folds().search(text) is None:
        return text
    distinct = set(text)
    table = _width_table()
    changed = [c for c in distinct if c in table]
    for char in changed:
        text = text.replace(char, table[char])
    if changed:
        distinct = {table.get(c, c) for c in distinct}
    out = fold_script(text, distinct)
    if len(out) != len(text):
        out = "".join(map(_char_script, text))
    return out


_CHAR_VARIANTS: dict[str, str] | None = None


def char_variants(char: str) -> str:
    """``char`` and every character that folds to it on its own: full-width
    forms (``ｐ`` for ``p``) and traditional characters OpenCC's t2s turns
    into it without its phrase tables (``國`` for ``国``). For counting a
    folded term in text as written (a regex class per character, in C),
    never for the index. The table is built once, in one OpenCC call."""
    global _CHAR_VARIANTS
    if _CHAR_VARIANTS is None:
        pairs = list(_width_table().items())
        if _T2S:
            han = [chr(cp) for a, b in ((0x3400, 0x4DC0), (0x4E00, 0xA000)) for cp in range(a, b)]
            out = _T2S.convert("\n".join(han)).split("\n")
            if len(out) == len(han):
                pairs += [(c, o) for c, o in zip(han, out, strict=True) if c != o and len(o) == 1]
        variants: dict[str, str] = {}
        for written, folded in pairs:
            variants[folded] = variants.get(folded, "") + written
        _CHAR_VARIANTS = variants
    return char + _CHAR_VARIANTS.get(char, "")


@lru_cache(maxsize=65536)
def _char_script(char: str) -> str:
    out = fold_script(char)
    return out if len(out) == 1 else char


# --- pinyin -------------------------------------------------------------------

PINYIN_MAX_CHARS = 12  # per key: names, not sentences
PINYIN_MAX_STARTS = 16  # keys start at each of a title's first 16 Han characters


def _no_reading(chars: str) -> list[str]:
    return ["" for _ in chars]


@lru_cache(maxsize=65536)
def _word_syllables(word: str) -> tuple[str, ...]:
    from pypinyin import lazy_pinyin

    full = lazy_pinyin(word, errors=_no_reading)
    if len(full) != len(word):  # pragma: no cover - pypinyin kept one per character so far
        full = [(lazy_pinyin(c, errors=_no_reading) or [""])[0] for c in word]
    return tuple(full)


_SEGMENTER = None


@lru_cache(maxsize=65536)
def _syllables(run: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """One syllable per character ("" where pypinyin has no reading), so keys
    can start at any character; initials are the syllables' first letters.
    pypinyin's own segmentation picks each word's reading (重庆 chongqing);
    each word's pinyin is cached, since converting costs far more than
    segmenting and words repeat."""
    global _SEGMENTER
    if _SEGMENTER is None:
        from pypinyin.core import Pinyin

        _SEGMENTER = Pinyin()
    full: list[str] = []
    for word in _SEGMENTER.seg(run):
        full.extend(_word_syllables(word))
    if len(full) != len(run):  # pragma: no cover - segments always covered the run so far
        full = [_word_syllables(c)[0] if _word_syllables(c) else "" for c in run]
    return tuple(full), tuple(s[:1] for s in full)


def pinyin_keys(name: str | None) -> list[str]:
    """Full pinyin and initials of each run of Han characters in ``name``
    (folded first), from each of its characters onward, so a name is found
    by the pinyin of any part of it typed from its start:
    ``凤凰单丛`` -> ``fenghuangdancong``, ``fhdc``, ``huangdancong``, ``hdc`` …"""
    if not name:
        return []
    keys: list[str] = []
    starts = 0
    for m in _HAN_RUN.finditer(fold(name)):
        run = m.group()
        full, initials = _syllables(run)
        for i in range(len(run)):
            if starts >= PINYIN_MAX_STARTS:
                return keys
            starts += 1
            end = i + PINYIN_MAX_CHARS
            for parts in (full, initials):
                key = "".join(parts[i:end]).lower()
                if key.isascii() and key.isalpha() and key not in keys:
                    keys.append(key)
    return keys


def is_pinyin_query(term: str) -> bool:
    """A term that may be pinyin: two or more ASCII letters and nothing else."""
    return len(term) >= 2 and term.isascii() and term.isalpha()


def mixed_pinyin_key(term: str) -> str | None:
    """For a (folded) term of Han characters then ASCII letters, as typed
    when the input method's last syllables were not converted
    (``凤凰dancong``): the Han part's full pinyin and then the letters
    (``fenghuangdancong``), the start of a title's pinyin it may mean.
    None for any other term, or Han characters without a reading."""
    m = _HAN_RUN.match(term)
    if m is None or m.end() == len(term):
        return None
    letters = term[m.end() :]
    if not (letters.isascii() and letters.isalpha()):
        return None
    full, _initials = _syllables(m.group())
    if not all(full):
        return None
    return ("".join(full) + letters).lower()


# --- names matched against text (list filters) -------------------------------


@lru_cache(maxsize=200_000)
def _folded_name(name: str) -> str:
    return fold(name).casefold()


@lru_cache(maxsize=200_000)
def _name_keys(name: str) -> str:
    """The name's pinyin keys, each after a newline: a key starting with
    ``p`` is one substring test for ``"\\n" + p`` (in C)."""
    return "".join("\n" + key for key in pinyin_keys(name))


@lru_cache(maxsize=256)
def _needle(text: str) -> tuple[str, str | None]:
    folded = fold(text).strip().casefold()
    compact = folded.replace(" ", "")
    return folded, compact if is_pinyin_query(compact) else mixed_pinyin_key(compact)


def name_matches(name: str | None, text: str) -> bool:
    """Whether what the user typed (``text``) finds ``name``: contained in it
    once both are folded (width, script, case), or the start of the pinyin of
    a part of it."""
    if not text:
        return True
    if not name:
        return False
    needle, pinyin = _needle(text)
    if needle in _folded_name(name):
        return True
    # pinyin only for a letters-only needle and a name with Han characters
    if pinyin is None or name.isascii():
        return False
    return "\n" + pinyin in _name_keys(name)


def sql_name_matches(name: object, text: object) -> int:
    """``ink_name_matches(name, typed)`` in SQL: 1 when the typed text finds the name."""
    return int(name_matches(name if isinstance(name, str) else None, str(text or "")))


_LIKE_FILTER = re.compile(r"^\s*(?P<expr>.+?)\s+LIKE\s+\?\s+ESCAPE\s+'\\'\s*$", re.I | re.S)


def list_filter(filter_sql: str, text: str) -> tuple[str, tuple]:
    """A list filter's WHERE clause and parameters for what the user typed.

    ``filter_sql`` is the list's ``<column> LIKE ? ESCAPE '\\'``; a name
    matches as ``name_matches`` says (folded width, script, case, and pinyin).
    In SQL: the LIKE with the folded text finds names as written, and only
    names holding a non-ASCII character (the ones folding or pinyin can
    change) are passed to ``ink_name_matches``, so a filter over 100k mostly
    English titles does not call Python for each. Any other clause keeps its
    LIKE pattern."""
    m = _LIKE_FILTER.match(filter_sql)
    folded = fold(text).strip() if m else text
    escaped = folded.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    if not m:
        return filter_sql, (f"%{escaped}%",)
    col = m.group("expr")
    clause = f"({col} LIKE ? ESCAPE '\\' OR ({col} GLOB '*[^ -~]*' AND ink_name_matches({col}, ?)))"
    return clause, (f"%{escaped}%", text)
