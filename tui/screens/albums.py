"""Albums: albums with image counts and OCR progress, an album's images, and
a preview of the highlighted image (textual-image: Kitty or Sixel graphics
where the terminal has them, half-blocks otherwise) with the text OCR found
beside it, shown as plain text.

Import (typed paths) and OCR run in thread workers with progress in the
status bar. OCR runs ``integrations.ocr.runner.run_ocr`` (worker processes
sharing the queue with any ``inkbench ocr run``); it can be paused and
cancelled, and starts by itself after an import, so new images are queued
without asking. Move/copy between albums, trash and undo.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import sys
import time

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widgets import Static
from textual.worker import get_current_worker

from inkbench.tui.messages import DataChanged, JobFinished, JobProgress
from inkbench.tui.screens.base import AreaPane
from inkbench.tui.widgets.list_pane import ListPane
from inkbench.tui.widgets.virtual_list import Column, SqlSource, VirtualList, flat

PREVIEW_PIXELS = 1024
OCR_JOB = "albums-ocr"
_LIVE = "i.album_id = a.id AND i.deleted_at IS NULL"


class AlbumSource(SqlSource):
    noun = "albums"
    columns = (Column("Album"), Column("Images", 7, "right"), Column("OCR", 10, "right"))
    select = (
        f"SELECT a.id, a.name, (SELECT count(*) FROM image i WHERE {_LIVE}),"
        f" (SELECT count(*) FROM image i WHERE {_LIVE}"
        "  AND i.ocr_status IN ('done', 'no_text', 'failed')),"
        f" (SELECT count(*) FROM image i WHERE {_LIVE} AND i.ocr_status = 'failed')"
        " FROM album a"
    )
    where = "a.deleted_at IS NULL"
    filter_sql = "a.name LIKE ? ESCAPE '\\'"
    orders = {
        "name": ("a.name COLLATE NOCASE ASC, a.id ASC", "a.name COLLATE NOCASE DESC, a.id DESC"),
        "updated": ("a.updated_at DESC, a.id DESC", "a.updated_at ASC, a.id ASC"),
    }

    def count_sql(self) -> str:
        return "SELECT count(*) FROM album a"

    def cells(self, row):
        _id, name, images, finished, failed = row
        pct = f"{100 * finished // images}%" if images else "-"
        return (flat(name), f"{images:,}", pct + (f" {failed}✗" if failed else ""))


class ImageSource(SqlSource):
    noun = "images"
    columns = (
        Column("Image"),
        Column("Size", 11, "right"),
        Column("OCR", 8),
        Column("Conf", 5, "right"),
    )
    select = "SELECT id, original_name, width, height, ocr_status, ocr_confidence FROM image"
    filter_sql = "original_name LIKE ? ESCAPE '\\'"
    orders = {
        "imported": ("id ASC", "id DESC"),
        "name": (
            "original_name COLLATE NOCASE ASC, id ASC",
            "original_name COLLATE NOCASE DESC, id DESC",
        ),
        "status": ("ocr_status ASC, id ASC", "ocr_status DESC, id DESC"),
    }

    def __init__(self, album_id: int | None) -> None:
        self.album_id = album_id
        self.where = "album_id = ? AND deleted_at IS NULL"
        self.params = (album_id if album_id is not None else -1,)

    def cells(self, row):
        _id, name, width, height, status, conf = row
        size = f"{width}×{height}" if width else "?"
        return (
            flat(name),
            size,
            status.replace("_", " "),
            f"{conf:.0f}" if conf is not None else "",
        )


# --- the preview image widget ------------------------------------------------------------


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


# --- work done in threads --------------------------------------------------------------------


def _preview(store, image_id: int):
    """(PIL image or None, meta line, OCR text) for one image."""
    from PIL import Image

    from inkbench.integrations.images import orient, register_formats
    from inkbench.storage.blobs import blob_path
    from inkbench.storage.paths import BLOB_DIR

    with store.reader() as conn:
        row = conn.execute(
            "SELECT original_name, blob_sha, thumb_sha, orientation, width, height, format,"
            " size_bytes, taken_at, ocr_status, ocr_text, ocr_confidence, ocr_lang, ocr_error,"
            " ocr_attempts FROM image WHERE id = ?",
            (image_id,),
        ).fetchone()
    if row is None:
        return None, "(gone)", ""
    (
        name,
        sha,
        thumb,
        orientation,
        w,
        h,
        fmt,
        size,
        taken,
        status,
        text,
        conf,
        lang,
        error,
        tries,
    ) = row
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
    parts = [flat(name), f"{w}×{h} {fmt or ''}".strip(), f"{(size or 0) / 1024:,.0f} KB"]
    if taken:
        parts.append(f"taken {str(taken)[:16]}")
    ocr = f"OCR {status.replace('_', ' ')}"
    if conf is not None:
        ocr += f" ({conf:.0f}%, {lang})"
    if tries and status != "done":
        ocr += f", {tries} attempt(s)"
    parts.append(ocr)
    if status == "done":
        body = text or ""
    elif status == "no_text":
        body = "(no text found in this image)"
    elif status == "failed":
        body = f"(OCR failed: {error or 'unknown error'}; F tries failed images again)"
    else:
        body = "(waiting for OCR: press O to run it)"
    return picture, " · ".join(parts), body


def _new_album(store, name: str) -> int:
    from inkbench.storage.albums import create_album

    with store.database().raw() as conn:
        return create_album(conn, name)


def _rename_album(store, album_id: int, name: str) -> None:
    from inkbench.storage.albums import rename_album

    with store.database().raw() as conn:
        rename_album(conn, album_id, name)


def _transfer(store, verb: str, image_ids: list[int], target: str) -> tuple[int, int, bool]:
    from inkbench.storage.albums import copy_images, get_or_create_album, move_images

    with store.database().raw() as conn:
        album_id, created = get_or_create_album(conn, target)
        fn = move_images if verb == "move" else copy_images
        done, skipped = fn(conn, image_ids, album_id)
    return done, skipped, created


def _trash(store, entity: str, row_id: int) -> None:
    from inkbench.storage.trash import trash

    with store.database().write() as s:
        trash(s, entity, row_id)


def _restore(store, entity: str, row_id: int) -> None:
    from inkbench.storage.trash import restore

    with store.database().write() as s:
        restore(s, entity, row_id)


def _retry_failed(store, album_id: int | None) -> int:
    from inkbench.storage.albums import retry_failed

    with store.database().raw() as conn:
        return retry_failed(conn, album_id=album_id)


class AlbumsArea(AreaPane):
    area_id = "albums"
    DEFAULT_CSS = """
    AlbumsArea > #lists { height: 1fr; }
    AlbumsArea #album-side { width: 2fr; }
    AlbumsArea #image-side { width: 3fr; border-left: solid $panel; }
    AlbumsArea > #viewer { height: 1fr; border-top: solid $panel; }
    AlbumsArea #picture { width: 1fr; align: center middle; }
    AlbumsArea #picture > * { width: auto; height: 1fr; }
    AlbumsArea #reading { width: 1fr; border-left: solid $panel; }
    AlbumsArea #image-meta { height: auto; padding: 0 1; color: $text-muted; }
    AlbumsArea #ocr-scroll { height: 1fr; padding: 0 1; }
    """
    BINDINGS = [
        Binding("i", "import", "Import", id="albums.import"),
        Binding("n", "new", "New album", id="albums.new"),
        Binding("r", "rename", "Rename", id="albums.rename"),
        Binding("m", "move", "Move to", id="albums.move"),
        Binding("c", "copy", "Copy to", id="albums.copy"),
        Binding("d,delete", "trash", "Trash", id="albums.trash"),
        Binding("u", "undo_trash", "Undo trash", id="albums.undo_trash"),
        Binding("O", "ocr", "Run OCR", id="albums.ocr"),
        Binding("P", "pause_ocr", "Pause OCR", id="albums.pause_ocr"),
        Binding("X", "cancel_jobs", "Cancel jobs", id="albums.cancel"),
        Binding("F", "retry_failed", "Retry failed", show=False, id="albums.retry_failed"),
        Binding("t", "show_text", "OCR text", show=False, id="albums.text"),
        Binding("left", "focus_albums", "Albums", show=False, id="albums.focus_albums"),
        Binding("right", "focus_images", "Images", show=False, id="albums.focus_images"),
    ]

    class PreviewLoaded(Message):
        def __init__(self, image_id: int, picture, meta: str, text: str) -> None:
            super().__init__()
            self.image_id = image_id
            self.picture = picture
            self.meta = meta
            self.text = text

    class Refresh(Message):
        """Counts changed under a running job: reload the lists."""

        def can_replace(self, message: Message) -> bool:
            return isinstance(message, AlbumsArea.Refresh)

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.album_id: int | None = None
        self.album_name = ""
        self.image_key: tuple | None = None  # (id, status) shown in the preview
        self.image_id: int | None = None
        self.ocr_text = ""
        self.last_trashed: tuple[str, int, str] | None = None
        self.ocr_paused = False
        self.ocr_cancel = False
        self.ocr_again = False
        self._ocr_worker = None
        self._import_workers: list = []
        self._picture = None

    def compose(self) -> ComposeResult:
        with Horizontal(id="lists"):
            with Vertical(id="album-side"):
                yield ListPane(
                    AlbumSource(),
                    empty_text="No albums: press i to import images.",
                    filter_placeholder="/ filter by name",
                    id="albums",
                )
            with Vertical(id="image-side"):
                yield ListPane(
                    ImageSource(None),
                    empty_text="No images: press i to import some into this album.",
                    filter_placeholder="/ filter by file name",
                    id="images",
                )
        with Horizontal(id="viewer"):
            yield Vertical(id="picture")
            with Vertical(id="reading"):
                yield Static(id="image-meta", markup=False)
                with VerticalScroll(id="ocr-scroll"):
                    yield Static(id="ocr-text", markup=False)

    @property
    def albums(self) -> ListPane:
        return self.query_one("#albums", ListPane)

    @property
    def images(self) -> ListPane:
        return self.query_one("#images", ListPane)

    def focus_default(self) -> None:
        self.albums.focus_list()

    def on_area_shown(self) -> None:
        if self.albums.vlist.loaded:
            self.albums.reload()
            self.images.reload()
        self._sync()

    def data_changed(self, kind: str) -> None:
        if kind in ("album", "image"):
            self.albums.reload()
            self.images.reload()

    def on_unmount(self) -> None:
        self.ocr_cancel = True
        for worker in self._import_workers:
            worker.cancel()

    # --- selection and preview --------------------------------------------------------

    def on_mount(self) -> None:
        # the first Highlighted may come before this pane listens: read the rows
        self.call_after_refresh(self._sync)

    def _sync(self) -> None:
        from textual.css.query import NoMatches

        with contextlib.suppress(NoMatches):
            self._show_album(self.albums.vlist.current_row)
            self._show_image(self.images.vlist.current_row)

    @on(VirtualList.Highlighted, "#albums VirtualList")
    def _album_highlighted(self, event: VirtualList.Highlighted) -> None:
        event.stop()
        self._show_album(event.row)

    def _show_album(self, row) -> None:
        album_id = row[0] if row else None
        self.album_name = row[1] if row else ""
        if album_id != self.album_id:
            self.album_id = album_id
            self.images.set_source(ImageSource(album_id))
            if album_id is None:
                self._show_preview(None, None, "", "")

    @on(VirtualList.Selected, "#albums VirtualList")
    def _album_selected(self, event: VirtualList.Selected) -> None:
        if isinstance(event, VirtualList.Highlighted):
            return  # a subclass of Selected: only a real Enter counts here
        event.stop()
        self.images.focus_list()

    @on(VirtualList.Highlighted, "#images VirtualList")
    def _image_highlighted(self, event: VirtualList.Highlighted) -> None:
        event.stop()
        self._show_image(event.row)

    def _show_image(self, row) -> None:
        key = (row[0], row[4]) if row else None
        if key == self.image_key:
            return  # a reload of the same row: keep the preview
        self.image_key = key
        self.image_id = row[0] if row else None
        if row is None:
            self._show_preview(None, None, "", "")
        else:
            self._load_preview(row[0])

    @on(VirtualList.Selected, "#images VirtualList")
    def _image_selected(self, event: VirtualList.Selected) -> None:
        if isinstance(event, VirtualList.Highlighted):
            return  # a subclass of Selected: only a real Enter counts here
        event.stop()
        self.action_show_text()

    @work(thread=True, exclusive=True, group="album-preview", exit_on_error=False)
    def _load_preview(self, image_id: int) -> None:
        picture, meta, text = _preview(self.ink.store, image_id)
        if not get_current_worker().is_cancelled:
            self.post_message(self.PreviewLoaded(image_id, picture, meta, text))

    @on(PreviewLoaded)
    def _preview_loaded(self, event: PreviewLoaded) -> None:
        event.stop()
        if event.image_id == self.image_id:
            self._show_preview(event.image_id, event.picture, event.meta, event.text)

    def _show_preview(self, image_id, picture, meta: str, text: str) -> None:
        self.ocr_text = text if image_id is not None else ""
        self.query_one("#image-meta", Static).update(Content(meta))
        self.query_one("#ocr-text", Static).update(Content(text))
        holder = self.query_one("#picture", Vertical)
        if picture is None:
            if self._picture is not None:
                self._picture.display = False
            return
        if self._picture is None:
            self._picture = image_widget_class()(picture, id="preview")
            holder.mount(self._picture)
        else:
            self._picture.image = picture
            self._picture.display = True

    # --- actions ------------------------------------------------------------------------

    def action_focus_albums(self) -> None:
        self.albums.focus_list()

    def action_focus_images(self) -> None:
        self.images.focus_list()

    def _images_focused(self) -> bool:
        focused = self.app.focused
        return focused is not None and self.images in focused.ancestors_with_self

    def action_show_text(self) -> None:
        from inkbench.tui.screens.dialogs import ShowText

        row = self.images.vlist.current_row
        if row is None:
            return
        self.app.push_screen(ShowText(f"OCR text: {flat(row[1])}", self.ocr_text or ""))

    def action_new(self) -> None:
        self.ask_then_run(
            "New album: name", _new_album, name="new album", changed="album", placeholder="a name"
        )

    def action_rename(self) -> None:
        if self.album_id is not None:
            self.ask_then_run(
                "Rename album",
                _rename_album,
                self.album_id,
                name="rename album",
                changed="album",
                value=self.album_name,
            )

    def _transfer(self, verb: str) -> None:
        from inkbench.tui.screens.dialogs import AskText

        row = self.images.vlist.current_row
        if row is None:
            self.notify("Highlight an image first.")
            return
        image_id, name = row[0], row[1]

        def done(result: tuple[int, int, bool]) -> None:
            n, skipped, created = result
            past = "Moved" if verb == "move" else "Copied"
            note = " (already there)" if skipped else ""
            extra = " into a new album" if created else ""
            self.notify(f"{past} {n} image{extra}{note}: {flat(name)}", markup=False)
            self.post_message(DataChanged("image"))

        def answered(target: str | None) -> None:
            if target:
                self.ink.db_job(
                    _transfer, verb, [image_id], target, name=f"{verb} image", done=done
                )

        title = "Move" if verb == "move" else "Copy"
        self.app.push_screen(
            AskText(f"{title} “{flat(name)}” to album (name)", "an album"), answered
        )

    def action_move(self) -> None:
        self._transfer("move")

    def action_copy(self) -> None:
        self._transfer("copy")

    def action_trash(self) -> None:
        if self._images_focused():
            row, entity = self.images.vlist.current_row, "image"
        else:
            row, entity = self.albums.vlist.current_row, "album"
        if row is None:
            return
        title = flat(row[1])

        def done(_r: None) -> None:
            self.last_trashed = (entity, row[0], title)
            self.notify(f"Moved to the Trash: {title} (u brings it back)", markup=False)
            self.post_message(DataChanged(entity))

        self.ink.db_job(_trash, entity, row[0], name="trash", done=done)

    def action_undo_trash(self) -> None:
        if self.last_trashed is None:
            self.notify("Nothing trashed here to bring back; see the Trash area.")
            return
        entity, row_id, title = self.last_trashed

        def done(_r: None) -> None:
            self.last_trashed = None
            self.notify(f"Restored: {title}", markup=False)
            self.post_message(DataChanged(entity))

        self.ink.db_job(_restore, entity, row_id, name="restore", done=done)

    def action_retry_failed(self) -> None:
        def done(n: int) -> None:
            self.notify(f"{n} failed image(s) queued again.")
            self.post_message(DataChanged("image"))
            if n:
                self.start_ocr()

        self.ink.db_job(_retry_failed, self.album_id, name="retry failed", done=done)

    # --- import -----------------------------------------------------------------------------

    def action_import(self) -> None:
        from inkbench.tui.screens.dialogs import AskText

        def got_paths(text: str | None, name: str) -> None:
            if not text:
                return
            try:
                paths = shlex.split(text)
            except ValueError as e:
                self.notify(f"Cannot read the paths: {e}", severity="error", markup=False)
                return
            self._import_workers.append(self._import(name, paths))

        def got_name(name: str | None) -> None:
            if not name:
                return
            self.app.push_screen(
                AskText(
                    f"Import into “{name}”: image files or folders (space-separated, quote odd "
                    "names; folders are read with their sub-folders)",
                    "~/Pictures/receipts photo.jpg",
                ),
                lambda text: got_paths(text, name),
            )

        if self.album_name:
            got_name(self.album_name)
        else:
            self.app.push_screen(AskText("Import into album (name)", "a name"), got_name)

    @work(thread=True, exit_on_error=False, group="album-import", name="album import")
    def _import(self, album_name: str, paths: list[str]) -> None:
        from inkbench.integrations.images import import_images

        worker = get_current_worker()
        job = f"album-import:{album_name}:{id(worker)}"
        label = f"Importing into {album_name}"
        last = 0.0

        def progress(done: int, total: int, _name: str) -> None:
            nonlocal last
            self.app.post_message(JobProgress(job, label, done, total))
            now = time.monotonic()
            if now - last >= 1.0:
                last = now
                self.post_message(self.Refresh())

        try:
            summary = import_images(
                self.ink.store.database(),
                album_name,
                [os.path.expanduser(p) for p in paths],
                recursive=True,
                progress=progress,
                cancel=lambda: worker.is_cancelled,
            )
        except Exception as e:
            self.app.post_message(JobFinished(job, label, ok=False, message=str(e)))
            raise
        parts = [f"{len(summary.imported)} imported"]
        if summary.skipped:
            parts.append(f"{len(summary.skipped)} already there")
        if summary.refused:
            parts.append(f"{len(summary.refused)} refused")
        message = ", ".join(parts) + (" (cancelled)" if summary.cancelled else "")
        for path, error in summary.refused[:10]:
            message += f"\n{os.path.basename(path)}: {error}"
        self.app.post_message(JobFinished(job, label, ok=not summary.refused, message=message))
        self.app.post_message(DataChanged("image"))
        if summary.imported:
            self.app.call_from_thread(self.start_ocr)

    # --- OCR -------------------------------------------------------------------------------------

    def action_ocr(self) -> None:
        self.start_ocr(announce=True)

    def start_ocr(self, announce: bool = False) -> None:
        """Run OCR in the background until nothing is left; if it runs
        already, it takes new images by itself."""
        if self._ocr_worker is not None and self._ocr_worker.is_running:
            if self.ocr_cancel:
                self.ocr_again = True  # start afresh once the cancelled run ends
            elif announce:
                self.notify("OCR is running; new images join it.")
            return
        self.ocr_cancel = False
        self.ocr_paused = False
        self._ocr_worker = self._ocr()

    def action_pause_ocr(self) -> None:
        if self._ocr_worker is None or not self._ocr_worker.is_running:
            self.notify("OCR is not running (O starts it).")
            return
        self.ocr_paused = not self.ocr_paused
        self.app.post_message(
            JobProgress(OCR_JOB, "OCR paused (P resumes)" if self.ocr_paused else "OCR", 0, None)
        )

    def action_cancel_jobs(self) -> None:
        running = False
        for worker in self._import_workers:
            if worker.is_running:
                worker.cancel()
                running = True
        self._import_workers = [w for w in self._import_workers if w.is_running]
        if self._ocr_worker is not None and self._ocr_worker.is_running:
            self.ocr_cancel = True
            self.ocr_again = False
            running = True
        self.notify("Stopping…" if running else "Nothing is running here.")

    @work(thread=True, exclusive=True, group="album-ocr", exit_on_error=False, name="OCR")
    def _ocr(self) -> None:
        from inkbench.integrations.ocr.runner import run_ocr

        store = self.ink.store
        last = 0.0

        def progress(done: int, total: int, _name: str) -> None:
            nonlocal last
            label = "OCR paused (P resumes)" if self.ocr_paused else "OCR"
            self.app.post_message(JobProgress(OCR_JOB, label, done, total))
            now = time.monotonic()
            if now - last >= 1.0:
                last = now
                self.post_message(self.Refresh())

        workers = max(1, min(4, (os.cpu_count() or 2) - 1))
        self.app.post_message(JobProgress(OCR_JOB, "OCR starting", 0, None))
        try:
            summary = run_ocr(
                store.database(),
                workers=workers,
                progress=progress,
                cancel=lambda: self.ocr_cancel,
                paused=lambda: self.ocr_paused,
                log_path=store.home / "ocr.log",
            )
        except Exception as e:
            self.app.post_message(JobFinished(OCR_JOB, "OCR", ok=False, message=str(e)))
            raise
        finally:
            self.post_message(self.Refresh())
        message = (
            f"{summary.done} with text, {summary.no_text} without, {summary.failed} failed"
            + (" (stopped)" if summary.cancelled else "")
        )
        if summary.worker_errors:
            message += "\n" + summary.worker_errors[0]
        self.app.post_message(
            JobFinished(OCR_JOB, "OCR", ok=not summary.worker_errors, message=message)
        )
        self.app.post_message(DataChanged("image"))
        if self.ocr_again:
            self.ocr_again = False
            self.app.call_from_thread(self.start_ocr)

    @on(Refresh)
    def _refresh(self, event: Refresh) -> None:
        event.stop()
        self.albums.reload()
        self.images.reload()
