"""HEIC import beside decoding the same files with pillow-heif alone.

200 iPhone-size HEICs (pixels stored 4032x3024 with a 90-degree ``irot``
transform, so 3024x4032 upright, EXIF date) imported through
``integrations.images.import_images`` (read, decode, check, hash, thumbnail,
store, insert) vs a bare loop that only decodes each file with pillow-heif,
on the same files with the same number of threads. For the record: decoding
is most of the work, so the ratio says what the rest costs.

HEVC encoding is slow (x265 takes ~15 s per 12-megapixel photo on a shared
2-core machine), so a few distinct photos are encoded once and each is
written out several times with a different EXIF date (the same length of
bytes, rewritten in place): every file has its own content hash, as a
phone's would, and decodes like a real photo. All of it is cached under
``bench/work/heic/``. ``INKBENCH_BENCH_HEIC`` changes the count.

Measured 2026-11-30 on the shared 2-core machine (load 14-20): import 0.46
images/s vs decode alone 0.51 images/s, ratio 0.90 (see bench/README.md).
"""

from __future__ import annotations

import multiprocessing as mp
import os
import shutil
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pillow_heif
from PIL import Image, ImageChops

from bench.results import record

WORK = Path(__file__).with_name("work")
COUNT = int(os.environ.get("INKBENCH_BENCH_HEIC", "200"))
DISTINCT = 8  # photos actually encoded; the rest are copies with another date
STORED = (4032, 3024)  # as the sensor stores them; shown 3024x4032
DATE = "2024:05:01 10:00:00"


def _date(i: int) -> str:
    return f"2024:{1 + i // 28 % 12:02d}:{1 + i % 28:02d} 10:{i % 60:02d}:00"


def _encode(args: tuple[Path, int]) -> None:
    path, seed = args
    if path.exists():
        return
    noise = Image.effect_noise((STORED[0] // 8, STORED[1] // 8), 40 + seed).resize(STORED)
    grad = Image.linear_gradient("L").resize(STORED)
    radial = Image.radial_gradient("L").resize(STORED)
    im = Image.merge(
        "RGB",
        (
            Image.blend(grad, noise, 0.3),
            Image.blend(radial, ImageChops.offset(noise, seed * 97, 0), 0.2),
            ImageChops.offset(grad, seed * 101, 0),
        ),
    )
    exif = Image.Exif()
    exif[0x0112] = 6  # a portrait shot: the encoder turns this into the irot box
    exif.get_ifd(0x8769)[0x9003] = DATE
    tmp = path.with_suffix(".tmp")
    pillow_heif.from_pillow(im).save(
        tmp, format="HEIF", quality=80, exif=exif.tobytes(), enc_params={"preset": "ultrafast"}
    )
    tmp.rename(path)


def heic_photos() -> list[Path]:
    folder = WORK / "heic"
    folder.mkdir(parents=True, exist_ok=True)
    bases = [folder / f"base{k}.heic.src" for k in range(DISTINCT)]
    missing = [(b, k) for k, b in enumerate(bases) if not b.exists()]
    if missing:
        print(f"encoding {len(missing)} HEIC photos under {folder} (cached for next time)")
        with mp.get_context("spawn").Pool(max(1, min(os.cpu_count() or 1, 4))) as pool:
            pool.map(_encode, missing)
    wanted = [folder / f"IMG_{i:04d}.HEIC" for i in range(COUNT)]
    for i, path in enumerate(wanted):
        if path.exists():
            continue
        data = bases[i % DISTINCT].read_bytes()
        assert data.count(DATE.encode()) == 1
        path.write_bytes(data.replace(DATE.encode(), _date(i).encode()))
    return wanted


def _decode(path: Path) -> tuple[int, int]:
    heif = pillow_heif.open_heif(path.read_bytes())
    heif.data  # noqa: B018  (decodes the primary image)
    return heif.size


def main() -> None:
    from inkbench.integrations.images import import_images
    from inkbench.storage.engine import open_database

    files = heic_photos()
    threads = min(8, (os.cpu_count() or 1) + 2)  # what import_images uses by default
    for f in files:  # both sides read from the page cache
        f.read_bytes()

    start = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        sizes = set(pool.map(_decode, files))
    baseline = len(files) / (time.perf_counter() - start)
    assert sizes == {(3024, 4032)}, sizes  # the library applies the transform too

    home = WORK / "home-heic"
    shutil.rmtree(home, ignore_errors=True)
    db = open_database(home)
    start = time.perf_counter()
    summary = import_images(db, "bench", files, threads=threads)
    value = len(files) / (time.perf_counter() - start)
    db.dispose()
    shutil.rmtree(home, ignore_errors=True)
    assert len(summary.imported) == len(files), summary.refused[:3]
    assert {(i.width, i.height, i.format) for i in summary.imported} == {(3024, 4032, "HEIF")}
    record(
        f"HEIC import, {len(files)} 3024x4032 photos ({threads} threads)",
        value=value,
        unit="img/s",
        baseline=baseline,
        target="for the record (vs pillow-heif decode alone)",
        met=True,
    )


if __name__ == "__main__":
    main()
