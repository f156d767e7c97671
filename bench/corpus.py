"""A deterministic corpus shaped like a writer's database: 70% English, 30%
Chinese, word frequencies following Zipf's law (so common words appear in
most documents, the hard case for ranked search), built through storage's
own bulk path."""

from __future__ import annotations

import random
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from storage import bulk
from storage.models import db_time, utcnow

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
RARE_EN = ("quasar zephyr obsidian marzipan fjord ").split()
RARE_ZH = ("麒麟 琵琶 饕餮 琥珀 鸳鸯 ").split()


def _zipf_weights(n: int) -> list[float]:
    return [1.0 / (rank + 1) for rank in range(n)]


class TextMaker:
    def __init__(self, seed: int = 7) -> None:
        self.rng = random.Random(seed)
        self.en_w = _zipf_weights(len(EN_WORDS))
        self.zh_w = _zipf_weights(len(ZH_WORDS))

    def english(self, words: int) -> str:
        picked = self.rng.choices(EN_WORDS, self.en_w, k=words)
        if self.rng.random() < 0.02:
            picked[self.rng.randrange(words)] = self.rng.choice(RARE_EN)
        return " ".join(picked) + "."

    def chinese(self, chars: int) -> str:
        out: list[str] = []
        n = 0
        while n < chars:
            w = self.rng.choices(ZH_WORDS, self.zh_w)[0]
            out.append(w)
            n += len(w)
            if self.rng.random() < 0.08:
                out.append("，")
        if self.rng.random() < 0.02:
            out.insert(self.rng.randrange(len(out)), self.rng.choice(RARE_ZH))
        return "".join(out) + "。"

    def doc(self, size: int) -> tuple[str, str]:
        if self.rng.random() < 0.3:
            return self.chinese(8), self.chinese(size // 3)
        return self.english(5), self.english(size // 6)


def article_rows(n: int, size: int = 1200, seed: int = 1) -> Iterator[tuple[str, str]]:
    maker = TextMaker(seed)
    for _ in range(n):
        yield maker.doc(size)


def build(
    conn: sqlite3.Connection,
    *,
    articles: int = 100_000,
    images: int = 100_000,
    chapters: int = 20_000,
    chunks: int = 200_000,
) -> dict[str, int]:
    """Fill an (empty, migrated) database in the caller's transaction."""
    counts = {"article": bulk.insert_articles(conn, article_rows(articles), origin="imported")}
    now = db_time(utcnow())
    maker = TextMaker(3)

    conn.execute(
        "INSERT INTO work (title, genre, status, word_goal, description, created_at, updated_at)"
        " VALUES ('长篇小说 The Long Novel', 'fiction', 'drafting', 2000000, '', ?, ?)",
        (now, now),
    )
    work_id = conn.execute("SELECT last_insert_rowid()").fetchone()[0]
    counts["chapter"] = bulk.insert_chapters(
        conn, work_id, (maker.doc(6000) for _ in range(chapters))
    )

    conn.execute(
        "INSERT INTO knowledge_base (name, description, created_at, updated_at)"
        " VALUES ('bench kb', '', ?, ?)",
        (now, now),
    )
    kb_id = conn.execute("SELECT last_insert_rowid()").fetchone()[0]
    per_doc = 100
    n_docs = max(1, chunks // per_doc)
    counts["kb_chunk"] = 0
    for d in range(n_docs):
        conn.execute(
            "INSERT INTO kb_document (kb_id, title, source, format, text, char_count, created_at)"
            " VALUES (?, ?, '', 'text', '', 0, ?)",
            (kb_id, f"document {d}", now),
        )
        doc_id = conn.execute("SELECT last_insert_rowid()").fetchone()[0]
        counts["kb_chunk"] += bulk.insert_chunks(
            conn, doc_id, (maker.doc(600) for _ in range(per_doc))
        )

    conn.execute(
        "INSERT INTO album (name, description, created_at, updated_at)"
        " VALUES ('bench album', '', ?, ?)",
        (now, now),
    )
    album_id = conn.execute("SELECT last_insert_rowid()").fetchone()[0]
    blob_rows = [(f"{i:064x}", 1000, now) for i in range(images)]
    bulk.insert_rows(conn, "blob", ("sha256", "size", "created_at"), blob_rows)
    counts["image"] = bulk.insert_rows(
        conn,
        "image",
        (
            "album_id",
            "blob_sha",
            "original_name",
            "size_bytes",
            "ocr_status",
            "ocr_text",
            "ocr_attempts",
            "created_at",
        ),
        (
            (album_id, sha, f"IMG_{i:06d}.jpg", 1000, "done", maker.doc(240)[1], 1, now)
            for i, (sha, _s, _c) in enumerate(blob_rows)
        ),
    )
    return counts


def build_file(home: Path, **sizes: int) -> dict[str, int]:
    from storage.engine import open_database

    db = open_database(home)
    with db.raw() as conn:
        counts = build(conn, **sizes)
    db.dispose()
    return counts
