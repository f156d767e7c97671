"""``inkbench article export``: articles to Markdown, HTML or Word files,
with their images.

Markdown and HTML files go into the output folder with an ``images/``
folder beside them; each image reference in the body
(``![caption](inkbench-image:ID)``) points at the copied file, and the
article's images that the body does not mention are added at the end. A Word
file embeds the images. User text is escaped in HTML (raw HTML in a body is
shown as text, never run).

An image in a format the target cannot show is converted, turned upright, to
JPEG (PNG when it has transparency): HEIC/HEIF everywhere (browsers do not
show it), and for Word also AVIF and WebP.
"""

from __future__ import annotations

import html
import io
import re
import shutil
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from inkbench.i18n import _
from inkbench.integrations.generation.images import IMAGE_REF
from inkbench.storage.articles import count_articles, live_article_ids
from inkbench.storage.blobs import blob_path
from inkbench.storage.engine import Database
from inkbench.storage.errors import InvalidInput, NotFound
from inkbench.storage.illustrations import image_file, listed_images
from inkbench.storage.jobs import ProgressFn
from inkbench.storage.reads import load_document

FORMATS = ("md", "html", "docx")
BATCH = 200
# The stored formats each target gets as they are; the others are converted.
WEB_SHOWS = frozenset({"JPEG", "PNG", "GIF", "WebP", "AVIF", "BMP", "TIFF"})
DOCX_SHOWS = frozenset({"JPEG", "PNG", "GIF", "BMP", "TIFF"})
CONVERTED_QUALITY = 90


@dataclass(frozen=True)
class ExportedImage:
    image_id: int
    caption: str
    name: str  # file name under images/
    source: Path  # the blob
    format: str | None = None  # as stored: JPEG, PNG, HEIF, AVIF, ...
    orientation: int | None = None  # EXIF orientation of the stored pixels
    data: bytes | None = None  # converted content, written instead of the blob


@dataclass(frozen=True)
class ExportedArticle:
    id: int
    title: str
    path: str
    images: int


def _slug(title: str) -> str:
    s = re.sub(r"[^\w\-]+", "-", title, flags=re.UNICODE).strip("-_")
    return s[:60] or "article"


def _safe_name(name: str) -> str:
    name = Path(name).name
    name = re.sub(r"[^\w.\-]+", "_", name).strip("._") or "image"
    return name[-80:]


def _article_ids(db: Database, ids: Iterable[int] | None) -> Iterator[int]:
    if ids is not None:
        yield from ids
        return
    last = 0
    while True:
        with db.read() as s:
            batch = live_article_ids(s, after=last, limit=BATCH)
        if not batch:
            return
        yield from batch
        last = batch[-1]


def _load(db: Database, article_id: int) -> tuple[str, str, list[ExportedImage]]:
    with db.raw(write=False) as conn:
        doc = load_document(conn, "article", article_id)
        if doc is None:
            raise NotFound(
                _("no article with id {article_id}; `inkbench article list` shows them").format(
                    article_id=article_id
                )
            )
        imgs = listed_images(conn, article_id)
        referenced = {int(m.group(2)) for m in IMAGE_REF.finditer(doc.body)} - {r.id for r in imgs}
        for image_id in sorted(referenced):  # referenced in the body but not listed
            extra = image_file(conn, image_id)
            if extra:
                imgs.append(extra)
    images = [
        ExportedImage(
            image_id=i,
            caption=caption or Path(name).stem,
            name=f"{i}-{_safe_name(name)}",
            source=blob_path(db.blob_dir, sha),
            format=fmt,
            orientation=orientation,
        )
        for i, caption, name, sha, fmt, orientation in imgs
    ]
    return doc.title, doc.body, images


def convert_image(source: Path, orientation: int | None) -> tuple[bytes, str]:
    """The stored image decoded, turned upright and encoded as JPEG, or as PNG
    when it has transparency: (content, file suffix)."""
    from inkbench.integrations.images import open_image, orient

    with open_image(source) as im:
        im.load()
        upright = orient(im, orientation)
        out = io.BytesIO()
        if upright.mode in ("RGBA", "LA", "PA") or "transparency" in upright.info:
            upright.convert("RGBA").save(out, "PNG")
            return out.getvalue(), ".png"
        upright.convert("RGB").save(out, "JPEG", quality=CONVERTED_QUALITY)
        return out.getvalue(), ".jpg"


def portable(img: ExportedImage, shows: frozenset[str]) -> ExportedImage:
    """``img`` as it is when the target ``shows`` its format, else converted
    to JPEG or PNG (named to match). One that cannot be decoded is left as it
    is: Markdown and HTML copy it, Word keeps its caption."""
    if img.format is None or img.format in shows or not img.source.exists():
        return img
    try:
        data, suffix = convert_image(img.source, img.orientation)
    except Exception:
        return img
    return replace(img, name=str(Path(img.name).with_suffix(suffix)), data=data)


def _with_images(body: str, images: list[ExportedImage], prefix: str) -> str:
    """The body with references pointing at exported files; unreferenced
    images appended; references to missing images dropped."""
    by_id = {img.image_id: img for img in images}
    used: set[int] = set()

    def sub(m: re.Match) -> str:
        img = by_id.get(int(m.group(2)))
        if img is None:
            return ""
        used.add(img.image_id)
        return f"![{m.group(1) or img.caption}]({prefix}{img.name})"

    out = IMAGE_REF.sub(sub, body).rstrip("\n")
    rest = [img for img in images if img.image_id not in used]
    for img in rest:
        out += f"\n\n![{img.caption}]({prefix}{img.name})"
    return out + "\n"


def _copy_images(images: list[ExportedImage], folder: Path) -> int:
    n = 0
    for img in images:
        if not img.source.exists():
            continue
        folder.mkdir(parents=True, exist_ok=True)
        dest = folder / img.name
        if not dest.exists():
            if img.data is not None:
                dest.write_bytes(img.data)
            else:
                shutil.copyfile(img.source, dest)
            dest.chmod(0o644)
        n += 1
    return n


def _unique(path: Path) -> Path:
    if not path.exists():
        return path
    n = 2
    while True:
        candidate = path.with_name(f"{path.stem}-{n}{path.suffix}")
        if not candidate.exists():
            return candidate
        n += 1


HTML_PAGE = """<!doctype html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
body {{ max-width: 46rem; margin: 2rem auto; padding: 0 1rem;
       font: 17px/1.7 system-ui, -apple-system, "PingFang SC", "Microsoft YaHei", sans-serif; }}
img {{ max-width: 100%; }}
</style>
</head>
<body>
<h1>{title}</h1>
{body}
</body>
</html>
"""


def to_html(title: str, markdown_body: str) -> str:
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": False}).enable("table")
    lang = "zh" if re.search(r"[\u4e00-\u9fff]", title + markdown_body[:500]) else "en"
    return HTML_PAGE.format(lang=lang, title=html.escape(title), body=md.render(markdown_body))


_INLINE = re.compile(r"(\*\*[^*\n]+\*\*|\*[^*\n]+\*|`[^`\n]+`)")


def _add_inline(paragraph, text: str) -> None:
    """Runs for **bold**, *italic* and `code`; the rest as plain text."""
    text = re.sub(r"\[([^\]]+)\]\(([^)\s]+)\)", r"\1 (\2)", text)  # links: text (url)
    for part in _INLINE.split(text):
        if not part:
            continue
        if part.startswith("**") and part.endswith("**") and len(part) > 4:
            paragraph.add_run(part[2:-2]).bold = True
        elif part.startswith("`") and part.endswith("`") and len(part) > 2:
            paragraph.add_run(part[1:-1]).font.name = "Courier New"
        elif part.startswith("*") and part.endswith("*") and len(part) > 2:
            paragraph.add_run(part[1:-1]).italic = True
        else:
            paragraph.add_run(part)


def to_docx(title: str, markdown_body: str, images: list[ExportedImage], dest: Path) -> int:
    """Write a .docx; returns how many images were embedded."""
    import docx
    from docx.shared import Inches

    by_id = {img.image_id: img for img in images}
    document = docx.Document()
    document.core_properties.title = title
    document.add_heading(title, level=0)
    embedded = 0
    used: set[int] = set()

    def picture(img: ExportedImage, caption: str) -> None:
        nonlocal embedded
        used.add(img.image_id)
        if not img.source.exists():
            return
        try:
            picture_file = io.BytesIO(img.data) if img.data is not None else str(img.source)
            document.add_picture(picture_file, width=Inches(5.5))
        except Exception:  # a format Word cannot show: keep the caption only
            document.add_paragraph(f"[image: {caption}]")
            return
        embedded += 1
        if caption:
            cap = document.add_paragraph()
            cap.add_run(caption).italic = True

    in_code = False
    code: list[str] = []
    for block in re.split(r"\n\s*\n", markdown_body.strip()):
        lines = block.split("\n")
        for line in lines:
            if line.strip().startswith("```"):
                if in_code and code:
                    document.add_paragraph().add_run("\n".join(code)).font.name = "Courier New"
                    code = []
                in_code = not in_code
                continue
            if in_code:
                code.append(line)
                continue
            stripped = line.strip()
            if not stripped:
                continue
            ref = IMAGE_REF.fullmatch(stripped)
            if ref:
                img = by_id.get(int(ref.group(2)))
                if img is not None:
                    picture(img, ref.group(1) or img.caption)
                continue
            m = re.match(r"^(#{1,6})\s+(.+?)\s*#*$", stripped)
            if m:
                document.add_heading(m.group(2), level=min(len(m.group(1)), 4))
                continue
            m = re.match(r"^[-*+]\s+(.*)$", stripped)
            if m:
                _add_inline(document.add_paragraph(style="List Bullet"), m.group(1))
                continue
            m = re.match(r"^\d+[.)]\s+(.*)$", stripped)
            if m:
                _add_inline(document.add_paragraph(style="List Number"), m.group(1))
                continue
            if stripped.startswith(">"):
                _add_inline(document.add_paragraph(style="Quote"), stripped.lstrip("> "))
                continue
            _add_inline(document.add_paragraph(), stripped)
    if code:
        document.add_paragraph("\n".join(code))
    for img in images:
        if img.image_id not in used:
            picture(img, img.caption)
    document.save(dest)
    return embedded


def export_articles(
    db: Database,
    ids: Iterable[int] | None,
    fmt: str,
    out_dir: str | Path,
    *,
    progress: ProgressFn | None = None,
) -> list[ExportedArticle]:
    """Export the articles ``ids`` (all live articles when None) to ``out_dir``."""
    if fmt not in FORMATS:
        raise InvalidInput(
            _("unknown format {fmt!r}; use one of: {choices}").format(
                fmt=fmt, choices=", ".join(FORMATS)
            )
        )
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise InvalidInput(
            _("cannot create {out}: {strerror}").format(out=out, strerror=e.strerror)
        ) from None
    if ids is not None:
        ids = list(ids)
        for article_id in ids:  # fail before writing anything
            _load(db, article_id)
        total = len(ids)
    else:
        with db.read() as s:
            total = count_articles(s)
    done: list[ExportedArticle] = []
    for n, article_id in enumerate(_article_ids(db, ids), 1):
        title, body, images = _load(db, article_id)
        shows = DOCX_SHOWS if fmt == "docx" else WEB_SHOWS
        images = [portable(img, shows) for img in images]
        dest = _unique(out / f"{article_id}-{_slug(title)}.{fmt}")
        try:
            if fmt == "docx":
                count = to_docx(title, body, images, dest)
            else:
                text = _with_images(body, images, "images/")
                count = _copy_images(images, out / "images")
                if fmt == "md":
                    dest.write_text(f"# {title}\n\n{text}", encoding="utf-8")
                else:
                    dest.write_text(to_html(title, text), encoding="utf-8")
        except OSError as e:
            raise InvalidInput(
                _("cannot write {dest}: {strerror}").format(dest=dest, strerror=e.strerror)
            ) from None
        done.append(ExportedArticle(article_id, title, str(dest), count))
        if progress:
            progress(n, max(total, n), title)
    return done
