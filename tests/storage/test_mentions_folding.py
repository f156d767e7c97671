"""The story bible's mentions find names however the text writes them:
traditional or simplified, full-width or normal Latin; positions point into
the text as written."""

from __future__ import annotations

from inkbench.storage.fold import fold_same_length
from inkbench.storage.mentions import Matcher

CHEN = ("character", 1)
LIN = ("character", 2)
CITY = ("world_entry", 3)


def test_traditional_text_finds_simplified_names_and_back() -> None:
    m = Matcher([("沈梦", CHEN), ("长安城", CITY)])
    text = "那天，沈夢走進了長安城。沈梦笑了。"
    found = m.find(text)
    assert found[CHEN].count == 2
    assert text[found[CHEN].first_position : found[CHEN].first_position + 2] == "沈夢"
    assert text[found[CITY].first_position : found[CITY].first_position + 3] == "長安城"
    # a name written in traditional finds simplified text too
    assert Matcher([("沈夢", CHEN)]).find("沈梦来了")[CHEN].count == 1


def test_full_width_latin_names_and_text() -> None:
    m = Matcher([("Lin", LIN)])
    text = "“Ｌｉｎ，”她说，“lin？ Linda 不是 Ｌｉｎｄａ。”"
    found = m.find(text)
    assert found[LIN].count == 2  # Ｌｉｎ and lin; never inside Linda or Ｌｉｎｄａ
    start = found[LIN].first_position
    assert text[start : start + 3] == "Ｌｉｎ"
    assert Matcher([("Ｌｉｎ", LIN)]).find("Lin came")[LIN].count == 1


def test_positions_survive_characters_nfkc_would_expand() -> None:
    # ㈱ and ﬁ expand under NFKC; they stay as written so later offsets hold
    text = "㈱ﬁ㍿ 沈夢"
    assert len(fold_same_length(text)) == len(text)
    found = Matcher([("沈梦", CHEN)]).find(text)
    assert text[found[CHEN].first_position :].startswith("沈夢")


def test_same_length_folding() -> None:
    # letters, digits, spaces and Han characters fold; punctuation stays
    assert fold_same_length("Ｐｙｔｈｏｎ　鳳凰單叢，３") == "Python 凤凰单丛，3"
    simplified = "雾从海面上涌进来，她没有回答。"
    assert fold_same_length(simplified) is simplified
    assert fold_same_length("plain ascii") == "plain ascii"
    assert fold_same_length("") == ""
    rare = "𠀀𪚥"  # extension characters without a conversion stay
    assert fold_same_length(rare) == rare
