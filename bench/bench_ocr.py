"""Image import and OCR throughput, each beside a raw baseline from this run.

- import of 500 photo-size JPEGs (3000x2000, ~2 MB, EXIF) through
  ``integrations.images.import_images`` vs hashing + a Pillow draft
  thumbnail alone, on the same files, with the same number of threads
  (target >= 0.8x);
- OCR with 1 and 2 workers through ``integrations.ocr.runner.run_ocr`` vs a
  bare loop over tesserocr with one reused API per process (>= 0.85x) and vs
  the ``tesseract`` CLI with as many processes (>= 1.5x), on the same 40
  rendered 1200x800 text images; and whether the three give the same text.

Every timing is wall time from start to the last result, process start-up
included on both sides; OCR figures are the best of two interleaved rounds
(the machine may be shared). Generated inputs are cached under ``bench/work/``.
``INKBENCH_BENCH_PHOTOS``/``INKBENCH_BENCH_OCR_IMAGES`` change the counts and
``INKBENCH_BENCH_OCR_LANG`` the language (default eng).

Measured 2026-11-23 on the 2-core machine while other work shared it (load
2-6; figures moved by +-30% between runs): import 1.29x (other runs 0.91-1.10);
OCR 1 worker 0.85x bare tesserocr (0.93x first-to-last result) and 1.37x the
CLI (other runs 1.28-1.70x); 2 workers 0.82x bare (0.89x first-to-last) and
1.12x the CLI; text identical to both in every run. What separates us from
the bare loop is start-up: a worker imports storage (SQLAlchemy, SQLModel,
~1 s of CPU); ``INKBENCH_OCR_START=forkserver`` pays that once per run.
"""

from __future__ import annotations

import hashlib
import io
import multiprocessing as mp
import os
import shutil
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

os.environ.setdefault("OMP_THREAD_LIMIT", "1")

from PIL import Image, ImageChops, ImageDraw, ImageFont  # noqa: E402

from bench.results import record  # noqa: E402

WORK = Path(__file__).with_name("work")
PHOTOS = int(os.environ.get("INKBENCH_BENCH_PHOTOS", "500"))
OCR_IMAGES = int(os.environ.get("INKBENCH_BENCH_OCR_IMAGES", "40"))
ROUNDS = int(os.environ.get("INKBENCH_BENCH_OCR_ROUNDS", "2"))
OCR_LANG = os.environ.get("INKBENCH_BENCH_OCR_LANG", "eng")
PHOTO_SIZE = (3000, 2000)
THUMB = 256

WORDS = (
    "ledger invoice quarterly harvest lantern orchard meridian compass velvet granite "
    "harbour cinnamon saffron thunder meadow pilgrim archive beacon copper willow "
    "summit cascade ember falcon glacier horizon island jasmine kettle lagoon"
).split()


# --- inputs -----------------------------------------------------------------------------------


def _make_photos(args: tuple[Path, list[int]]) -> None:
    folder, numbers = args
    noise = Image.effect_noise(PHOTO_SIZE, 60)
    grad = Image.linear_gradient("L").resize(PHOTO_SIZE)
    radial = Image.radial_gradient("L").resize(PHOTO_SIZE)
    for i in numbers:
        path = folder / f"photo{i:04d}.jpg"
        if path.exists():
            continue
        shifted = ImageChops.offset(noise, i * 37, i * 53)
        im = Image.merge(
            "RGB",
            (
                Image.blend(grad, shifted, 0.3),
                Image.blend(radial, shifted, 0.2),
                ImageChops.offset(grad, i * 101, 0),
            ),
        )
        exif = Image.Exif()
        exif[0x0112] = 1
        exif.get_ifd(0x8769)[0x9003] = f"2024:05:{1 + i % 28:02d} 10:{i % 60:02d}:00"
        tmp = path.with_suffix(".tmp")
        im.save(tmp, "JPEG", quality=85, exif=exif)
        tmp.rename(path)


def photos() -> list[Path]:
    folder = WORK / "photos"
    folder.mkdir(parents=True, exist_ok=True)
    wanted = [folder / f"photo{i:04d}.jpg" for i in range(PHOTOS)]
    missing = [i for i, p in enumerate(wanted) if not p.exists()]
    if missing:
        print(f"generating {len(missing)} photos under {folder} (cached for next time)")
        n = max(1, min(os.cpu_count() or 1, 4))
        with mp.get_context("spawn").Pool(n) as pool:
            pool.map(_make_photos, [(folder, missing[k::n]) for k in range(n)])
    return wanted


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    for cand in (
        "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
        "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    ):
        if Path(cand).is_file():
            # face 2 of the CJK collection draws Simplified Chinese (0 is Japanese)
            return ImageFont.truetype(cand, size, index=2 if cand.endswith(".ttc") else 0)
    return ImageFont.load_default(size)


def text_images() -> list[Path]:
    folder = WORK / "ocr"
    folder.mkdir(parents=True, exist_ok=True)
    font = _font(30)
    out = []
    for i in range(OCR_IMAGES):
        path = folder / f"text{i:03d}.png"
        out.append(path)
        if path.exists():
            continue
        im = Image.new("L", (1200, 800), 255)
        draw = ImageDraw.Draw(im)
        for line in range(10):
            words = [WORDS[(i * 7 + line * 3 + k * 5) % len(WORDS)] for k in range(6)]
            head = f"Page {i + 1}, line {line + 1}:"
            draw.text((40, 30 + 74 * line), f"{head} " + " ".join(words), font=font, fill=0)
        im.save(path)
    return out


# --- import --------------------------------------------------------------------------------------


def _hash_and_thumbnail(path: Path) -> str:
    data = path.read_bytes()
    sha = hashlib.sha256(data).hexdigest()
    with Image.open(io.BytesIO(data)) as im:
        im.draft("RGB", (THUMB, THUMB))
        im.thumbnail((THUMB, THUMB))
    return sha


def bench_import(files: list[Path]) -> None:
    from inkbench.integrations.images import import_images
    from inkbench.storage.engine import open_database

    threads = min(8, (os.cpu_count() or 1) + 2)  # what import_images uses by default
    for f in files:  # both sides read from the page cache
        f.read_bytes()
    start = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(_hash_and_thumbnail, files))
    baseline = len(files) / (time.perf_counter() - start)

    home = WORK / "home-import"
    shutil.rmtree(home, ignore_errors=True)
    db = open_database(home)
    start = time.perf_counter()
    summary = import_images(db, "bench", files, threads=threads)
    value = len(files) / (time.perf_counter() - start)
    db.dispose()
    assert len(summary.imported) == len(files), summary.refused[:3]
    shutil.rmtree(home, ignore_errors=True)
    ratio = value / baseline
    record(
        f"image import, {len(files)} 3000x2000 JPEGs ({threads} threads)",
        value=value,
        unit="img/s",
        baseline=baseline,
        target="ratio >= 0.8 vs hash + draft thumbnail",
        met=ratio >= 0.8,
    )


# --- OCR ------------------------------------------------------------------------------------


def _bare_worker(args: tuple[list[str], str, str]) -> list[tuple[str, str]]:
    """The baseline: one tesserocr API for the process, reused in a loop."""
    paths, lang, tessdata = args
    os.environ["OMP_THREAD_LIMIT"] = "1"
    import tesserocr

    api = tesserocr.PyTessBaseAPI(path=tessdata + os.sep, lang=lang, psm=tesserocr.PSM.AUTO)
    out = []
    for p in paths:
        with Image.open(p) as im:
            im.load()
            api.SetImage(im)
            out.append((p, api.GetUTF8Text(), time.time()))
    api.End()
    return out


def bare_tesserocr(
    paths: list[Path], n: int, lang: str, tessdata: str
) -> tuple[dict[str, str], list[float]]:
    """Texts by path, and the moments each image was finished."""
    shares = [[str(p) for p in paths[k::n]] for k in range(n)]
    ctx = mp.get_context("spawn")
    with ctx.Pool(n) as pool:
        parts = pool.map(_bare_worker, [(s, lang, tessdata) for s in shares])
    texts = {p: t for part in parts for p, t, _when in part}
    return texts, sorted(when for part in parts for _p, _t, when in part)


def steady_rate(moments: list[float]) -> float:
    """Images per second from the first result to the last (start-up left out)."""
    return (len(moments) - 1) / (moments[-1] - moments[0])


def cli_tesseract(paths: list[Path], n: int, lang: str, tessdata: str) -> dict[str, str]:
    env = dict(os.environ, OMP_THREAD_LIMIT="1")

    def one(p: Path) -> tuple[str, str]:
        out = subprocess.run(
            ["tesseract", str(p), "stdout", "-l", lang, "--psm", "3", "--tessdata-dir", tessdata],
            capture_output=True,
            text=True,
            env=env,
            check=True,
        )
        return str(p), out.stdout

    with ThreadPoolExecutor(n) as pool:
        return dict(pool.map(one, paths))


def bench_ocr(paths: list[Path]) -> None:
    from inkbench.integrations.images import import_images
    from inkbench.integrations.ocr.engine import resolve_languages, tidy_text
    from inkbench.integrations.ocr.runner import run_ocr
    from inkbench.storage.engine import open_database

    lang, tessdata_path = resolve_languages(OCR_LANG)
    tessdata = str(tessdata_path)
    home = WORK / "home-ocr"
    shutil.rmtree(home, ignore_errors=True)
    db = open_database(home)
    summary = import_images(db, "ocr", paths)
    name_of = {i.id: Path(i.path).name for i in summary.imported}
    n_img = len(paths)
    texts: dict[str, dict[str, str]] = {}
    for n in (1, 2):
        best = {"ours": 0.0, "bare": 0.0, "cli": 0.0, "ours_steady": 0.0, "bare_steady": 0.0}
        for _round in range(ROUNDS):  # interleaved, best of each: the machine is shared
            with db.raw() as conn:
                conn.execute(
                    "UPDATE image SET ocr_status = 'pending', ocr_attempts = 0, ocr_text = NULL,"
                    " ocr_next_attempt_at = NULL"
                )
            moments: list[float] = []
            start = time.perf_counter()
            result = run_ocr(
                db,
                workers=n,
                lang=lang,
                progress=lambda d, _t, _n, seen=moments: (
                    seen.append(time.time()) if d > len(seen) else None
                ),
            )
            best["ours"] = max(best["ours"], n_img / (time.perf_counter() - start))
            best["ours_steady"] = max(best["ours_steady"], steady_rate(moments))
            assert result.done == n_img, result
            with db.raw(write=False) as conn:
                texts["ours"] = {
                    name_of[i]: t for i, t in conn.execute("SELECT id, ocr_text FROM image")
                }

            start = time.perf_counter()
            bare, bare_moments = bare_tesserocr(paths, n, lang, tessdata)
            best["bare"] = max(best["bare"], n_img / (time.perf_counter() - start))
            best["bare_steady"] = max(best["bare_steady"], steady_rate(bare_moments))
            texts["bare"] = {Path(p).name: tidy_text(t) for p, t in bare.items()}

            start = time.perf_counter()
            cli = cli_tesseract(paths, n, lang, tessdata)
            best["cli"] = max(best["cli"], n_img / (time.perf_counter() - start))
            texts["cli"] = {Path(p).name: tidy_text(t) for p, t in cli.items()}
        ours, bare_rate, cli_rate = best["ours"], best["bare"], best["cli"]

        record(
            f"OCR {n} worker(s) vs bare tesserocr loop ({lang})",
            value=ours,
            unit="img/s",
            baseline=bare_rate,
            target="ratio >= 0.85",
            met=ours / bare_rate >= 0.85,
        )
        record(
            f"OCR {n} worker(s), first to last result, vs bare ({lang})",
            value=best["ours_steady"],
            unit="img/s",
            baseline=best["bare_steady"],
            target="ratio >= 0.85 (start-up left out on both sides; for the record)",
            met=best["ours_steady"] / best["bare_steady"] >= 0.85,
        )
        record(
            f"OCR {n} worker(s) vs tesseract CLI ({lang})",
            value=ours,
            unit="img/s",
            baseline=cli_rate,
            target="ratio >= 1.5",
            met=ours / cli_rate >= 1.5,
        )
        for other in ("bare", "cli"):
            same = sum(texts["ours"][k] == texts[other].get(k) for k in texts["ours"])
            record(
                f"OCR {n} worker(s): text equal to {other} ({lang})",
                value=same / n_img,
                unit="share",
                baseline=None,
                target="== 1.0 (after the same tidy_text)",
                met=same == n_img,
            )
    db.dispose()
    shutil.rmtree(home, ignore_errors=True)


def main() -> None:
    start = time.perf_counter()
    files = photos()
    pages = text_images()
    print(f"inputs ready in {time.perf_counter() - start:.1f} s")
    bench_import(files)
    bench_ocr(pages)


if __name__ == "__main__":
    main()
