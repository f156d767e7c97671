"""``inkbench kb import``: documents into a knowledge base.

Markdown, plain text, HTML, PDF (pypdf) and DOCX (python-docx) become text,
split into chunks that respect headings and paragraphs, sized by
``storage.text.word_count`` (a CJK character counts one), and stored with
their positions; the file itself goes to the blob store. Each file is its own
transaction: a file that cannot be read is refused with one line and the
rest carry on. The same file imported twice into one base is stored once.
"""

from __future__ import annotations

import contextlib
import io
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from inkbench.i18n import _, ngettext
from inkbench.integrations.importers.textfiles import expand_paths, read_text
from inkbench.storage import blobs
from inkbench.storage.engine import Database
from inkbench.storage.errors import InkbenchError, InvalidInput
from inkbench.storage.jobs import CancelToken, ProgressFn
from inkbench.storage.knowledge import add_document, drop_if_empty, get_or_create_kb
from inkbench.storage.text import word_count

FORMATS = {
    ".md": "markdown",
    ".markdown": "markdown",
    ".txt": "text",
    ".text": "text",
    ".html": "html",
    ".htm": "html",
    ".pdf": "pdf",
    ".docx": "docx",
}
SUFFIXES = tuple(FORMATS)
MAX_BINARY_BYTES = 100 * 1024 * 1024
# a .docx is a zip: what it unpacks to is checked before any part is read
MAX_DOCX_UNPACKED_BYTES = 256 * 1024 * 1024
MAX_DOCX_RATIO = 100  # unpacked / packed, over the whole archive
MAX_DOCX_MEMBERS = 10_000

# Chunk sizes in words (CJK characters count one each).
TARGET_WORDS = 350
MAX_WORDS = 600


@dataclass(frozen=True)
class Block:
    """A heading (level 1-6) or a paragraph (level 0) of extracted text."""

    text: str
    level: int = 0


# --- extraction -------------------------------------------------------------------------

_MD_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.+?)\s*#*\s*$")
_SETEXT = re.compile(r"^\s{0,3}(=+|-+)\s*$")
_FENCE = re.compile(r"^\s{0,3}(```|~~~)")


def _paragraphs(text: str) -> list[Block]:
    return [Block(p.strip()) for p in re.split(r"\n\s*\n", text) if p.strip()]


def blocks_from_markdown(text: str) -> list[Block]:
    out: list[Block] = []
    para: list[str] = []
    in_fence = False

    def flush() -> None:
        if para:
            joined = "\n".join(para).strip()
            if joined:
                out.append(Block(joined))
            para.clear()

    lines = text.split("\n")
    for i, line in enumerate(lines):
        if _FENCE.match(line):
            in_fence = not in_fence
            para.append(line)
            continue
        if in_fence:
            para.append(line)
            continue
        m = _MD_HEADING.match(line)
        if m:
            flush()
            out.append(Block(m.group(2).strip(), len(m.group(1))))
            continue
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        if line.strip() and _SETEXT.match(nxt) and len(para) == 0:
            flush()
            out.append(Block(line.strip(), 1 if nxt.strip().startswith("=") else 2))
            lines[i + 1] = ""
            continue
        if not line.strip():
            flush()
        else:
            para.append(line)
    flush()
    return out


class _HtmlText(HTMLParser):
    BLOCK = frozenset(
        "p div section article header footer main aside nav li ul ol dl dt dd table tr "
        "blockquote pre figure figcaption br hr form".split()
    )
    SKIP = frozenset({"script", "style", "noscript", "template", "head", "svg"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[Block] = []
        self.buf: list[str] = []
        self.skip = 0
        self.heading = 0
        self.title = ""
        self._in_title = False

    def _flush(self) -> None:
        text = re.sub(r"[ \t\r\f\v]+", " ", "".join(self.buf))
        text = "\n".join(s.strip() for s in text.split("\n") if s.strip())
        if text:
            self.blocks.append(Block(text, self.heading))
        self.buf.clear()

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag == "title":
            self._in_title = True
        if tag in self.SKIP:
            self.skip += 1
            return
        if re.fullmatch(r"h[1-6]", tag):
            self._flush()
            self.heading = int(tag[1])
        elif tag in self.BLOCK:
            self._flush()

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        if tag in self.SKIP:
            self.skip = max(0, self.skip - 1)
            return
        if re.fullmatch(r"h[1-6]", tag):
            self._flush()
            self.heading = 0
        elif tag in self.BLOCK:
            self._flush()

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data
        if not self.skip:
            self.buf.append(data)


def blocks_from_html(text: str) -> tuple[str, list[Block]]:
    parser = _HtmlText()
    parser.feed(text)
    parser.close()
    parser._flush()
    return parser.title.strip(), parser.blocks


def _read_binary(path: Path) -> bytes:
    try:
        size = path.stat().st_size
        if size > MAX_BINARY_BYTES:
            raise InvalidInput(
                _("{path}: {value} MB is too large (limit {limit} MB); split it first").format(
                    path=path, value=size // (1024 * 1024), limit=MAX_BINARY_BYTES // (1024 * 1024)
                )
            )
        return path.read_bytes()
    except FileNotFoundError:
        raise InvalidInput(_("{path}: no such file; check the path").format(path=path)) from None
    except PermissionError:
        raise InvalidInput(
            _("{path}: permission denied; check the file's permissions").format(path=path)
        ) from None
    except OSError as e:
        raise InvalidInput(
            _("{path}: cannot be read ({strerror})").format(path=path, strerror=e.strerror)
        ) from None


def blocks_from_pdf(path: Path) -> tuple[str, list[Block]]:
    import logging

    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    data = _read_binary(path)
    if not data.startswith(b"%PDF"):
        raise InvalidInput(
            _("{path}: is not a PDF file (no PDF header); check the file").format(path=path)
        )
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            try:
                if not reader.decrypt(""):
                    raise InvalidInput(
                        _("{path}: the PDF is password-protected; save an unprotected copy").format(
                            path=path
                        )
                    )
            except InvalidInput:
                raise
            except Exception:
                raise InvalidInput(
                    _("{path}: the PDF is encrypted; save an unprotected copy").format(path=path)
                ) from None
        title = ""
        try:
            if reader.metadata and reader.metadata.title:
                title = str(reader.metadata.title).strip()
        except Exception:
            title = ""
        blocks: list[Block] = []
        for page in reader.pages:
            page_text = page.extract_text() or ""
            # PDF lines end where the layout wrapped them: rejoin within a paragraph
            for para in re.split(r"\n\s*\n", page_text):
                lines = [ln.strip() for ln in para.split("\n") if ln.strip()]
                if lines:
                    blocks.append(Block(_join_lines(lines)))
    except InvalidInput:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, IndexError, AttributeError) as e:
        raise InvalidInput(
            _("{path}: cannot be read as a PDF ({error}); is it damaged?").format(
                path=path, error=type(e).__name__
            )
        ) from None
    except Exception as e:  # pypdf raises many kinds on damaged files
        raise InvalidInput(
            _("{path}: cannot be read as a PDF ({error}); is it damaged?").format(
                path=path, error=type(e).__name__
            )
        ) from None
    return title, blocks


def _join_lines(lines: list[str]) -> str:
    out = lines[0]
    for ln in lines[1:]:
        if re.search(r"[\u3000-\u9fff\uff00-\uffef]$", out) or re.match(r"[\u3000-\u9fff]", ln):
            out += ln  # CJK text has no spaces to restore
        elif out.endswith("-"):
            out = out[:-1] + ln
        else:
            out += " " + ln
    return out


def _refuse_zip_bomb(path: Path, data: bytes) -> None:
    """Refuse a .docx whose parts would unpack to too much, by the sizes its
    zip directory declares, before anything is decompressed (zipfile never
    inflates a member past its declared size, so the declared sizes bound it)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            members = z.infolist()
    except (zipfile.BadZipFile, ValueError, EOFError):
        return  # not a zip at all: python-docx says so in its own words
    unpacked = sum(m.file_size for m in members)
    if (
        len(members) > MAX_DOCX_MEMBERS
        or unpacked > MAX_DOCX_UNPACKED_BYTES
        or unpacked > MAX_DOCX_RATIO * max(len(data), 1) + 1024 * 1024
    ):
        raise InvalidInput(
            _(
                "{path}: refused, it would unpack to {size} MB from {packed} KB (a zip bomb "
                "or a damaged file); save it again from your word processor"
            ).format(path=path, size=unpacked // (1024 * 1024), packed=len(data) // 1024)
        )


def blocks_from_docx(path: Path) -> tuple[str, list[Block]]:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    data = _read_binary(path)
    _refuse_zip_bomb(path, data)
    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError):
        raise InvalidInput(
            _("{path}: cannot be read as a Word document (.docx); is it damaged or a .doc?").format(
                path=path
            )
        ) from None
    except Exception as e:
        raise InvalidInput(
            _("{path}: cannot be read as a Word document ({error}); is it damaged?").format(
                path=path, error=type(e).__name__
            )
        ) from None
    title = (document.core_properties.title or "").strip()
    blocks: list[Block] = []
    for para in document.paragraphs:
        text = para.text.strip()
        if not text:
            continue
        style = (para.style.name if para.style is not None else "") or ""
        m = re.match(r"Heading (\d)", style)
        if style == "Title":
            blocks.append(Block(text, 1))
        elif m:
            blocks.append(Block(text, min(6, int(m.group(1)))))
        else:
            blocks.append(Block(text))
    for table in document.tables:
        for row in table.rows:
            cells = [c.text.strip() for c in row.cells if c.text.strip()]
            if cells:
                blocks.append(Block(" | ".join(dict.fromkeys(cells))))
    return title, blocks


@dataclass(frozen=True)
class Extracted:
    title: str
    format: str
    text: str
    blocks: list[Block]


def extract(path: Path) -> Extracted:
    """The text of a supported file, as blocks; ``InvalidInput`` if it cannot be used."""
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise InvalidInput(
            _(
                "{path}: {value} is not a supported document; use .md, .txt, .html, .pdf or .docx"
            ).format(path=path, value=path.suffix or _("no extension"))
        )
    title = ""
    if fmt == "markdown":
        blocks = blocks_from_markdown(read_text(path))
    elif fmt == "text":
        blocks = _paragraphs(read_text(path))
    elif fmt == "html":
        title, blocks = blocks_from_html(read_text(path))
    elif fmt == "pdf":
        title, blocks = blocks_from_pdf(path)
    else:
        title, blocks = blocks_from_docx(path)
    if not any(b.text.strip() for b in blocks):
        if fmt == "pdf":
            message = _("{path}: no text found; it may be scanned images (OCR it first)")
        else:
            message = _("{path}: no text found")
        raise InvalidInput(message.format(path=path))
    if not title:
        first = next((b for b in blocks if b.level), None)
        title = first.text if first is not None and blocks.index(first) == 0 else path.stem
    text = "\n\n".join(("#" * b.level + " " if b.level else "") + b.text for b in blocks)
    return Extracted(title=title[:300], format=fmt, text=text, blocks=blocks)


# --- chunking ---------------------------------------------------------------------------

_SENTENCE_END = re.compile(r"(?<=[.!?。！？；;])\s*")


def _split_long(text: str, max_words: int) -> list[str]:
    """A paragraph too long for one chunk, cut at sentence ends (or hard)."""
    sentences = [s for s in _SENTENCE_END.split(text) if s]
    pieces: list[str] = []
    cur = ""
    for s in sentences:
        while word_count(s) > max_words:  # one huge "sentence": cut it by size
            cut = _cut_point(s, max_words)
            if cur:
                pieces.append(cur)
                cur = ""
            pieces.append(s[:cut].strip())
            s = s[cut:]
        joiner = "" if not cur or CJK_END.search(cur) else " "
        if cur and word_count(cur) + word_count(s) > max_words:
            pieces.append(cur)
            cur = s
        else:
            cur = cur + joiner + s if cur else s
    if cur.strip():
        pieces.append(cur)
    return [p.strip() for p in pieces if p.strip()]


CJK_END = re.compile(r"[\u3000-\u9fff\uff00-\uffef]$")


def _cut_point(s: str, max_words: int) -> int:
    lo, hi = 1, len(s)
    while lo < hi:  # the longest prefix within max_words
        mid = (lo + hi + 1) // 2
        if word_count(s[:mid]) <= max_words:
            lo = mid
        else:
            hi = mid - 1
    space = s.rfind(" ", 0, lo)
    return space if space > lo // 2 else lo


def chunk_blocks(
    blocks: Iterable[Block], *, target: int = TARGET_WORDS, max_words: int = MAX_WORDS
) -> list[tuple[str, str]]:
    """``(heading, text)`` chunks: a heading starts a new chunk (and names it,
    as the path of enclosing headings); paragraphs are gathered up to
    ``target`` words, never split unless longer than ``max_words``."""
    chunks: list[tuple[str, str]] = []
    path: list[tuple[int, str]] = []
    cur: list[str] = []
    cur_words = 0

    def heading() -> str:
        return " › ".join(t for _lvl, t in path)

    def flush() -> None:
        nonlocal cur_words
        if cur:
            chunks.append((heading(), "\n\n".join(cur)))
        cur.clear()
        cur_words = 0

    for block in blocks:
        if block.level:
            flush()
            while path and path[-1][0] >= block.level:
                path.pop()
            path.append((block.level, block.text))
            continue
        n = word_count(block.text)
        if n > max_words:
            flush()
            for piece in _split_long(block.text, max_words):
                chunks.append((heading(), piece))
            continue
        if cur and cur_words + n > target:
            flush()
        cur.append(block.text)
        cur_words += n
    flush()
    return chunks


# --- import -----------------------------------------------------------------------------


@dataclass
class ImportReport:
    kb_id: int
    kb_name: str
    kb_created: bool
    imported: list[dict] = field(default_factory=list)  # id, title, path, chunks
    duplicates: list[dict] = field(default_factory=list)  # already in the base
    refused: list[str] = field(default_factory=list)  # one line each
    kb_dropped: bool = False  # created by this import, which brought nothing in

    def summary(self) -> str:
        n = len(self.imported)
        if self.kb_dropped:
            first = _("no document imported, so the knowledge base {kb} was not created").format(
                kb=self.kb_name
            )
        else:
            first = ngettext(
                "{n} document imported into {kb}", "{n} documents imported into {kb}", n
            ).format(n=n, kb=self.kb_name)
        parts = [first]
        if self.duplicates:
            parts.append(_("{n} already there").format(n=len(self.duplicates)))
        if self.refused:
            parts.append(_("{n} refused").format(n=len(self.refused)))
        return _(", ").join(parts)


def import_documents(
    db: Database,
    kb_name: str,
    paths: Iterable[str | Path],
    *,
    cancel: CancelToken | None = None,
    progress: ProgressFn | None = None,
) -> ImportReport:
    """Import files (and supported files under folders) into the knowledge
    base ``kb_name``, creating it if needed."""
    files: list[Path] = []
    refused: list[str] = []
    for raw in paths:
        try:
            files.extend(expand_paths([raw], SUFFIXES))
        except InvalidInput as e:
            refused.append(str(e))
    with db.write() as session:
        kb, created = get_or_create_kb(session, kb_name)
    report = ImportReport(kb_id=kb.id, kb_name=kb.name, kb_created=created, refused=refused)
    try:
        for i, path in enumerate(files):
            if cancel is not None and cancel.cancelled:
                break
            try:
                _import_one(db, kb.id, path, report)
            except InkbenchError as e:
                report.refused.append(str(e))
            if progress:
                progress(i + 1, len(files), path.name)
    finally:
        if created and not report.imported and not report.duplicates:
            # every file refused (or the import stopped first): the base this
            # import created would stay behind empty
            with contextlib.suppress(Exception), db.raw() as conn:
                report.kb_dropped = drop_if_empty(conn, kb.id)
    return report


def _import_one(db: Database, kb_id: int, path: Path, report: ImportReport) -> None:
    extracted = extract(path)
    chunks = chunk_blocks(extracted.blocks)
    sha, size = blobs.put_file(db.blob_dir, path)
    with db.raw() as conn:
        blobs.register(conn, sha, size)
        added = add_document(
            conn,
            kb_id,
            title=extracted.title,
            text=extracted.text,
            chunks=chunks,
            source=str(path.resolve()),
            blob_sha=sha,
            fmt=extracted.format,
        )
    entry = {"id": added.id, "title": added.title, "path": str(path), "chunks": added.chunks}
    (report.imported if added.created or added.restored else report.duplicates).append(entry)
