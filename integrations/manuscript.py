"""A work's manuscript as one file: Markdown, Word (DOCX) or EPUB 3.

One document: a title page (title, author, description), then the chapters in
order with their titles (optionally each chapter's synopsis), scenes parted
by a centred ``* * *``. Scene markers (``storage.scene_markers``) never reach
the output. EPUB is written by ebooklib, with a table of contents (nav and
NCX) and metadata: title, author (``[novel] author`` in ``config.toml``, else
the OS user), language (zh or en, from the text). The file is written beside
its target and moved into place, so a failed export leaves nothing behind.
"""

from __future__ import annotations

import getpass
import html
import os
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from inkbench.i18n import _
from inkbench.storage.engine import Database
from inkbench.storage.errors import InvalidInput
from inkbench.storage.scene_markers import split
from inkbench.storage.text import CJK_RUN, word_count

FORMATS = ("md", "docx", "epub")
SCENE_BREAK = "* * *"


@dataclass(frozen=True)
class ManuscriptChapter:
    """A chapter as exported: its number in the work, title, synopsis and
    text parts (the opening and each scene, markers removed)."""

    number: int
    title: str
    synopsis: str
    parts: list[str]


@dataclass(frozen=True)
class Manuscript:
    """Everything an export writes."""

    title: str
    author: str
    language: str  # "zh" or "en"
    description: str
    chapters: list[ManuscriptChapter]


@dataclass(frozen=True)
class ExportResult:
    """What was written."""

    path: Path
    chapter_count: int
    word_count: int


def parse_chapter_range(text: str) -> set[int]:
    """Chapter numbers from ``1-12``, ``3,5,7-9`` (1 = the first chapter)."""
    numbers: set[int] = set()
    for piece in text.split(","):
        piece = piece.strip()
        if not piece:
            continue
        first, dash, last = piece.partition("-")
        try:
            lo, hi = int(first), int(last) if dash else int(first)
        except ValueError:
            raise InvalidInput(
                _("--chapters takes chapter numbers and ranges, e.g. 1-12 or 3,5,7-9")
            ) from None
        if lo < 1 or hi < lo:
            raise InvalidInput(
                _("--chapters: {piece!r} is not a range of chapter numbers (1 or more)").format(
                    piece=piece
                )
            )
        numbers.update(range(lo, hi + 1))
    if not numbers:
        raise InvalidInput(_("--chapters takes chapter numbers and ranges, e.g. 1-12 or 3,5,7-9"))
    return numbers


def configured_author(home: Path | None) -> str:
    """``[novel] author`` from the settings (``config.toml``), else the OS user."""
    if home is not None:
        from inkbench.settings import load_settings

        author = load_settings(Path(home)).novel.author
        if author:
            return author.strip()
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no user name is not an error here
        return ""


def detect_language(texts: Iterable[str]) -> str:
    """``zh`` when CJK characters are most of the letters, else ``en``."""
    cjk = other = 0
    for text in texts:
        sample = text[:20000]
        n = sum(len(m.group(0)) for m in CJK_RUN.finditer(sample))
        cjk += n
        other += sum(1 for ch in sample if ch.isalpha()) - n
    return "zh" if cjk and cjk >= other else "en"


def load_manuscript(
    db: Database,
    work: str,
    *,
    chapters: set[int] | None = None,
    synopsis: bool = False,
    author: str | None = None,
) -> Manuscript:
    """Read a work (title or id) and the chosen chapters (numbers, 1 = first)."""
    from inkbench.storage.models import Chapter
    from inkbench.storage.works import find_work, list_chapters

    with db.read() as s:
        w = find_work(s, work)
        rows = list_chapters(s, w.id, limit=1_000_000)
        picked = [(n, r) for n, r in enumerate(rows, 1) if chapters is None or n in chapters]
        out = []
        for n, r in picked:
            c = s.get(Chapter, r.id)
            parts = [p.text for p in split(c.body) if p.text.strip()]
            out.append(ManuscriptChapter(n, c.title, c.synopsis if synopsis else "", parts))
        title, description = w.title, w.description
    if not any(c.parts for c in out):
        if chapters is not None and rows:
            raise InvalidInput(
                _(
                    "the chapters chosen from {title!r} hold no text; it has {count} chapter(s)"
                ).format(title=title, count=len(rows))
            )
        raise InvalidInput(
            _("{title!r} has no text to export yet; write a chapter first").format(title=title)
        )
    language = detect_language(p for c in out for p in c.parts)
    return Manuscript(
        title=title,
        author=author if author is not None else configured_author(db.path.parent),
        language=language,
        description=description,
        chapters=out,
    )


def _paragraphs(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


# --- writers ---------------------------------------------------------------------------


def write_markdown(m: Manuscript, path: Path) -> None:
    """The manuscript as one Markdown file."""
    lines = [f"# {m.title}", ""]
    if m.author:
        lines += [m.author, ""]
    if m.description:
        lines += [m.description, ""]
    for c in m.chapters:
        lines += ["", f"## {c.title}", ""]
        if c.synopsis:
            lines += [f"> {line}" for line in c.synopsis.splitlines()] + [""]
        for i, part in enumerate(c.parts):
            if i:
                lines += [SCENE_BREAK, ""]
            lines += [part.strip("\n"), ""]
    path.write_text("\n".join(lines).rstrip("\n") + "\n", encoding="utf-8")


def write_docx(m: Manuscript, path: Path) -> None:
    """The manuscript as a Word document: a title page, then a page per chapter."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK

    doc = Document()
    doc.core_properties.title = m.title
    doc.core_properties.author = m.author
    doc.core_properties.language = m.language
    doc.add_heading(m.title, level=0).alignment = WD_ALIGN_PARAGRAPH.CENTER
    if m.author:
        doc.add_paragraph(m.author).alignment = WD_ALIGN_PARAGRAPH.CENTER
    if m.description:
        doc.add_paragraph(m.description)
    for c in m.chapters:
        doc.paragraphs[-1].add_run().add_break(WD_BREAK.PAGE)
        doc.add_heading(c.title, level=1)
        if c.synopsis:
            doc.add_paragraph(c.synopsis, style="Intense Quote")
        for i, part in enumerate(c.parts):
            if i:
                doc.add_paragraph(SCENE_BREAK).alignment = WD_ALIGN_PARAGRAPH.CENTER
            for para in _paragraphs(part):
                doc.add_paragraph(para)
    doc.save(str(path))


_CSS = (
    "body { line-height: 1.6; } h1, h2 { text-align: center; } "
    "p.scene-break { text-align: center; margin: 1em 0; } "
    "p.synopsis { font-style: italic; } .title-page { text-align: center; }"
)


def _xhtml_paragraphs(text: str) -> str:
    return "".join(f"<p>{html.escape(p)}</p>" for p in _paragraphs(text))


def write_epub(m: Manuscript, path: Path) -> None:
    """The manuscript as an EPUB 3 book: title page, one file per chapter, nav and NCX."""
    from ebooklib import epub

    book = epub.EpubBook()
    book.set_identifier(f"urn:uuid:{uuid.uuid4()}")
    book.set_title(m.title)
    book.set_language(m.language)
    if m.author:
        book.add_author(m.author)
    if m.description:
        book.add_metadata("DC", "description", m.description)
    style = epub.EpubItem(
        uid="style", file_name="style/book.css", media_type="text/css", content=_CSS
    )
    book.add_item(style)

    title_page = epub.EpubHtml(title=m.title, file_name="title.xhtml", lang=m.language)
    title_page.content = (
        f'<div class="title-page"><h1>{html.escape(m.title)}</h1>'
        + (f"<p>{html.escape(m.author)}</p>" if m.author else "")
        + (_xhtml_paragraphs(m.description) if m.description else "")
        + "</div>"
    )
    title_page.add_item(style)
    book.add_item(title_page)

    items = []
    for i, c in enumerate(m.chapters, 1):
        body = [f"<h2>{html.escape(c.title)}</h2>"]
        if c.synopsis:
            body.append(f'<p class="synopsis">{html.escape(c.synopsis)}</p>')
        for j, part in enumerate(c.parts):
            if j:
                body.append(f'<p class="scene-break">{SCENE_BREAK}</p>')
            body.append(_xhtml_paragraphs(part))
        item = epub.EpubHtml(title=c.title, file_name=f"chapter_{i:04d}.xhtml", lang=m.language)
        item.content = "".join(body)
        item.add_item(style)
        book.add_item(item)
        items.append(item)
    book.toc = items
    book.add_item(epub.EpubNcx())
    book.add_item(epub.EpubNav())
    book.spine = [title_page, "nav", *items]
    epub.write_epub(str(path), book)


_WRITERS = {"md": write_markdown, "docx": write_docx, "epub": write_epub}


def write_manuscript(m: Manuscript, out: str | os.PathLike[str], fmt: str) -> ExportResult:
    """Write ``m`` as ``fmt`` to ``out`` (through a temporary file beside it)."""
    if fmt not in _WRITERS:
        raise InvalidInput(
            _("unknown format {fmt!r}; use one of: {formats}").format(
                fmt=fmt, formats=", ".join(FORMATS)
            )
        )
    path = Path(out)
    if path.is_dir():
        raise InvalidInput(_("{path} is a folder; give a file name").format(path=path))
    if not path.parent.is_dir():
        raise InvalidInput(
            _("no folder {folder}; create it first or choose another --out").format(
                folder=path.parent
            )
        )
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        _WRITERS[fmt](m, tmp)
        os.replace(tmp, path)
    except OSError as e:
        raise InvalidInput(
            _("cannot write {path}: {reason}").format(path=path, reason=e.strerror or e)
        ) from None
    finally:
        tmp.unlink(missing_ok=True)
    words = sum(word_count(p) for c in m.chapters for p in c.parts)
    return ExportResult(path=path, chapter_count=len(m.chapters), word_count=words)


def export_manuscript(
    db: Database,
    work: str,
    out: str | os.PathLike[str],
    *,
    fmt: str,
    chapters: set[int] | None = None,
    synopsis: bool = False,
    author: str | None = None,
) -> ExportResult:
    """Export a work (title or id) as one ``md``, ``docx`` or ``epub`` file."""
    m = load_manuscript(db, work, chapters=chapters, synopsis=synopsis, author=author)
    return write_manuscript(m, out, fmt)
