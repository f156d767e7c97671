"""Knowledge: knowledge bases, their documents and a document's chunks.

Import (md, txt, html, pdf, docx) runs in a thread worker with progress in
the status bar; each unreadable file is reported in one line and the rest go
in. Document and chunk text is shown literally, never as markup."""

from __future__ import annotations

import contextlib
import shlex

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Static

from inkbench.tui.messages import DataChanged, JobFinished, JobProgress
from inkbench.tui.screens.base import AreaPane
from inkbench.tui.widgets.list_pane import ListPane
from inkbench.tui.widgets.virtual_list import Column, SqlSource, VirtualList, flat


class KbSource(SqlSource):
    noun = "knowledge bases"
    columns = (Column("Knowledge base"), Column("Docs", 6, "right"))
    select = (
        "SELECT k.id, k.name, (SELECT count(*) FROM kb_document d WHERE d.kb_id = k.id"
        " AND d.deleted_at IS NULL) FROM knowledge_base k"
    )
    where = "k.deleted_at IS NULL"
    filter_sql = "k.name LIKE ? ESCAPE '\\'"
    orders = {
        "name": ("k.name COLLATE NOCASE ASC, k.id ASC", "k.name COLLATE NOCASE DESC, k.id DESC"),
        "updated": ("k.updated_at DESC, k.id DESC", "k.updated_at ASC, k.id ASC"),
    }

    def count_sql(self) -> str:
        return "SELECT count(*) FROM knowledge_base k"

    def cells(self, row):
        return (flat(row[1]), str(row[2]))


class DocumentSource(SqlSource):
    noun = "documents"
    columns = (Column("Document"), Column("Format", 8), Column("Chunks", 7, "right"))
    filter_sql = "d.title LIKE ? ESCAPE '\\'"
    orders = {
        "newest": ("d.id DESC", "d.id ASC"),
        "title": ("d.title COLLATE NOCASE ASC, d.id ASC", "d.title COLLATE NOCASE DESC, d.id DESC"),
    }

    def __init__(self, kb_id: int | None) -> None:
        self.kb_id = kb_id
        self.select = (
            "SELECT d.id, d.title, d.format, (SELECT count(*) FROM kb_chunk c"
            " WHERE c.document_id = d.id) FROM kb_document d"
        )
        self.where = "d.kb_id = ? AND d.deleted_at IS NULL"
        self.params = (kb_id if kb_id is not None else -1,)

    def count_sql(self) -> str:
        return "SELECT count(*) FROM kb_document d"

    def cells(self, row):
        return (flat(row[1]), row[2], str(row[3]))


# --- work done in threads (fn(store, ...)) ------------------------------------------------


def _create_kb(store, name: str) -> int:
    from inkbench.storage.knowledge import create_kb

    with store.database().write() as s:
        return create_kb(s, name).id


def _rename_kb(store, kb_id: int, name: str) -> None:
    from inkbench.storage.knowledge import rename_kb

    with store.database().write() as s:
        rename_kb(s, kb_id, name)


def _trash(store, entity: str, row_id: int) -> None:
    from inkbench.storage.trash import trash

    with store.database().write() as s:
        trash(s, entity, row_id)


class KnowledgeArea(AreaPane):
    area_id = "knowledge"
    DEFAULT_CSS = """
    KnowledgeArea > Horizontal { height: 2fr; }
    KnowledgeArea #kb-side { width: 1fr; }
    KnowledgeArea #doc-side { width: 2fr; border-left: solid $panel; }
    KnowledgeArea #chunks { height: 1fr; border-top: solid $panel; padding: 0 1;
                            overflow-y: auto; }
    """
    BINDINGS = [
        Binding("i", "import", "Import files", id="knowledge.import"),
        Binding("n", "new", "New base", id="knowledge.new"),
        Binding("r", "rename", "Rename", id="knowledge.rename"),
        Binding("d,delete", "trash", "Trash", id="knowledge.trash"),
        Binding("left", "focus_bases", "Bases", show=False, id="knowledge.focus_bases"),
        Binding("right", "focus_docs", "Documents", show=False, id="knowledge.focus_docs"),
    ]

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.kb_id: int | None = None
        self.kb_name = ""

    def compose(self) -> ComposeResult:
        with Horizontal():
            with Vertical(id="kb-side"):
                yield ListPane(
                    KbSource(),
                    empty_text="No knowledge bases: press i to import files.",
                    filter_placeholder="/ filter by name",
                    id="bases",
                )
            with Vertical(id="doc-side"):
                yield ListPane(
                    DocumentSource(None),
                    empty_text="No documents: press i to import files into this base.",
                    id="docs",
                )
        yield Static(id="chunks", markup=False)

    @property
    def bases(self) -> ListPane:
        return self.query_one("#bases", ListPane)

    @property
    def docs(self) -> ListPane:
        return self.query_one("#docs", ListPane)

    def focus_default(self) -> None:
        self.bases.focus_list()

    def on_area_shown(self) -> None:
        if self.bases.vlist.loaded:
            self.bases.reload()
        self._sync()

    def data_changed(self, kind: str) -> None:
        if kind in ("knowledge_base", "kb_document"):
            self.bases.reload()
            self.docs.reload()

    def on_mount(self) -> None:
        # the first Highlighted may come before this pane listens: read the row
        self.call_after_refresh(self._sync)

    def _sync(self) -> None:
        from textual.css.query import NoMatches

        with contextlib.suppress(NoMatches):
            self._show_kb(self.bases.vlist.current_row)

    @on(VirtualList.Highlighted, "#bases VirtualList")
    def _kb_highlighted(self, event: VirtualList.Highlighted) -> None:
        event.stop()
        self._show_kb(event.row)

    def _show_kb(self, row) -> None:
        kb_id = row[0] if row else None
        self.kb_name = row[1] if row else ""
        if kb_id != self.kb_id:
            self.kb_id = kb_id
            self.docs.set_source(DocumentSource(kb_id))
            self.query_one("#chunks", Static).update(Content(""))

    @on(VirtualList.Selected, "#bases VirtualList")
    def _kb_selected(self, event: VirtualList.Selected) -> None:
        event.stop()
        self.docs.focus_list()

    @on(VirtualList.Highlighted, "#docs VirtualList")
    def _doc_highlighted(self, event: VirtualList.Highlighted) -> None:
        event.stop()
        if event.row:
            self._show_chunks(event.row[0])

    def _show_chunks(self, document_id: int) -> None:
        rows = self.ink.store.ui_conn.execute(
            "SELECT position, heading, substr(text, 1, 400) FROM kb_chunk WHERE document_id = ?"
            " ORDER BY position LIMIT 20",
            (document_id,),
        ).fetchall()
        parts = []
        for pos, heading, text in rows:
            where = f" · {heading}" if heading else ""
            parts.append(f"[{pos + 1}]{where}\n{text}")
        self.query_one("#chunks", Static).update(Content("\n\n".join(parts) or "(no chunks)"))

    # --- actions ----------------------------------------------------------------------

    def action_focus_bases(self) -> None:
        self.bases.focus_list()

    def action_focus_docs(self) -> None:
        self.docs.focus_list()

    def action_new(self) -> None:
        self.ask_then_run(
            "New knowledge base: name",
            _create_kb,
            name="new knowledge base",
            changed="knowledge_base",
            placeholder="a name",
        )

    def action_rename(self) -> None:
        if self.kb_id is not None:
            self.ask_then_run(
                "Rename knowledge base",
                _rename_kb,
                self.kb_id,
                name="rename knowledge base",
                changed="knowledge_base",
                value=self.kb_name,
            )

    def action_trash(self) -> None:
        focused = self.app.focused
        if focused is not None and self.docs in focused.ancestors_with_self:
            row, entity = self.docs.vlist.current_row, "kb_document"
        else:
            row, entity = self.bases.vlist.current_row, "knowledge_base"
        if row is None:
            return

        def done(_r: None) -> None:
            self.notify(f"Moved to the Trash: {row[1]}", markup=False)
            self.post_message(DataChanged(entity))

        self.ink.db_job(_trash, entity, row[0], name="trash", done=done)

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
            self._import(name, paths)

        def got_name(name: str | None) -> None:
            if not name:
                return
            self.app.push_screen(
                AskText(
                    f"Import into “{name}”: files or folders (space-separated, quote odd names)",
                    "~/docs/guide.pdf notes/",
                ),
                lambda text: got_paths(text, name),
            )

        if self.kb_name:
            got_name(self.kb_name)
        else:
            self.app.push_screen(AskText("Import into knowledge base (name)", "a name"), got_name)

    @work(thread=True, exit_on_error=False, group="kb-import", name="knowledge import")
    def _import(self, kb_name: str, paths: list[str]) -> None:
        from inkbench.integrations.kb_import import import_documents

        job = f"kb-import:{kb_name}"
        label = f"Importing into {kb_name}"

        def progress(done: int, total: int, _name: str) -> None:
            self.app.post_message(JobProgress(job, label, done, total))

        try:
            report = import_documents(
                self.ink.store.database(), kb_name, [_expand(p) for p in paths], progress=progress
            )
        except Exception:
            self.app.post_message(JobFinished(job, label, ok=False))  # the error: one notice
            raise
        message = report.summary()
        if report.refused:
            message += "\n" + "\n".join(report.refused[:10])
        self.app.post_message(JobFinished(job, label, ok=not report.refused, message=message))
        self.app.post_message(DataChanged("knowledge_base"))


def _expand(path: str) -> str:
    import os

    return os.path.expanduser(path)
