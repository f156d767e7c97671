"""The tesseract OCR engine: tesseract through ``tesserocr``, one API object per worker
process, reused for every image (creating one costs 90–230 ms); ``pytesseract``
(which starts the ``tesseract`` program per image) when tesserocr is not
installed.

``OMP_THREAD_LIMIT=1`` must be in the environment before libtesseract loads:
its OpenMP threads make it 3–6x slower on two cores. Importing this module
sets it (unless already set) and the runner's worker processes set it before
anything else. Parallelism comes from processes instead.
"""

from __future__ import annotations

import os

from inkbench.i18n import _

os.environ.setdefault("OMP_THREAD_LIMIT", "1")

import importlib.util  # noqa: E402
import re  # noqa: E402
import shutil  # noqa: E402
import subprocess  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Protocol  # noqa: E402

from inkbench.integrations.ocr.layout import reading_order, tidy_text  # noqa: E402
from inkbench.storage.errors import InkbenchError  # noqa: E402

DEFAULT_LANGUAGES = ("chi_sim", "eng")
TESSDATA_CANDIDATES = (
    "/usr/share/tesseract-ocr/5/tessdata",
    "/usr/share/tesseract-ocr/4.00/tessdata",
    "/usr/share/tessdata",
    "/usr/local/share/tessdata",
    "/opt/homebrew/share/tessdata",
)
BASE_PACKAGES = "tesseract-ocr tesseract-ocr-eng tesseract-ocr-chi-sim"
_LANG_RE = re.compile(r"^[A-Za-z0-9_]+$")


class OcrUnavailable(InkbenchError):
    """OCR cannot run as configured (engine or language data missing)."""


@dataclass(frozen=True)
class OcrResult:
    """What an engine read in one image."""

    text: str  # tidied; empty when nothing was found
    confidence: float | None  # mean word (tesseract) or line (ppocr) confidence, 0-100
    lang: str
    engine: str = "tesseract"  # tesseract or ppocr: what the image row records
    model: str | None = None  # the engine's version and models
    boxes: list[dict] = field(default_factory=list)  # pieces in reading order (layout.py)


class Engine(Protocol):
    """What the runner needs of an engine (tesseract's two, ppocr)."""

    name: str
    lang: str

    def recognize(self, image) -> OcrResult: ...

    def close(self) -> None: ...


def apt_package(lang: str) -> str:
    return "tesseract-ocr-" + lang.lower().replace("_", "-")


def _has_data(path: Path) -> bool:
    return path.is_dir() and any(path.glob("*.traineddata"))


def tessdata_dir() -> Path | None:
    """Where tesseract's language files are: ``TESSDATA_PREFIX``, the usual
    system places, or what the ``tesseract`` program reports."""
    env = os.environ.get("TESSDATA_PREFIX")
    if env:
        for cand in (Path(env), Path(env) / "tessdata"):
            if _has_data(cand):
                return cand
    for cand in TESSDATA_CANDIDATES:
        if _has_data(Path(cand)):
            return Path(cand)
    exe = shutil.which("tesseract")
    if exe:
        try:
            out = subprocess.run(
                [exe, "--list-langs"], capture_output=True, text=True, timeout=20
            ).stdout
        except (OSError, subprocess.SubprocessError):
            return None
        m = re.search(r'"([^"]+)"', out)
        if m and _has_data(Path(m.group(1))):
            return Path(m.group(1))
    return None


def installed_languages(tessdata: Path | None = None) -> list[str]:
    tessdata = tessdata or tessdata_dir()
    if tessdata is None:
        return []
    return sorted(p.name.removesuffix(".traineddata") for p in tessdata.glob("*.traineddata"))


def resolve_languages(spec: str | None = None) -> tuple[str, Path]:
    """The ``+``-joined language list to use and the tessdata folder. The
    default is ``chi_sim+eng``, or what of it is installed."""
    tessdata = tessdata_dir()
    if tessdata is None:
        raise OcrUnavailable(
            _(
                "tesseract's language data was not found; install it: sudo apt-get "
                "install {BASE_PACKAGES} (or set TESSDATA_PREFIX)"
            ).format(BASE_PACKAGES=BASE_PACKAGES)
        )
    have = set(installed_languages(tessdata))
    if spec is None or not spec.strip():
        langs = [lang for lang in DEFAULT_LANGUAGES if lang in have]
        if not langs:
            raise OcrUnavailable(
                _(
                    "neither chi_sim nor eng OCR data is installed; install them: sudo "
                    "apt-get install tesseract-ocr-eng tesseract-ocr-chi-sim"
                )
            )
        return "+".join(langs), tessdata
    langs = [p.strip() for p in spec.split("+") if p.strip()]
    bad = [p for p in langs if not _LANG_RE.match(p)]
    if bad or not langs:
        raise OcrUnavailable(
            _(
                "bad OCR language list {spec!r}; write tesseract "
                "codes joined with +, like chi_sim+eng"
            ).format(spec=spec)
        )
    missing = [p for p in langs if p not in have]
    if missing:
        names = ", ".join(missing)
        packages = " ".join(apt_package(p) for p in missing)
        raise OcrUnavailable(
            _(
                "OCR language {names} is not installed (have: {have}); "
                "install it: sudo apt-get install {packages}"
            ).format(names=names, have=", ".join(sorted(have)) or _("none"), packages=packages)
        )
    return "+".join(dict.fromkeys(langs)), tessdata


def tesserocr_available() -> bool:
    return importlib.util.find_spec("tesserocr") is not None


def prepare_image(image):
    """An image tesseract reads well: grey or RGB, transparency on white."""
    from PIL import Image

    if image.mode in ("L", "RGB"):
        return image
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        back = Image.new("RGB", rgba.size, (255, 255, 255))
        back.paste(rgba, mask=rgba.getchannel("A"))
        return back
    return image.convert("RGB")


class TesserocrEngine:
    """One ``PyTessBaseAPI``, created once, reused for every image."""

    name = "tesserocr"

    def __init__(self, lang: str, tessdata: Path) -> None:
        import tesserocr

        self.lang = lang
        self.model = f"tesseract {tesserocr.tesseract_version().split()[1]} {lang}"
        try:
            self.api = tesserocr.PyTessBaseAPI(
                path=str(tessdata) + os.sep, lang=lang, psm=tesserocr.PSM.AUTO
            )
        except RuntimeError as e:
            raise OcrUnavailable(
                _(
                    "tesseract could not load {lang} from {tessdata} ({e}); "
                    "reinstall: sudo apt-get install {choices}"
                ).format(
                    lang=lang,
                    tessdata=tessdata,
                    e=e,
                    choices=" ".join(apt_package(p) for p in lang.split("+")),
                )
            ) from None

    def recognize(self, image) -> OcrResult:
        api = self.api
        try:
            api.SetImage(prepare_image(image))
            text = tidy_text(api.GetUTF8Text())
            confs = [c for c in api.AllWordConfidences() if c >= 0]
            boxes = self._line_boxes() if text else []
        finally:
            api.Clear()
        conf = round(sum(confs) / len(confs), 1) if text and confs else None
        return OcrResult(
            text=text,
            confidence=conf,
            lang=self.lang,
            engine="tesseract",
            model=self.model,
            boxes=boxes,
        )

    def _line_boxes(self) -> list[dict]:
        """Tesseract's text lines with their boxes, in reading order."""
        import tesserocr

        level = tesserocr.RIL.TEXTLINE
        items = []
        for line in tesserocr.iterate_level(self.api.GetIterator(), level):
            text = tidy_text(line.GetUTF8Text(level) or "")
            box = line.BoundingBox(level)
            if text and box:
                items.append(
                    {"text": text, "box": list(box), "confidence": round(line.Confidence(level), 1)}
                )
        return reading_order(items)[0]

    def close(self) -> None:
        self.api.End()


class PytesseractEngine:
    """The fallback: the ``tesseract`` program, started once per image."""

    name = "pytesseract"

    def __init__(self, lang: str, tessdata: Path) -> None:
        if shutil.which("tesseract") is None:
            raise OcrUnavailable(
                _(
                    "neither tesserocr nor the tesseract program is installed; "
                    "install: sudo apt-get install {BASE_PACKAGES}"
                ).format(BASE_PACKAGES=BASE_PACKAGES)
            )
        self.lang = lang
        self.model = f"tesseract (program) {lang}"
        self.config = f'--psm 3 --tessdata-dir "{tessdata}"'

    def recognize(self, image) -> OcrResult:
        import pytesseract

        data = pytesseract.image_to_data(
            prepare_image(image),
            lang=self.lang,
            config=self.config,
            output_type=pytesseract.Output.DICT,
        )
        lines: dict[tuple[int, int, int], list[str]] = {}
        spans: dict[tuple[int, int, int], list[int]] = {}
        confs: list[float] = []
        for i, word in enumerate(data["text"]):
            if not word or not word.strip():
                continue
            key = (data["block_num"][i], data["par_num"][i], data["line_num"][i])
            lines.setdefault(key, []).append(word)
            left, top = data["left"][i], data["top"][i]
            right, bottom = left + data["width"][i], top + data["height"][i]
            old = spans.get(key)
            spans[key] = (
                [left, top, right, bottom]
                if old is None
                else [min(old[0], left), min(old[1], top), max(old[2], right), max(old[3], bottom)]
            )
            conf = float(data["conf"][i])
            if conf >= 0:
                confs.append(conf)
        out: list[str] = []
        last_par = None
        for key in sorted(lines):
            if last_par is not None and key[:2] != last_par:
                out.append("")
            out.append(" ".join(lines[key]))
            last_par = key[:2]
        text = tidy_text("\n".join(out))
        conf = round(sum(confs) / len(confs), 1) if text and confs else None
        items = [{"text": tidy_text(" ".join(lines[k])), "box": spans[k]} for k in sorted(lines)]
        return OcrResult(
            text=text,
            confidence=conf,
            lang=self.lang,
            engine="tesseract",
            model=self.model,
            boxes=reading_order(items)[0] if text else [],
        )

    def close(self) -> None:
        pass


def make_engine(lang: str | None = None, *, engine: str = "auto") -> Engine:
    """An engine for ``lang`` (default: chi_sim+eng as installed). ``engine``:
    auto (tesserocr when installed), tesserocr, or pytesseract."""
    langs, tessdata = resolve_languages(lang)
    if engine == "auto":
        engine = "tesserocr" if tesserocr_available() else "pytesseract"
    if engine == "tesserocr":
        if not tesserocr_available():
            raise OcrUnavailable(_("tesserocr is not installed; use --engine pytesseract"))
        return TesserocrEngine(langs, tessdata)
    if engine == "pytesseract":
        return PytesseractEngine(langs, tessdata)
    raise OcrUnavailable(
        _("unknown OCR engine {engine!r}; use auto, tesserocr or pytesseract").format(engine=engine)
    )


def load_for_ocr(path: Path, orientation: int | None = None):
    """The stored image, decoded and turned the right way up."""
    from PIL import Image

    from inkbench.integrations.images import orient, register_formats

    register_formats()  # HEIC/HEIF and AVIF decode too
    with Image.open(path) as im:
        im.load()
        upright = orient(im, orientation)
        # the engines re-encode an image in its own format, which leptonica cannot read
        return upright.copy() if upright.format in ("HEIF", "AVIF") else upright
