"""An article as a target receives it: its images found, its Markdown links
pointed at where the images will be, and HTML rendered with markdown-it-py
(CommonMark plus tables; raw HTML in a body is shown as text, never run).

Images come from the article's provenance (``article_image``, the
illustrations a generation task picked) and from Markdown image links to
stored images in the body (``![caption](inkbench-image:ID)``). Each becomes
a ``Media`` keyed by its blob digest, so it is uploaded once per account.
"""

from __future__ import annotations

import mimetypes
import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from markdown_it import MarkdownIt

from inkbench.i18n import _
from inkbench.integrations.export import WEB_SHOWS, convert_image
from inkbench.integrations.generation.images import IMAGE_REF
from inkbench.integrations.publish.base import Media, Rejected
from inkbench.storage.blobs import blob_path
from inkbench.storage.illustrations import image_file, listed_images


@dataclass(frozen=True)
class ArticleImage:
    """One image the article shows, and the file to publish for it."""

    image_id: int
    caption: str
    media: Media


def slugify(title: str) -> str:
    """A URL slug from a title: words kept (Chinese too), the rest dashes."""
    s = re.sub(r"[^\w\-]+", "-", title.lower(), flags=re.UNICODE).strip("-_")
    return s[:60].strip("-") or "article"


def _safe_name(name: str) -> str:
    name = Path(name).name
    name = re.sub(r"[^\w.\-]+", "_", name).strip("._") or "image"
    return name[-60:]


def article_images(
    conn: sqlite3.Connection, blob_dir: Path, article_id: int, body: str, work_dir: Path
) -> list[ArticleImage]:
    """The article's images in order (provenance first, then those only the
    body links to). ``Rejected`` (one line) when one is missing from the
    store. Formats browsers do not show (HEIF) are converted into
    ``work_dir``."""
    rows = listed_images(conn, article_id)
    listed = {r.id for r in rows}
    for m in IMAGE_REF.finditer(body):
        image_id = int(m.group(2))
        if image_id in listed:
            continue
        row = image_file(conn, image_id, m.group(1))
        if row is None:
            raise Rejected(
                _(
                    "the body links to image {id}, which is not in the store; remove the link"
                    " or import the image again"
                ).format(id=image_id)
            )
        rows.append(row)
        listed.add(image_id)
    out = []
    for image_id, caption, name, sha, fmt, orientation in rows:
        source = blob_path(blob_dir, sha)
        if not source.is_file():
            raise Rejected(
                _(
                    "image {name} (id {id}) is missing from the store; import it again or"
                    " remove it from the article"
                ).format(name=name, id=image_id)
            )
        filename = f"{sha[:10]}-{_safe_name(name)}"
        path = source
        if fmt is not None and fmt not in WEB_SHOWS:
            try:
                data, suffix = convert_image(source, orientation)
            except Exception:
                raise Rejected(
                    _("image {name} (id {id}) cannot be decoded to publish it").format(
                        name=name, id=image_id
                    )
                ) from None
            filename = str(Path(filename).with_suffix(suffix))
            path = work_dir / filename
            path.write_bytes(data)
        mime = mimetypes.guess_type(filename)[0] or "application/octet-stream"
        if fmt and mime == "application/octet-stream":
            mime = f"image/{fmt.lower()}"
        caption = caption or Path(name).stem
        out.append(ArticleImage(image_id, caption, Media(sha, filename, mime, path)))
    return out


def link_images(body: str, images: list[ArticleImage], links: dict[int, str]) -> str:
    """The body with each image link pointing at ``links[image_id]`` (a
    remote URL or a file name beside the post); images the body does not
    link to are added at the end."""
    by_id = {img.image_id: img for img in images}
    used: set[int] = set()

    def sub(m: re.Match) -> str:
        img = by_id.get(int(m.group(2)))
        if img is None or img.image_id not in links:
            return ""
        used.add(img.image_id)
        caption = m.group(1) or img.caption
        return f"![{caption}]({links[img.image_id]})"

    out = IMAGE_REF.sub(sub, body).rstrip("\n")
    for img in images:
        if img.image_id not in used and img.image_id in links:
            caption = re.sub(r"[\[\]\n]", " ", img.caption).strip()
            out += f"\n\n![{caption}]({links[img.image_id]})"
    return out + "\n"


_MD = MarkdownIt("commonmark", {"html": False}).enable("table").enable("strikethrough")


def to_html(markdown: str) -> str:
    """HTML from Markdown (tables, code, Chinese text kept as they are)."""
    return _MD.render(markdown)
