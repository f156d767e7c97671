"""The article and chapter editor.

Autosave: a 0.25 s tick saves once the text has been still for 1.5 s (so
within 2 s of the last keystroke), at least every 10 s while typing goes on,
and on leaving. The save runs in an app thread worker (``InkbenchApp.save``):
typing never waits for it. A failed save keeps the text here, says so in the
status line and retries.

The word count (CJK one per character) is taken on the tick, line by line,
each line's count remembered by its text: after a key only the changed line
is counted again (~0.3 ms for a 200k-character chapter, on the UI thread).
A worker counting the whole text instead held the GIL for the length of its
regex scans (several ms), and a key typed meanwhile waited for it.

A chapter's editor has a side panel (``ctrl+b`` shows or hides it) listing
who and what the chapter names, read again after each save in a job while it
is shown, never per keystroke; ``f3`` opens the page of the name under the
cursor. Scene markers are shown dim and kept whole
(``tui/widgets/editor_area.py``); on a marker's line the status line shows
that scene's synopsis.
"""

from __future__ import annotations

import time
from functools import lru_cache

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Input, Static, TextArea

from inkbench.i18n import N_, _, format_words
from inkbench.storage.reads import Document, load_document
from inkbench.tui.messages import DataChanged, DocRef, DocumentSaved, DocumentSaveFailed
from inkbench.tui.vocab import kind_name
from inkbench.tui.widgets.editor_area import EditorArea
from inkbench.tui.widgets.footer import Footer

AUTOSAVE_IDLE = 1.5  # seconds of stillness before an autosave
AUTOSAVE_MAX = 10.0  # save at least this often while typing continues
RETRY_AFTER = 5.0  # after a failed save
TICK = 0.25
# tree-sitter reparses markdown on every keystroke (~56 ms at 200k characters,
# ~17 ms at 20k, on
# a 2-core machine), so longer texts are edited without colours: typing first.
HIGHLIGHT_LIMIT = 12_000
LINE_COUNTS_KEPT = 1 << 15  # lines whose word count is remembered, per editor


def markdown_available(text_area: TextArea) -> bool:
    return "markdown" in text_area.available_languages


class EditorScreen(Screen):
    HELP_SECTION = N_("Editor")
    DEFAULT_CSS = """
    EditorScreen > #editor-head { height: 1; background: $panel; }
    EditorScreen #kind { width: auto; padding: 0 1; color: $text-muted; }
    EditorScreen #title { width: 1fr; height: 1; border: none; padding: 0 1; background: $panel; }
    EditorScreen #title:focus { background: $boost; }
    EditorScreen > #editor-main { height: 1fr; }
    EditorScreen Horizontal > TextArea { height: 1fr; width: 1fr; border: none; padding: 0 1; }
    EditorScreen > #editor-status {
        height: 1; background: $panel; color: $text-muted; padding: 0 1;
    }
    EditorScreen > #editor-status.failed { background: $error 40%; color: $text; }
    """
    BINDINGS = [
        Binding("escape", "close", N_("Close"), id="editor.close"),
        Binding("ctrl+s", "save", N_("Save version"), id="editor.save"),
        Binding("ctrl+r", "history", N_("History"), id="editor.history"),
        Binding("f2", "rename", N_("Title"), id="editor.title"),
        Binding("ctrl+g", "assist", N_("AI assist"), id="editor.assist"),
        Binding(
            "f4",
            "assist_context",
            N_("AI context preview"),
            id="editor.assist_context",
            show=False,
        ),
        Binding("ctrl+b", "toggle_names", N_("Names panel"), id="editor.names"),
        Binding("f3", "open_name", N_("Open name"), id="editor.open_name"),
    ]
    AUTO_FOCUS = "#body"

    def __init__(self, doc: DocRef, line: int | None = None, column: int | None = None) -> None:
        super().__init__()
        self.doc = doc
        self.goto = (line, column or 0) if line is not None else None
        self.document: Document | None = None
        self.version = 0  # bumped on every change
        self.saved_version = 0
        self.saving = False
        self.last_change = 0.0
        self.first_unsaved_change = 0.0
        self.retry_at = 0.0
        self.failure: str | None = None
        self.words = 0
        self.counted_version = -1
        self._line_words = _line_word_counter()
        self._editing = False
        self._leaving = False
        self.synopses: dict[int, str] = {}
        self.scene_here: str | None = None  # the synopsis, on a marker's line

    # --- building -----------------------------------------------------------------

    def compose(self) -> ComposeResult:
        app = self.app
        document = load_document(app.store.ui_conn, self.doc.kind, self.doc.id)  # type: ignore[attr-defined]
        self.document = document
        title, body = (document.title, document.body) if document else ("", "")
        kept = app.unsaved.pop(self.doc, None)  # type: ignore[attr-defined]
        if kept is not None:  # a save that failed after its editor closed
            title, body = kept
        self._kept = kept is not None
        with Horizontal(id="editor-head"):
            if document and document.parent_title:
                if self.doc.kind == "article":
                    kind = _("Article in {parent}:").format(parent=document.parent_title)
                else:
                    kind = _("Chapter in {parent}:").format(parent=document.parent_title)
            else:
                kind = _("Article:") if self.doc.kind == "article" else _("Chapter:")
            yield Static(Content(kind), id="kind")
            yield Input(title, placeholder=_("title"), id="title", compact=True)
        area = EditorArea(body, soft_wrap=True, show_line_numbers=False, id="body")
        self.plain_because_long = len(body) > HIGHLIGHT_LIMIT
        if markdown_available(area) and not self.plain_because_long:
            area.language = "markdown"
        with Horizontal(id="editor-main"):
            yield area
            if self.doc.kind == "chapter":
                from inkbench.tui.widgets.mentions_panel import MentionsPanel

                yield MentionsPanel(id="names")
        yield Static(id="editor-status", markup=False)
        yield Footer()

    @property
    def text_area(self) -> TextArea:
        return self.query_one("#body", TextArea)

    @property
    def title_input(self) -> Input:
        return self.query_one("#title", Input)

    def on_mount(self) -> None:
        if self.document is None:
            self.notify(
                _("No {kind} with id {id}.").format(kind=kind_name(self.doc.kind), id=self.doc.id),
                severity="error",
            )
            self.app.pop_screen()
            return
        if self.goto is not None:
            line, column = self.goto
            self.text_area.move_cursor((line, column), center=True)
        self.set_interval(TICK, self._tick)
        self.call_after_refresh(self._start)
        if self.doc.kind == "chapter":
            self._read_names()
            from inkbench.storage.bible_views import scene_synopses

            self.synopses = scene_synopses(self.app.store.ui_conn, self.doc.id)  # type: ignore[attr-defined]
            self._cursor_moved()

    def _start(self) -> None:
        self._editing = True
        if self._kept:
            self._changed()
            self.failure = _("the last save failed; this is your unsaved text")
        self._count_words()
        self._update_status()

    # --- changes --------------------------------------------------------------------

    @on(TextArea.Changed, "#body")
    def _body_changed(self) -> None:
        self._changed()

    @on(Input.Changed, "#title")
    def _title_changed(self) -> None:
        self._changed()

    @on(Input.Submitted, "#title")
    def _title_done(self) -> None:
        self.text_area.focus()

    def _changed(self) -> None:
        if not self._editing:
            return
        now = time.monotonic()
        if self.version == self.saved_version:
            self.first_unsaved_change = now
            self.version += 1
            self._update_status()
        else:
            self.version += 1
        self.last_change = now

    @property
    def dirty(self) -> bool:
        return self.version != self.saved_version

    def _tick(self) -> None:
        now = time.monotonic()
        if self.dirty and not self.saving and now >= self.retry_at:
            idle = now - self.last_change >= AUTOSAVE_IDLE
            overdue = now - self.first_unsaved_change >= AUTOSAVE_MAX
            if idle or overdue:
                self.save("autosave")
        if self.counted_version != self.version:
            self._count_words()

    # --- saving ----------------------------------------------------------------------

    def save(self, revision_kind: str = "autosave") -> None:
        """Start a save of the current text (returns at once)."""
        if self.document is None:
            return
        self.saving = True
        self.app.save(  # type: ignore[attr-defined]
            self.doc, self.version, self.title_input.value, self.text_area.text, revision_kind
        )
        self._update_status()

    def on_document_saved(self, message: DocumentSaved) -> None:
        if message.doc != self.doc:
            return
        self.saving = False
        self.saved_version = max(self.saved_version, message.version)
        self.failure = None
        self.retry_at = 0.0
        if message.revision_kind == "manual":
            self.notify(_("Saved as a new version."))
        self._update_status()
        self._read_names()

    def on_document_save_failed(self, message: DocumentSaveFailed) -> None:
        if message.doc != self.doc:
            return
        self.saving = False
        self.failure = message.error
        self.retry_at = time.monotonic() + RETRY_AFTER
        self._update_status()

    def _update_status(self) -> None:
        if not self.is_mounted:
            return
        status = self.query_one("#editor-status", Static)
        words = format_words(self.words)
        if self.plain_because_long:
            words += _(" · long text: markdown colours off")
        if self.failure:
            text = words + _(" · NOT SAVED: {failure} · your text is kept here; retrying").format(
                failure=self.failure
            )
        elif self.saving:
            text = words + _(" · saving…")
        elif self.dirty:
            text = words + _(" · unsaved changes (autosave in a moment)")
        else:
            text = words + _(" · saved")
        if self.scene_here is not None:
            text += " · " + _("scene: {synopsis}").format(
                synopsis=self.scene_here.replace("\n", " ") or _("(no synopsis)")
            )
        status.set_class(bool(self.failure), "failed")
        status.update(Content(text))

    # --- the names panel and scene markers ------------------------------------------------

    def _read_names(self) -> None:
        if self.doc.kind != "chapter" or not self.query("#names"):
            return
        if not self.query_one("#names").display:
            return  # read again when shown
        from inkbench.tui.bible_actions import read_named

        self.app.jobs.start(  # type: ignore[attr-defined]
            lambda _cancel, _progress: read_named(self.app.store, self.doc.id),  # type: ignore[attr-defined]
            label=_("names in this chapter"),
            group="names",
            done=self._names_read,
            exclusive=True,
            show=False,
        )

    def _names_read(self, named: list) -> None:
        from inkbench.tui.widgets.mentions_panel import MentionsPanel

        if self.is_mounted and self.query("#names"):
            self.query_one("#names", MentionsPanel).show(named)

    @on(TextArea.SelectionChanged, "#body")
    def _cursor_moved(self) -> None:
        if not self.synopses:
            return
        from inkbench.storage.scene_markers import MARKER

        row = self.text_area.cursor_location[0]
        m = MARKER.fullmatch(self.text_area.document.get_line(row))
        here = self.synopses.get(int(m.group(1)), "") if m else None
        if here != self.scene_here:
            self.scene_here = here
            self._update_status()

    @on(EditorArea.MarkerProtected)
    def _marker_protected(self) -> None:
        self.app.bell()
        self.notify(
            _(
                "Scene markers stay whole lines: to remove a scene's place, select its "
                "whole marker line and delete it."
            ),
            timeout=4,
        )

    def on_mentions_panel_open(self, message) -> None:
        from inkbench.tui.screens.entry import EntryScreen

        self.flush()
        self.app.push_screen(EntryScreen(message.kind, message.entry_id))

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        """The names panel's keys belong to chapters (hidden in an article's editor)."""
        if action in ("toggle_names", "open_name"):
            return self.doc.kind == "chapter"
        return True

    def action_toggle_names(self) -> None:
        if self.doc.kind != "chapter":
            self.notify(_("The names panel is for chapters of a novel."))
            return
        panel = self.query_one("#names")
        panel.display = not panel.display
        if panel.display:
            self._read_names()

    def action_open_name(self) -> None:
        """Open the page of the character or world entry named at the cursor."""
        if self.doc.kind != "chapter":
            return
        from inkbench.storage.bible_views import entry_at
        from inkbench.tui.screens.entry import EntryScreen

        row, column = self.text_area.cursor_location
        line = self.text_area.document.get_line(row)
        found = entry_at(self.app.store.ui_conn, self.doc.id, line, column)  # type: ignore[attr-defined]
        if found is None:
            self.notify(_("No character or world entry is named at the cursor."))
            return
        self.flush()
        self.app.push_screen(EntryScreen(*found))

    # --- word count -------------------------------------------------------------------

    def _count_words(self) -> None:
        # words never span lines (a newline is a space), so the sum over lines
        # is the count of the whole text
        n = sum(map(self._line_words, self.text_area.document.lines))
        self.counted_version = self.version
        if n != self.words:
            self.words = n
            self._update_status()

    def on_worker_state_changed(self, event) -> None:
        self.app.worker_failed(event)  # type: ignore[attr-defined]

    # --- actions ------------------------------------------------------------------------

    def flush(self) -> None:
        """Save now if anything is unsaved (leaving, quitting)."""
        if self.dirty and self.document is not None:
            self.save("autosave")

    def action_close(self) -> None:
        if self._leaving:
            return
        self._leaving = True
        self.flush()
        self.app.post_message(DataChanged(self.doc.kind))  # lists show the new title/words
        self.dismiss()

    def action_save(self) -> None:
        self.save("manual")

    def action_assist(self) -> None:
        """AI assist on the selection or at the cursor (tui/screens/assist_preview.py)."""
        from inkbench.tui.screens.assist_preview import open_assist

        open_assist(self)

    def action_assist_context(self) -> None:
        """The exact messages an assist action would send, without sending them."""
        from inkbench.tui.screens.assist_preview import open_assist

        open_assist(self, context_only=True)

    def action_rename(self) -> None:
        self.title_input.focus()

    def action_history(self) -> None:
        from inkbench.tui.screens.revisions import RevisionsScreen

        self.flush()
        self.app.push_screen(RevisionsScreen(self.doc.kind, self.doc.id, on_restored=self.reload))

    def reload(self) -> None:
        """Show the stored text again (after a revision was restored)."""
        document = load_document(self.app.store.ui_conn, self.doc.kind, self.doc.id)  # type: ignore[attr-defined]
        if document is None:
            return
        self.document = document
        self._editing = False
        self.title_input.value = document.title
        self.text_area.load_text(document.body)
        self.saved_version = self.version
        self.call_after_refresh(self._start)


def _line_word_counter():
    """``storage.text.word_count`` of one line, remembered by the line's text."""
    from inkbench.storage.text import word_count

    return lru_cache(maxsize=LINE_COUNTS_KEPT)(word_count)
