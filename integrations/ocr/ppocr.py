"""The PP-OCR engine: PaddleOCR's PP-OCRv4 detection and recognition models
(and the mobile angle classifier) run through RapidOCR on onnxruntime.

The models come from the ``rapidocr-onnxruntime`` wheel itself (its
``models/`` folder); nothing is downloaded at run time. One ``RapidOCR``
object per worker process, reused for every image; its onnxruntime sessions
get ``threads`` intra-op threads so that N workers share the cores instead of
each starting one thread per core.

Install with ``pip install 'inkbench[ppocr]'``.
"""

from __future__ import annotations

import importlib.util
import os
from importlib import metadata
from pathlib import Path

from inkbench.i18n import _
from inkbench.integrations.ocr.engine import OcrResult, OcrUnavailable, prepare_image
from inkbench.integrations.ocr.layout import reading_order

PACKAGE = "rapidocr-onnxruntime"
MODULE = "rapidocr_onnxruntime"
INSTALL_HINT = "pip install 'inkbench[ppocr]' (or: pip install rapidocr-onnxruntime)"
ORT_REINSTALL = "pip install --force-reinstall onnxruntime"  # a command, not words to translate
REINSTALL_HINT = f"pip install --force-reinstall {PACKAGE}"
MODEL_FILES = {
    "det": "ch_PP-OCRv4_det_infer.onnx",
    "rec": "ch_PP-OCRv4_rec_infer.onnx",
    "cls": "ch_ppocr_mobile_v2.0_cls_infer.onnx",
}
MAX_SIDE = 2000  # detection runs on the image scaled down to this (RapidOCR's max_side_len)


def available() -> bool:
    """True when the ``ppocr`` extra is installed (and importable)."""
    try:
        return importlib.util.find_spec(MODULE) is not None
    except (ImportError, ValueError):  # sys.modules[MODULE] = None, or a broken install
        return False


def missing_message() -> str:
    """The one line shown when ``ppocr`` is chosen without the extra."""
    return _("the ppocr OCR engine is not installed; install it: {hint}").format(hint=INSTALL_HINT)


def package_models() -> Path:
    """The folder of ONNX models shipped inside the installed wheel."""
    spec = importlib.util.find_spec(MODULE)
    if spec is None or spec.origin is None:
        raise OcrUnavailable(missing_message())
    return Path(spec.origin).parent / "models"


def model_version(model_dir: Path | None = None) -> str:
    """Which package version and models read the text, as stored on the image."""
    try:
        version = metadata.version(PACKAGE)
    except metadata.PackageNotFoundError:
        version = "?"
    names = "+".join(Path(MODEL_FILES[k]).stem for k in ("det", "rec", "cls"))
    return f"{PACKAGE} {version} {names}"


def default_threads(workers: int) -> int:
    """Intra-op threads per worker so N workers do not oversubscribe the cores."""
    return max(1, (os.cpu_count() or 1) // max(1, workers))


class PpocrEngine:
    """One RapidOCR pipeline (det + cls + rec), created once, reused."""

    name = "ppocr"

    def __init__(
        self, lang: str = "chi_sim+eng", *, threads: int = 1, model_dir: Path | None = None
    ) -> None:
        if not available():
            raise OcrUnavailable(missing_message())
        try:
            import onnxruntime
            from rapidocr_onnxruntime import RapidOCR
        except ImportError as e:
            raise OcrUnavailable(f"{missing_message()} ({e})") from None
        if "CPUExecutionProvider" not in onnxruntime.get_available_providers():
            raise OcrUnavailable(
                _(
                    "onnxruntime has no CPUExecutionProvider, which ppocr needs; reinstall it: "
                    "{command}"
                ).format(command=ORT_REINSTALL)
            )
        model_dir = model_dir or package_models()
        paths = {k: model_dir / f for k, f in MODEL_FILES.items()}
        missing = [str(p) for p in paths.values() if not p.is_file()]
        if missing:
            raise OcrUnavailable(
                _("the ppocr model {path} is missing; reinstall: {hint}").format(
                    path=missing[0], hint=REINSTALL_HINT
                )
            )
        threads = max(1, min(threads, os.cpu_count() or 1))
        try:
            self.ocr = RapidOCR(
                det_model_path=str(paths["det"]),
                rec_model_path=str(paths["rec"]),
                cls_model_path=str(paths["cls"]),
                intra_op_num_threads=threads,
                inter_op_num_threads=1,
                max_side_len=MAX_SIDE,
            )
        except Exception as e:  # onnxruntime's InvalidProtobuf, Fail, ...
            detail = " ".join(str(e).split())[:160]
            raise OcrUnavailable(
                _(
                    "the ppocr models in {path} could not be loaded ({error}); reinstall: {hint}"
                ).format(path=model_dir, error=f"{type(e).__name__}: {detail}", hint=REINSTALL_HINT)
            ) from None
        self.lang = lang
        self.threads = threads
        self.model = model_version(model_dir)

    def recognize(self, image) -> OcrResult:
        """The lines of text in ``image`` (a PIL image) in reading order."""
        import numpy as np

        rgb = prepare_image(image).convert("RGB")
        if min(rgb.size) < 2:  # nothing to find; RapidOCR cannot scale a 1-pixel side
            return OcrResult(
                text="",
                confidence=None,
                lang=self.lang,
                engine=self.name,
                model=self.model,
                boxes=[],
            )
        bgr = np.ascontiguousarray(np.asarray(rgb)[:, :, ::-1])
        found, _elapsed = self.ocr(bgr)
        items = [
            {
                "text": str(text).strip(),
                "box": [[round(float(x)), round(float(y))] for x, y in box],
                "confidence": round(float(score) * 100, 1),
            }
            for box, text, score in (found or [])
            if str(text).strip()
        ]
        lines, text = reading_order(items)
        conf = (
            round(sum(i["confidence"] for i in items) / len(items), 1) if items and text else None
        )
        return OcrResult(
            text=text,
            confidence=conf,
            lang=self.lang,
            engine=self.name,
            model=self.model,
            boxes=lines,
        )

    def close(self) -> None:
        """Nothing to release: the sessions go with the process."""
        self.ocr = None
