"""Text boxes in reading order, as stored in ``image.ocr_boxes``.

Both engines give pieces of text with a box. ``reading_order`` groups the
pieces into lines (boxes that share most of their height), orders the lines
top to bottom and the pieces in a line left to right, and returns the pieces
numbered by line, each with an upright box ``[left, top, right, bottom]`` in
the image's pixels (the image as stored, turned upright), so the preview can
mark where a search hit is. The joined text is what search indexes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

_CJK = (
    r"\u2e80-\u2fdf\u3000-\u303f\u3040-\u30ff\u3100-\u312f\u3400-\u4dbf\u4e00-\u9fff"
    r"\uac00-\ud7af\uf900-\ufaff\uff00-\uffef"
)
_CJK_GAP = re.compile(rf"(?<=[{_CJK}])[ \t]+(?=[{_CJK}])")


def tidy_text(text: str) -> str:
    """Tesseract's text as we keep it: no page-break character, no trailing
    spaces, no spaces between CJK characters, no blank lines at the ends,
    at most one blank line in a row."""
    text = text.replace("\f", "\n").replace("\r\n", "\n")
    lines = [_CJK_GAP.sub("", line).rstrip() for line in text.split("\n")]
    text = "\n".join(lines).strip("\n")
    return re.sub(r"\n{3,}", "\n\n", text)


def _bbox(box: Sequence) -> list[int]:
    """``[left, top, right, bottom]`` of a quadrilateral or of a box already upright."""
    if len(box) == 4 and all(isinstance(v, int | float) for v in box):
        return [round(v) for v in box]
    xs = [p[0] for p in box]
    ys = [p[1] for p in box]
    return [round(min(xs)), round(min(ys)), round(max(xs)), round(max(ys))]


def _same_line(a: list[int], b: list[int]) -> bool:
    overlap = min(a[3], b[3]) - max(a[1], b[1])
    return overlap > 0.5 * min(a[3] - a[1], b[3] - b[1])


def reading_order(items: list[dict]) -> tuple[list[dict], str]:
    """``items``: ``{"text", "box", "confidence"}`` with ``box`` a quad or an
    upright box. Returns (the pieces in reading order, each with ``line``
    and an upright ``box``; the text, one line per line)."""
    pieces = [
        {"text": i["text"], "box": _bbox(i["box"]), "confidence": i.get("confidence")}
        for i in items
        if i.get("text", "").strip()
    ]
    pieces.sort(key=lambda p: (p["box"][1] + p["box"][3]) / 2)
    lines: list[list[dict]] = []
    for piece in pieces:
        for line in lines:
            if _same_line(line[0]["box"], piece["box"]):
                line.append(piece)
                break
        else:
            lines.append([piece])
    lines.sort(key=lambda line: min((p["box"][1] + p["box"][3]) / 2 for p in line))
    ordered: list[dict] = []
    texts: list[str] = []
    for n, line in enumerate(lines):
        line.sort(key=lambda p: p["box"][0])
        for p in line:
            ordered.append({"line": n, **p})
        texts.append(" ".join(p["text"] for p in line))
    return ordered, tidy_text("\n".join(texts))


def boxes_json(boxes: list[dict] | None) -> str | None:
    """The boxes as stored (compact JSON), or None when there are none."""
    if not boxes:
        return None
    return json.dumps(boxes, ensure_ascii=False, separators=(",", ":"))
