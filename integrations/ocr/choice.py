"""Which OCR engine reads an image, and building it.

Engines: ``tesseract`` (tesserocr, or pytesseract when tesserocr is missing)
and ``ppocr`` (PP-OCR through RapidOCR, the optional ``inkbench[ppocr]``
extra). ``auto`` picks ppocr when the OCR languages include Chinese and the
extra is installed, else tesseract.

The choice, first that is set: ``ocr run --engine``, the album's own engine
(``ocr engine ALBUM NAME``), ``[ocr] engine`` in ``config.toml``, ``auto``.
"""

from __future__ import annotations

from pathlib import Path

from inkbench.i18n import _
from inkbench.integrations.ocr import ppocr
from inkbench.integrations.ocr.engine import Engine, OcrUnavailable, make_engine
from inkbench.storage.errors import InvalidInput

ENGINES = ("tesseract", "ppocr", "auto")
# tesseract's two ways in, accepted where an engine is named
TESSERACT_BACKENDS = ("tesserocr", "pytesseract")
CHINESE = ("chi_sim", "chi_tra", "chi_sim_vert", "chi_tra_vert")


def configured_engine(home: str | Path | None) -> str | None:
    """``[ocr] engine`` from the settings (``config.toml``; "auto" unless set;
    a bad value is reported by the settings and the default kept)."""
    from inkbench.settings import load_settings

    return load_settings(None if home is None else Path(home)).ocr.engine


def check_name(name: str) -> str:
    """``name`` if it is an engine (or a tesseract backend), else one line."""
    if name in ENGINES or name in TESSERACT_BACKENDS:
        return name
    raise InvalidInput(
        _("unknown OCR engine {name!r}; use one of {engines}").format(
            name=name, engines=", ".join(ENGINES)
        )
    )


def has_chinese(langs: str) -> bool:
    """True when a ``+``-joined tesseract language list includes Chinese."""
    return any(p in CHINESE for p in langs.split("+"))


def resolve(choice: str | None, langs: str) -> str:
    """The engine ``choice`` means for languages ``langs``: ``tesseract``,
    ``ppocr``, or a tesseract backend named on purpose."""
    choice = choice or "auto"
    if choice == "auto":
        return "ppocr" if has_chinese(langs) and ppocr.available() else "tesseract"
    return check_name(choice)


def kind(engine: str) -> str:
    """What an image row records: ``tesseract`` for either backend, or ``ppocr``."""
    return "ppocr" if engine == "ppocr" else "tesseract"


def require(engine: str) -> None:
    """Raise the one-line ``OcrUnavailable`` when ``engine`` cannot run here
    and that can be told without loading it (the ppocr extra is missing)."""
    if engine == "ppocr" and not ppocr.available():
        raise OcrUnavailable(ppocr.missing_message())


def build(engine: str, langs: str, *, threads: int = 1) -> Engine:
    """A ready engine: ``ppocr``, or tesseract (``tesseract`` picks tesserocr
    when installed, else pytesseract; ``tesserocr``/``pytesseract`` force one)."""
    if engine == "ppocr":
        return ppocr.PpocrEngine(langs, threads=threads)
    backend = "auto" if engine == "tesseract" else engine
    return make_engine(langs, engine=backend)
