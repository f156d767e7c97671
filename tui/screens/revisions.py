"""Revision history of an article or chapter: pick a revision, see what differs
from the current text (unified or side by side), restore it. Restoring keeps
the replaced text as a ``restore`` revision, so nothing is lost."""

from __future__ import annotations

import difflib
from collections.abc import Callable
from datetime import datetime

from rich.cells import cell_len, set_cell_size
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from inkbench.i18n import N_, _, format_datetime, format_words
from inkbench.storage import reads
from inkbench.storage.lists import flat
from inkbench.tui import actions
from inkbench.tui.cells import pad
from inkbench.tui.messages import DataChanged
from inkbench.tui.vocab import kind_name, revision_kind
from inkbench.tui.widgets.footer import Footer


def _when(value: object) -> str:
    """A stored time (a datetime, or SQLite's text) as the language writes it."""
    if not isinstance(value, datetime):
        try:
            value = datetime.fromisoformat(str(value))
        except ValueError:
            return str(value)[:16]
    return format_datetime(value)


def unified_diff(old: str, new: str, old_label: str, new_label: str) -> Content:
    lines = list(
        difflib.unified_diff(
            old.splitlines(), new.splitlines(), fromfile=old_label, tofile=new_label, lineterm=""
        )
    )
    if not lines:
        return Content(_("No differences: this revision is the current text."))
    out = []
    for line in lines:
        text = flat(line)
        if line.startswith(("+++", "---")):
            out.append(Content.styled(text, "bold"))
        elif line.startswith("@@"):
            out.append(Content.styled(text, "$text-accent"))
        elif line.startswith("+"):
            out.append(Content.styled(text, "$text-success"))
        elif line.startswith("-"):
            out.append(Content.styled(text, "$text-error"))
        else:
            out.append(Content(text))
    return Content("\n").join(out)


def side_by_side(old: str, new: str, width: int, old_label: str, new_label: str) -> Content:
    col = max(10, (width - 3) // 2)
    a, b = old.splitlines(), new.splitlines()

    def cell(text: str) -> str:
        text = flat(text)
        return (
            set_cell_size(text, col)
            if cell_len(text) <= col
            else set_cell_size(text, col - 1) + "…"
        )

    rows = [Content.styled(cell(old_label) + " │ " + cell(new_label), "bold")]
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    changed = False
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            for left, right in zip(a[i1:i2], b[j1:j2], strict=True):
                rows.append(Content(cell(left) + " │ " + cell(right)))
            continue
        changed = True
        left_lines, right_lines = a[i1:i2], b[j1:j2]
        for k in range(max(len(left_lines), len(right_lines))):
            left = left_lines[k] if k < len(left_lines) else ""
            right = right_lines[k] if k < len(right_lines) else ""
            rows.append(
                Content.assemble(
                    (cell(left), "$text-error" if k < len(left_lines) else ""),
                    " │ ",
                    (cell(right), "$text-success" if k < len(right_lines) else ""),
                )
            )
    if not changed:
        return Content(_("No differences: this revision is the current text."))
    return Content("\n").join(rows)


class RevisionsScreen(Screen):
    HELP_SECTION = N_("History")
    DEFAULT_CSS = """
    RevisionsScreen > #rev-head { height: 1; background: $panel; padding: 0 1; text-style: bold; }
    RevisionsScreen > Horizontal { height: 1fr; }
    RevisionsScreen OptionList { width: 60; height: 1fr; border: none; border-right: solid $panel; }
    RevisionsScreen #diff-scroll { width: 1fr; height: 1fr; padding: 0 1; }
    """
    BINDINGS = [
        Binding("escape", "close", N_("Back"), id="revisions.close"),
        Binding("v", "toggle_view", N_("Unified/side by side"), id="revisions.toggle_view"),
        Binding("r", "restore", N_("Restore"), id="revisions.restore"),
        Binding("a", "ai_request", N_("AI request"), id="revisions.ai_request"),
    ]
    AUTO_FOCUS = "OptionList"

    def __init__(
        self, kind: str, doc_id: int, on_restored: Callable[[], None] | None = None
    ) -> None:
        super().__init__()
        self.kind = kind
        self.doc_id = doc_id
        self.on_restored = on_restored
        self.view = "unified"
        self.revisions: list[reads.Revision] = []

    def compose(self) -> ComposeResult:
        yield Static(id="rev-head", markup=False)
        with Horizontal():
            yield OptionList(id="revisions")
            with VerticalScroll(id="diff-scroll"):
                yield Static(id="diff", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.load()

    def load(self) -> None:
        conn = self.app.store.ui_conn  # type: ignore[attr-defined]
        document = reads.load_document(conn, self.kind, self.doc_id)
        title = document.title if document else "?"
        self.query_one("#rev-head", Static).update(
            Content(
                _("History of {kind} “{title}” (newest first)").format(
                    kind=kind_name(self.kind), title=title
                )
            )
        )
        self.revisions = reads.list_revisions(conn, self.kind, self.doc_id)
        options = self.query_one(OptionList)
        options.clear_options()
        if not self.revisions:
            self.query_one("#diff", Static).update(
                Content(
                    _("No revisions yet: they are made as you write (autosave) and with ctrl+s.")
                )
            )
            return
        options.add_options(
            Option(
                Content(
                    f"{_when(r.created_at)}  {pad(revision_kind(r.kind), 8)} "
                    f"{format_words(r.word_count):>10}  {flat(r.title)}"
                ),
                id=str(r.id),
            )
            for r in self.revisions
        )
        options.highlighted = 0

    @property
    def current(self) -> reads.Revision | None:
        index = self.query_one(OptionList).highlighted
        if index is None or not 0 <= index < len(self.revisions):
            return None
        return self.revisions[index]

    @on(OptionList.OptionHighlighted)
    def _highlighted(self) -> None:
        self.show_diff()

    def show_diff(self) -> None:
        rev = self.current
        if rev is not None:
            width = self.query_one("#diff-scroll").size.width - 2
            self._diff(rev, self.view, max(40, width))

    @work(thread=True, exclusive=True, group="diff", exit_on_error=False)
    def _diff(self, rev: reads.Revision, view: str, width: int) -> None:
        store = self.app.store  # type: ignore[attr-defined]
        with store.reader() as conn:
            old = reads.revision_body(conn, self.kind, rev.id)
            document = reads.load_document(conn, self.kind, self.doc_id)
        new = document.body if document else ""
        label = _("revision {when} ({kind})").format(
            when=_when(rev.created_at), kind=revision_kind(rev.kind)
        )
        if view == "unified":
            content = unified_diff(old, new, label, _("current text"))
        else:
            content = side_by_side(old, new, width, label, _("current text"))
        self.app.call_from_thread(self.query_one("#diff", Static).update, content)

    def on_worker_state_changed(self, event) -> None:
        self.app.worker_failed(event)  # type: ignore[attr-defined]

    def action_toggle_view(self) -> None:
        self.view = "side-by-side" if self.view == "unified" else "unified"
        if self.view == "unified":
            self.notify(_("Showing the unified diff."))
        else:
            self.notify(_("Showing the side-by-side diff."))
        self.show_diff()

    def action_restore(self) -> None:
        rev = self.current
        if rev is None:
            return
        from inkbench.tui.dialogs.confirm import Confirm

        def restored(_r: None) -> None:
            self.notify(_("Restored. The text it replaced is kept as a 'restore' revision."))
            self.app.post_message(DataChanged(self.kind))
            if self.on_restored is not None:
                self.on_restored()
            self.load()

        def answered(yes: bool | None) -> None:
            if yes:
                self.app.db_job(  # type: ignore[attr-defined]
                    actions.restore_revision,
                    self.kind,
                    rev.id,
                    name=_("restore revision"),
                    done=restored,
                )

        self.app.push_screen(
            Confirm(
                _(
                    "Restore the revision of {when}? The current text is kept as a new revision "
                    "first."
                ).format(when=_when(rev.created_at)),
                yes=_("Restore"),
            ),
            answered,
        )

    def action_ai_request(self) -> None:
        """The AI request that wrote the chosen revision (tui/assist_actions.py)."""
        rev = self.current
        if rev is None:
            return
        from inkbench.i18n import _
        from inkbench.tui.assist_actions import revision_request_text
        from inkbench.tui.dialogs.show_text import ShowText

        def found(text: str | None) -> None:
            if text is None:
                self.notify(_("No AI request wrote this revision."))
            else:
                self.app.push_screen(ShowText(_("AI request"), text))

        self.app.db_job(  # type: ignore[attr-defined]
            revision_request_text, self.kind, rev.id, name=_("ai request"), done=found
        )

    def action_close(self) -> None:
        self.app.pop_screen()
