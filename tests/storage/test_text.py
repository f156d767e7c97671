from inkbench.storage.text import index_form, make_snippet, parse_query, word_count


def test_word_count_counts_cjk_per_character_and_latin_by_whitespace() -> None:
    assert word_count("这是一个故事。") == 6  # punctuation excluded
    assert word_count("Hello brave new world") == 4
    assert word_count("用Python写作 is fun！") == 1 + 1 + 2 + 2
    assert word_count("") == 0
    assert word_count(" -- … ") == 0
    assert word_count("--ab--cd x_y 2024") == 3  # a run counts once if it holds a letter/digit
    assert word_count("中文，好。A.B") == 3 + 1
    assert word_count("[b]x[/b] [/ [0]") == 2


def test_index_form_bigrams_every_cjk_run_then_lists_its_characters() -> None:
    assert index_form("中文搜索").split() == ["中文", "文搜", "搜索", "中", "搜", "文", "索"]
    assert index_form("A中B").split() == ["A", "中", "B", "中"]
    assert index_form("文 文").split() == ["文", "文", "文"]  # each character once in the tail
    assert index_form("plain English") == "plain English"
    assert index_form("") == index_form(None) == ""


def test_parse_query_shapes() -> None:
    assert parse_query("中").match == '"中"'
    assert parse_query("中*").match == '"中"'  # no prefix scan over every 中x bigram
    assert parse_query("Python中").match == '"python" AND "中"'
    assert parse_query("中文").match == '"中文"'
    assert parse_query("中文搜索").match == '"中文 文搜 搜索"'
    assert parse_query("Python教程").match == '"python 教程"'
    assert parse_query("中文A").match == '"中文 a"'
    assert parse_query("文A").match == '"文" AND "a"'
    assert parse_query('"春天 的 故事"').match == '"春天" AND "的" AND "故事"'
    assert parse_query('"中文 mixed"').match == '"中文 mixed"'
    # a Latin-letters term also matches titles by pinyin (their pinyin tables)
    q = parse_query("the 中 cat")
    assert q.match == '"the" AND "中" AND "cat"'
    assert q.parts == ('"the"', '"中"', '"cat"') and q.pinyin == ("the", None, "cat")
    assert q.without({0, 2}) == '"中"'
    assert parse_query("the cat", exact=True).pinyin == (None, None)
    assert parse_query("a").pinyin == (None,)  # one letter: no pinyin prefix scan
    assert parse_query('"the cat"').match == '"the cat"'


def test_snippet_highlights_offsets_in_original_text() -> None:
    s = make_snippet("前言。这是一个关于春天的故事。", ("春天",), width=40)
    ((start, end),) = s.highlights
    assert s.text[start:end] == "春天"


def test_parse_query_latin_prefix_and_syntax_characters() -> None:
    assert parse_query("gard*").match == '"gard"*'
    assert parse_query("gard*").pinyin == ("gard",)
    assert parse_query("gard*", exact=True).match == '"gard"*'
    assert parse_query("* ( ) :").match == ""
