"""The formats phones save: HEIC/HEIF (pillow-heif) and AVIF (Pillow's own
plugin) import with the same guarantees as JPEG (stored once, a thumbnail,
upright dimensions from the file's own transforms, the EXIF date, one-line
refusals), decode for OCR and the preview, and leave in a DOCX as JPEG.

Every fixture is a real file made here with the real encoders."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import docx
import pillow_heif
import pytest
from PIL import Image, ImageDraw, ImageFont

from inkbench.integrations.export import export_articles
from inkbench.integrations.generation.images import image_ref
from inkbench.integrations.images import container_format, import_images, open_image
from inkbench.storage.albums import get_image
from inkbench.storage.articles import create_article
from inkbench.storage.blobs import blob_path
from inkbench.storage.check import check
from inkbench.storage.models import ArticleImage

RED = (220, 20, 20)
GREY = (128, 128, 128)
DEJAVU = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"


def _exif(*, orientation: int | None = None, taken: str | None = None, offset: str | None = None):
    exif = Image.Exif()
    if orientation is not None:
        exif[0x0112] = orientation
    if taken is not None:
        exif.get_ifd(0x8769)[0x9003] = taken
    if offset is not None:
        exif.get_ifd(0x8769)[0x9011] = offset
    return exif


def _landscape_with_marker(size=(300, 200)) -> Image.Image:
    """Grey pixels with a red square at the top-left corner."""
    im = Image.new("RGB", size, GREY)
    im.paste(RED, (0, 0, size[0] // 5, size[1] // 5))
    return im


def _save(im: Image.Image, path: Path, fmt: str, exif: Image.Exif | None = None, **kw) -> Path:
    pillow_heif.register_heif_opener()
    if exif is not None:
        kw["exif"] = exif.tobytes()
    im.save(path, format=fmt, **kw)
    return path


def _thumb(db, image_id: int) -> Image.Image:
    with db.raw(write=False) as conn:
        sha = conn.execute("SELECT thumb_sha FROM image WHERE id = ?", (image_id,)).fetchone()[0]
    with Image.open(blob_path(db.blob_dir, sha)) as im:
        return im.convert("RGB")


def _is_red(pixel) -> bool:
    r, g, b = pixel
    return r > 170 and g < 90 and b < 90


def _corner_colours(im: Image.Image) -> dict[str, bool]:
    w, h = im.size
    inset = 4
    return {
        "top-left": _is_red(im.getpixel((inset, inset))),
        "top-right": _is_red(im.getpixel((w - 1 - inset, inset))),
        "bottom-left": _is_red(im.getpixel((inset, h - 1 - inset))),
        "bottom-right": _is_red(im.getpixel((w - 1 - inset, h - 1 - inset))),
    }


@pytest.mark.parametrize("fmt", ["HEIF", "AVIF"])
def test_a_rotated_phone_photo_imports_upright_and_dated(db, tmp_path: Path, fmt: str) -> None:
    # stored landscape, displayed portrait: orientation 6 = turn 90 degrees clockwise
    path = _save(
        _landscape_with_marker(),
        tmp_path / f"IMG_0001.{'HEIC' if fmt == 'HEIF' else 'avif'}",
        fmt,
        _exif(orientation=6, taken="2024:05:06 07:08:09", offset="+08:00"),
        quality=90,
    )
    data = path.read_bytes()
    assert b"irot" in data  # the encoder put the rotation in the transform box
    assert container_format(data) == fmt

    summary = import_images(db, "手机", [path])
    assert summary.refused == [] and len(summary.imported) == 1
    imported = summary.imported[0]
    assert (imported.format, imported.width, imported.height) == (fmt, 200, 300)
    with db.raw(write=False) as conn:
        row = get_image(conn, imported.id).row
    assert (row.format, row.width, row.height) == (fmt, 200, 300)
    assert row.taken_at == datetime(2024, 5, 5, 23, 8, 9, tzinfo=UTC)
    assert row.size_bytes == len(data)
    assert blob_path(db.blob_dir, row.blob_sha).read_bytes() == data

    thumb = _thumb(db, imported.id)
    assert thumb.size[0] < thumb.size[1]  # portrait
    # the red corner, top-left as stored, is top-right once turned clockwise
    assert _corner_colours(thumb) == {
        "top-left": False,
        "top-right": True,
        "bottom-left": False,
        "bottom-right": False,
    }

    # what OCR and the preview decode, turned with the stored orientation, is upright too
    from inkbench.integrations.ocr.engine import load_for_ocr

    upright = load_for_ocr(blob_path(db.blob_dir, row.blob_sha), row.orientation).convert("RGB")
    assert upright.size == (200, 300)
    assert _corner_colours(upright)["top-right"] and not _corner_colours(upright)["top-left"]

    # stored once: again into the same album is skipped, into another shares the file
    again = import_images(db, "手机", [path])
    assert again.imported == [] and len(again.skipped) == 1
    other = import_images(db, "Other", [path])
    with db.raw(write=False) as conn:
        other_row = get_image(conn, other.imported[0].id).row
        assert other_row.blob_sha == row.blob_sha
        assert conn.execute("SELECT count(*) FROM blob").fetchone()[0] == 2  # file + thumbnail
        assert check(conn, db.blob_dir) == []


def test_the_primary_image_of_a_multi_image_heif_is_imported(db, tmp_path: Path) -> None:
    first = Image.new("RGB", (160, 90), RED)
    primary = Image.new("RGB", (90, 140), (20, 20, 220))
    heif = pillow_heif.from_pillow(first)
    heif.add_from_pillow(primary)
    path = tmp_path / "burst.heic"
    heif.save(path, format="HEIF", primary_index=1, quality=90)
    assert [im.size for im in pillow_heif.open_heif(path)] == [(160, 90), (90, 140)]

    summary = import_images(db, "Bursts", [path])
    assert summary.refused == []
    imported = summary.imported[0]
    assert (imported.format, imported.width, imported.height) == ("HEIF", 90, 140)
    r, _g, b = _thumb(db, imported.id).getpixel((10, 10))
    assert b > 170 and r < 90  # the primary's blue, not the first image's red


def test_damaged_and_pretend_phone_files_are_refused_in_one_line(db, tmp_path: Path) -> None:
    heic = _save(_landscape_with_marker((640, 480)), tmp_path / "whole.heic", "HEIF")
    avif = _save(_landscape_with_marker((640, 480)), tmp_path / "whole.avif", "AVIF")
    cut_heic = tmp_path / "cut.heic"
    cut_heic.write_bytes(heic.read_bytes()[: heic.stat().st_size * 2 // 3])
    cut_avif = tmp_path / "cut.avif"
    cut_avif.write_bytes(avif.read_bytes()[: avif.stat().st_size // 2])
    cut_header = tmp_path / "header.heic"
    cut_header.write_bytes(heic.read_bytes()[:200])
    text = tmp_path / "notes.HEIC"
    text.write_text("not a photo at all\n")

    summary = import_images(db, "Mixed", [cut_heic, heic, text, cut_avif, avif, cut_header])
    assert sorted(i.name for i in summary.imported) == ["whole.avif", "whole.heic"]
    refused = {Path(p).name: msg for p, msg in summary.refused}
    assert set(refused) == {"cut.heic", "cut.avif", "notes.HEIC", "header.heic"}
    assert refused["header.heic"].startswith("truncated or corrupt HEIC/HEIF image")
    # cut in the pixel data (the decoder says where) or in the header (the brand says what)
    assert refused["cut.heic"].startswith("truncated or corrupt"), refused["cut.heic"]
    assert refused["cut.avif"].startswith("truncated or corrupt"), refused["cut.avif"]
    assert refused["notes.HEIC"].startswith("not an image")
    assert "HEIC/HEIF or AVIF" in refused["notes.HEIC"]  # the formats read are listed
    assert all("\n" not in m for m in refused.values())


def test_a_heif_above_the_pixel_limit_is_refused_as_a_bomb(
    db, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _save(_landscape_with_marker((600, 400)), tmp_path / "big.heic", "HEIF")
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 100_000)  # twice that: 200,000 < 240,000
    summary = import_images(db, "Big", [path])
    assert summary.imported == [] and len(summary.refused) == 1
    assert "decompression bomb" in summary.refused[0][1]


def _cli_without(modules: str, home: Path, *args: str) -> subprocess.CompletedProcess:
    """The real CLI in a fresh interpreter in which ``modules`` (comma-separated)
    cannot be imported."""
    code = (
        f"import sys; sys.modules.update(dict.fromkeys({modules.split(',')!r}))\n"
        "from inkbench.cli import main\n"
        f"sys.exit(main({list(args)!r}))\n"
    )
    env = {**os.environ, "INKBENCH_HOME": str(home)}
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120
    )


def test_without_pillow_heif_the_refusal_names_the_package(tmp_path: Path) -> None:
    heic = _save(_landscape_with_marker(), tmp_path / "IMG_0002.HEIC", "HEIF")
    avif = _save(_landscape_with_marker(), tmp_path / "poster.avif", "AVIF")
    jpeg = _save(_landscape_with_marker(), tmp_path / "plain.jpg", "JPEG")
    home = tmp_path / "home"
    out = _cli_without(
        "pillow_heif", home, "album", "import", "手机", str(heic), str(avif), str(jpeg)
    )
    assert out.returncode == 1, out.stderr
    lines = [line for line in out.stderr.splitlines() if line.strip()]
    heic_lines = [line for line in lines if "IMG_0002.HEIC" in line]
    assert len(heic_lines) == 1, lines
    assert "pip install pillow-heif" in heic_lines[0]
    assert "Traceback" not in out.stderr
    assert "imported 2" in out.stdout  # the AVIF (Pillow's own) and the JPEG went in

    listed = _cli_without("pillow_heif", home, "album", "show", "手机", "--json")
    formats = sorted(i["format"] for i in json.loads(listed.stdout)["images"])
    assert formats == ["AVIF", "JPEG"]


def test_a_heic_and_an_avif_leave_in_a_docx_as_jpeg(db, tmp_path: Path) -> None:
    heic = _save(
        _landscape_with_marker(), tmp_path / "shop.heic", "HEIF", _exif(orientation=6), quality=90
    )
    avif = _save(_landscape_with_marker(), tmp_path / "poster.avif", "AVIF", _exif(orientation=6))
    png = _save(_landscape_with_marker(), tmp_path / "plain.png", "PNG")
    ids = {i.name: i.id for i in import_images(db, "Shop", [heic, avif, png]).imported}
    body = f"Our shop.\n\n{image_ref(ids['shop.heic'], 'The shop')}\n\nThe end.\n"
    with db.write() as s:
        article = create_article(s, "Shop", body)
        for pos, name in enumerate(["shop.heic", "poster.avif", "plain.png"]):
            s.add(ArticleImage(article_id=article.id, image_id=ids[name], position=pos, caption=""))
        article_id = article.id

    (out,) = export_articles(db, [article_id], "docx", tmp_path / "out")
    assert out.images == 3
    document = docx.Document(out.path)
    parts = [s._inline.graphic.graphicData.pic.blipFill.blip.embed for s in document.inline_shapes]
    images = [document.part.related_parts[rid] for rid in parts]
    assert [p.content_type for p in images] == ["image/jpeg", "image/jpeg", "image/png"]
    for part in images[:2]:  # converted upright: portrait, red corner top-right
        with Image.open(io.BytesIO(part.blob)) as im:
            assert im.format == "JPEG" and im.size == (200, 300)
            assert _corner_colours(im.convert("RGB"))["top-right"]

    # Markdown gets a JPEG for the HEIC (browsers cannot show it) and keeps the AVIF
    (md,) = export_articles(db, [article_id], "md", tmp_path / "md")
    text = Path(md.path).read_text(encoding="utf-8")
    assert f"images/{ids['shop.heic']}-shop.jpg" in text
    assert f"images/{ids['poster.avif']}-poster.avif" in text
    with Image.open(tmp_path / "md" / "images" / f"{ids['shop.heic']}-shop.jpg") as im:
        assert im.format == "JPEG" and im.size == (200, 300)


def _poster(lines: list[str], font_path: str, size: int = 44) -> Image.Image:
    font = ImageFont.truetype(font_path, size)
    im = Image.new("RGB", (900, 60 + 90 * len(lines)), (255, 255, 255))
    draw = ImageDraw.Draw(im)
    for i, line in enumerate(lines):
        draw.text((30, 30 + 90 * i), line, font=font, fill=(0, 0, 0))
    return im


def _inkbench(home: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "INKBENCH_HOME": str(home)}
    return subprocess.run(
        [sys.executable, "-m", "inkbench", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=240,
    )


def test_cli_import_ocr_search_and_show(tmp_path: Path) -> None:
    if not Path(DEJAVU).is_file():
        pytest.skip(f"no DejaVu font at {DEJAVU} (apt-get install fonts-dejavu-core)")
    # an iPhone-style HEIC, turned by its transform box, and an AVIF poster
    heic = _save(
        _poster(["Mooncake festival", "Lantern market"], DEJAVU).transpose(
            Image.Transpose.ROTATE_90
        ),  # stored on its side; orientation 6 turns it back
        tmp_path / "IMG_0001.HEIC",
        "HEIF",
        _exif(orientation=6, taken="2025:09:14 18:30:00", offset="+08:00"),
        quality=92,
    )
    avif = _save(
        _poster(["Porcelain teapot sale"], DEJAVU),
        tmp_path / "poster.avif",
        "AVIF",
        _exif(taken="2025:10:01 09:00:00"),
        quality=92,
    )
    home = tmp_path / "home"
    imported = _inkbench(home, "album", "import", "手机", str(heic), str(avif))
    assert imported.returncode == 0, imported.stderr
    assert "imported 2" in imported.stdout

    ocr = _inkbench(home, "ocr", "run", "--once", "--workers", "1")
    assert ocr.returncode == 0, ocr.stderr

    for word, name in (("Lantern", "IMG_0001.HEIC"), ("teapot", "poster.avif")):
        found = _inkbench(home, "search", word, "--json")
        assert found.returncode == 0, found.stderr
        assert name in found.stdout, (word, found.stdout)

    shown = _inkbench(home, "album", "show", "手机", "--json")
    assert shown.returncode == 0, shown.stderr
    rows = {i["original_name"]: i for i in json.loads(shown.stdout)["images"]}
    assert rows["IMG_0001.HEIC"]["format"] == "HEIF"
    assert (rows["IMG_0001.HEIC"]["width"], rows["IMG_0001.HEIC"]["height"]) == (
        900,
        240,
    )  # upright: the poster's own landscape shape
    assert rows["IMG_0001.HEIC"]["taken_at"].startswith("2025-09-14 10:30:00")
    assert rows["poster.avif"]["format"] == "AVIF"
    assert (rows["poster.avif"]["width"], rows["poster.avif"]["height"]) == (900, 150)
    assert rows["poster.avif"]["taken_at"].startswith("2025-10-01 09:00:00")
    assert all(i["ocr_status"] == "done" for i in rows.values())

    text = _inkbench(home, "album", "show", "手机").stdout
    heic_line = next(line for line in text.splitlines() if "IMG_0001.HEIC" in line)
    assert "HEIF" in heic_line and "900x240" in heic_line and "2025-09-14" in heic_line


def test_open_image_reads_both_formats(tmp_path: Path) -> None:
    for fmt, suffix in (("HEIF", "heic"), ("AVIF", "avif")):
        path = _save(_landscape_with_marker(), tmp_path / f"x.{suffix}", fmt)
        with open_image(path) as im:
            im.load()
            assert im.format == fmt and im.size == (300, 200)


def test_without_any_avif_decoder_the_refusal_names_the_package(tmp_path: Path) -> None:
    avif = _save(_landscape_with_marker(), tmp_path / "poster.avif", "AVIF")
    heic = _save(_landscape_with_marker(), tmp_path / "IMG_0003.heic", "HEIF")
    home = tmp_path / "home"
    # no AVIF in this Pillow (its _avif module) and no pillow-avif-plugin either
    out = _cli_without("PIL._avif,pillow_avif", home, "album", "import", "A", str(avif), str(heic))
    assert out.returncode == 1, out.stderr
    lines = [line for line in out.stderr.splitlines() if "poster.avif" in line]
    assert len(lines) == 1 and "pip install pillow-avif-plugin" in lines[0], out.stderr
    assert "imported 1" in out.stdout  # the HEIC still goes in


def test_a_folder_import_picks_up_heic_and_avif(db, tmp_path: Path) -> None:
    folder = tmp_path / "DCIM"
    folder.mkdir()
    _save(_landscape_with_marker(), folder / "IMG_0004.HEIC", "HEIF")
    _save(_landscape_with_marker(), folder / "IMG_0005.hif", "HEIF", quality=30)
    _save(_landscape_with_marker(), folder / "poster.AVIF", "AVIF")
    (folder / "notes.txt").write_text("not an image\n")
    summary = import_images(db, "DCIM", [folder])
    assert summary.refused == []
    assert sorted(i.name for i in summary.imported) == [
        "IMG_0004.HEIC",
        "IMG_0005.hif",
        "poster.AVIF",
    ]


def _ftyp(major: bytes, *compatible: bytes) -> bytes:
    body = b"ftyp" + major + b"\0\0\0\0" + b"".join(compatible)
    return (len(body) + 4).to_bytes(4, "big") + body + b"\0" * 8


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (_ftyp(b"heic", b"mif1", b"heic"), "HEIF"),
        (_ftyp(b"mif1", b"mif1", b"heic"), "HEIF"),
        (_ftyp(b"avif", b"mif1", b"avif"), "AVIF"),
        (_ftyp(b"mif1", b"mif1", b"avif", b"miaf"), "AVIF"),
        (_ftyp(b"isom", b"mp41"), None),  # a video
        (b"\xff\xd8\xff\xe0 a JPEG start", None),
    ],
)
def test_container_format_reads_the_brands(data: bytes, expected: str | None) -> None:
    assert container_format(data) == expected
