"""Chat: conversations with the AI kept only in this database. The list of
conversations on the left; the chosen one's messages on the right, the reply
streaming in as it arrives; type below and press enter to send. Offline, a
message is queued (and shown so) and goes out, once, when the server answers
(``f`` sends the queue now).

``a`` attaches context to the next message (a chapter, an article, a bible
entry, a knowledge passage: ``attach`` does it from other screens); ``e``
edits an earlier message and sends it again, ``r`` regenerates the last
reply (both supersede the later messages, which stay, marked so); ``c``
copies the last reply into the chapter or article as a new revision; ``x``
exports the conversation as Markdown.

Opening a conversation reads its last ``CHAT_PAGE`` messages and how many
come before them, so a conversation of 10,000 messages opens as fast as one
of 200; scrolling to the top of the log (or ``home`` there) reads the page
before, put above what is shown with the same message still in view."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Input, Log, OptionList, Static
from textual.widgets.option_list import Option

from inkbench.i18n import N_, _, ngettext
from inkbench.tui.areas.base import AreaPane

_ROLE = {"user": N_("You"), "assistant": N_("AI")}
_STATUS = {"queued": N_("queued"), "incomplete": N_("incomplete"), "error": N_("failed")}
_SUPERSEDED = N_("superseded")
CHAT_PAGE = 200  # messages read at a time


def chat_log_lines(lines: list) -> list[str]:
    """The log's lines for ``ChatLine``s: who, marks, attachments, the text,
    a blank line."""
    out: list[str] = []
    roles = {role: _(shown) for role, shown in _ROLE.items()}
    superseded = f" [{_(_SUPERSEDED)}]"
    for m in lines:
        mark = f" [{_(_STATUS[m.status])}]" if m.status in _STATUS else ""
        if m.superseded:
            mark += superseded
        out.append(f"{roles.get(m.role, m.role)}{mark}:")
        if m.attachments:
            out.extend("+ " + _("attached: {what}").format(what=a) for a in m.attachments)
        out.extend(m.content.splitlines() or [""])
        out.append("")
    return out


def write_lines(log: Log, lines: list[str], *, scroll_end: bool | None = None) -> None:
    """Write whole lines to ``log``, empty ones included, and leave it on a
    new empty line, where a streamed reply goes on. (``Log.write_lines``
    drops empty lines, since ``"".splitlines()`` is empty: messages ran
    together and a reply streamed onto the end of the message before it.)"""
    if lines:
        log.write("\n".join(lines) + "\n", scroll_end=scroll_end)


def shown_lines(log: Log) -> list[str]:
    """The log's whole lines, without the empty line it is left on."""
    lines = list(log.lines)
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def earlier_note(n: int) -> str:
    """The log's first line while earlier messages are not read yet."""
    return ngettext(
        "↑ {n} earlier message: scroll up to read it",
        "↑ {n} earlier messages: scroll up to read them",
        n,
    ).format(n=n)


class ChatArea(AreaPane):
    area_id = "chat"
    DEFAULT_CSS = """
    ChatArea #chat-list { width: 32; height: 1fr; border-right: solid $panel; }
    ChatArea #chat-right { width: 1fr; height: 1fr; }
    ChatArea #chat-log { height: 1fr; padding: 0 1; }
    ChatArea #chat-status { height: 1; padding: 0 1; color: $text-muted; }
    ChatArea #chat-input { height: 3; }
    """
    BINDINGS = [
        Binding("n", "new", N_("New chat"), id="chat.new"),
        Binding("f", "flush", N_("Send queued"), id="chat.flush"),
        Binding("ctrl+c", "cancel", N_("Cancel reply"), id="chat.cancel"),
        Binding("u", "usage", N_("AI usage"), id="chat.usage"),
        Binding("a", "attach", N_("Attach context"), id="chat.attach"),
        Binding("e", "edit", N_("Edit and resend"), id="chat.edit"),
        Binding("r", "regenerate", N_("Regenerate reply"), id="chat.regenerate"),
        Binding("c", "copy_reply", N_("Reply into text"), id="chat.copy"),
        Binding("x", "export", N_("Export Markdown"), id="chat.export"),
    ]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.current: int | None = None
        self._streaming: int | None = None
        self.pending: list = []  # AttachmentRefs for the next message
        self.pending_labels: list[str] = []
        self.earlier = 0  # messages of the current conversation before those shown
        self._first_id: int | None = None  # the first message shown
        self._reading_earlier = False
        self._scroll_armed = False  # the log's scrolling may read the page before

    def compose(self) -> ComposeResult:
        with Horizontal():
            yield OptionList(id="chat-list")
            with Vertical(id="chat-right"):
                yield Log(id="chat-log", highlight=False)
                yield Static(id="chat-status", markup=False)
                yield Input(placeholder=_("write a message, enter to send"), id="chat-input")

    @property
    def log_view(self) -> Log:
        return self.query_one("#chat-log", Log)

    def focus_default(self) -> None:
        self.query_one("#chat-list", OptionList).focus()

    def on_mount(self) -> None:
        self.watch(self.log_view, "scroll_y", self._log_scrolled, init=False)
        self.reload()

    def on_area_shown(self) -> None:
        self.reload()

    def data_changed(self, kind: str) -> None:
        if kind == "conversation":
            self.reload()

    def _status(self, text: str) -> None:
        self.query_one("#chat-status", Static).update(Content(text))

    # --- loading ------------------------------------------------------------------------

    def reload(self) -> None:
        from inkbench.tui.assist_actions import conversations

        self.ink.db_job(conversations, name=_("chat list"), done=self._listed)

    def _listed(self, rows: list) -> None:
        box = self.query_one("#chat-list", OptionList)
        box.clear_options()
        for r in rows:
            queued = "  " + _("{n} queued").format(n=r.queued) if r.queued else ""
            box.add_option(Option(Content(f"{r.title}{queued}"), id=str(r.id)))
        if not rows:
            self._status(_("No conversations yet: n starts one."))
        elif self.current is None:
            self.show(rows[0].id)

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option.id is not None and int(event.option.id) != self.current:
            self.show(int(event.option.id))

    def show(self, conversation_id: int) -> None:
        """Load a conversation's last messages into the log."""
        from inkbench.tui.assist_actions import conversation_page

        self.current = conversation_id
        self.ink.db_job(
            conversation_page,
            conversation_id,
            None,
            CHAT_PAGE,
            name=_("chat messages"),
            done=self._shown,
        )

    def _shown(self, page) -> None:
        if page.conversation_id != self.current:
            return  # another conversation was chosen meanwhile
        log = self.log_view
        self._scroll_armed = False
        self._reading_earlier = False  # a page read for the log before is dropped
        self.earlier = page.earlier
        self._first_id = page.lines[0].id if page.lines else None
        log.clear()
        head = [earlier_note(page.earlier)] if page.earlier else []
        write_lines(log, head + chat_log_lines(page.lines))
        self.call_after_refresh(self._arm_scroll)
        queued = page.queued
        self._status(_("{n} queued: f sends them").format(n=queued) if queued else "")
        self._show_pending()

    def _arm_scroll(self) -> None:
        self._scroll_armed = True

    def _log_scrolled(self, y: float) -> None:
        if (
            y <= 0
            and self._scroll_armed
            and self.earlier
            and not self._reading_earlier
            and self.current is not None
        ):
            self.read_earlier()

    def read_earlier(self) -> None:
        """Read the page before the first message shown and put it above."""
        from inkbench.tui.assist_actions import conversation_page

        if not self.earlier or self.current is None or self._reading_earlier:
            return
        self._reading_earlier = True
        self.ink.db_job(
            conversation_page,
            self.current,
            self._first_id,
            CHAT_PAGE,
            name=_("chat messages"),
            done=self._earlier_shown,
        )

    def _earlier_shown(self, page) -> None:
        self._reading_earlier = False
        if page.conversation_id != self.current or page.before_id != self._first_id:
            return  # the log was read again meanwhile
        if not page.lines:
            return
        log = self.log_view
        self._scroll_armed = False
        had_note = bool(self.earlier)
        kept = shown_lines(log)[1:] if had_note else shown_lines(log)  # without the old note
        self.earlier = page.earlier
        self._first_id = page.lines[0].id
        added = ([earlier_note(page.earlier)] if page.earlier else []) + chat_log_lines(page.lines)
        top, before = log.scroll_offset.y, len(log.lines)
        log.clear()
        write_lines(log, added + kept, scroll_end=False)
        # what was shown stays where it was on screen
        # (the old note, at the very top, is gone: the first message below it stays)
        top = max(top, 1 if had_note else 0)
        log.scroll_to(y=top + len(log.lines) - before, animate=False, immediate=True)
        self.call_after_refresh(self._arm_scroll)

    # --- sending --------------------------------------------------------------------------

    def on_input_submitted(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        if not text or self.current is None:
            return
        event.input.value = ""
        attached = tuple(self.pending)
        shown = ["+ " + _("attached: {what}").format(what=a) for a in self.pending_labels]
        self.pending, self.pending_labels = [], []
        write_lines(self.log_view, [f"{_('You')}:", *shown, *text.splitlines(), ""])
        self._send(self.current, text, attached)

    def _send(
        self, conversation_id: int | None, text: str | None, attachments: tuple = (), run=None
    ) -> None:
        """Send in a job: ``text`` (with ``attachments``) then the queue, or
        ``run(store, piece, cancel)`` (an edit, a regenerate)."""
        from inkbench.tui.assist_actions import send_chat

        app = self.app

        def piece(message_id: int, chunk: str) -> None:
            app.call_from_thread(self._piece, message_id, chunk)

        def work(cancel, _progress):
            if run is not None:
                return run(app.store, piece, cancel)  # type: ignore[attr-defined]
            return send_chat(app.store, conversation_id, text, piece, cancel, attachments)  # type: ignore[attr-defined]

        self._status(_("asking the AI…"))
        self.ink.jobs.start(
            work,
            label=_("Chat"),
            group="chat",
            done=self._sent,
            advice=_("Your message is kept; f sends it again."),
        )

    def _piece(self, message_id: int, chunk: str) -> None:
        if self._streaming != message_id:
            self._streaming = message_id
            self.log_view.write(f"{_('AI')}:\n")
        self.log_view.write(chunk)

    def _sent(self, result) -> None:
        self._streaming = None
        self.log_view.write("\n\n")  # the reply's line ends; a blank line after it
        if result is not None and result.stopped_by:
            self._status(
                _("queued: {why}; f sends it when the server answers").format(why=result.stopped_by)
            )
        else:
            self._status("")
        self.reload()
        if self.current is not None:
            self.show(self.current)

    def action_flush(self) -> None:
        self._send(None, None)

    def action_cancel(self) -> None:
        self.ink.jobs.cancel_group("chat")

    def action_usage(self) -> None:
        """The usage log: requests, tokens, time, errors and cost per day,
        model, assistant or purpose (tui/screens/usage.py)."""
        from inkbench.tui.screens.usage import UsageScreen

        self.app.push_screen(UsageScreen())

    def action_new(self) -> None:
        from inkbench.tui.assist_actions import new_conversation
        from inkbench.tui.dialogs.ask_text import AskText

        def answered(title: str | None) -> None:
            if title is None:
                return

            def made(conversation_id: int) -> None:
                self.current = conversation_id
                self.reload()
                self.show(conversation_id)
                self.query_one("#chat-input", Input).focus()

            self.ink.db_job(new_conversation, title, name=_("new chat"), done=made)

        self.app.push_screen(AskText(_("Title of the new conversation"), "", ""), answered)

    # --- attachments, edits, regenerate, copy, export -----------------------------------------

    def _show_pending(self) -> None:
        if self.pending_labels:
            what = "; ".join(self.pending_labels)
            self._status(_("attached to the next message: {what}").format(what=what))

    def attach(self, ref_text: str) -> None:
        """Attach ``kind:id`` (chapter, article, character, world, kb) to the
        next message sent in this area (checked first; a bad one is one line)."""
        from inkbench.tui.assist_actions import check_attachment

        def checked(result) -> None:
            ref, shown = result
            self.pending.append(ref)
            self.pending_labels.append(shown)
            self._show_pending()

        self.ink.db_job(check_attachment, ref_text, name=_("attach"), done=checked)

    def action_attach(self) -> None:
        """Ask what to attach (the conversation's chapter or article offered)."""
        from inkbench.tui.assist_actions import attachment_suggestion
        from inkbench.tui.dialogs.ask_text import AskText

        if self.current is None:
            return

        def answered(text: str | None) -> None:
            if text and text.strip():
                self.attach(text.strip())

        def ask(suggested: str) -> None:
            self.app.push_screen(
                AskText(
                    _("Attach to the next message"),
                    _("chapter:ID, article:ID, character:ID, world:ID or kb:ID"),
                    suggested,
                ),
                answered,
            )

        self.ink.db_job(attachment_suggestion, self.current, name=_("attach"), done=ask)

    def action_edit(self) -> None:
        """Pick one of your messages, edit it, send it again."""
        from inkbench.tui.assist_actions import edit_chat, my_messages
        from inkbench.tui.dialogs.ask_text import AskText
        from inkbench.tui.dialogs.choose import Choose

        conversation_id = self.current
        if conversation_id is None:
            return

        def edited(message_id: int, text: str | None) -> None:
            if not text or not text.strip():
                return

            def run(store, piece, cancel):
                return edit_chat(store, conversation_id, message_id, text, piece, cancel)

            self._send(conversation_id, None, run=run)

        def picked(rows: list, chosen: str | None) -> None:
            if chosen is None:
                return
            old = dict(rows)[int(chosen)]
            self.app.push_screen(
                AskText(_("Edit the message; enter sends it again"), "", old),
                lambda text: edited(int(chosen), text),
            )

        def listed(rows: list) -> None:
            if not rows:
                self._status(_("nothing of yours to edit in this conversation"))
                return
            choices = [(str(i), " ".join(text.split())[:60]) for i, text in rows]
            self.app.push_screen(
                Choose(_("Which message to edit"), choices), lambda c: picked(rows, c)
            )

        self.ink.db_job(my_messages, conversation_id, name=_("chat messages"), done=listed)

    def action_regenerate(self) -> None:
        """Ask again for the last reply (its own request; the old one is kept, superseded)."""
        from inkbench.tui.assist_actions import regenerate_chat

        conversation_id = self.current
        if conversation_id is None:
            return

        def run(store, piece, cancel):
            return regenerate_chat(store, conversation_id, piece, cancel)

        self._send(conversation_id, None, run=run)

    def action_copy_reply(self) -> None:
        """The last reply into the conversation's chapter or article (or one
        you name) as a new revision, then open it in the editor."""
        from inkbench.tui.assist_actions import copy_reply_to_text
        from inkbench.tui.messages import OpenDocument

        conversation_id = self.current
        if conversation_id is None:
            return

        def copied(result) -> None:
            kind, doc_id, _rev = result
            self.app.notify(_("Copied as a new revision."))
            self.app.post_message(OpenDocument(kind, doc_id))

        def ask_target() -> None:
            from inkbench.tui.dialogs.ask_text import AskText

            def answered(text: str | None) -> None:
                kind, _sep, ref = (text or "").strip().partition(":")
                if kind in ("chapter", "article") and ref.strip().isdigit():
                    target = (kind, int(ref))
                    self.ink.db_job(
                        copy_reply_to_text, conversation_id, target, name=_("copy"), done=copied
                    )
                elif text:
                    self._status(_("write chapter:ID or article:ID"))

            self.app.push_screen(
                AskText(_("Copy the reply into"), _("chapter:ID or article:ID"), ""), answered
            )

        def bound(suggested: str) -> None:
            if suggested:
                self.ink.db_job(copy_reply_to_text, conversation_id, name=_("copy"), done=copied)
            else:
                ask_target()

        from inkbench.tui.assist_actions import attachment_suggestion

        self.ink.db_job(attachment_suggestion, conversation_id, name=_("copy"), done=bound)

    def action_export(self) -> None:
        """Write the conversation as Markdown to a file you name."""
        from pathlib import Path

        from inkbench.tui.assist_actions import export_conversation
        from inkbench.tui.dialogs.ask_text import AskText

        conversation_id = self.current
        if conversation_id is None:
            return
        suggested = str(Path(self.app.store.home) / f"conversation-{conversation_id}.md")  # type: ignore[attr-defined]

        def answered(path: str | None) -> None:
            if path and path.strip():
                self.ink.db_job(
                    export_conversation,
                    conversation_id,
                    path.strip(),
                    name=_("export"),
                    done=lambda out: self.app.notify(
                        _("Written to {path}").format(path=out), markup=False
                    ),
                )

        self.app.push_screen(AskText(_("Export as Markdown to"), "", suggested), answered)
