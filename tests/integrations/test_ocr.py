"""OCR with the real tesseract on images rendered here, and the worker
processes: leases across processes, SIGKILL mid-run, retries, cancel.

Every test here reads with tesseract, chosen the way a user does: ``[ocr]
engine = "tesseract"`` in config.toml (test_ppocr.py covers the other engine
and the choosing)."""

from __future__ import annotations

import difflib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

from inkbench.integrations.images import import_images
from inkbench.integrations.ocr.engine import (
    OcrUnavailable,
    PytesseractEngine,
    TesserocrEngine,
    make_engine,
    resolve_languages,
    tidy_text,
)
from inkbench.integrations.ocr.runner import run_ocr
from inkbench.storage import albums, blobs
from inkbench.storage.check import check
from inkbench.storage.jobs import CancelToken
from inkbench.storage.models import db_time, utcnow
from inkbench.storage.search import search

FONT_CANDIDATES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
)

ENGLISH = ["Invoice 2041 paid in full", "Thank you for your order"]
CHINESE = ["中文识别测试", "数据库备份完成"]


def _cjk_font_path() -> str | None:
    for cand in FONT_CANDIDATES:
        if Path(cand).is_file():
            return cand
    try:
        out = subprocess.run(
            ["fc-list", ":lang=zh", "file"], capture_output=True, text=True, timeout=10
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    files = [line.split(":")[0].strip() for line in out.splitlines() if line.strip()]
    return files[0] if files else None


@pytest.fixture(autouse=True)
def tesseract_by_config(home: Path) -> None:
    home.mkdir(parents=True, exist_ok=True)
    (home / "config.toml").write_text('[ocr]\nengine = "tesseract"\n', encoding="utf-8")


@pytest.fixture(scope="module")
def font() -> ImageFont.FreeTypeFont:
    path = _cjk_font_path()
    if path is None:
        pytest.skip("no CJK font installed (apt-get install fonts-noto-cjk) to render Chinese")
    return ImageFont.truetype(path, 40, index=_sc_face(path))


def _sc_face(path: str) -> int:
    """The face of a font collection that draws Simplified Chinese: 2 in Noto
    Sans CJK's .ttc (0 draws Japanese glyph forms), 0 elsewhere."""
    return 2 if Path(path).name.startswith("NotoSansCJK") else 0


def render(lines: list[str], font, width: int = 760) -> Image.Image:
    im = Image.new("L", (width, 40 + 70 * len(lines)), 255)
    draw = ImageDraw.Draw(im)
    for i, line in enumerate(lines):
        draw.text((24, 20 + 70 * i), line, font=font, fill=0)
    return im


def _save(im: Image.Image, path: Path) -> Path:
    im.save(path)
    return path


def _norm(text: str) -> str:
    return " ".join(text.split())


def assert_reads(text: str | None, lines: list[str]) -> None:
    """OCR found the lines: the same characters (spaces aside), allowing one
    misread character in twenty, as tesseract may on rendered text."""
    got, want = "".join((text or "").split()), "".join("".join(lines).split())
    ratio = difflib.SequenceMatcher(None, got, want).ratio()
    assert ratio >= 0.95, (text, lines)


def _states(db) -> dict[int, tuple[str, int]]:
    with db.raw(write=False) as conn:
        return {
            r[0]: (r[1], r[2])
            for r in conn.execute("SELECT id, ocr_status, ocr_attempts FROM image ORDER BY id")
        }


def _assert_sound(db, home: Path) -> None:
    """`inkbench db check` passes, no job is left running, no blob orphaned."""
    out = subprocess.run(
        [sys.executable, "-m", "inkbench", "--home", str(home), "db", "check"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    with db.raw(write=False) as conn:
        assert check(conn, db.blob_dir) == []
        assert conn.execute(blobs.unreferenced_rows_sql()).fetchall() == []
        rows = {r[0] for r in conn.execute("SELECT sha256 FROM blob")}
        running = conn.execute("SELECT count(*) FROM image WHERE ocr_status = 'running'")
        assert running.fetchone()[0] == 0
    files = {p.parent.name + p.name for p in db.blob_dir.glob("*/*") if p.is_file()}
    assert files == rows


# --- the engine ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def engine():
    e = make_engine("chi_sim+eng", engine="tesserocr")
    yield e
    e.close()


def test_english_and_chinese_text_is_read(engine, font) -> None:
    en = engine.recognize(render(ENGLISH, font))
    assert en.text.splitlines() == ENGLISH
    assert 60 <= en.confidence <= 100
    zh = engine.recognize(render(CHINESE, font))
    assert zh.text.splitlines() == CHINESE  # no spaces put between the characters
    assert zh.lang == "chi_sim+eng"
    blank = engine.recognize(Image.new("L", (400, 200), 255))
    assert blank.text == "" and blank.confidence is None


def test_the_fallback_reads_the_same_text(engine, font) -> None:
    langs, tessdata = resolve_languages("eng")
    fallback = PytesseractEngine(langs, tessdata)
    image = render(ENGLISH, font)
    assert isinstance(engine, TesserocrEngine)
    assert _norm(fallback.recognize(image).text) == _norm(engine.recognize(image).text)


def test_languages_default_and_missing_ones_name_the_package() -> None:
    assert resolve_languages(None)[0] == "chi_sim+eng"
    with pytest.raises(OcrUnavailable) as e:
        resolve_languages("eng+klingon_x")
    assert "sudo apt-get install tesseract-ocr-klingon-x" in str(e.value)
    assert "\n" not in str(e.value)
    with pytest.raises(OcrUnavailable, match="bad OCR language list"):
        resolve_languages("eng; rm -rf /")


def test_tidy_text() -> None:
    assert tidy_text("你 好 世 界  ok \n\n\n\nnext  \f") == "你好世界  ok\n\nnext"


# --- the runner ---------------------------------------------------------------------------------


def _album(db, tmp_path: Path, font, n_en: int, n_zh: int, *, blank: bool = False) -> dict:
    """Import rendered images; returns {image id: expected lines}."""
    src = tmp_path / "src"
    src.mkdir(exist_ok=True)
    expected: dict[str, list[str]] = {}
    for i in range(n_en):
        lines = [f"{ENGLISH[0]} number {i}", ENGLISH[1]]
        expected[_save(render(lines, font), src / f"en{i:02d}.png").name] = lines
    for i in range(n_zh):
        lines = [f"{CHINESE[0]} 第{i}页", CHINESE[1]]
        expected[_save(render(lines, font), src / f"zh{i:02d}.png").name] = lines
    if blank:
        expected[_save(Image.new("L", (300, 120), 255), src / "blank.png").name] = []
    summary = import_images(db, "Scans", [src / name for name in sorted(expected)])
    assert len(summary.imported) == len(expected)
    return {i.id: expected[i.name] for i in summary.imported}


def test_run_reads_every_image_and_makes_it_searchable(db, home, tmp_path, font) -> None:
    expected = _album(db, tmp_path, font, 2, 2, blank=True)
    seen = []
    summary = run_ocr(db, workers=2, progress=lambda d, t, label: seen.append((d, t)))
    assert (summary.done, summary.no_text, summary.failed) == (4, 1, 0)
    assert sorted(summary.processed) == sorted(expected)
    assert seen[-1] == (5, 5)
    with db.raw(write=False) as conn:
        for image_id, lines in expected.items():
            image = albums.get_image(conn, image_id)
            if lines:
                assert image.row.ocr_status == "done"
                assert_reads(image.ocr_text, lines)
                assert image.row.ocr_confidence > 50
            else:
                assert image.row.ocr_status == "no_text" and image.ocr_text is None
            assert image.row.ocr_attempts == 1
        zh_ids = {i for i, lines in expected.items() if lines and "第" in lines[0]}
        assert {h.id for h in search(conn, "备份")} == zh_ids
        assert {h.id for h in search(conn, "识别")} == zh_ids
    _assert_sound(db, home)


def test_failing_images_retry_then_wait_and_retry_failed_requeues(db, home, tmp_path, font) -> None:
    expected = _album(db, tmp_path, font, 1, 0)
    garbage, size = blobs.put_bytes(db.blob_dir, b"this was never an image")
    with db.raw() as conn:
        blobs.register(conn, garbage, size)
        album_id = albums.album_id_by_name(conn, "Scans")
        bad = conn.execute(
            "INSERT INTO image (album_id, blob_sha, original_name, size_bytes, ocr_status,"
            " ocr_attempts, created_at) VALUES (?, ?, 'broken.png', ?, 'pending', 0, ?)",
            (album_id, garbage, size, db_time(utcnow())),
        ).lastrowid
    summary = run_ocr(db, workers=1, backoff_base=0.05, poll_seconds=0.05)
    assert summary.done == 1 and summary.failed == 3
    states = _states(db)
    assert states[bad] == ("failed", 3)
    assert all(states[i] == ("done", 1) for i in expected)
    with db.raw(write=False) as conn:
        image = albums.get_image(conn, bad)
    assert image.row.ocr_error.startswith("UnidentifiedImageError")
    assert "\n" not in image.row.ocr_error and image.ocr_next_attempt_at is None
    again = run_ocr(db, workers=1, until_empty=False)
    assert again.processed == []  # three attempts spent: only the user brings it back
    with db.raw() as conn:
        assert albums.retry_failed(conn) == 1
    assert _states(db)[bad] == ("pending", 0)
    run_ocr(db, workers=1, until_empty=False, backoff_base=30)
    assert _states(db)[bad] == ("failed", 1)  # tried once, next retry in 30 s
    _assert_sound(db, home)


def _cli(home: Path, *args: str, **kw) -> subprocess.Popen:
    env = dict(os.environ, INKBENCH_HOME=str(home))
    return subprocess.Popen(
        [sys.executable, "-m", "inkbench", "--home", str(home), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        **kw,
    )


def test_two_processes_never_read_one_image_twice(db, home, tmp_path, font) -> None:
    expected = _album(db, tmp_path, font, 8, 4)
    procs = [_cli(home, "ocr", "run", "--once", "--json") for _ in range(2)]
    outs = []
    for p in procs:
        out, err = p.communicate(timeout=180)
        assert p.returncode == 0, err
        outs.append(json.loads(out))
    a, b = (set(o["processed"]) for o in outs)
    assert a.isdisjoint(b)
    assert a | b == set(expected)
    assert all(state == ("done", 1) for state in _states(db).values())  # one attempt each
    _assert_sound(db, home)


def test_a_worker_killed_mid_run_loses_only_its_image(db, home, tmp_path, font) -> None:
    expected = _album(db, tmp_path, font, 10, 2)
    proc = _cli(home, "ocr", "run", "--lease-seconds", "3", start_new_session=True)
    conn = sqlite3.connect(db.path, timeout=10)
    try:
        deadline = time.monotonic() + 120
        held: list[int] = []
        while time.monotonic() < deadline and proc.poll() is None:
            done = conn.execute("SELECT count(*) FROM image WHERE ocr_status = 'done'").fetchone()
            held = [r[0] for r in conn.execute("SELECT id FROM image WHERE ocr_status='running'")]
            if done[0] >= 2 and held:
                os.killpg(proc.pid, signal.SIGKILL)  # the CLI and its worker, mid-image
                break
            time.sleep(0.005)
        proc.wait(timeout=30)
        assert proc.returncode == -signal.SIGKILL, "the run ended before it could be killed"
        stuck = [r[0] for r in conn.execute("SELECT id FROM image WHERE ocr_status = 'running'")]
    finally:
        conn.close()
        proc.stdout.close()
        proc.stderr.close()
    assert stuck, "no image was in hand when the worker was killed"
    states = _states(db)
    assert sum(1 for s, _a in states.values() if s == "done") < len(expected)

    summary = run_ocr(db, workers=2, lease_seconds=3)  # waits for the dead lease to run out
    assert set(stuck) <= set(summary.processed)
    states = _states(db)
    assert all(status == "done" for status, _ in states.values())
    for image_id in stuck:
        assert states[image_id][1] == 2  # the killed attempt and the one that finished
    assert sum(a for _s, a in states.values()) == len(expected) + len(stuck)
    with db.raw(write=False) as conn:
        for image_id, lines in expected.items():
            assert_reads(albums.get_image(conn, image_id).ocr_text, lines)
    _assert_sound(db, home)


def test_cancel_stops_the_run_and_hands_back_what_it_held(db, home, tmp_path, font) -> None:
    _album(db, tmp_path, font, 12, 0)
    token = CancelToken()

    def progress(done: int, _total: int, _label: str) -> None:
        if done >= 1:
            token.cancel()

    summary = run_ocr(db, workers=2, progress=progress, cancel=token)
    assert summary.cancelled
    states = _states(db)
    assert 1 <= sum(1 for s, _a in states.values() if s == "done") < 12
    assert all(s in ("done", "pending") for s, _a in states.values())
    with db.raw(write=False) as conn:
        owners = conn.execute("SELECT count(*) FROM image WHERE ocr_lease_owner IS NOT NULL")
        assert owners.fetchone()[0] == 0
    _assert_sound(db, home)


def test_a_missing_language_is_one_clear_line(db, home) -> None:
    proc = _cli(home, "ocr", "run", "--lang", "eng+xyz")
    _out, err = proc.communicate(timeout=120)
    assert proc.returncode == 1
    assert len(err.strip().splitlines()) == 1, err
    assert "sudo apt-get install tesseract-ocr-xyz" in err


def test_the_lease_is_renewed_while_tesseract_works(db, tmp_path, font) -> None:
    """A page that takes far longer than the lease: the heartbeat keeps it,
    so the second worker, polling all the while, never takes it over."""
    small = ImageFont.truetype(font.path, 24, index=_sc_face(font.path))
    page = Image.new("L", (1400, 1900), 255)
    draw = ImageDraw.Draw(page)
    for i in range(48):
        draw.text(
            (30, 30 + 38 * i), f"Line {i}: the quick brown fox jumps over the dog", font=small
        )
    page.save(tmp_path / "page.png")
    summary = import_images(db, "Pages", [tmp_path / "page.png"])
    image_id = summary.imported[0].id
    # a 1 s lease (renewed every third of it) is still a fraction of the
    # page's seconds of OCR; 0.3 s was lost at load 17 when a renewal waited
    # longer than the lease for a core
    result = run_ocr(db, workers=2, lang="eng", lease_seconds=1.0, poll_seconds=0.02)
    assert result.lost == 0 and result.processed == [image_id]
    assert _states(db)[image_id] == ("done", 1)


_WRITER = (
    "import sys; from pathlib import Path; from storage.engine import raw_connect;"
    "c = raw_connect(Path(sys.argv[1])); c.execute('BEGIN IMMEDIATE');"
    'c.execute("INSERT INTO album (name, description, created_at, updated_at)'
    " VALUES (?, '', '2026-01-01', '2026-01-01')\", (sys.argv[2],));"
    "c.execute('COMMIT'); c.close()"
)


def test_a_reader_open_before_open_database_sees_what_workers_write(home: Path) -> None:
    """The TUI reads with its own connection first and opens storage after;
    OCR worker processes then write and exit. Its reader must see their rows."""
    from inkbench.storage.engine import open_database, raw_connect

    open_database(home).dispose()
    reader = raw_connect(home / "inkbench.db")
    try:
        assert reader.execute("SELECT count(*) FROM album").fetchall() == [(0,)]
        open_database(home)  # as the TUI does after its first screen
        for i in range(3):
            subprocess.run(
                [sys.executable, "-c", _WRITER, str(home / "inkbench.db"), f"album {i}"],
                check=True,
                timeout=60,
            )
            assert reader.execute("SELECT count(*) FROM album").fetchall() == [(i + 1,)]
    finally:
        reader.close()
