"""Image import: stored once, measured, thumbnailed; bad files refused one by
one while the rest of the batch goes on; nothing half-imported stays."""

from __future__ import annotations

import io
import os
import struct
import zlib
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PIL import Image

from inkbench.integrations.images import import_images, prepare
from inkbench.storage import blobs
from inkbench.storage.albums import get_image, list_images
from inkbench.storage.check import check
from inkbench.storage.errors import InvalidInput
from inkbench.storage.jobs import CancelToken


def _photo(path: Path, size=(640, 480), *, exif: Image.Exif | None = None, seed: int = 0) -> Path:
    im = Image.linear_gradient("L").resize(size).convert("RGB")
    im.putpixel((seed % size[0], 0), (255, 0, 0))  # make each file's bytes differ
    kwargs = {"exif": exif} if exif is not None else {}
    im.save(path, "JPEG", quality=85, **kwargs)
    return path


def _png(path: Path, size=(120, 80), color=(10, 120, 200)) -> Path:
    Image.new("RGB", size, color).save(path, "PNG")
    return path


def _png_header_only(width: int, height: int) -> bytes:
    """A PNG whose header claims ``width`` x ``height`` (a decompression bomb)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 64)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def _files_in(blob_dir: Path) -> set[str]:
    return {
        p.parent.name + p.name
        for p in blob_dir.glob("*/*")
        if p.is_file() and not p.name.startswith(".tmp-")
    }


def _assert_store_consistent(db) -> None:
    """db check passes, every blob row has its file, every file has a row,
    and every blob row is referenced (no orphans either way)."""
    with db.raw(write=False) as conn:
        assert check(conn, db.blob_dir) == []
        rows = {r[0] for r in conn.execute("SELECT sha256 FROM blob")}
        unreferenced = conn.execute(blobs.unreferenced_rows_sql()).fetchall()
    assert unreferenced == []
    assert _files_in(db.blob_dir) == rows


def test_import_measures_orients_and_thumbnails(db, tmp_path: Path) -> None:
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise to display
    exif.get_ifd(0x8769)[0x9003] = "2023:07:14 09:30:05"
    exif.get_ifd(0x8769)[0x9011] = "+08:00"
    photo = _photo(tmp_path / "sideways.jpg", (800, 600), exif=exif)
    plain = _png(tmp_path / "plain.png")
    seen = []
    summary = import_images(
        db, "Trip", [photo, plain], progress=lambda d, t, label: seen.append((d, t, label))
    )
    assert summary.refused == [] and summary.skipped == []
    assert summary.album_created and len(summary.imported) == 2
    assert seen[-1][:2] == (2, 2)
    with db.raw(write=False) as conn:
        rows = {r.original_name: r for r in list_images(conn, summary.album_id)}
    side = rows["sideways.jpg"]
    assert (side.width, side.height, side.format, side.orientation) == (600, 800, "JPEG", 6)
    assert side.taken_at == datetime(2023, 7, 14, 1, 30, 5, tzinfo=UTC)
    assert side.size_bytes == photo.stat().st_size
    assert side.ocr_status == "pending"
    assert blobs.read_bytes(db.blob_dir, side.blob_sha) == photo.read_bytes()
    with Image.open(io.BytesIO(blobs.read_bytes(db.blob_dir, side.thumb_sha))) as thumb:
        assert thumb.format == "JPEG"
        assert max(thumb.size) <= 256
        assert thumb.size[1] > thumb.size[0]  # orientation applied: portrait
    p = rows["plain.png"]
    assert (p.width, p.height, p.format, p.orientation, p.taken_at) == (120, 80, "PNG", None, None)
    _assert_store_consistent(db)


def test_the_same_file_is_stored_once_and_skipped_in_the_same_album(db, tmp_path: Path) -> None:
    photo = _photo(tmp_path / "a.jpg")
    copy = tmp_path / "copy of a.jpg"
    copy.write_bytes(photo.read_bytes())
    first = import_images(db, "One", [photo])
    again = import_images(db, "One", [photo, copy])
    assert len(first.imported) == 1
    assert again.imported == []
    assert [why for _p, why in again.skipped] == [
        f"already in the album as image {first.imported[0].id}"
    ] * 2
    other = import_images(db, "Two", [copy])
    assert len(other.imported) == 1
    with db.raw(write=False) as conn:
        assert conn.execute("SELECT count(*) FROM image").fetchone()[0] == 2
        shas = conn.execute("SELECT DISTINCT blob_sha FROM image").fetchall()
        assert len(shas) == 1
        assert conn.execute("SELECT count(*) FROM blob").fetchone()[0] == 2  # file + thumbnail
    _assert_store_consistent(db)


def test_each_bad_file_is_refused_in_one_line_and_the_rest_imported(
    db, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    good = [_photo(tmp_path / "good1.jpg", seed=1), _png(tmp_path / "good2.png")]
    whole = _photo(tmp_path / "whole.jpg", (1600, 1200), seed=2).read_bytes()
    bad: dict[str, str] = {}

    def bad_file(name: str, data: bytes, expect: str) -> None:
        (tmp_path / name).write_bytes(data)
        bad[name] = expect

    bad_file("notes.jpg", b"just some text, not a picture\n", "not an image")
    bad_file("truncated.jpg", whole[: len(whole) // 2], "truncated or corrupt")
    png = (tmp_path / "good2.png").read_bytes()
    bad_file("truncated.png", png[: len(png) - 30], "truncated or corrupt")
    idat = png.index(b"IDAT") + 4
    bad_file("corrupt.png", png[:idat] + b"\x00" * 40 + png[idat + 40 :], "truncated or corrupt")
    bad_file("bomb.png", _png_header_only(100_000, 100_000), "decompression bomb")
    bad_file("empty.jpg", b"", "empty file")
    ico = io.BytesIO()
    Image.new("RGB", (32, 32), "red").save(ico, "ICO")
    bad_file("icon.ico", ico.getvalue(), "unsupported format ICO")
    os.mkfifo(tmp_path / "pipe.jpg")
    bad["pipe.jpg"] = "not a regular file"
    (tmp_path / "gone.png").symlink_to(tmp_path / "nowhere.png")
    bad["gone.png"] = "no such file"

    paths = [*good, *(tmp_path / n for n in bad)]
    summary = import_images(db, "Mixed", paths)
    assert sorted(i.name for i in summary.imported) == ["good1.jpg", "good2.png"]
    refused = {Path(p).name: msg for p, msg in summary.refused}
    assert set(refused) == set(bad)
    for name, expect in bad.items():
        assert expect in refused[name], (name, refused[name])
        assert "\n" not in refused[name]
    _assert_store_consistent(db)

    # Pillow's own limit, lowered: a real photo above it is refused as a bomb
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 100_000)
    big = _photo(tmp_path / "big.jpg", (800, 600), seed=3)
    summary = import_images(db, "Mixed", [big])
    assert summary.imported == []
    assert "decompression bomb" in summary.refused[0][1]
    assert "200,000 pixels" in summary.refused[0][1]
    _assert_store_consistent(db)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_a_file_without_read_permission_is_refused(db, tmp_path: Path) -> None:
    locked = _photo(tmp_path / "locked.jpg")
    locked.chmod(0)
    summary = import_images(db, "Locked", [locked])
    assert "cannot read" in summary.refused[0][1]


def test_nothing_is_created_when_every_file_is_refused(db, tmp_path: Path) -> None:
    junk = tmp_path / "junk.png"
    junk.write_text("nope")
    summary = import_images(db, "Empty", [junk])
    assert summary.album_id is None and len(summary.refused) == 1
    with db.raw(write=False) as conn:
        assert conn.execute("SELECT count(*) FROM album").fetchone()[0] == 0
    assert _files_in(db.blob_dir) == set()
    (tmp_path / "nothing here").mkdir()
    with pytest.raises(InvalidInput, match="no image files"):
        import_images(db, "Empty", [tmp_path / "nothing here"])


def test_odd_characters_in_paths(db, tmp_path: Path) -> None:
    folder = tmp_path / "dir with spaces [b] & 中文"
    folder.mkdir()
    names = ["[b]bold[0] [.jpg", "收据 2024.png", "new\nline.jpg", "quote'\"$x.jpg"]
    for i, name in enumerate(names):
        if name.endswith(".png"):
            _png(folder / name, color=(i, i, i))
        else:
            _photo(folder / name, seed=i)
    raw = os.fsencode(folder) + b"/latin1-\xe9t\xe9.jpg"  # not UTF-8
    _photo(Path(os.fsdecode(raw)), seed=9)
    summary = import_images(db, "Odd [names]", [folder])
    assert summary.refused == []
    stored = sorted(i.name for i in summary.imported)
    assert stored == sorted(
        [
            "[b]bold[0] [.jpg",
            "收据 2024.png",
            "new?line.jpg",
            "quote'\"$x.jpg",
            "latin1-\ufffdt\ufffd.jpg",
        ]
    )
    with db.raw(write=False) as conn:
        names_in_db = {r.original_name for r in list_images(conn, summary.album_id)}
    assert names_in_db == set(stored)
    _assert_store_consistent(db)


def test_folders_one_level_or_recursive(db, tmp_path: Path) -> None:
    top = tmp_path / "photos"
    (top / "2024" / "may").mkdir(parents=True)
    _photo(top / "a.jpg", seed=1)
    (top / "readme.txt").write_text("not an image, and not an image name: ignored")
    _photo(top / "2024" / "b.JPG", seed=2)
    _png(top / "2024" / "may" / "c.png")
    flat = import_images(db, "Flat", [top])
    assert [i.name for i in flat.imported] == ["a.jpg"] and flat.refused == []
    deep = import_images(db, "Deep", [top], recursive=True)
    assert sorted(i.name for i in deep.imported) == ["a.jpg", "b.JPG", "c.png"]


def test_cancel_stops_the_batch_and_keeps_what_is_whole(db, tmp_path: Path) -> None:
    paths = [_photo(tmp_path / f"p{i}.jpg", (320, 240), seed=i) for i in range(30)]
    token = CancelToken()

    def progress(done: int, _total: int, _name: str) -> None:
        if done >= 5:
            token.cancel()

    summary = import_images(db, "Cancelled", paths, cancel=token, progress=progress, threads=1)
    assert summary.cancelled
    assert 0 < len(summary.imported) < 30
    with db.raw(write=False) as conn:
        assert conn.execute("SELECT count(*) FROM image").fetchone()[0] == len(summary.imported)
    _assert_store_consistent(db)


def test_blob_files_written_before_a_crash_are_swept(db, tmp_path: Path) -> None:
    """A crash after the files are stored and before their rows commit leaves
    files with no row; the sweep removes them and the database stays sound."""
    kept = import_images(db, "Kept", [_photo(tmp_path / "kept.jpg", seed=1)])
    prepared = prepare(_photo(tmp_path / "lost.jpg", seed=2), db.blob_dir)  # then "crash"
    assert {prepared.sha, prepared.thumb_sha} <= _files_in(db.blob_dir)
    with db.raw() as conn:
        removed = blobs.sweep(conn, db.blob_dir, min_age_s=0)
    assert removed == 2
    assert prepared.sha not in _files_in(db.blob_dir)
    with db.raw(write=False) as conn:
        image = get_image(conn, kept.imported[0].id)
    assert image.row.blob_sha in _files_in(db.blob_dir)
    _assert_store_consistent(db)
