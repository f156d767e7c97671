"""The mention matcher keeps exactly the matches the rule names: at each
place the longest name standing alone there (CJK anywhere, Latin names as
whole words), none starting inside another. Checked against a direct
reading of that rule (every occurrence of every name, found with
``str.find``) on many random bibles and texts made of few letters, so
overlapping names and Latin names inside longer words are everywhere."""

from __future__ import annotations

import random

from inkbench.storage.mentions import Found, Matcher

LETTERS = "aab 林晚晴AB1"


def _word_char(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def _rule(names: list[str], text: str) -> list[tuple[int, int, str]]:
    """The rule, read directly: (start, end, name) kept, in text order."""
    folded = text.casefold()
    owners: dict[str, str] = {}
    for name in names:
        owners.setdefault(name.strip().casefold(), name)
    every = []
    for pattern, name in owners.items():
        if not pattern:
            continue
        at = folded.find(pattern)
        while at >= 0:
            end = at + len(pattern)
            alone_before = not (_word_char(pattern[0]) and at > 0 and _word_char(folded[at - 1]))
            alone_after = not (
                _word_char(pattern[-1]) and end < len(folded) and _word_char(folded[end])
            )
            if alone_before and alone_after:
                every.append((at, -len(pattern), name))
            at = folded.find(pattern, at + 1)
    kept, taken = [], 0
    for start, neg_length, name in sorted(every):
        if start >= taken:
            taken = start - neg_length
            kept.append((start, taken, name))
    return kept


def test_random_bibles_and_texts_match_the_rule() -> None:
    rng = random.Random(2026)
    for _ in range(3000):
        names = list(
            dict.fromkeys(
                "".join(rng.choices(LETTERS, k=rng.randint(1, 5))) for _ in range(rng.randint(1, 8))
            )
        )
        names = [n for n in names if n.strip()]
        text = "".join(rng.choices(LETTERS, k=rng.randint(0, 120)))
        m = Matcher([(name, ("character", i)) for i, name in enumerate(names)])
        # the first owner of a name equal under case folding keeps it
        owner = {}
        for i, name in enumerate(names):
            owner.setdefault(name.strip().casefold(), i)
        expected = [
            (start, end, ("character", owner[name.strip().casefold()]))
            for start, end, name in _rule(names, text)
        ]
        assert m.spans(text) == expected, (names, text)
        counts: dict = {}
        for start, _end, key in expected:
            count, first = counts.get(key, (0, start))
            counts[key] = (count + 1, first)
        assert m.find(text) == {k: Found(c, f) for k, (c, f) in counts.items()}, (names, text)


def test_a_long_text_with_rejections_everywhere_matches_the_rule() -> None:
    # Latin names inside longer words far apart, so the matcher redoes the
    # text piece by piece and comes back in step with its first pass each time
    rng = random.Random(7)
    names = ["Ann", "Anna Lee", "Lee", "林晚", "林晚晴", "晚晴", "Lin", "Lin Wan"]
    words = ["Annual", "Anna Leeward", "Lin Wanda", "Ann", "Lee", "林晚晴天", "林晚", "Linda"]
    text = " ".join(
        rng.choice(words) + "".join(rng.choices("，。的了他她", k=rng.randint(0, 600)))
        for _ in range(400)
    )
    m = Matcher([(name, ("character", i)) for i, name in enumerate(names)])
    expected = [(s, e, ("character", names.index(n))) for s, e, n in _rule(names, text)]
    assert m.spans(text) == expected
    assert sum(f.count for f in m.find(text).values()) == len(expected)
