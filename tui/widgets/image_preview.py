"""The Albums preview: the picture (textual-image: Kitty or Sixel graphics
where the terminal has them, half-blocks otherwise) with a frame around each
piece of text OCR read (from the boxes it stored), and the line of facts
(with the engine that read it) and OCR text shown beside it."""

from __future__ import annotations

import os
import sys
from typing import Any

from inkbench.i18n import _, aside, ngettext
from inkbench.storage.lists import flat
from inkbench.storage.reads import image_info
from inkbench.storage.store import Store
from inkbench.tui.vocab import status_name

PREVIEW_PIXELS = 1024
BOX_COLOUR = (230, 120, 0)  # orange: visible on paper, screenshots and photos


def image_widget_class():
    """textual-image's widget. Its import asks the terminal what graphics it
    supports, which only works before Textual owns the terminal: when the
    launcher imported it early, that answer is used; imported later (here),
    the terminal is not queried and the choice is made from the environment:
    Kitty's graphics protocol in Kitty, half-blocks elsewhere."""
    if "textual_image.widget" in sys.modules:
        from textual_image.widget import Image

        return Image
    real = sys.__stdout__

    class _NotATerminal:
        def isatty(self) -> bool:
            return False

        def __getattr__(self, name):
            return getattr(real, name)

    sys.__stdout__ = _NotATerminal()  # type: ignore[assignment]
    try:
        from textual_image import widget
    finally:
        sys.__stdout__ = real  # type: ignore[assignment]
    if not (real and real.isatty()):
        return widget.UnicodeImage
    if os.environ.get("KITTY_WINDOW_ID") or os.environ.get("TERM") == "xterm-kitty":
        return widget.TGPImage
    return widget.HalfcellImage


def read_preview(store: Store, image_id: int) -> tuple[Any, str, str]:
    """(PIL image or None, meta line, OCR text) for one image; in a worker."""
    from PIL import Image

    from inkbench.integrations.images import orient, register_formats
    from inkbench.storage.blobs import blob_path
    from inkbench.storage.paths import BLOB_DIR

    with store.reader() as conn:
        info = image_info(conn, image_id)
    if info is None:
        return None, _("(gone)"), ""
    name, sha, thumb, orientation = info.name, info.blob_sha, info.thumb_sha, info.orientation
    w, h, fmt, size, taken = info.width, info.height, info.format, info.size_bytes, info.taken_at
    status, text, conf, lang = info.ocr_status, info.ocr_text, info.ocr_confidence, info.ocr_lang
    error, tries = info.ocr_error, info.ocr_attempts
    engine = info.ocr_engine
    blob_dir = store.home / BLOB_DIR
    register_formats()  # HEIC/HEIF and AVIF decode too
    picture = None
    for candidate in (sha, thumb):
        if not candidate:
            continue
        try:
            with Image.open(blob_path(blob_dir, candidate)) as im:
                im.draft("RGB", (PREVIEW_PIXELS, PREVIEW_PIXELS))
                im.thumbnail((PREVIEW_PIXELS, PREVIEW_PIXELS))
                picture = orient(im, orientation if candidate == sha else None).convert("RGB")
            break
        except Exception:  # a missing or unreadable file: try the thumbnail
            continue
    if picture is not None and status == "done" and info.ocr_boxes and w and h:
        # the boxes are in pixels of the upright image OCR read
        upright_w = h if orientation in (5, 6, 7, 8) else w
        draw_boxes(picture, info.ocr_boxes, picture.width / upright_w)
    parts = [flat(name), f"{w}×{h} {fmt or ''}".strip(), f"{(size or 0) / 1024:,.0f} KB"]
    if taken:
        parts.append(_("taken {when}").format(when=str(taken)[:16]))
    ocr = _("OCR {status}").format(status=status_name(status))
    if conf is not None:
        details = [f"{conf:.0f}%", *([engine] if engine else []), lang or ""]
        ocr += aside(_(", ").join(d for d in details if d))
    if tries and status != "done":
        ocr += ngettext(", {n} attempt", ", {n} attempts", tries).format(n=tries)
    parts.append(ocr)
    if status == "done":
        body = text or ""
    elif status == "no_text":
        body = _("(no text found in this image)")
    elif status == "failed":
        body = _("(OCR failed: {error}; F tries failed images again)").format(
            error=error or _("unknown error")
        )
    else:
        body = _("(waiting for OCR: press O to run it)")
    return picture, " · ".join(parts), body


def draw_boxes(picture: Any, boxes_json: str, scale: float) -> int:
    """Frame each piece of text in ``boxes_json`` (as stored: ``[{"box":
    [x0, y0, x1, y1], ...}]`` in image pixels) on ``picture``, scaled by
    ``scale``; returns how many were drawn. Bad JSON draws nothing."""
    import json

    from PIL import ImageDraw

    try:
        boxes = [b["box"] for b in json.loads(boxes_json)]
    except (ValueError, TypeError, KeyError):
        return 0
    draw = ImageDraw.Draw(picture)
    width = max(1, round(2 * max(picture.size) / PREVIEW_PIXELS))
    drawn = 0
    for box in boxes:
        try:
            x0, y0, x1, y1 = (float(v) * scale for v in box)
        except (TypeError, ValueError):
            continue
        pad = width + 1
        draw.rectangle((x0 - pad, y0 - pad, x1 + pad, y1 + pad), outline=BOX_COLOUR, width=width)
        drawn += 1
    return drawn
