"""A deterministic corpus shaped like a writer's database: 70% English, 30%
Chinese, word frequencies following Zipf's law (so common words appear in
most documents, the hard case for ranked search), built through storage's
own bulk path.

Text is cut from two long pre-drawn word streams (one English, one Chinese)
at random offsets, so making a document costs a slice and a join instead of
a weighted random draw per word: 100k articles take about a second.
"""

from __future__ import annotations

import random
import sqlite3
from collections.abc import Iterator
from itertools import accumulate
from pathlib import Path

from inkbench.storage import bulk
from inkbench.storage.models import db_time, utcnow

EN_WORDS = (
    "the of and to in is that for it as was with be by on not he this are or his "
    "from at which but have an they you were her she there one all we their can has "
    "been if more when will would who so no writing story chapter novel author "
    "reader editor draft publish market product content search engine garden river "
    "mountain coffee morning letter window winter summer city village teacher "
    "student history science design python database terminal keyboard notebook "
    "language culture travel kitchen recipe music painting camera photo album memory "
    "quiet bright ancient modern simple careful evening journey harbor lantern "
    "meadow orchard pepper silver thunder velvet whisper "
).split()
ZH_WORDS = (
    "的 是 在 了 和 有 我们 他们 这个 一个 中国 文章 写作 作者 读者 编辑 出版 市场 产品 内容 搜索 引擎 花园 河流 山脉 咖啡 早晨 信件 "
    "窗户 冬天 夏天 城市 村庄 老师 学生 历史 科学 设计 数据 终端 键盘 笔记 语言 文化 旅行 厨房 菜谱 音乐 绘画 相机 照片 相册 记忆 安静 "
    "明亮 古老 现代 简单 仔细 傍晚 旅程 港口 灯笼 草地 果园 胡椒 银色 雷声 天鹅绒 低语 小说 章节 故事 人工智能 知识库 关键词 转化率 用户 "
    "体验 方法 问题 答案 研究 发展 经济 社会 生活 工作 时间 "
).split()
RARE_EN = "quasar zephyr obsidian marzipan fjord".split()
RARE_ZH = "麒麟 琵琶 饕餮 琥珀 鸳鸯".split()
RARE_RATE = 0.02  # share of documents holding one rare word
# Chinese writing about software mentions English names: about one word in 50,
# a fifth of them typed full-width (as Chinese input methods do)
MIXED_EN = "Python AI SQLite API Markdown Ｐｙｔｈｏｎ ＳＱＬｉｔｅ".split()
# Chinese quoted from Taiwan and Hong Kong: this share of Chinese documents is
# written in traditional characters (OpenCC s2t of the generated text)
TRADITIONAL_RATE = 0.1

STREAM_WORDS = 400_000  # words per pre-drawn stream


def _zipf_weights(n: int) -> list[float]:
    return [1.0 / (rank + 1) for rank in range(n)]


class TextMaker:
    """Documents cut from pre-drawn Zipf word streams (deterministic per seed)."""

    def __init__(self, seed: int = 7) -> None:
        self.rng = random.Random(seed)
        # English: one string of space-separated words, with word start offsets
        words = self.rng.choices(EN_WORDS, _zipf_weights(len(EN_WORDS)), k=STREAM_WORDS)
        self.en = " ".join(words) + " "
        self.en_starts = [0, *accumulate(len(w) + 1 for w in words)]
        # Chinese: words written together, a comma after about one word in 12
        zh = self.rng.choices(ZH_WORDS, _zipf_weights(len(ZH_WORDS)), k=STREAM_WORDS)
        for i in range(0, STREAM_WORDS, 50):
            zh[i + self.rng.randrange(50)] = f" {self.rng.choice(MIXED_EN)} "
        commas = self.rng.choices((True, False), (0.08, 0.92), k=STREAM_WORDS)
        self.zh = "".join(w + "，" if c else w for w, c in zip(zh, commas, strict=True))

    def english(self, words: int) -> str:
        rng = self.rng
        i = rng.randrange(len(self.en_starts) - words - 1)
        text = self.en[self.en_starts[i] : self.en_starts[i + words] - 1]
        if rng.random() < RARE_RATE:
            cut = self.en.find(" ", self.en_starts[i] + rng.randrange(len(text) + 1))
            cut = len(text) if cut == -1 else min(len(text), cut - self.en_starts[i])
            text = f"{text[:cut]} {rng.choice(RARE_EN)}{text[cut:]}"
        return text + "."

    def chinese(self, chars: int) -> str:
        rng = self.rng
        i = rng.randrange(len(self.zh) - chars)
        text = self.zh[i : i + chars]
        if rng.random() < RARE_RATE:
            cut = rng.randrange(len(text) + 1)
            text = text[:cut] + rng.choice(RARE_ZH) + text[cut:]
        return text + "。"

    def doc(self, size: int) -> tuple[str, str]:
        """(title, body) of about ``size`` characters of English, or a third of
        that in Chinese (a Chinese character carries about 3 letters' worth)."""
        if self.rng.random() < 0.3:
            title, body = self.chinese(8), self.chinese(size // 3)
            if self.rng.random() < TRADITIONAL_RATE:
                title, body = _s2t(title), _s2t(body)
            return title, body
        return self.english(5), self.english(size // 6)


_S2T = None


def _s2t(text: str) -> str:
    global _S2T
    if _S2T is None:
        import opencc

        _S2T = opencc.OpenCC("s2t")
    return _S2T.convert(text)


SIZES = {"article": 100_000, "image": 100_000, "chapter": 20_000, "kb_chunk": 200_000}
DOC_SIZE = {"article": 1200, "image": 240, "chapter": 6000, "kb_chunk": 600}
CHUNKS_PER_DOCUMENT = 100


def article_rows(n: int, seed: int = 1) -> Iterator[tuple[str, str]]:
    maker = TextMaker(seed)
    for _ in range(n):
        yield maker.doc(DOC_SIZE["article"])


def chapter_rows(n: int, seed: int = 2) -> Iterator[tuple[str, str]]:
    maker = TextMaker(seed)
    for _ in range(n):
        yield maker.doc(DOC_SIZE["chapter"])


def chunk_rows(n: int, seed: int = 3) -> Iterator[tuple[str, str]]:
    maker = TextMaker(seed)
    for _ in range(n):
        yield maker.doc(DOC_SIZE["kb_chunk"])


def ocr_texts(n: int, seed: int = 4) -> Iterator[str]:
    maker = TextMaker(seed)
    for _ in range(n):
        yield maker.doc(DOC_SIZE["image"])[1]


def _one(conn: sqlite3.Connection, sql: str, params: tuple) -> int:
    conn.execute(sql, params)
    return conn.execute("SELECT last_insert_rowid()").fetchone()[0]


def make_parents(conn: sqlite3.Connection, chunk_documents: int) -> dict[str, object]:
    """The work, knowledge base + documents and album the corpus rows hang from."""
    now = db_time(utcnow())
    work = _one(
        conn,
        "INSERT INTO work (title, genre, status, word_goal, description, created_at, updated_at)"
        " VALUES ('长篇小说 The Long Novel', 'fiction', 'drafting', 2000000, '', ?, ?)",
        (now, now),
    )
    kb = _one(
        conn,
        "INSERT INTO knowledge_base (name, description, created_at, updated_at)"
        " VALUES ('bench kb', '', ?, ?)",
        (now, now),
    )
    docs = [
        _one(
            conn,
            "INSERT INTO kb_document (kb_id, title, source, format, text, char_count, created_at)"
            " VALUES (?, ?, '', 'text', '', 0, ?)",
            (kb, f"document {d}", now),
        )
        for d in range(chunk_documents)
    ]
    album = _one(
        conn,
        "INSERT INTO album (name, description, created_at, updated_at)"
        " VALUES ('bench album', '', ?, ?)",
        (now, now),
    )
    return {"work": work, "kb": kb, "documents": docs, "album": album, "now": now}


def insert_kind(conn: sqlite3.Connection, kind: str, n: int, parents: dict[str, object]) -> int:
    """Insert ``n`` rows of one kind through storage.bulk (caller's transaction)."""
    if kind == "article":
        return bulk.insert_articles(conn, article_rows(n), origin="imported")
    if kind == "chapter":
        return bulk.insert_chapters(conn, parents["work"], chapter_rows(n))
    if kind == "kb_chunk":
        rows = chunk_rows(n)
        total = 0
        for doc_id in parents["documents"]:
            want = min(CHUNKS_PER_DOCUMENT, n - total)
            if want <= 0:
                break
            total += bulk.insert_chunks(conn, doc_id, (next(rows) for _ in range(want)))
        return total
    if kind == "image":
        now = parents["now"]
        bulk.insert_rows(
            conn, "blob", ("sha256", "size", "created_at"), ((_sha(i), 1000, now) for i in range(n))
        )
        return bulk.insert_images(
            conn,
            parents["album"],
            ((_sha(i), f"IMG_{i:06d}.jpg", 1000, text) for i, text in enumerate(ocr_texts(n))),
            ocr_status="done",
        )
    raise ValueError(kind)


def _sha(i: int) -> str:
    return f"{i:064x}"


def chunk_documents(chunks: int) -> int:
    return max(1, -(-chunks // CHUNKS_PER_DOCUMENT))


def build(conn: sqlite3.Connection, **sizes: int) -> dict[str, int]:
    """Fill an (empty, migrated) database in the caller's transaction."""
    want = {**SIZES, **sizes}
    parents = make_parents(conn, chunk_documents(want["kb_chunk"]))
    return {kind: insert_kind(conn, kind, n, parents) for kind, n in want.items()}


def build_file(home: Path, **sizes: int) -> dict[str, int]:
    from inkbench.storage.engine import open_database

    db = open_database(home)
    with db.raw() as conn:
        counts = build(conn, **sizes)
    db.dispose()
    return counts
