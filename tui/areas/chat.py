"""Chat: conversations with the AI kept only in this database. The list of
conversations on the left; the chosen one's messages on the right, the reply
streaming in as it arrives; type below and press enter to send. Offline, a
message is queued (and shown so) and goes out, once, when the server answers
(``f`` sends the queue now)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Input, Log, OptionList, Static
from textual.widgets.option_list import Option

from inkbench.i18n import N_, _
from inkbench.tui.areas.base import AreaPane

_ROLE = {"user": N_("You"), "assistant": N_("AI")}
_STATUS = {"queued": N_("queued"), "incomplete": N_("incomplete"), "error": N_("failed")}


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
    ]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.current: int | None = None
        self._streaming: int | None = None

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
        """Load a conversation's messages into the log."""
        from inkbench.tui.assist_actions import conversation_lines

        self.current = conversation_id
        self.ink.db_job(
            conversation_lines, conversation_id, name=_("chat messages"), done=self._shown
        )

    def _shown(self, lines: list) -> None:
        log = self.log_view
        log.clear()
        out: list[str] = []
        for m in lines:
            mark = f" [{_(_STATUS[m.status])}]" if m.status in _STATUS else ""
            out.append(f"{_(_ROLE[m.role])}{mark}:")
            out.extend(m.content.splitlines() or [""])
            out.append("")
        log.write_lines(out)
        queued = sum(1 for m in lines if m.status == "queued")
        self._status(_("{n} queued: f sends them").format(n=queued) if queued else "")

    # --- sending --------------------------------------------------------------------------

    def on_input_submitted(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        if not text or self.current is None:
            return
        event.input.value = ""
        self.log_view.write_lines([f"{_('You')}:", *text.splitlines(), ""])
        self._send(self.current, text)

    def _send(self, conversation_id: int | None, text: str | None) -> None:
        from inkbench.tui.assist_actions import send_chat

        app = self.app

        def piece(message_id: int, chunk: str) -> None:
            app.call_from_thread(self._piece, message_id, chunk)

        def work(cancel, _progress):
            return send_chat(app.store, conversation_id, text, piece, cancel)  # type: ignore[attr-defined]

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
        self.log_view.write("\n\n")
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
        """The usage log: requests, tokens, errors and cost per model, assistant, purpose."""
        from inkbench.tui.assist_actions import usage_text
        from inkbench.tui.dialogs.show_text import ShowText

        self.ink.db_job(
            usage_text,
            name=_("usage"),
            done=lambda text: self.app.push_screen(ShowText(_("AI usage"), text)),
        )

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
