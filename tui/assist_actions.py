"""The AI work the TUI's editor assist and Chat area run in jobs. Like
``tui.actions``: each takes the app's ``Store`` first and returns plain
values; storage and integrations are imported inside the functions."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from inkbench.storage.jobs import CancelToken
from inkbench.storage.store import Store


@dataclass(frozen=True)
class ChatLine:
    """One message as the Chat area shows it."""

    id: int
    role: str
    content: str
    status: str
    superseded: bool = False  # replaced by an edit or a regenerate
    attachments: tuple[str, ...] = ()  # how what was attached is shown


def run_assist_action(
    store: Store,
    kind: str,
    doc_id: int,
    action: str,
    start: int,
    end: int,
    text: str,
    on_text: Callable[[str], None],
    cancel: CancelToken,
):
    """Run an assist action on the editor's text; the ``AssistResult``, or
    None when it was cancelled (the request is logged either way)."""
    from inkbench.integrations.ai.factory import get_provider
    from inkbench.integrations.ai.provider import Cancelled
    from inkbench.integrations.assist.run import run_assist
    from inkbench.settings import load_settings

    settings = load_settings(store.home)
    provider = get_provider(store.home, settings)
    try:
        return run_assist(
            store.database(),
            provider,
            settings,
            owner=kind,
            owner_id=doc_id,
            action=action,
            start=start,
            end=end,
            text=text,
            on_text=on_text,
            cancel=cancel,
        )
    except Cancelled:
        return None
    finally:
        provider.close()


def assist_context_text(
    store: Store, kind: str, doc_id: int, action: str, start: int, end: int, text: str
) -> str:
    """The messages an assist action would send for the editor's text, as
    ``inkbench assist --show-context`` prints them; nothing is sent."""
    from inkbench.i18n import _
    from inkbench.integrations.assist.run import prepare
    from inkbench.settings import load_settings

    ctx, _aid, model, _params = prepare(
        store.database(),
        load_settings(store.home),
        owner=kind,
        owner_id=doc_id,
        action=action,
        start=start,
        end=end,
        text=text,
    )
    out = [_("model: {model}").format(model=model or "-")]
    for m in ctx.messages:
        out += [f"--- {m['role']} ---", m["content"]]
    out.append("---")
    out.append(_("about {tokens} of {budget} tokens").format(tokens=ctx.tokens, budget=ctx.budget))
    out += [_("cut: {what}").format(what=line) for line in ctx.cut]
    return "\n".join(out)


def queue_assist_request(
    store: Store, kind: str, doc_id: int, action: str, start: int, end: int, text: str
) -> int:
    """Keep an assist request that could not be sent as a queued chat
    message (``integrations.assist.run.queue_assist``); the conversation id."""
    from inkbench.integrations.assist.run import queue_assist
    from inkbench.settings import load_settings

    conv_id, _message_id = queue_assist(
        store.database(),
        load_settings(store.home),
        owner=kind,
        owner_id=doc_id,
        action=action,
        start=start,
        end=end,
        text=text,
    )
    return conv_id


def save_ai_revision(store: Store, kind: str, doc_id: int, body: str, request_id: int) -> int:
    """Save the editor's text after it accepted a reply, as an ``ai`` revision."""
    from inkbench.storage.ai_edits import save_ai_text

    with store.database().write() as s:
        return save_ai_text(s, kind, doc_id, body, ai_request_id=request_id)


def save_synopsis(store: Store, chapter_id: int, text: str) -> None:
    """A chapter's synopsis from the summarise action."""
    from inkbench.storage.ai_edits import set_synopsis

    with store.database().write() as s:
        set_synopsis(s, chapter_id, text)


def conversations(store: Store) -> list:
    """The Chat area's list: ``ConversationSummary`` rows, latest first."""
    from inkbench.storage.chat import list_conversations

    with store.database().read() as s:
        return list_conversations(s)


def conversation_lines(store: Store, conversation_id: int) -> list[ChatLine]:
    """A conversation's messages, all of them."""
    return conversation_page(store, conversation_id, limit=None).lines


@dataclass(frozen=True)
class ChatPage:
    """The last messages of a conversation (before some message), as the
    Chat area shows them, and how many come before them."""

    conversation_id: int
    lines: list[ChatLine]
    earlier: int  # messages before these
    queued: int  # messages of the whole conversation waiting to be sent
    before_id: int | None = None  # these are the messages before this one (None: the latest)


def conversation_page(
    store: Store, conversation_id: int, before_id: int | None = None, limit: int | None = 200
) -> ChatPage:
    """The last ``limit`` messages before ``before_id`` (the latest when
    None; all when ``limit`` is None): what opening a conversation reads,
    however long it is."""
    from inkbench.storage.chat import (
        attachment_labels,
        message_count,
        message_rows,
        queued_count,
    )

    with store.reader() as conn:
        rows = message_rows(conn, conversation_id, before_id=before_id, limit=limit)
        first = rows[0][0] if rows else before_id
        labels = attachment_labels(conn, conversation_id, from_id=first, before_id=before_id)
        lines = [ChatLine(*row[:4], bool(row[4]), tuple(labels.get(row[0], ()))) for row in rows]
        earlier = message_count(conn, conversation_id, before_id=first) if rows else 0
        queued = queued_count(conn, conversation_id)
        return ChatPage(conversation_id, lines, earlier, queued, before_id)


def new_conversation(store: Store, title: str) -> int:
    """A new conversation; its id."""
    from inkbench.storage.chat import create_conversation

    with store.database().write() as s:
        return int(create_conversation(s, title).id)


def send_chat(
    store: Store,
    conversation_id: int | None,
    text: str | None,
    on_text: Callable[[int, str], None],
    cancel: CancelToken,
    attachments: tuple = (),
):
    """Queue ``text`` (if any, with its ``AttachmentRef``s) in the
    conversation, then send what is queued (in it, or everywhere); the
    ``FlushResult``."""
    from inkbench.storage.chat import add_user_message

    if text:
        with store.database().write() as s:
            add_user_message(s, conversation_id, text, attachments)
    return _flush_chat(store, conversation_id, on_text, cancel)


def edit_chat(
    store: Store,
    conversation_id: int,
    message_id: int,
    text: str,
    on_text: Callable[[int, str], None],
    cancel: CancelToken,
):
    """Edit an earlier message (a new message superseding it and the later
    ones), then send it; the ``FlushResult``."""
    from inkbench.storage.chat import edit_message

    with store.database().write() as s:
        edit_message(s, conversation_id, message_id, text)
    return _flush_chat(store, conversation_id, on_text, cancel)


def regenerate_chat(
    store: Store,
    conversation_id: int,
    on_text: Callable[[int, str], None],
    cancel: CancelToken,
):
    """Ask again for the last reply (its own request and key); the ``FlushResult``."""
    from inkbench.storage.chat import regenerate

    with store.database().write() as s:
        regenerate(s, conversation_id)
    return _flush_chat(store, conversation_id, on_text, cancel)


def _flush_chat(
    store: Store,
    conversation_id: int | None,
    on_text: Callable[[int, str], None],
    cancel: CancelToken,
):
    from inkbench.integrations.ai.factory import get_provider
    from inkbench.integrations.assist.chat import flush
    from inkbench.settings import load_settings

    db = store.database()
    settings = load_settings(store.home)
    provider = get_provider(store.home, settings)
    try:
        return flush(
            db,
            provider,
            settings,
            conversation_id=conversation_id,
            on_text=on_text,
            cancel=cancel,
        )
    finally:
        provider.close()


def my_messages(store: Store, conversation_id: int) -> list[tuple[int, str]]:
    """(id, text) of the current messages the writer sent, the latest first
    (what can be edited and sent again)."""
    from inkbench.storage.chat import messages

    with store.database().read() as s:
        rows = messages(s, conversation_id)
    return [(m.id, m.content) for m in reversed(rows) if m.role == "user" and not m.superseded_by]


def check_attachment(store: Store, ref_text: str):
    """``chapter:3`` → (``AttachmentRef``, how it is shown); ``InkbenchError``
    when it names nothing."""
    from inkbench.storage.chat_attachments import label, parse_ref, resolve

    ref = parse_ref(ref_text)
    with store.database().read() as s:
        ((_ref, title, _text),) = resolve(s, [ref])
    return ref, label(ref.kind, ref.ref_id, title)


def attachment_suggestion(store: Store, conversation_id: int) -> str:
    """What to offer to attach: the chapter or article the conversation is about."""
    from inkbench.storage.chat import get_conversation

    with store.database().read() as s:
        conv = get_conversation(s, conversation_id)
        if conv.chapter_id is not None:
            return f"chapter:{conv.chapter_id}"
        if conv.article_id is not None:
            return f"article:{conv.article_id}"
    return ""


def copy_reply_to_text(
    store: Store, conversation_id: int, target: tuple[str, int] | None = None
) -> tuple[str, int, int]:
    """Copy the last reply into ``target`` (default: what the conversation is
    about) as an ``ai`` revision; (kind, id, revision id)."""
    from inkbench.storage.ai_edits import copy_reply
    from inkbench.storage.chat import copy_target, last_reply

    with store.database().write() as s:
        reply_id = last_reply(s, conversation_id)
        owner, owner_id = target or copy_target(s, conversation_id)
        return owner, owner_id, copy_reply(s, reply_id, owner, owner_id)


def export_conversation(store: Store, conversation_id: int, path: str) -> str:
    """Write a conversation as Markdown; the path written."""
    from pathlib import Path

    from inkbench.i18n import _
    from inkbench.storage.chat import to_markdown
    from inkbench.storage.errors import InvalidInput

    with store.database().read() as s:
        text = to_markdown(s, conversation_id)
    out = Path(path).expanduser().absolute()
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as e:
        raise InvalidInput(
            _("cannot write {path} ({error})").format(path=out, error=e.strerror)
        ) from None
    return str(out)


def revision_request_text(store: Store, kind: str, revision_id: int) -> str | None:
    """The AI request that wrote a revision, described in lines; None if no
    request did (a typed or restored revision)."""
    from inkbench.i18n import _, aside
    from inkbench.storage.ai_edits import revision_request
    from inkbench.storage.models import Assistant

    with store.database().read() as s:
        req = revision_request(s, kind, revision_id)
        if req is None:
            return None
        assistant = s.get(Assistant, req.assistant_id) if req.assistant_id else None
        fields = [
            (_("request"), str(req.id)),
            (_("for"), req.request_type),
            (_("assistant"), assistant.name if assistant else "-"),
            (_("model"), req.model or "-"),
            (_("provider"), req.provider),
            (_("prompt tokens"), str(req.prompt_tokens)),
            (_("completion tokens"), str(req.completion_tokens)),
            (_("duration"), f"{req.duration_ms / 1000:.1f} s"),
            (_("status"), req.status + aside(req.error)),
            (_("when"), str(req.created_at)[:19]),
        ]
    return "\n".join(_("{label}: {value}").format(label=k, value=v) for k, v in fields)


def usage_rows(store: Store, by: str) -> list:
    """The usage log's ``UsageRow``s grouped ``by`` day, model, assistant or
    purpose, with the cost from ``[ai.prices]``."""
    from inkbench.settings import load_settings
    from inkbench.storage.ai_usage import usage_report

    settings = load_settings(store.home)
    prices = {m: (p.input, p.output) for m, p in settings.ai.prices.items()}
    with store.reader() as conn:
        return usage_report(conn, by=by, prices=prices)
