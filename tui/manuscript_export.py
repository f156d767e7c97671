"""Export a work as one manuscript from the Works area (``x``): a form for
the format, the file, the chapters and the synopsis, then a job with
progress (``integrations.manuscript`` does the work); a failure is one line."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from inkbench.i18n import _
from inkbench.tui.dialogs.fields_form import Field, FieldsForm

FORMAT_NAMES = {"epub": "EPUB 3", "docx": "Word (docx)", "md": "Markdown"}


def default_path(title: str, fmt: str, folder: Path | None = None) -> str:
    """A file name for the work in ``folder`` (the current one by default)."""
    safe = re.sub(r"[\\/:*?\"<>|\x00-\x1f]+", " ", title).strip() or "manuscript"
    return str((folder or Path.cwd()) / f"{safe}.{fmt}")


def export_fields(title: str) -> list[Field]:
    """The export form."""
    return [
        Field("format", _("Format"), "epub", "choice", FORMAT_NAMES),
        Field(
            "path",
            _("File (its extension follows the format when left as is)"),
            default_path(title, "epub"),
        ),
        Field("chapters", _("Chapters (empty: all; e.g. 1-12 or 3,5,7-9)"), ""),
        Field("synopsis", _("Put each chapter's synopsis before it"), "", "flag"),
    ]


def run_export(store: Any, work_id: int, values: dict, cancel, progress) -> Any:
    """The export job: read, write, report (``ExportResult``); None when cancelled."""
    from inkbench.integrations.manuscript import (
        configured_author,
        load_manuscript,
        parse_chapter_range,
        write_manuscript,
    )

    fmt = values.get("format") or "epub"
    path = Path(values.get("path") or "").expanduser()
    if path.suffix.lower() in (".epub", ".docx", ".md") and path.suffix.lower() != f".{fmt}":
        path = path.with_suffix(f".{fmt}")
    chapters = parse_chapter_range(values["chapters"]) if values.get("chapters") else None
    progress(0, 2, _("reading"))
    db = store.database()
    m = load_manuscript(
        db,
        str(work_id),
        chapters=chapters,
        synopsis=bool(values.get("synopsis")),
        author=configured_author(store.home),
    )
    if cancel.cancelled:
        return None
    progress(1, 2, _("writing"))
    result = write_manuscript(m, path, fmt)
    progress(2, 2, _("done"))
    return result


def ask_export(node: Any, work_id: int, title: str) -> None:
    """Ask how to export the work, then run the export as a job."""
    app = node.app

    def finished(result) -> None:
        if result is None:
            node.notify(_("Export cancelled."))
            return
        node.notify(
            _("Exported {chapters} chapters ({words} words) to {path}").format(
                chapters=result.chapter_count, words=result.word_count, path=result.path
            ),
            markup=False,
        )

    def answered(values: dict | None) -> None:
        if values is None:
            return
        app.jobs.start(
            lambda cancel, progress: run_export(app.store, work_id, values, cancel, progress),
            label=_("export {title}").format(title=title),
            group="export",
            done=finished,
            advice=_("Check the file name and the chapters, then export again."),
        )

    app.push_screen(
        FieldsForm(_("Export “{title}”").format(title=title), export_fields(title)), answered
    )
