"""Choosing a generated article's illustrations from an album, and the
image references its Markdown body carries.

An image is referenced in the body as ``![caption](inkbench-image:ID)``;
exports replace the reference with the copied file. Images are chosen by
their OCR text and file name matching the article (the FTS index of images,
ranked by bm25), then filled with the album's images this task has used
least, so a task's articles do not all repeat one picture.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from pathlib import PurePath

from inkbench.storage.illustrations import least_used_images, matching_images
from inkbench.storage.knowledge import or_expression, retrieval_terms

IMAGE_REF = re.compile(r"!\[([^\]\n]*)\]\(inkbench-image:(\d+)\)")


@dataclass(frozen=True)
class PickedImage:
    image_id: int
    caption: str
    matched: bool  # chosen for its OCR text / name, not as a filler


def image_ref(image_id: int, caption: str) -> str:
    caption = re.sub(r"[\[\]\n]", " ", caption).strip()
    return f"![{caption}](inkbench-image:{image_id})"


def _caption(name: str, ocr: str | None) -> str:
    if ocr and ocr.strip():
        line = " ".join(ocr.split())
        return line[:60] + ("…" if len(line) > 60 else "")
    return PurePath(name).stem


def pick_images(
    conn: sqlite3.Connection, album_id: int, task_id: int, text: str, *, limit: int = 2
) -> list[PickedImage]:
    """Up to ``limit`` images of the album for an article about ``text``:
    those whose OCR text or name match first, then those the task has used
    least."""
    if limit <= 0:
        return []
    picked: list[PickedImage] = []
    terms = retrieval_terms(text)
    if terms:
        rows = matching_images(conn, album_id, or_expression(terms), limit=limit)
        picked = [PickedImage(r[0], _caption(r[1], r[2]), True) for r in rows]
    if len(picked) < limit:
        rows = least_used_images(
            conn,
            album_id,
            task_id,
            exclude=[p.image_id for p in picked],
            limit=limit - len(picked),
        )
        picked += [PickedImage(r[0], _caption(r[1], r[2]), False) for r in rows]
    return picked


def place_images(body: str, images: list[PickedImage]) -> str:
    """Put image references between the body's paragraphs, spread evenly
    (never inside a code block, never before the first paragraph)."""
    if not images:
        return body
    blocks = re.split(r"\n\s*\n", body.strip())
    # block indexes after which an image may go: not inside ``` fences
    allowed = []
    fence = False
    for i, b in enumerate(blocks):
        if b.count("```") % 2:
            fence = not fence
        if not fence:
            allowed.append(i)
    if not allowed:
        allowed = [len(blocks) - 1]
    slots: dict[int, list[str]] = {}
    n = len(images)
    for k, img in enumerate(images):
        at = allowed[min(len(allowed) - 1, round((k + 1) * len(allowed) / (n + 1)))]
        slots.setdefault(at, []).append(image_ref(img.image_id, img.caption))
    out = []
    for i, b in enumerate(blocks):
        out.append(b)
        out.extend(slots.get(i, []))
    return "\n\n".join(out) + "\n"
