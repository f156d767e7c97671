"""Knowledge: knowledge bases, their documents and a document's chunks.

Import (md, txt, html, pdf, docx) is a job of the app (``tui.jobs``) with
progress in the status bar, cancelled with X; each unreadable file is
reported in one line and the rest go in. Document and chunk text is shown
literally, never as markup."""

from __future__ import annotations

import os

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.widgets import Static

from inkbench.i18n import N_, _
from inkbench.storage.jobs import CancelToken, ProgressFn
from inkbench.storage.lists import DocumentSource, KbSource
from inkbench.storage.reads import chunk_preview
from inkbench.tui import actions
from inkbench.tui.areas.base import AreaPane, ask_import
from inkbench.tui.messages import DataChanged
from inkbench.tui.widgets.list_pane import ListPane
from inkbench.tui.widgets.master_detail import MasterDetail
from inkbench.tui.widgets.virtual_list import VirtualList

IMPORT_JOBS = "kb-import"


class KnowledgeArea(AreaPane):
    area_id = "knowledge"
    DEFAULT_CSS = """
    KnowledgeArea > MasterDetail { height: 2fr; }
    KnowledgeArea #chunks { height: 1fr; border-top: solid $panel; padding: 0 1;
                            overflow-y: auto; }
    """
    BINDINGS = [
        Binding("i", "import", N_("Import files"), id="knowledge.import"),
        Binding("n", "new", N_("New base"), id="knowledge.new"),
        Binding("r", "rename", N_("Rename"), id="knowledge.rename"),
        Binding("d,delete", "trash", N_("Trash"), id="knowledge.trash"),
        Binding("X", "cancel_jobs", N_("Cancel import"), show=False, id="knowledge.cancel"),
        Binding("left", "focus_bases", N_("Bases"), show=False, id="knowledge.focus_bases"),
        Binding("right", "focus_docs", N_("Documents"), show=False, id="knowledge.focus_docs"),
    ]

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.kb_id: int | None = None
        self.kb_name = ""

    def compose(self) -> ComposeResult:
        yield MasterDetail(
            ListPane(
                KbSource(),
                empty_text=_("No knowledge bases: press i to import files."),
                filter_placeholder=_("/ filter by name"),
                id="bases",
            ),
            ListPane(
                DocumentSource(None),
                empty_text=_("No documents: press i to import files into this base."),
                id="docs",
            ),
            lambda row: DocumentSource(row[0] if row else None),
            master_side="kb-side",
            detail_side="doc-side",
        )
        yield Static(id="chunks", markup=False)

    @property
    def lists(self) -> MasterDetail:
        return self.query_one(MasterDetail)

    @property
    def bases(self) -> ListPane:
        return self.lists.master

    @property
    def docs(self) -> ListPane:
        return self.lists.detail

    def focus_default(self) -> None:
        self.lists.focus_master()

    def on_area_shown(self) -> None:
        if self.bases.vlist.loaded:
            self.bases.reload()
        self.lists.sync()

    def data_changed(self, kind: str) -> None:
        if kind in ("knowledge_base", "kb_document"):
            self.lists.reload()

    def on_unmount(self) -> None:
        self.ink.jobs.cancel_group(IMPORT_JOBS)

    @on(MasterDetail.MasterChanged)
    def _kb_shown(self, event: MasterDetail.MasterChanged) -> None:
        event.stop()
        self.kb_id = event.row[0] if event.row else None
        self.kb_name = event.row[1] if event.row else ""
        if event.changed:
            self.query_one("#chunks", Static).update(Content(""))

    @on(VirtualList.Highlighted, "#docs VirtualList")
    def _doc_highlighted(self, event: VirtualList.Highlighted) -> None:
        event.stop()
        if event.row:
            self._show_chunks(event.row[0])
        else:
            self.query_one("#chunks", Static).update(Content(""))

    def _show_chunks(self, document_id: int) -> None:
        rows = chunk_preview(self.ink.store.ui_conn, document_id)
        parts = []
        for pos, heading, text in rows:
            where = f" · {heading}" if heading else ""
            parts.append(f"[{pos + 1}]{where}\n{text}")
        self.query_one("#chunks", Static).update(Content("\n\n".join(parts) or _("(no chunks)")))

    # --- actions ----------------------------------------------------------------------

    def action_focus_bases(self) -> None:
        self.lists.focus_master()

    def action_focus_docs(self) -> None:
        self.lists.focus_detail()

    def action_cancel_jobs(self) -> None:
        n = self.ink.jobs.cancel_group(IMPORT_JOBS)
        self.notify(_("Stopping…") if n else _("Nothing is running here."))

    def action_new(self) -> None:
        self.ask_then_run(
            _("New knowledge base: name"),
            actions.create_kb,
            name=_("new knowledge base"),
            changed="knowledge_base",
            placeholder=_("a name"),
        )

    def action_rename(self) -> None:
        if self.kb_id is not None:
            self.ask_then_run(
                _("Rename knowledge base"),
                actions.rename_kb,
                self.kb_id,
                name=_("rename knowledge base"),
                changed="knowledge_base",
                value=self.kb_name,
            )

    def action_trash(self) -> None:
        if self.lists.detail_focused:
            row, entity = self.docs.vlist.current_row, "kb_document"
        else:
            row, entity = self.bases.vlist.current_row, "knowledge_base"
        if row is None:
            return

        def done(_r: None) -> None:
            self.notify(_("Moved to the Trash: {title}").format(title=row[1]), markup=False)
            self.post_message(DataChanged(entity))

        self.ink.db_job(actions.trash_row, entity, row[0], name=_("trash"), done=done)

    def action_import(self) -> None:
        ask_import(
            self,
            self.kb_name,
            (_("Import into knowledge base (name)"), _("a name")),
            lambda name: (
                _(
                    "Import into “{name}”: files or folders (space-separated, quote odd names)"
                ).format(name=name),
                _("~/docs/guide.pdf notes/"),
            ),
            self.start_import,
        )

    def start_import(self, kb_name: str, paths: list[str]) -> None:
        """Import files into the knowledge base ``kb_name`` as a job."""
        from inkbench.integrations.kb_import import import_documents

        database = self.ink.store.database
        files = [os.path.expanduser(p) for p in paths]
        label = _("Importing into {name}").format(name=kb_name)

        def job(cancel: CancelToken, progress: ProgressFn):
            return import_documents(database(), kb_name, files, cancel=cancel, progress=progress)

        def done(report) -> None:
            message = report.summary()
            if report.refused:
                message += "\n" + "\n".join(report.refused[:10])
            self.notify(
                message,
                title=label,
                severity="error" if report.refused else "information",
                timeout=30 if report.refused else 8,
                markup=False,
            )
            self.post_message(DataChanged("knowledge_base"))

        self.ink.jobs.start(
            job,
            label=label,
            group=IMPORT_JOBS,
            done=done,
            advice=_("Check the files (md, txt, html, pdf, docx) and import again."),
        )
