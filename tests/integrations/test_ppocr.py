"""The ppocr engine (PP-OCRv4 through RapidOCR on onnxruntime, the
``inkbench[ppocr]`` extra) on Chinese rendered here, choosing engines (run,
album, config.toml, auto), re-reading an album with another engine, the text
boxes, and the bad inputs: no text, huge, 1x1, a corrupt model, no extra,
no CPU provider."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

from inkbench.integrations.images import import_images
from inkbench.integrations.ocr import choice, ppocr
from inkbench.integrations.ocr.engine import OcrUnavailable
from inkbench.integrations.ocr.runner import run_ocr
from inkbench.storage import albums
from inkbench.storage.search import search

FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
SC = 2  # the face in the collection that draws Simplified Chinese (0 is Japanese)
MEETING = "二零二六年碧螺春部门会议"
SECOND = "明前龙井与安吉白茶"

needs_ppocr = pytest.mark.skipif(
    not ppocr.available(), reason="the ppocr extra is not installed: pip install 'inkbench[ppocr]'"
)
needs_font = pytest.mark.skipif(
    not Path(FONT).is_file(),
    reason="no CJK font to render Chinese (apt-get install fonts-noto-cjk)",
)
pytestmark = [needs_ppocr, needs_font]


def font(size: int = 40) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(FONT, size, index=SC)


def render(lines: list[str], size: int = 40, width: int = 700, margin: int = 24) -> Image.Image:
    step = int(size * 1.8)
    im = Image.new("RGB", (width, 2 * margin + step * len(lines)), "white")
    draw = ImageDraw.Draw(im)
    for i, line in enumerate(lines):
        draw.text((margin, margin + step * i), line, font=font(size), fill="black")
    return im


def _cli(
    home: Path, *args: str, pre: str = "", timeout: float = 300
) -> subprocess.CompletedProcess:
    """``inkbench ARGS`` in a fresh interpreter; ``pre`` runs first (to take
    the extra away: ``sys.modules['rapidocr_onnxruntime'] = None``)."""
    code = f"import sys; {pre}\nfrom inkbench.cli import run\nsys.argv[0] = 'inkbench'\nrun()"
    return subprocess.run(
        [sys.executable, "-c", code, "--home", str(home), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=dict(os.environ, INKBENCH_HOME=str(home)),
    )


def _import(db, tmp_path: Path, album: str, images: dict[str, Image.Image]) -> dict[str, int]:
    src = tmp_path / album
    src.mkdir(exist_ok=True)
    for name, im in images.items():
        im.save(src / name)
    summary = import_images(db, album, [src / n for n in images])
    assert len(summary.imported) == len(images)
    return {i.name: i.id for i in summary.imported}


def _one_line_error(out: subprocess.CompletedProcess) -> str:
    assert out.returncode == 1, out.stdout + out.stderr
    assert "Traceback" not in out.stderr
    lines = [line for line in out.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, out.stderr
    return lines[0]


@pytest.fixture(scope="module")
def engine():
    e = ppocr.PpocrEngine("chi_sim+eng", threads=1)
    yield e
    e.close()


# --- the engine ------------------------------------------------------------------------------


def test_ppocr_reads_rendered_chinese_exactly_in_reading_order(engine) -> None:
    im = render([MEETING, SECOND])
    # a third line: two pieces far apart on one row, written right piece first
    draw = ImageDraw.Draw(im := im.crop((0, 0, 700, im.height + 80)))
    draw.rectangle((0, im.height - 80, 700, im.height), fill="white")
    draw.text((420, im.height - 64), "乙方签字", font=font(), fill="black")
    draw.text((24, im.height - 64), "甲方盖章", font=font(), fill="black")
    result = engine.recognize(im)
    # pieces of one row join with a space, which tidy_text drops between CJK characters
    assert result.text.split("\n") == [MEETING, SECOND, "甲方盖章乙方签字"]
    assert result.engine == "ppocr" and "PP-OCRv4" in result.model
    assert result.confidence > 90
    assert [b["line"] for b in result.boxes] == [0, 1, 2, 2]
    assert [b["text"] for b in result.boxes] == [MEETING, SECOND, "甲方盖章", "乙方签字"]
    first = result.boxes[0]["box"]  # [left, top, right, bottom] around the first line
    assert 10 <= first[0] <= 30 and 20 <= first[1] <= 45 and first[2] > 400


def test_the_models_come_from_the_wheel_and_nothing_is_downloaded(tmp_path: Path) -> None:
    models = ppocr.package_models()
    assert {p.name for p in models.glob("*.onnx")} >= set(ppocr.MODEL_FILES.values())
    img = tmp_path / "m.png"
    render([MEETING]).save(img)
    # a fresh interpreter in which any network connection fails
    code = (
        "import socket, sys\n"
        "def refuse(*a, **k): raise OSError('network used')\n"
        "socket.socket.connect = refuse; socket.create_connection = refuse\n"
        "from PIL import Image\n"
        "from inkbench.integrations.ocr.ppocr import PpocrEngine\n"
        f"print(PpocrEngine().recognize(Image.open({str(img)!r})).text)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == MEETING


def test_no_text_a_one_pixel_image_and_a_huge_one(engine) -> None:
    blank = engine.recognize(Image.new("RGB", (400, 300), (250, 246, 235)))
    assert (blank.text, blank.confidence, blank.boxes) == ("", None, [])
    dot = engine.recognize(Image.new("RGB", (1, 1), "white"))
    assert dot.text == ""
    # 6000 x 4000: detection runs on it scaled down, the text is still read
    huge = Image.new("RGB", (6000, 4000), "white")
    ImageDraw.Draw(huge).text((300, 1800), MEETING, font=font(260), fill="black")
    result = engine.recognize(huge)
    assert result.text == MEETING
    box = result.boxes[0]["box"]  # in the huge image's own pixels
    assert box[0] < 400 and box[2] > 3000 and 1700 < box[1] < 2000


def test_a_corrupt_model_file_names_the_package_to_reinstall(tmp_path: Path) -> None:
    broken = tmp_path / "models"
    shutil.copytree(ppocr.package_models(), broken)
    rec = broken / ppocr.MODEL_FILES["rec"]
    data = rec.read_bytes()
    rec.write_bytes(data[:1000] + b"\x00garbage" * 100 + data[-1000:])
    with pytest.raises(OcrUnavailable) as err:
        ppocr.PpocrEngine(model_dir=broken)
    message = str(err.value)
    assert "\n" not in message
    assert "pip install --force-reinstall rapidocr-onnxruntime" in message
    rec.unlink()
    with pytest.raises(OcrUnavailable, match="missing; reinstall: pip install --force-reinstall"):
        ppocr.PpocrEngine(model_dir=broken)


def test_onnxruntime_without_its_cpu_provider_is_one_line(tmp_path: Path) -> None:
    # a build of onnxruntime that lists no CPUExecutionProvider (as a broken or
    # GPU-only install does), in a fresh interpreter
    code = (
        "import onnxruntime\n"
        "onnxruntime.get_available_providers = lambda: ['AzureExecutionProvider']\n"
        "from inkbench.integrations.ocr.ppocr import PpocrEngine\n"
        "from inkbench.integrations.ocr.engine import OcrUnavailable\n"
        "try:\n    PpocrEngine()\nexcept OcrUnavailable as e:\n    print(e)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == (
        "onnxruntime has no CPUExecutionProvider, which ppocr needs; reinstall it: "
        "pip install --force-reinstall onnxruntime"
    )


# --- choosing -----------------------------------------------------------------------------------


def test_auto_picks_ppocr_for_chinese_when_installed() -> None:
    assert choice.resolve("auto", "chi_sim+eng") == "ppocr"
    assert choice.resolve(None, "chi_tra") == "ppocr"
    assert choice.resolve("auto", "eng") == "tesseract"
    assert choice.resolve("tesseract", "chi_sim") == "tesseract"
    code = (
        "import sys; sys.modules['rapidocr_onnxruntime'] = None\n"
        "from inkbench.integrations.ocr import choice\n"
        "print(choice.resolve('auto', 'chi_sim+eng'))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "tesseract", out.stderr


def test_albums_config_and_auto_choose_the_engine_in_one_run(db, home, tmp_path) -> None:
    ids = {
        album: _import(db, tmp_path, album, {f"{album}.png": render([MEETING])})[f"{album}.png"]
        for album in ("Posters", "Receipts", "Menus")
    }
    with db.raw() as conn:
        albums.set_album_engine(conn, albums.album_id_by_name(conn, "Receipts"), "tesseract")
        albums.set_album_engine(conn, albums.album_id_by_name(conn, "Menus"), "auto")
    # Posters has no engine of its own: config.toml's says ppocr
    (home / "config.toml").write_text('[ocr]\nengine = "ppocr"\n', encoding="utf-8")
    summary = run_ocr(db, workers=1, lang="chi_sim+eng")
    assert summary.engine == "per album"
    assert summary.engines == {"ppocr": 2, "tesseract": 1}
    with db.raw(write=False) as conn:
        read = {a: albums.get_image(conn, i) for a, i in ids.items()}
    assert read["Posters"].ocr_engine == "ppocr" and read["Menus"].ocr_engine == "ppocr"
    assert read["Receipts"].ocr_engine == "tesseract"
    assert read["Receipts"].ocr_model.startswith("tesseract 5")
    assert read["Posters"].ocr_text == MEETING
    # tesseract's lines have boxes too
    assert read["Receipts"].ocr_boxes and read["Receipts"].ocr_boxes[0]["line"] == 0
    assert read["Receipts"].ocr_boxes[0]["box"][1] < 60


def test_a_bad_engine_in_config_is_one_line_and_the_default_is_kept(db, home) -> None:
    (home / "config.toml").write_text('[ocr]\nengine = "paddle"\n', encoding="utf-8")
    out = _cli(home, "ocr", "run")
    assert out.returncode == 0, out.stderr
    [line] = [ln for ln in out.stderr.splitlines() if "ocr.engine" in ln]
    assert "config.toml" in line and "tesseract" in line  # the file, the key, what is allowed


def test_cli_ocr_engine_sets_an_albums_engine(db, home, tmp_path) -> None:
    _import(db, tmp_path, "Screens", {"s.png": render([MEETING])})
    assert _cli(home, "ocr", "engine", "Screens").stdout.strip() == "Screens: auto (the default)"
    out = _cli(home, "ocr", "engine", "Screens", "tesseract")
    assert out.returncode == 0, out.stderr
    with db.raw(write=False) as conn:
        assert albums.album_engine(conn, albums.album_id_by_name(conn, "Screens")) == "tesseract"
    assert _cli(home, "ocr", "engine", "Screens", "default").returncode == 0
    with db.raw(write=False) as conn:
        assert albums.album_engine(conn, albums.album_id_by_name(conn, "Screens")) is None
    assert _cli(home, "ocr", "engine", "Screens", "paddle").returncode == 2


# --- the command line -------------------------------------------------------------------------


def test_cli_ocr_run_engine_ppocr_end_to_end(home, tmp_path) -> None:
    src = tmp_path / "shots"
    src.mkdir()
    render([MEETING, SECOND]).save(src / "meeting.png")
    Image.new("RGB", (320, 200), "white").save(src / "blank.png")
    Image.new("RGB", (1, 1), "white").save(src / "dot.png")
    out = _cli(home, "album", "import", "Shots", str(src))
    assert out.returncode == 0, out.stderr
    out = _cli(home, "ocr", "run", "--engine", "ppocr", "--workers", "2", "--json")
    assert out.returncode == 0, out.stderr
    summary = json.loads(out.stdout)
    assert (summary["done"], summary["no_text"], summary["failed"]) == (1, 2, 0)
    assert summary["engine"] == "ppocr" and summary["engines"] == {"ppocr": 3}
    hits = json.loads(_cli(home, "search", "碧螺春", "--json").stdout)
    assert [h["title"] for h in hits] == ["meeting.png"]
    shown = json.loads(_cli(home, "ocr", "show", str(hits[0]["id"]), "--json").stdout)
    assert shown["ocr_text"] == f"{MEETING}\n{SECOND}"
    assert shown["ocr_engine"] == "ppocr" and "rapidocr-onnxruntime" in shown["ocr_model"]
    assert [b["text"] for b in shown["ocr_boxes"]] == [MEETING, SECOND]


def test_choosing_ppocr_without_the_extra_says_what_to_install(db, home, tmp_path) -> None:
    ids = _import(db, tmp_path, "Shots", {"m.png": render([MEETING])})
    gone = "sys.modules['rapidocr_onnxruntime'] = None"
    line = _one_line_error(_cli(home, "ocr", "run", "--engine", "ppocr", pre=gone))
    assert line == (
        "inkbench: the ppocr OCR engine is not installed; install it: "
        "pip install 'inkbench[ppocr]' (or: pip install rapidocr-onnxruntime)"
    )
    with db.raw() as conn:
        albums.set_album_engine(conn, albums.album_id_by_name(conn, "Shots"), "ppocr")
    line = _one_line_error(_cli(home, "ocr", "run", pre=gone))
    assert line.startswith('inkbench: album "Shots" uses ppocr, but the ppocr OCR engine is not')
    assert _one_line_error(
        _cli(home, "ocr", "run", "--again", "--engine", "ppocr", "Shots", pre=gone)
    )
    with db.raw(write=False) as conn:  # nothing changed
        image = albums.get_image(conn, ids["m.png"])
    assert (image.row.ocr_status, image.row.ocr_attempts) == ("pending", 0)


def test_again_keeps_the_old_text_searchable_until_the_new_is_in(db, home, tmp_path) -> None:
    pages = {f"p{i}.png": [MEETING, SECOND, f"会议纪要第{i}页"] for i in range(3)}
    ids = _import(db, tmp_path, "Minutes", {n: render(lines) for n, lines in pages.items()})
    want = {ids[n]: "\n".join(lines) for n, lines in pages.items()}
    run_ocr(db, workers=1, engine="tesseract")
    with db.raw(write=False) as conn:
        old = {i: albums.get_image(conn, i).ocr_text for i in ids.values()}
        assert all(albums.get_image(conn, i).ocr_engine == "tesseract" for i in ids.values())
        assert {h.id for h in search(conn, "龙井")} == set(ids.values())
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "inkbench",
            "--home",
            str(home),
            "ocr",
            "run",
            "--again",
            "--engine",
            "ppocr",
            "Minutes",
            "--json",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    seen_waiting = False
    while proc.poll() is None:
        with db.raw(write=False) as conn:
            states = {albums.get_image(conn, i).row.ocr_status for i in ids.values()}
            found = {h.id for h in search(conn, "龙井")}
        seen_waiting |= bool(states & {"pending", "running"})
        assert found == set(ids.values())  # found all along, old text or new
        time.sleep(0.1)
    _out, err = proc.communicate()
    assert proc.returncode == 0, err
    assert seen_waiting  # the poll saw the re-read under way, not only before and after
    with db.raw(write=False) as conn:
        for i in ids.values():
            image = albums.get_image(conn, i)
            assert image.ocr_engine == "ppocr" and image.ocr_text == want[i]
            assert image.ocr_previous_text == old[i]
        assert {h.id for h in search(conn, "碧螺春")} == set(ids.values())
