"""Context assembly for an assist action: a 200,000-character chapter whose
work has 2,000 bible entries (1,000 characters, 1,000 world entries), most
of them named somewhere in it. Target: p95 <= 30 ms per assembly. Baseline:
the least any assembly must do, reading the chapter and finding every name in
it once (the mention matcher over the whole text)."""

from __future__ import annotations

import random
import statistics
import tempfile
import time
from pathlib import Path

from bench.results import record
from inkbench.integrations.assist.context import Persona, assemble
from inkbench.storage.bible import create_character, create_world_entry
from inkbench.storage.engine import open_database
from inkbench.storage.mentions import matcher_for
from inkbench.storage.works import create_chapter, create_work

SURNAMES = "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张孔曹严华金魏陶姜"
GIVEN = "晚晴安宁远舟清风明月雪松云霞秋水春山长河落日孤烟"
FILLER = "雨下了一夜，石板路上积着水。她推开门，看见远处的山。风从河面吹来，带着潮湿的气味。"


def _names(rng: random.Random, n: int, suffix: str = "") -> list[str]:
    out: list[str] = []
    seen = set()
    while len(out) < n:
        name = rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=2)) + suffix
        if name not in seen:
            seen.add(name)
            out.append(name)
    return out


def build(home: Path) -> tuple[object, int]:
    rng = random.Random(14)
    db = open_database(home)
    people = _names(rng, 1000)
    places = _names(rng, 1000, "镇")
    with db.write() as s:
        work = create_work(s, "bench")
        for i, name in enumerate(people):
            create_character(s, work.id, name, description=f"第{i}个人物，" + FILLER[:30])
        for i, name in enumerate(places):
            create_world_entry(s, work.id, name, category="geography", content=f"地方{i}。")
        for i in range(30):
            ch = create_chapter(s, work.id, f"第{i + 1}章", FILLER)
            ch.synopsis = f"第{i + 1}章的概要：" + FILLER[:40]
            s.add(ch)
    parts: list[str] = []
    size = 0
    everyone = people + places
    while size < 200_000:
        piece = FILLER + rng.choice(everyone) + "说：" + FILLER[:20] + "\n"
        parts.append(piece)
        size += len(piece)
    body = "".join(parts)[:200_000]
    with db.write() as s:
        chapter = create_chapter(s, work.id, "第三十一章", body)
    return db, chapter.id


def main() -> None:
    persona = Persona("continue", "你是写作搭档。", "你是小说作者的写作搭档。")
    with tempfile.TemporaryDirectory() as tmp:
        db, chapter_id = build(Path(tmp))
        with db.raw(write=False) as conn:
            body, work_id = conn.execute(
                "SELECT body, work_id FROM chapter WHERE id = ?", (chapter_id,)
            ).fetchone()
            cursor = len(body) // 2

            def baseline() -> None:
                text = conn.execute("SELECT body FROM chapter WHERE id = ?", (chapter_id,))
                matcher_for(conn, work_id).find(text.fetchone()[0])

            def assembly() -> None:
                assemble(
                    conn,
                    owner="chapter",
                    owner_id=chapter_id,
                    action="continue",
                    persona=persona,
                    budget=8000,
                    start=cursor,
                    end=cursor,
                )

            times: dict[str, list[float]] = {"baseline": [], "assembly": []}
            for _round in range(2):  # warm the matcher cache and the page cache
                baseline()
                assembly()
            for _round in range(30):
                for name, fn in (("baseline", baseline), ("assembly", assembly)):
                    start = time.perf_counter()
                    fn()
                    times[name].append((time.perf_counter() - start) * 1000)
        db.dispose()

    def p95(values: list[float]) -> float:
        return statistics.quantiles(values, n=20)[-1]

    value, base = p95(times["assembly"]), p95(times["baseline"])
    record(
        "assist_context_200k_2000_entries_p95",
        value=value,
        unit="ms",
        baseline=base,
        target="p95 <= 30 ms",
        met=value <= 30,
    )


if __name__ == "__main__":
    main()
