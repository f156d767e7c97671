"""Importing images into an album: ``inkbench album import`` and the Albums area.

Each file is read once, decoded to check it really is a whole image (JPEGs
at reduced size through ``Image.draft``, which is several times faster on
photos), measured (size, dimensions, format, EXIF taken-at and orientation)
and thumbnailed. The file and its thumbnail go into the blob store (temp
file, fsync, rename) before any row points at them; rows are then inserted a
batch at a time, each batch one transaction, so an image is either fully
imported or absent. A crash between the two leaves only blob files with no
row, which ``storage.blobs.sweep`` removes.

A file that cannot be used is refused with one line and the rest of the batch
goes on: not an image, truncated or corrupt, a decompression bomb, unreadable,
an unsupported format. The same file imported again into the same album is
skipped; into another album it gets a new row but shares the blob.

Decoding runs in a small thread pool (Pillow releases the GIL while it
decodes); the database writes stay on the calling thread.

Phones save HEIC/HEIF and AVIF. HEIF is read through pillow-heif, registered
as a Pillow opener (``register_formats``), which decodes the primary image of
a multi-image file with its ``irot``/``imir`` transforms applied (and resets
the EXIF orientation to 1, so nothing is turned twice); AVIF through Pillow's
own plugin, which reports those transforms as the EXIF orientation. Every
place that decodes a stored image (OCR, the preview, export) calls
``register_formats`` first (or opens it with ``open_image``), so these formats
decode there too.
"""

from __future__ import annotations

import functools
import io
import os
import stat
import time
import unicodedata
import warnings
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from inkbench.i18n import _
from inkbench.storage import blobs
from inkbench.storage.albums import (
    clean_name,
    get_or_create_album,
    image_in_album,
    insert_image,
    touch_album,
)
from inkbench.storage.engine import Database
from inkbench.storage.errors import InvalidInput
from inkbench.storage.jobs import CancelToken, ProgressFn
from inkbench.storage.models import db_time, utcnow

THUMB_SIZE = 256
THUMB_QUALITY = 80
MAX_FILE_BYTES = 512 * 1024 * 1024
BATCH_ROWS = 64
BATCH_SECONDS = 1.0
IMAGE_SUFFIXES = frozenset(
    {".jpg", ".jpeg", ".jpe", ".png", ".gif", ".webp", ".bmp", ".tif", ".tiff"}
    | {".heic", ".heif", ".hif", ".avif"}
)
SUPPORTED_FORMATS = {
    "JPEG": "JPEG",
    "MPO": "JPEG",  # multi-picture JPEG from some cameras
    "PNG": "PNG",
    "GIF": "GIF",
    "WEBP": "WebP",
    "BMP": "BMP",
    "TIFF": "TIFF",
    "HEIF": "HEIF",  # HEIC and HEIF, through pillow-heif
    "AVIF": "AVIF",  # Pillow's own plugin (or pillow-avif-plugin)
}
SUPPORTED_LIST = "JPEG, PNG, WebP, GIF, BMP, TIFF, HEIC/HEIF or AVIF"

# ISO base media file brands (the ``ftyp`` box) of the two phone formats: enough
# to say what a file is when it cannot be decoded (truncated, or no decoder).
HEIF_BRANDS = frozenset(
    {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"hevm", b"hevs", b"mif1", b"msf1"}
)
AVIF_BRANDS = frozenset({b"avif", b"avis"})
FORMAT_LABEL = {"HEIF": "HEIC/HEIF", "AVIF": "AVIF"}
PACKAGE_FOR = {"HEIF": "pillow-heif", "AVIF": "pillow-avif-plugin"}

EXIF_IFD = 0x8769
TAG_ORIENTATION = 0x0112
TAG_DATETIME = 0x0132
TAG_DATETIME_ORIGINAL = 0x9003
TAG_OFFSET_TIME_ORIGINAL = 0x9011


class Refused(Exception):
    """A file that cannot be imported; the message is one line."""


@dataclass(frozen=True)
class ImportedImage:
    id: int
    name: str
    path: str
    width: int
    height: int
    format: str


@dataclass
class ImportSummary:
    album_name: str
    album_id: int | None = None
    album_created: bool = False
    imported: list[ImportedImage] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (path, why)
    refused: list[tuple[str, str]] = field(default_factory=list)  # (path, message)
    cancelled: bool = False

    def to_dict(self) -> dict:
        return {
            "album": self.album_name,
            "album_id": self.album_id,
            "album_created": self.album_created,
            "imported": [i.__dict__ for i in self.imported],
            "skipped": [{"path": p, "reason": r} for p, r in self.skipped],
            "refused": [{"path": p, "error": e} for p, e in self.refused],
            "cancelled": self.cancelled,
        }


@dataclass(frozen=True)
class Prepared:
    """A file checked and stored in the blob store, ready for its row."""

    path: Path
    name: str
    sha: str
    size: int
    thumb_sha: str
    thumb_size: int
    width: int
    height: int
    format: str
    taken_at: datetime | None
    orientation: int | None


# --- finding files ---------------------------------------------------------------------


def display_name(path: Path) -> str:
    """A file name safe to store and show: undecodable bytes replaced, control
    characters (a newline in a name) made visible."""
    raw = os.fsencode(path.name)
    name = raw.decode("utf-8", errors="replace")
    return (
        "".join("?" if unicodedata.category(c) in ("Cc", "Cs") else c for c in name).strip() or "?"
    )


def shown_path(path: Path) -> str:
    return os.fsencode(path).decode("utf-8", errors="replace")


def expand_paths(
    paths: Iterable[str | os.PathLike[str]], *, recursive: bool = False
) -> Iterator[Path]:
    """Files named directly (always tried), and image files inside folders
    (one level, or every level with ``recursive``), each once, in order."""
    seen: set[Path] = set()
    for p in paths:
        path = Path(p)
        if path.is_dir():
            if recursive:
                found = []
                for root, dirs, files in os.walk(path):
                    dirs.sort()
                    found += [Path(root, f) for f in sorted(files)]
            else:
                found = sorted(c for c in path.iterdir() if not c.is_dir())
            files = [f for f in found if f.suffix.lower() in IMAGE_SUFFIXES]
        else:
            files = [path]
        for f in files:
            key = f.absolute()
            if key not in seen:
                seen.add(key)
                yield f


# --- the phone formats ---------------------------------------------------------------------


@functools.cache
def register_formats() -> frozenset[str]:
    """Teach Pillow the formats phones save, once per process: HEIF through
    pillow-heif, AVIF through Pillow's own plugin or else pillow-avif-plugin.
    Returns which of ``HEIF`` and ``AVIF`` can be read here."""
    readable = set()
    try:
        import pillow_heif
    except ImportError:
        pass
    else:
        pillow_heif.register_heif_opener()
        readable.add("HEIF")
    from PIL import features

    if features.check("avif"):
        readable.add("AVIF")
    else:
        try:
            import pillow_avif  # noqa: F401  (registers itself with Pillow)
        except ImportError:
            pass
        else:
            readable.add("AVIF")
    return frozenset(readable)


def open_image(source: str | os.PathLike[str] | io.BytesIO) -> Image.Image:
    """``Image.open`` that also reads HEIC/HEIF and AVIF (the primary image of a
    multi-image file). Raises what ``Image.open`` raises."""
    register_formats()
    return Image.open(source)


def container_format(data: bytes) -> str | None:
    """``HEIF`` or ``AVIF`` when ``data`` starts like one (its ``ftyp`` brands),
    whether or not it can be decoded; else None."""
    if len(data) < 16 or data[4:8] != b"ftyp":
        return None
    box = int.from_bytes(data[:4], "big")
    major = data[8:12]
    brands = {major} | {data[i : i + 4] for i in range(16, min(box, len(data), 256) - 3, 4)}
    # a generic major brand (mif1) leaves it to the compatible brands
    generic = major in (b"mif1", b"msf1") or major not in HEIF_BRANDS
    if major in AVIF_BRANDS or (generic and brands & AVIF_BRANDS):
        return "AVIF"
    if brands & HEIF_BRANDS:
        return "HEIF"
    return None


def _unidentified(data: bytes) -> str:
    """The refusal for content no opener took: a phone format whose library is
    missing, a damaged one, or not an image at all."""
    kind = container_format(data)
    if kind is None:
        message = _("not an image: the content is not in any format Inkbench reads ({formats})")
        return message.format(formats=SUPPORTED_LIST)
    label = FORMAT_LABEL[kind]
    if kind not in register_formats():
        package = PACKAGE_FOR[kind]
        return _(
            "a {label} image, but the {package} package that reads it is not installed here;"
            " install it (pip install {package}) and import again"
        ).format(label=label, package=package)
    return _("truncated or corrupt {label} image (its structure cannot be read)").format(
        label=label
    )


# --- one file ------------------------------------------------------------------------------


def _read(path: Path) -> bytes:
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise Refused(_("cannot read: no such file")) from None
    except OSError as e:
        raise Refused(_("cannot read: {value}").format(value=e.strerror or e)) from None
    if stat.S_ISDIR(st.st_mode):
        raise Refused(_("a folder, not an image (use --recursive to import what is inside)"))
    if not stat.S_ISREG(st.st_mode):
        raise Refused(_("cannot read: not a regular file (a pipe, socket or device)"))
    if st.st_size == 0:
        raise Refused(_("an empty file, not an image"))
    if st.st_size > MAX_FILE_BYTES:
        raise Refused(
            _("too large ({value:.0f} MB; at most {limit} MB)").format(
                value=st.st_size / 2**20, limit=MAX_FILE_BYTES // 2**20
            )
        )
    try:
        with open(path, "rb", buffering=0) as f:
            return f.read()
    except OSError as e:
        raise Refused(_("cannot read: {value}").format(value=e.strerror or e)) from None


def _exif_time(value, offset) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.strptime(value.strip("\x00 ")[:19], "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None
    tz = UTC
    if isinstance(offset, str) and len(offset.strip("\x00 ")) >= 6:
        o = offset.strip("\x00 ")
        try:
            sign = -1 if o[0] == "-" else 1
            tz = timezone(sign * timedelta(hours=int(o[1:3]), minutes=int(o[4:6])))
        except (ValueError, IndexError):
            tz = UTC
    # Without an offset the camera's clock time is kept as it is (as UTC).
    return moment.replace(tzinfo=tz).astimezone(UTC)


def _metadata(im: Image.Image) -> tuple[datetime | None, int | None]:
    try:
        exif = im.getexif()
    except Exception:  # a broken EXIF block does not make the picture unusable
        return None, None
    orientation = exif.get(TAG_ORIENTATION)
    if not isinstance(orientation, int) or not 1 <= orientation <= 8:
        orientation = None
    try:
        sub = exif.get_ifd(EXIF_IFD)
    except Exception:
        sub = {}
    taken = _exif_time(sub.get(TAG_DATETIME_ORIGINAL), sub.get(TAG_OFFSET_TIME_ORIGINAL))
    if taken is None:
        taken = _exif_time(exif.get(TAG_DATETIME), None)
    return taken, orientation


_TRANSPOSE = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


def orient(im: Image.Image, orientation: int | None) -> Image.Image:
    """The picture the right way up, as its EXIF orientation says."""
    method = _TRANSPOSE.get(orientation or 1)
    return im.transpose(method) if method is not None else im


def _flatten(im: Image.Image) -> Image.Image:
    if im.mode in ("RGB", "L"):
        return im
    if im.mode in ("RGBA", "LA") or (im.mode == "P" and "transparency" in im.info):
        rgba = im.convert("RGBA")
        back = Image.new("RGB", rgba.size, (255, 255, 255))
        back.paste(rgba, mask=rgba.getchannel("A"))
        return back
    return im.convert("RGB")


def _bomb_message(e: Exception) -> str:
    return (
        "refused as a decompression bomb: its pixel count is above Pillow's safety limit "
        f"of {Image.MAX_IMAGE_PIXELS * 2:,} pixels ({e})"
    ).replace("\n", " ")


def make_thumbnail(im: Image.Image, orientation: int | None) -> bytes:
    im = im.copy() if im.size[0] <= THUMB_SIZE and im.size[1] <= THUMB_SIZE else im
    im.thumbnail((THUMB_SIZE, THUMB_SIZE), Image.Resampling.BILINEAR, reducing_gap=2.0)
    im = _flatten(orient(im, orientation))
    out = io.BytesIO()
    im.save(out, "JPEG", quality=THUMB_QUALITY)
    return out.getvalue()


def inspect(data: bytes) -> tuple[str, int, int, datetime | None, int | None, bytes]:
    """Check that ``data`` is a whole image in a supported format:
    (format, width, height, taken_at, orientation, thumbnail JPEG bytes).
    Width and height are as displayed (orientation applied; a HEIF's own
    transforms are applied while it decodes, and its orientation is then 1)."""
    with warnings.catch_warnings():
        # Above MAX_IMAGE_PIXELS Pillow only warns; twice that raises.
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            im = open_image(io.BytesIO(data))
        except Image.DecompressionBombError as e:
            raise Refused(_bomb_message(e)) from None
        except UnidentifiedImageError:
            raise Refused(_unidentified(data)) from None
        except Exception as e:
            detail = " ".join(str(e).split()) or type(e).__name__
            raise Refused(_("corrupt image header ({detail})").format(detail=detail)) from None
        with im:
            fmt = im.format or "?"
            if fmt not in SUPPORTED_FORMATS:
                raise Refused(
                    _("unsupported format {fmt}; Inkbench imports {formats}").format(
                        fmt=fmt, formats=SUPPORTED_LIST
                    )
                )
            width, height = im.size
            if width < 1 or height < 1:
                raise Refused(_("corrupt image: it claims to have no pixels"))
            if fmt in ("JPEG", "MPO"):
                im.draft("RGB", (THUMB_SIZE, THUMB_SIZE))
            try:
                im.load()  # before the EXIF: PNG reads it by loading, and hides errors
                taken, orientation = _metadata(im)
                thumb = make_thumbnail(im, orientation)
            except Image.DecompressionBombError as e:
                raise Refused(_bomb_message(e)) from None
            except MemoryError:
                raise Refused(_("too large to decode in the memory available")) from None
            except Exception as e:
                detail = " ".join(str(e).split()) or type(e).__name__
                raise Refused(
                    _("truncated or corrupt image data ({detail})").format(detail=detail)
                ) from None
    if orientation in (5, 6, 7, 8):
        width, height = height, width
    return SUPPORTED_FORMATS[fmt], width, height, taken, orientation, thumb


def prepare(path: Path, blob_dir: Path) -> Prepared:
    """Read, check, measure and thumbnail one file, and put the file and its
    thumbnail into the blob store. Raises ``Refused``."""
    data = _read(path)
    fmt, width, height, taken, orientation, thumb = inspect(data)
    try:
        sha, size = blobs.put_bytes(blob_dir, data)
        thumb_sha, thumb_size = blobs.put_bytes(blob_dir, thumb)
    except InvalidInput as e:
        raise Refused(str(e)) from None
    return Prepared(
        path=path,
        name=display_name(path),
        sha=sha,
        size=size,
        thumb_sha=thumb_sha,
        thumb_size=thumb_size,
        width=width,
        height=height,
        format=fmt,
        taken_at=taken,
        orientation=orientation,
    )


# --- the batch -------------------------------------------------------------------------------


def _insert(conn, album_id: int, p: Prepared, now: str) -> tuple[int | None, str | None]:
    """(image id, None) or (None, why skipped)."""
    existing = image_in_album(conn, album_id, p.sha)
    if existing is not None:
        image_id, trashed = existing
        if trashed:
            return None, _(
                "already in the album as image {id} (in the Trash; restore it from there)"
            ).format(id=image_id)
        return None, _("already in the album as image {id}").format(id=image_id)
    blobs.register(conn, p.sha, p.size)
    blobs.register(conn, p.thumb_sha, p.thumb_size)
    image_id = insert_image(
        conn,
        album_id,
        blob_sha=p.sha,
        thumb_sha=p.thumb_sha,
        original_name=p.name,
        size_bytes=p.size,
        width=p.width,
        height=p.height,
        format=p.format,
        taken_at=db_time(p.taken_at) if p.taken_at else None,
        orientation=p.orientation,
        created_at=now,
    )
    if image_id is None:  # another process imported it a moment ago
        return None, _("already in the album")
    return image_id, None


def import_images(
    db: Database,
    album_name: str,
    paths: Iterable[str | os.PathLike[str]],
    *,
    recursive: bool = False,
    cancel: CancelToken | None = None,
    progress: ProgressFn | None = None,
    threads: int | None = None,
) -> ImportSummary:
    """Import image files into the album called ``album_name`` (created on the
    first image). Never raises for a bad file: see ``ImportSummary.refused``."""
    album_name = clean_name(album_name)
    files = list(expand_paths(paths, recursive=recursive))
    if not files:
        raise InvalidInput(_("no image files found in the paths given"))
    summary = ImportSummary(album_name=album_name)
    total = len(files)
    # more threads than cores: writing and fsyncing the copies waits on the disk
    threads = threads or min(8, (os.cpu_count() or 1) + 2)
    pending: list[Prepared] = []
    last_flush = time.monotonic()
    done = 0

    def flush() -> None:
        nonlocal last_flush
        last_flush = time.monotonic()
        if not pending:
            return
        with db.raw() as conn:
            if summary.album_id is None:
                summary.album_id, summary.album_created = get_or_create_album(conn, album_name)
            else:
                touch_album(conn, summary.album_id)
            now = db_time(utcnow())
            results = [(p, *_insert(conn, summary.album_id, p, now)) for p in pending]
        for p, image_id, why in results:
            if image_id is None:
                summary.skipped.append((shown_path(p.path), why or _("already in the album")))
            else:
                summary.imported.append(
                    ImportedImage(image_id, p.name, shown_path(p.path), p.width, p.height, p.format)
                )
        pending.clear()

    with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="import") as pool:
        window: deque[tuple[Path, Future[Prepared]]] = deque()
        todo = iter(files)
        try:
            while True:
                while len(window) < threads * 2 and not summary.cancelled:
                    if cancel is not None and cancel.cancelled:
                        summary.cancelled = True
                        break
                    path = next(todo, None)
                    if path is None:
                        break
                    window.append((path, pool.submit(prepare, path, db.blob_dir)))
                if not window:
                    break
                path, future = window.popleft()
                try:
                    pending.append(future.result())
                except Refused as e:
                    summary.refused.append((shown_path(path), str(e)))
                done += 1
                if len(pending) >= BATCH_ROWS or time.monotonic() - last_flush >= BATCH_SECONDS:
                    flush()
                if progress is not None:
                    progress(done, total, display_name(path))
            flush()
        finally:
            for _path, future in window:
                future.cancel()
    return summary
