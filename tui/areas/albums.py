"""Albums: albums with image counts and OCR progress, an album's images, and
a preview of the highlighted image with the text OCR found beside it, shown
as plain text (``tui.widgets.image_preview``).

Import (typed paths) and OCR are jobs of the app (``tui.jobs``) with progress
in the status bar. OCR runs ``integrations.ocr.runner.run_ocr`` (worker
processes sharing the queue with any ``inkbench ocr run``); it can be paused
and cancelled, and starts by itself after an import, so new images are queued
without asking. Move/copy between albums, trash and undo.
"""

from __future__ import annotations

import os
import time

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widgets import Static

from inkbench.i18n import N_, _, format_number, ngettext, pgettext
from inkbench.storage.jobs import CancelToken, ProgressFn
from inkbench.storage.lists import AlbumSource, ImageSource, flat
from inkbench.tui import actions
from inkbench.tui.areas.base import AreaPane, ask_import
from inkbench.tui.messages import DataChanged
from inkbench.tui.widgets.list_pane import ListPane
from inkbench.tui.widgets.master_detail import MasterDetail
from inkbench.tui.widgets.virtual_list import VirtualList

IMPORT_JOBS = "album-import"
OCR_JOBS = "album-ocr"
PREVIEW_JOBS = "album-preview"


class AlbumsArea(AreaPane):
    area_id = "albums"
    DEFAULT_CSS = """
    AlbumsArea > #lists { height: 1fr; }
    AlbumsArea #album-side { width: 2fr; }
    AlbumsArea #image-side { width: 3fr; }
    AlbumsArea > #viewer { height: 1fr; border-top: solid $panel; }
    AlbumsArea #picture { width: 1fr; align: center middle; }
    AlbumsArea #picture > * { width: auto; height: 1fr; }
    AlbumsArea #reading { width: 1fr; border-left: solid $panel; }
    AlbumsArea #image-meta { height: auto; padding: 0 1; color: $text-muted; }
    AlbumsArea #ocr-scroll { height: 1fr; padding: 0 1; }
    """
    BINDINGS = [
        Binding("i", "import", N_("Import"), id="albums.import"),
        Binding("n", "new", N_("New album"), id="albums.new"),
        Binding("r", "rename", N_("Rename"), id="albums.rename"),
        Binding("m", "move", N_("Move to"), id="albums.move"),
        Binding("c", "copy", N_("Copy to"), id="albums.copy"),
        Binding("d,delete", "trash", N_("Trash"), id="albums.trash"),
        Binding("u", "undo_trash", N_("Undo trash"), id="albums.undo_trash"),
        Binding("O", "ocr", N_("Run OCR"), id="albums.ocr"),
        Binding("e", "ocr_engine", N_("OCR engine"), id="albums.ocr_engine"),
        Binding("P", "pause_ocr", N_("Pause OCR"), id="albums.pause_ocr"),
        Binding("X", "cancel_jobs", N_("Cancel jobs"), id="albums.cancel"),
        Binding("F", "retry_failed", N_("Retry failed"), show=False, id="albums.retry_failed"),
        Binding("t", "show_text", N_("OCR text"), show=False, id="albums.text"),
        Binding("left", "focus_albums", N_("Albums"), show=False, id="albums.focus_albums"),
        Binding("right", "focus_images", N_("Images"), show=False, id="albums.focus_images"),
    ]

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
        self.ocr_again = False
        self._picture = None

    def compose(self) -> ComposeResult:
        yield MasterDetail(
            ListPane(
                AlbumSource(),
                empty_text=_("No albums: press i to import images."),
                filter_placeholder=_("/ filter by name"),
                id="albums",
            ),
            ListPane(
                ImageSource(None),
                empty_text=_("No images: press i to import some into this album."),
                filter_placeholder=_("/ filter by file name"),
                id="images",
            ),
            lambda row: ImageSource(row[0] if row else None),
            master_side="album-side",
            detail_side="image-side",
            id="lists",
        )
        with Horizontal(id="viewer"):
            yield Vertical(id="picture")
            with Vertical(id="reading"):
                yield Static(id="image-meta", markup=False)
                with VerticalScroll(id="ocr-scroll"):
                    yield Static(id="ocr-text", markup=False)

    @property
    def lists(self) -> MasterDetail:
        return self.query_one("#lists", MasterDetail)

    @property
    def albums(self) -> ListPane:
        return self.lists.master

    @property
    def images(self) -> ListPane:
        return self.lists.detail

    def focus_default(self) -> None:
        self.lists.focus_master()

    def on_area_shown(self) -> None:
        if self.albums.vlist.loaded:
            self.lists.reload()
        self.lists.sync()
        self._show_image(self.images.vlist.current_row)

    def data_changed(self, kind: str) -> None:
        if kind in ("album", "image"):
            self.lists.reload()

    def on_mount(self) -> None:
        # the first Highlighted may come before this pane listens: read the row
        self.call_after_refresh(lambda: self._show_image(self.images.vlist.current_row))

    def on_unmount(self) -> None:
        self.ink.jobs.cancel_group(IMPORT_JOBS, OCR_JOBS)

    # --- selection and preview --------------------------------------------------------

    @on(MasterDetail.MasterChanged)
    def _album_shown(self, event: MasterDetail.MasterChanged) -> None:
        event.stop()
        row = event.row
        self.album_id = row[0] if row else None
        self.album_name = row[1] if row else ""
        if row is None and event.changed:
            self._show_preview(None, None, "", "")

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
        event.stop()
        self.action_show_text()

    def _load_preview(self, image_id: int) -> None:
        from inkbench.tui.widgets.image_preview import read_preview

        store = self.ink.store

        def shown(result) -> None:
            if image_id == self.image_id:
                self._show_preview(image_id, *result)

        self.ink.jobs.start(
            lambda _cancel, _progress: read_preview(store, image_id),
            label=_("image preview"),
            group=PREVIEW_JOBS,
            done=shown,
            exclusive=True,
            show=False,
        )

    def _show_preview(self, image_id, picture, meta: str, text: str) -> None:
        from inkbench.tui.widgets.image_preview import image_widget_class

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
        self.lists.focus_master()

    def action_focus_images(self) -> None:
        self.lists.focus_detail()

    def action_show_text(self) -> None:
        from inkbench.tui.dialogs.show_text import ShowText

        row = self.images.vlist.current_row
        if row is None:
            return
        self.app.push_screen(
            ShowText(_("OCR text: {image}").format(image=flat(row[1])), self.ocr_text or "")
        )

    def action_new(self) -> None:
        self.ask_then_run(
            _("New album: name"),
            actions.create_album,
            name=_("new album"),
            changed="album",
            placeholder=_("a name"),
        )

    def action_rename(self) -> None:
        if self.album_id is not None:
            self.ask_then_run(
                _("Rename album"),
                actions.rename_album,
                self.album_id,
                name=_("rename album"),
                changed="album",
                value=self.album_name,
            )

    def action_ocr_engine(self) -> None:
        """Choose the OCR engine that reads this album (ppocr for Chinese
        screenshots, tesseract for English receipts), or the default."""
        from inkbench.integrations.ocr import ppocr
        from inkbench.integrations.ocr.choice import configured_engine
        from inkbench.tui.dialogs.choose import Choose

        if self.album_id is None:
            self.notify(_("Highlight an album first."))
            return
        album_id, album = self.album_id, self.album_name
        current = actions.album_engine(self.ink.store, album_id) or "default"
        default = configured_engine(self.ink.store.home) or "auto"
        installed = ppocr.available()
        choices = [
            ("default", _("Default from config.toml ({engine})").format(engine=default)),
            ("auto", _("auto: ppocr for Chinese when installed, else tesseract")),
            ("tesseract", _("tesseract")),
            (
                "ppocr",
                _("ppocr (PP-OCR: best for Chinese photos and screenshots)")
                if installed
                else _("ppocr (not installed)"),
            ),
        ]

        def chosen(engine: str | None) -> None:
            if engine is None or engine == current:
                return
            if engine == "ppocr" and not installed:
                self.notify(ppocr.missing_message(), severity="error", timeout=15, markup=False)
                return

            def done(_result: object) -> None:
                shown = default if engine == "default" else engine
                self.notify(
                    _(
                        "Album {album} is read with {engine}; press O to read its waiting "
                        "images (to read the others again: inkbench ocr run --again "
                        "--engine {engine} {album})"
                    ).format(album=album, engine=shown),
                    timeout=12,
                    markup=False,
                )
                self.post_message(DataChanged("album"))

            self.ink.db_job(
                actions.set_album_engine,
                album_id,
                None if engine == "default" else engine,
                name=_("set the OCR engine"),
                done=done,
            )

        title = _("OCR engine for album {album}").format(album=album)
        self.app.push_screen(Choose(title, choices, current), chosen)

    def _transfer(self, verb: str) -> None:
        from inkbench.tui.dialogs.ask_text import AskText

        row = self.images.vlist.current_row
        if row is None:
            self.notify(_("Highlight an image first."))
            return
        image_id, name = row[0], row[1]

        def done(result: tuple[int, int, bool]) -> None:
            n, skipped, created = result
            if verb == "move":
                text = ngettext("Moved {n} image: {name}", "Moved {n} images: {name}", n)
            else:
                text = ngettext("Copied {n} image: {name}", "Copied {n} images: {name}", n)
            text = text.format(n=format_number(n), name=flat(name))
            if created:
                text += _(" (into a new album)")
            if skipped:
                text += _(" (already there)")
            self.notify(text, markup=False)
            self.post_message(DataChanged("image"))

        def answered(target: str | None) -> None:
            if target:
                self.ink.db_job(
                    actions.transfer_images,
                    verb,
                    [image_id],
                    target,
                    name=_("move image") if verb == "move" else _("copy image"),
                    done=done,
                )

        if verb == "move":
            prompt = _("Move “{name}” to album (name)").format(name=flat(name))
        else:
            prompt = _("Copy “{name}” to album (name)").format(name=flat(name))
        self.app.push_screen(
            AskText(prompt, _("an album")),
            answered,
        )

    def action_move(self) -> None:
        self._transfer("move")

    def action_copy(self) -> None:
        self._transfer("copy")

    def action_trash(self) -> None:
        if self.lists.detail_focused:
            row, entity = self.images.vlist.current_row, "image"
        else:
            row, entity = self.albums.vlist.current_row, "album"
        if row is None:
            return
        title = flat(row[1])

        def done(_r: None) -> None:
            self.last_trashed = (entity, row[0], title)
            self.notify(
                _("Moved to the Trash: {title} (u brings it back)").format(title=title),
                markup=False,
            )
            self.post_message(DataChanged(entity))

        self.ink.db_job(actions.trash_row, entity, row[0], name=_("trash"), done=done)

    def action_undo_trash(self) -> None:
        if self.last_trashed is None:
            self.notify(_("Nothing trashed here to bring back; see the Trash area."))
            return
        entity, row_id, title = self.last_trashed

        def done(_r: None) -> None:
            self.last_trashed = None
            self.notify(_("Restored: {title}").format(title=title), markup=False)
            self.post_message(DataChanged(entity))

        self.ink.db_job(actions.restore_row, entity, row_id, name=_("restore"), done=done)

    def action_retry_failed(self) -> None:
        def done(n: int) -> None:
            self.notify(
                ngettext(
                    "{n} failed image queued again.", "{n} failed images queued again.", n
                ).format(n=format_number(n))
            )
            self.post_message(DataChanged("image"))
            if n:
                self.start_ocr()

        self.ink.db_job(actions.retry_failed_ocr, self.album_id, name=_("retry failed"), done=done)

    # --- import -----------------------------------------------------------------------------

    def action_import(self) -> None:
        ask_import(
            self,
            self.album_name,
            (_("Import into album (name)"), _("a name")),
            lambda name: (
                _(
                    "Import into “{name}”: image files or folders (space-separated, quote odd "
                    "names; folders are read with their sub-folders)"
                ).format(name=name),
                _("~/Pictures/receipts photo.jpg"),
            ),
            self.start_import,
        )

    def _refresher(self, progress: ProgressFn) -> ProgressFn:
        """``progress`` that also reloads the lists at most once a second."""
        last = 0.0

        def report(done: int, total: int, name: str) -> None:
            nonlocal last
            progress(done, total, name)
            now = time.monotonic()
            if now - last >= 1.0:
                last = now
                self.post_message(self.Refresh())

        return report

    def start_import(self, album_name: str, paths: list[str]) -> None:
        """Import image files into ``album_name`` as a job; OCR follows."""
        from inkbench.integrations.images import import_images

        database = self.ink.store.database
        files = [os.path.expanduser(p) for p in paths]

        def job(cancel: CancelToken, progress: ProgressFn):
            return import_images(
                database(),
                album_name,
                files,
                recursive=True,
                cancel=cancel,
                progress=self._refresher(progress),
            )

        def done(summary) -> None:
            parts = [_("{n} imported").format(n=format_number(len(summary.imported)))]
            if summary.skipped:
                parts.append(_("{n} already there").format(n=format_number(len(summary.skipped))))
            if summary.refused:
                parts.append(_("{n} refused").format(n=format_number(len(summary.refused))))
            message = _(", ").join(parts) + (_(" (cancelled)") if summary.cancelled else "")
            for path, error in summary.refused[:10]:
                message += f"\n{os.path.basename(path)}: {error}"
            self.notify(
                message,
                title=_("Importing into {album_name}").format(album_name=album_name),
                severity="error" if summary.refused else "information",
                timeout=30 if summary.refused else 8,
                markup=False,
            )
            self.post_message(DataChanged("image"))
            if summary.imported:
                self.start_ocr()

        self.ink.jobs.start(
            job,
            label=_("Importing into {album_name}").format(album_name=album_name),
            group=IMPORT_JOBS,
            done=done,
            advice=_("Check the paths (files or folders of images) and import again."),
        )

    # --- OCR -------------------------------------------------------------------------------------

    def action_ocr(self) -> None:
        self.start_ocr(announce=True)

    def _ocr_job(self):
        running = self.ink.jobs.running(OCR_JOBS)
        return running[-1] if running else None

    def start_ocr(self, announce: bool = False) -> None:
        """Run OCR as a job until nothing is left; if it runs already, it
        takes new images by itself."""
        from inkbench.integrations.ocr.runner import run_ocr

        current = self._ocr_job()
        if current is not None:
            if current.cancel_token.cancelled:
                self.ocr_again = True  # start afresh once the cancelled run ends
            elif announce:
                self.notify(_("OCR is running; new images join it."))
            return
        store = self.ink.store
        workers = max(1, min(4, (os.cpu_count() or 2) - 1))
        job_ref: list = []

        def job(cancel: CancelToken, progress: ProgressFn):
            try:
                return run_ocr(
                    store.database(),
                    workers=workers,
                    cancel=cancel,
                    progress=self._refresher(progress),
                    paused=lambda: bool(job_ref and job_ref[0].paused),
                    log_path=store.home / "ocr.log",
                )
            finally:
                self.post_message(self.Refresh())

        def done(summary) -> None:
            message = _("{done} with text, {none} without, {failed} failed").format(
                done=format_number(summary.done),
                none=format_number(summary.no_text),
                failed=format_number(summary.failed),
            ) + (_(" (stopped)") if summary.cancelled else "")
            if summary.worker_errors:
                message += "\n" + summary.worker_errors[0]
            self.notify(
                message,
                title=pgettext("job", "OCR"),
                severity="error" if summary.worker_errors else "information",
                markup=False,
            )
            self.post_message(DataChanged("image"))
            if self.ocr_again:
                self.ocr_again = False
                self.start_ocr()

        job_ref.append(
            self.ink.jobs.start(
                job,
                label=pgettext("job", "OCR"),
                group=OCR_JOBS,
                done=done,
                pausable=True,
                advice=_(
                    "Check that tesseract is installed (`tesseract --version`), then press O."
                ),
            )
        )

    def action_pause_ocr(self) -> None:
        job = self._ocr_job()
        if job is None:
            self.notify(_("OCR is not running (O starts it)."))
            return
        self.ink.jobs.toggle_pause(job)

    def action_cancel_jobs(self) -> None:
        self.ocr_again = False
        n = self.ink.jobs.cancel_group(IMPORT_JOBS, OCR_JOBS)
        self.notify(_("Stopping…") if n else _("Nothing is running here."))

    @on(Refresh)
    def _refresh(self, event: Refresh) -> None:
        event.stop()
        self.lists.reload()
