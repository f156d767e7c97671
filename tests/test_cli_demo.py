"""`inkbench demo`: the sample content loads whole, once, with real links."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from PIL import Image

from inkbench.cli import main
from inkbench.integrations.demo import DEMO_DIR
from inkbench.storage import blobs
from inkbench.storage.scene_markers import strip_markers
from inkbench.storage.text import word_count


def run(capsys, home: Path, *args: str) -> tuple[int, str, str]:
    code = main(["--home", str(home), *args])
    out, err = capsys.readouterr()
    return code, out, err


def q(home: Path, sql: str, *params):
    conn = sqlite3.connect(home / "inkbench.db")
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def test_demo_loads_everything_once(home, capsys) -> None:
    code, out, err = run(capsys, home, "demo", "--json")
    assert code == 0, err
    report = json.loads(out)
    assert report["loaded"] is True
    added = report["added"]
    assert added["articles"] >= 6 and added["chapters"] >= 5 and added["images"] >= 5
    assert added["generated_articles"] == 3 and added["chunks"] >= added["documents"] >= 3

    code, out, err = run(capsys, home, "stats", "--json")
    stats = json.loads(out)["rows"]
    code, out, _ = run(capsys, home, "demo")
    assert code == 0 and "already" in out
    code, out, _ = run(capsys, home, "stats", "--json")
    assert json.loads(out)["rows"] == stats  # nothing added the second time

    # Chinese and English articles, the markup-looking title kept literally
    titles = {t for (t,) in q(home, "SELECT title FROM article")}
    assert "[b]x[/b] 与 [/ 还有 [0]：看起来像标记的文字" in titles
    assert "A Small Daily Writing Habit" in titles
    # the novel: chapters in order, Chinese word counts
    chapters = q(home, "SELECT title, position, word_count, body FROM chapter ORDER BY position")
    assert [c[1] for c in chapters] == list(range(len(chapters)))
    assert chapters[0][0].startswith("第一章")
    # each CJK character one word: the counts are the characters, not the few spaces
    assert all(
        n == word_count(text) > len(text.split()) * 10
        for _t, _p, n, text in ((t, p, n, strip_markers(b)) for t, p, n, b in chapters)
    )


def test_demo_task_is_finished_and_linked(home, capsys) -> None:
    assert run(capsys, home, "demo")[0] == 0
    [(task_id, status, done, kb_name, album_name, target_name)] = q(
        home,
        "SELECT id, status, done_count, knowledge_base_name, album_name, target_name"
        " FROM generation_task",
    )
    assert status == "completed" and done == 3 and kb_name and album_name and target_name
    rows = q(
        home,
        "SELECT i.status, i.topic_id = a.topic_id, a.origin, t.question"
        " FROM generation_item i JOIN article a ON a.generation_item_id = i.id"
        " JOIN topic t ON t.id = i.topic_id WHERE i.task_id = ? ORDER BY i.position",
        task_id,
    )
    assert len(rows) == 3
    assert all(s == "done" and same and origin == "generated" for s, same, origin, _q in rows)
    assert q(home, "SELECT count(*) FROM ai_request") == [(0,)]  # no AI was called
    assert q(home, "SELECT count(*) FROM article_source WHERE chunk_id IS NOT NULL")[0][0] >= 3
    assert q(home, "SELECT count(*) FROM article_image") == [(3,)]


def test_demo_counts_as_no_ai_usage(home, capsys) -> None:
    """The demo's finished task was written by no AI: stats and the quota
    the local usage log gives count nothing for it."""
    (home / "config.toml").parent.mkdir(parents=True, exist_ok=True)
    (home / "config.toml").write_text(
        '[ai]\nprovider = "direct"\nbase_url = "http://127.0.0.1:9/v1"\nmodel = "m"\n'
    )
    assert run(capsys, home, "demo")[0] == 0
    code, out, err = run(capsys, home, "stats", "--json")
    assert code == 0, err
    counts = json.loads(out)
    assert counts["rows"]["ai_request"] == 0
    assert counts["tasks"] == {"completed": 1} and counts["rows"]["generation_item"] == 3
    code, out, err = run(capsys, home, "quota", "--json")
    assert code == 0, err
    assert json.loads(out)["used"] == {"articles": 0, "tokens": 0}

    from datetime import UTC, datetime

    from inkbench.integrations.ai.usage import LocalUsage, local_usage
    from inkbench.storage.engine import open_database

    db = open_database(home)
    try:
        since = datetime(2000, 1, 1, tzinfo=UTC)
        assert local_usage(db, since=since) == LocalUsage(0, 0, 0, 0)
    finally:
        db.dispose()


def test_demo_images_are_real_text_images_waiting_for_ocr(home, capsys) -> None:
    assert run(capsys, home, "demo")[0] == 0
    images = q(
        home,
        "SELECT original_name, blob_sha, thumb_sha, width, height, format, ocr_status FROM image",
    )
    assert {name for name, *_ in images} == {p.name for p in (DEMO_DIR / "images").glob("*.png")}
    for name, sha, thumb, width, height, fmt, status in images:
        stored = blobs.blob_path(home / "blobs", sha)
        assert stored.read_bytes() == (DEMO_DIR / "images" / name).read_bytes()
        with Image.open(stored) as im:
            assert im.size == (width, height) and fmt.upper() == "PNG"
            # text on a light page: mostly light pixels, some dark ones
            hist = im.convert("L").histogram()
            assert sum(hist[:100]) > 0.01 * width * height
            assert sum(hist[200:]) > 0.5 * width * height
        assert thumb and blobs.blob_path(home / "blobs", thumb).exists()
        assert status == "pending"


def test_demo_content_is_searchable(home, capsys) -> None:
    assert run(capsys, home, "demo")[0] == 0
    code, out, _ = run(capsys, home, "search", "灯塔", "--json")
    assert code == 0 and "chapter" in {h["kind"] for h in json.loads(out)}
    code, out, _ = run(capsys, home, "search", "冲泡", "--json")
    assert {"chunk", "article"} <= {h["kind"] for h in json.loads(out)}
    code, out, _ = run(capsys, home, "db", "check")
    assert code == 0 and out.startswith("ok")


def _load(home: str, out) -> None:
    from inkbench.integrations.demo import load_demo
    from inkbench.storage.engine import open_database

    db = open_database(home)
    out.put(load_demo(db).loaded)
    db.dispose()


def test_two_processes_loading_at_once_load_it_once(home) -> None:
    import multiprocessing as mp

    from inkbench.storage.engine import open_database

    open_database(home).dispose()  # created (and migrated) before the race
    ctx = mp.get_context("fork")
    out = ctx.Queue()
    procs = [ctx.Process(target=_load, args=(str(home), out)) for _ in range(2)]
    for p in procs:
        p.start()
    results = sorted(out.get(timeout=120) for _ in procs)
    for p in procs:
        p.join(timeout=60)
    assert results == [False, True]
    assert q(home, "SELECT count(*) FROM work") == [(1,)]
    assert q(home, "SELECT count(*) FROM generation_task") == [(1,)]


def test_demo_novel_has_a_story_bible_found_in_its_text(home, capsys) -> None:
    assert run(capsys, home, "demo")[0] == 0
    code, out, _ = run(capsys, home, "character", "show", "林照", "--json")
    lin = json.loads(out)
    assert code == 0 and lin["aliases"] == ["林小姐"] and lin["role"] == "protagonist"
    assert lin["appearances"] >= 5 and lin["first_appearance"]["chapter_title"].startswith("第一章")
    assert {r["kind"] for r in lin["relationships"]} == {"family", "rival"}
    code, out, _ = run(capsys, home, "world", "show", "值班日志", "--json")
    log = json.loads(out)
    assert log["parent"]["title"] == "灯塔" and log["appearances"] >= 2
    code, out, _ = run(capsys, home, "work", "outline", "雾港", "--json")
    outline = json.loads(out)
    scenes = [s for c in outline for s in c["scenes"]]
    assert len(scenes) == 4 and all(s["synopsis"] and s["location"] for s in scenes)
    assert all(s["word_count"] > 0 for s in scenes)
    assert {t for c in outline for t in c["tags"]} == {"伏笔", "转折"}
    # the markers stay out of what a reader sees
    code, out, _ = run(capsys, home, "search", "午夜过后", "--json")
    assert code == 0 and not any("scene:" in h["snippet"] for h in json.loads(out))
