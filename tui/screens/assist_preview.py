"""The editor's AI assist: choose an action, watch the reply stream into a
preview beside the text, then accept it (one undoable edit, saved as an
``ai`` revision linked to its request), discard it (only the request log
keeps it) or cancel the stream (the upstream request is dropped too).

The preview is a ``Log``: each chunk is appended, never the whole reply
redrawn, so the cost per chunk stays flat however long the reply grows.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Footer, Log, OptionList, Static
from textual.widgets.option_list import Option

from inkbench.i18n import N_, _

# the actions offered in the editor, in order (the CLI's names)
EDITOR_ACTIONS: tuple[tuple[str, str], ...] = (
    ("continue", N_("Continue at the cursor")),
    ("polish", N_("Polish the selection")),
    ("expand", N_("Expand the selection")),
    ("shorten", N_("Shorten the selection")),
    ("rewrite", N_("Rewrite the selection")),
    ("review", N_("Review (lists problems, changes nothing)")),
    ("summarise", N_("Summarise the chapter into its synopsis")),
)


class AssistMenu(ModalScreen[str | None]):
    """Pick an assist action; dismisses with its name, or None."""

    HELP_SECTION = N_("Editor")
    DEFAULT_CSS = """
    AssistMenu { align: center middle; }
    AssistMenu > Vertical { width: 56; height: auto; border: thick $primary 60%;
        background: $surface; padding: 0 1; }
    AssistMenu OptionList { height: auto; max-height: 12; border: none; }
    """
    BINDINGS = [Binding("escape", "close", N_("Close"), id="assist.menu_close")]

    def __init__(self, kind: str) -> None:
        super().__init__()
        self.kind = kind

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Content(_("AI assist")), classes="dialog-title")
            yield OptionList(
                *(
                    Option(Content(_(label)), id=name)
                    for name, label in EDITOR_ACTIONS
                    if name != "summarise" or self.kind == "chapter"
                )
            )

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_close(self) -> None:
        self.dismiss(None)


@dataclass(frozen=True)
class Accepted:
    """What the editor applies: ``reply`` replaces ``start:end`` (equal: an
    insertion at the cursor) of the text it was asked about."""

    reply: str
    start: int
    end: int
    mode: str  # insert, replace, synopsis
    request_id: int


class AssistPreview(ModalScreen[Accepted | None]):
    """The reply streaming beside the text. ``enter`` accepts, ``escape``
    discards (cancelling a stream still running), ``ctrl+c`` cancels."""

    HELP_SECTION = N_("Editor")
    DEFAULT_CSS = """
    AssistPreview { align: right top; background: $background 30%; }
    AssistPreview > Vertical { width: 50%; height: 100%; border-left: thick $primary 60%;
        background: $surface; }
    AssistPreview #assist-title { height: 1; padding: 0 1; text-style: bold; }
    AssistPreview Log { height: 1fr; padding: 0 1; }
    AssistPreview #assist-status { height: auto; padding: 0 1; color: $text-muted; }
    """
    BINDINGS = [
        Binding("enter", "accept", N_("Accept"), id="assist.accept"),
        Binding("escape", "discard", N_("Discard"), id="assist.discard"),
        Binding("ctrl+c", "cancel_stream", N_("Cancel"), id="assist.cancel"),
        Binding("q", "queue", N_("Queue for later"), id="assist.queue"),
    ]

    def __init__(
        self, kind: str, doc_id: int, action: str, start: int, end: int, text: str
    ) -> None:
        super().__init__()
        self.kind, self.doc_id, self.action = kind, doc_id, action
        self.start, self.end, self.text = start, end, text
        self.job = None
        self.result = None
        self.pieces: list[str] = []
        self.finished = False
        self.can_queue = False  # it failed before any reply arrived

    def compose(self) -> ComposeResult:
        label = dict(EDITOR_ACTIONS).get(self.action, self.action)
        with Vertical():
            yield Static(Content(_(label)), id="assist-title")
            yield Log(id="assist-log", highlight=False)
            yield Static(Content(_("asking the AI…")), id="assist-status")
        yield Footer()

    @property
    def log_view(self) -> Log:
        return self.query_one("#assist-log", Log)

    def _status(self, text: str) -> None:
        self.query_one("#assist-status", Static).update(Content(text))

    def on_mount(self) -> None:
        from inkbench.tui.assist_actions import run_assist_action

        app = self.app

        def piece(text: str) -> None:
            app.call_from_thread(self._append, text)

        def work(cancel, _progress):
            try:
                return run_assist_action(
                    app.store,  # type: ignore[attr-defined]
                    self.kind,
                    self.doc_id,
                    self.action,
                    self.start,
                    self.end,
                    self.text,
                    piece,
                    cancel,
                )
            except Exception as error:  # shown here; the partial reply stays
                app.call_from_thread(self._failed, error)
                return None

        self.job = app.jobs.start(  # type: ignore[attr-defined]
            work, label=_("AI assist"), group="assist", done=self._done
        )

    def _append(self, text: str) -> None:
        self.pieces.append(text)
        self.log_view.write(text)

    def _failed(self, error: BaseException) -> None:
        from inkbench.tui.jobs import describe_error

        self.finished = True
        kept = _(" (the partial reply stays here, marked incomplete in the log)")
        if not self.pieces:
            self.can_queue = True
            kept = _(" · q: queue it, to be sent once when the server answers")
        self._status(describe_error(error) + kept)

    def _done(self, result) -> None:
        self.finished = True
        if result is None:  # cancelled, or failed (said in the status line)
            return
        self.result = result
        if result.mode == "none":
            self._status(_("escape: close (this action changes nothing)"))
        else:
            self._status(_("enter: accept · escape: discard"))

    def action_accept(self) -> None:
        r = self.result
        if r is None or r.mode == "none":
            return
        self.dismiss(Accepted(r.text, r.start, r.end, r.mode, r.request_id))

    def action_discard(self) -> None:
        if self.job is not None and not self.finished:
            self.job.cancel()
        self.dismiss(None)

    def action_queue(self) -> None:
        """Keep the request as a queued chat message bound to this text
        (sent once when the server answers; copied in from the Chat area)."""
        from inkbench.tui.assist_actions import queue_assist_request

        if not self.can_queue:
            return
        self.can_queue = False

        def queued(conversation_id: int) -> None:
            self.app.notify(
                _(
                    "Queued as conversation {conv} in Chat: sent once when the server "
                    "answers; c there puts the reply into the text."
                ).format(conv=conversation_id)
            )
            self.dismiss(None)

        self.app.db_job(  # type: ignore[attr-defined]
            queue_assist_request,
            self.kind,
            self.doc_id,
            self.action,
            self.start,
            self.end,
            self.text,
            name=_("queue"),
            done=queued,
        )

    def action_cancel_stream(self) -> None:
        if self.job is not None and not self.finished:
            self.job.cancel()
            self._status(_("cancelled; escape: close"))


def open_assist(editor, context_only: bool = False) -> None:
    """From an editor screen: choose an action for the selection (or the
    cursor), preview the reply, and apply it if accepted. ``context_only``:
    show exactly the messages the action would send, and send nothing."""
    area = editor.text_area
    text = area.text
    doc = area.document
    a, b = sorted((area.selection.start, area.selection.end))
    start, end = doc.get_index_from_location(a), doc.get_index_from_location(b)

    def chosen(action: str | None) -> None:
        if action is None:
            return
        if action == "continue":  # at the cursor, whatever is selected
            at = doc.get_index_from_location(area.selection.end)
            lo, hi = at, at
        elif action in ("review", "summarise"):
            lo, hi = (start, end) if end > start and action == "review" else (len(text), len(text))
        else:
            lo, hi = start, end
        if context_only:
            from inkbench.tui.assist_actions import assist_context_text
            from inkbench.tui.dialogs.show_text import ShowText

            editor.app.db_job(
                assist_context_text,
                editor.doc.kind,
                editor.doc.id,
                action,
                lo,
                hi,
                text,
                name=_("AI context"),
                done=lambda shown: editor.app.push_screen(
                    ShowText(_("What the AI will be sent"), shown)
                ),
            )
            return
        editor.app.push_screen(
            AssistPreview(editor.doc.kind, editor.doc.id, action, lo, hi, text), accepted
        )

    def accepted(result: Accepted | None) -> None:
        if result is None:
            return
        from inkbench.tui import assist_actions

        if result.mode == "synopsis":
            editor.app.db_job(
                assist_actions.save_synopsis,
                editor.doc.id,
                result.reply,
                name=_("synopsis"),
                done=lambda _r: editor.notify(_("Saved as the chapter's synopsis.")),
            )
            return
        if area.text != text:
            editor.notify(
                _("The text changed while the AI was writing; the reply was not applied."),
                severity="warning",
            )
            return
        where = doc.get_location_from_index
        area.replace(result.reply, where(result.start), where(result.end))  # one undoable edit
        editor.app.db_job(
            assist_actions.save_ai_revision,
            editor.doc.kind,
            editor.doc.id,
            area.text,
            result.request_id,
            name=_("ai revision"),
            done=lambda _r: editor.notify(_("Applied; saved as an AI revision.")),
        )

    editor.app.push_screen(AssistMenu(editor.doc.kind), chosen)
