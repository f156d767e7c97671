"""Conversations with the AI, kept only in this database (never on the server).

A user message is stored ``queued`` with the Idempotency-Key its reply will
be asked with, and committed before anything is sent; it becomes ``done``
when its reply (an ``assistant`` message) is stored in the same transaction.
So a message written offline, or whose sender was killed mid-reply, is sent
again with the same key, and the server answers it (and charges it) once.

Editing an earlier message, or regenerating a reply, sends a new user message
(its own key) and marks the messages it replaces, from the edited one on,
``superseded_by`` it: they stay in the conversation, no longer current, and
are not sent as history again.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, select

from inkbench.i18n import _
from inkbench.storage.chat_attachments import (
    AttachmentRef,
    attach,
    conversation_attachments,
    copy_attachments,
    label,
    resolve,
    with_attachments,
)
from inkbench.storage.errors import InvalidInput, NotFound
from inkbench.storage.models import (
    Article,
    Chapter,
    ChatMessage,
    Conversation,
    KnowledgeBase,
    Work,
    utcnow,
)

_BINDINGS = {
    "work_id": (Work, "work"),
    "chapter_id": (Chapter, "chapter"),
    "article_id": (Article, "article"),
    "knowledge_base_id": (KnowledgeBase, "knowledge base"),
}


@dataclass(frozen=True)
class ConversationSummary:
    """A row of ``chat list``."""

    id: int
    title: str
    messages: int
    queued: int
    bound_to: str  # "chapter 3", "work 1", … or ""
    updated_at: datetime


def create_conversation(
    session: Session,
    title: str = "",
    *,
    work_id: int | None = None,
    chapter_id: int | None = None,
    article_id: int | None = None,
    knowledge_base_id: int | None = None,
    assistant_id: int | None = None,
    system_prompt: str | None = None,
) -> Conversation:
    """A new conversation, optionally bound to a work, chapter, article or
    knowledge base (which must exist). A chapter's work is bound too.
    ``system_prompt`` replaces the one built from the assistant and binding."""
    given = {
        "work_id": work_id,
        "chapter_id": chapter_id,
        "article_id": article_id,
        "knowledge_base_id": knowledge_base_id,
    }
    missing = {
        "work_id": _("no work with id {id}"),
        "chapter_id": _("no chapter with id {id}"),
        "article_id": _("no article with id {id}"),
        "knowledge_base_id": _("no knowledge base with id {id}"),
    }
    for column, value in given.items():
        if value is not None and session.get(_BINDINGS[column][0], value) is None:
            raise NotFound(missing[column].format(id=value))
    if chapter_id is not None and work_id is None:
        given["work_id"] = session.get(Chapter, chapter_id).work_id
    now = utcnow()
    conv = Conversation(
        title=title.strip() or _("New conversation"),
        assistant_id=assistant_id,
        system_prompt=system_prompt,
        created_at=now,
        updated_at=now,
        **given,
    )
    session.add(conv)
    session.flush()
    return conv


def get_conversation(session: Session, conversation_id: int) -> Conversation:
    """One conversation, or ``NotFound``."""
    conv = session.get(Conversation, conversation_id)
    if conv is None:
        raise NotFound(
            _("no conversation with id {id}; `inkbench chat list` shows them").format(
                id=conversation_id
            )
        )
    return conv


def bound_to(conv: Conversation) -> str:
    """What the conversation is about, e.g. ``chapter 3``; "" if nothing."""
    for column in ("chapter_id", "article_id", "knowledge_base_id", "work_id"):
        value = getattr(conv, column)
        if value is not None:
            return f"{_BINDINGS[column][1]} {value}"
    return ""


def list_conversations(session: Session) -> list[ConversationSummary]:
    """Every conversation, the most recently active first."""
    counts = dict(
        session.exec(
            select(ChatMessage.conversation_id, func.count()).group_by(ChatMessage.conversation_id)
        ).all()
    )
    queued = dict(
        session.exec(
            select(ChatMessage.conversation_id, func.count())
            .where(ChatMessage.status == "queued", ChatMessage.superseded_by.is_(None))
            .group_by(ChatMessage.conversation_id)
        ).all()
    )
    rows = session.exec(
        select(Conversation).order_by(Conversation.updated_at.desc(), Conversation.id.desc())
    ).all()
    return [
        ConversationSummary(
            id=c.id,
            title=c.title,
            messages=counts.get(c.id, 0),
            queued=queued.get(c.id, 0),
            bound_to=bound_to(c),
            updated_at=c.updated_at,
        )
        for c in rows
    ]


def add_user_message(
    session: Session,
    conversation_id: int,
    text: str,
    attachments: list[AttachmentRef] | tuple[AttachmentRef, ...] = (),
) -> ChatMessage:
    """A user message, ``queued`` with its own Idempotency-Key, with the
    context attached to it (all checked before anything is stored)."""
    text = (text or "").strip()
    if not text:
        raise InvalidInput(_("the message is empty; write something to send"))
    conv = get_conversation(session, conversation_id)
    resolved = resolve(session, list(attachments))
    msg = ChatMessage(
        conversation_id=conv.id,
        role="user",
        content=text,
        status="queued",
        idempotency_key=uuid.uuid4().hex,
        created_at=utcnow(),
    )
    conv.updated_at = utcnow()
    session.add_all([msg, conv])
    session.flush()
    if resolved:
        attach(session, msg.id, resolved)
    return msg


def resend(session: Session, message_id: int, text: str | None = None) -> ChatMessage:
    """Send a user message again as a new one (``text`` edits it; None keeps
    it, as regenerating its reply does), with its own Idempotency-Key and the
    same attachments. It and every later current message of the conversation
    become ``superseded_by`` the new one: kept, no longer current."""
    old = session.get(ChatMessage, message_id)
    if old is None or old.role != "user":
        raise NotFound(
            _("no message of yours with id {id}; `inkbench chat show` lists them").format(
                id=message_id
            )
        )
    if old.superseded_by is not None:
        raise InvalidInput(
            _("message {id} was already replaced by message {new}; edit that one").format(
                id=message_id, new=old.superseded_by
            )
        )
    new_text = old.content if text is None else text.strip()
    if not new_text:
        raise InvalidInput(_("the message is empty; write something to send"))
    new = ChatMessage(
        conversation_id=old.conversation_id,
        role="user",
        content=new_text,
        status="queued",
        idempotency_key=uuid.uuid4().hex,
        created_at=utcnow(),
    )
    session.add(new)
    session.flush()
    later = session.exec(
        select(ChatMessage).where(
            ChatMessage.conversation_id == old.conversation_id,
            ChatMessage.id >= old.id,
            ChatMessage.id < new.id,
            ChatMessage.superseded_by.is_(None),
        )
    ).all()
    for m in later:
        m.superseded_by = new.id
        session.add(m)
    copy_attachments(session, old.id, new.id)
    conv = session.get(Conversation, old.conversation_id)
    conv.updated_at = utcnow()
    session.add(conv)
    session.flush()
    return new


def edit_message(session: Session, conversation_id: int, message_id: int, text: str) -> ChatMessage:
    """Edit an earlier message of yours and send it again (see ``resend``)."""
    msg = session.get(ChatMessage, message_id)
    if msg is None or msg.conversation_id != get_conversation(session, conversation_id).id:
        raise NotFound(
            _(
                "conversation {conv} has no message {id}; `inkbench chat show {conv}` lists them"
            ).format(conv=conversation_id, id=message_id)
        )
    return resend(session, message_id, text)


def regenerate(session: Session, conversation_id: int, reply_id: int | None = None) -> ChatMessage:
    """Ask again for a reply (the last current one, or ``reply_id``): the
    message it answered is sent again as a new message (see ``resend``)."""
    get_conversation(session, conversation_id)
    current = ChatMessage.superseded_by.is_(None)
    stmt = select(ChatMessage).where(
        ChatMessage.conversation_id == conversation_id, ChatMessage.role == "assistant", current
    )
    if reply_id is not None:
        stmt = stmt.where(ChatMessage.id == reply_id)
    reply = session.exec(stmt.order_by(ChatMessage.id.desc()).limit(1)).first()
    if reply is None:
        raise InvalidInput(
            _("no current reply {id} in conversation {conv}").format(
                id=reply_id, conv=conversation_id
            )
            if reply_id is not None
            else _("conversation {conv} has no reply to regenerate yet").format(
                conv=conversation_id
            )
        )
    asked = session.exec(
        select(ChatMessage)
        .where(
            ChatMessage.conversation_id == conversation_id,
            ChatMessage.role == "user",
            ChatMessage.id < reply.id,
            current,
        )
        .order_by(ChatMessage.id.desc())
        .limit(1)
    ).first()
    if asked is None:
        raise InvalidInput(_("reply {id} answers no message of yours").format(id=reply.id))
    return resend(session, asked.id)


def last_reply(session: Session, conversation_id: int) -> int:
    """The id of a conversation's last current complete reply."""
    get_conversation(session, conversation_id)
    reply = session.exec(
        select(ChatMessage.id)
        .where(
            ChatMessage.conversation_id == conversation_id,
            ChatMessage.role == "assistant",
            ChatMessage.status == "done",
            ChatMessage.superseded_by.is_(None),
        )
        .order_by(ChatMessage.id.desc())
        .limit(1)
    ).first()
    if reply is None:
        raise InvalidInput(
            _("conversation {conv} has no reply yet; nothing to copy").format(conv=conversation_id)
        )
    return int(reply)


def copy_target(session: Session, conversation_id: int) -> tuple[str, int]:
    """Where a reply of this conversation is copied when no target is given:
    the chapter or article it is bound to."""
    conv = get_conversation(session, conversation_id)
    if conv.chapter_id is not None:
        return "chapter", conv.chapter_id
    if conv.article_id is not None:
        return "article", conv.article_id
    raise InvalidInput(
        _(
            "conversation {conv} is about no chapter or article; "
            "say where with --chapter ID or --article ID"
        ).format(conv=conversation_id)
    )


def messages(session: Session, conversation_id: int) -> list[ChatMessage]:
    """A conversation's messages in order."""
    get_conversation(session, conversation_id)
    return list(
        session.exec(
            select(ChatMessage)
            .where(ChatMessage.conversation_id == conversation_id)
            .order_by(ChatMessage.id)
        ).all()
    )


def message_rows(
    conn, conversation_id: int, *, before_id: int | None = None, limit: int | None = None
) -> list[tuple[int, str, str, str, bool]]:
    """(id, role, content, status, superseded) of a conversation's messages
    in order, through a stdlib connection: all of them, or the last ``limit``
    before the message ``before_id`` (a page, read backwards along the
    ``(conversation_id, id)`` index, whatever the conversation's length)."""
    if before_id is None and limit is None:
        return conn.execute(
            "SELECT id, role, content, status, superseded_by IS NOT NULL FROM chat_message "
            "WHERE conversation_id = ? ORDER BY id",
            (conversation_id,),
        ).fetchall()
    rows = conn.execute(
        "SELECT id, role, content, status, superseded_by IS NOT NULL FROM chat_message "
        "WHERE conversation_id = ? AND id < ? ORDER BY id DESC LIMIT ?",
        (
            conversation_id,
            before_id if before_id is not None else 2**63 - 1,
            limit if limit is not None else -1,
        ),
    ).fetchall()
    rows.reverse()
    return rows


def message_count(conn, conversation_id: int, *, before_id: int | None = None) -> int:
    """How many messages the conversation has (before the message ``before_id``)."""
    return conn.execute(
        "SELECT count(*) FROM chat_message WHERE conversation_id = ? AND id < ?",
        (conversation_id, before_id if before_id is not None else 2**63 - 1),
    ).fetchone()[0]


def queued_count(conn, conversation_id: int) -> int:
    """Messages of the conversation waiting to be sent (not superseded)."""
    return conn.execute(
        "SELECT count(*) FROM chat_message WHERE conversation_id = ? AND status = 'queued' "
        "AND superseded_by IS NULL",
        (conversation_id,),
    ).fetchone()[0]


def attachment_labels(
    conn, conversation_id: int, *, from_id: int | None = None, before_id: int | None = None
) -> dict[int, list[str]]:
    """How each message's attachments are shown, by message id (of the
    messages from ``from_id`` up to ``before_id``, when given)."""
    out: dict[int, list[str]] = {}
    for message_id, kind, ref_id, title, cut in conn.execute(
        "SELECT a.message_id, a.kind, a.ref_id, a.title, a.cut FROM chat_attachment a "
        "JOIN chat_message m ON m.id = a.message_id WHERE m.conversation_id = ? "
        "AND a.message_id >= ? AND a.message_id < ? "
        "ORDER BY a.message_id, a.id",
        (
            conversation_id,
            from_id if from_id is not None else -(2**63),
            before_id if before_id is not None else 2**63 - 1,
        ),
    ):
        out.setdefault(message_id, []).append(label(kind, ref_id, title, cut))
    return out


def queued_messages(session: Session, conversation_id: int | None = None) -> list[ChatMessage]:
    """User messages waiting to be sent, oldest first."""
    stmt = select(ChatMessage).where(
        ChatMessage.status == "queued",
        ChatMessage.role == "user",
        ChatMessage.superseded_by.is_(None),
    )
    if conversation_id is not None:
        stmt = stmt.where(ChatMessage.conversation_id == conversation_id)
    return list(session.exec(stmt.order_by(ChatMessage.id)).all())


def history_before(session: Session, message: ChatMessage) -> list[dict[str, str]]:
    """The conversation up to and including ``message``, as chat messages:
    current answered user messages (with their attachments) and complete
    replies (not queued, failed or superseded ones)."""
    rows = session.exec(
        select(ChatMessage.id, ChatMessage.role, ChatMessage.content)
        .where(
            ChatMessage.conversation_id == message.conversation_id,
            ChatMessage.id < message.id,
            ChatMessage.status == "done",
            ChatMessage.superseded_by.is_(None),
        )
        .order_by(ChatMessage.id)
    ).all()
    rows = [*rows, (message.id, "user", message.content)]
    attached = conversation_attachments(session, message.conversation_id, up_to=message.id)
    return [
        {"role": role, "content": with_attachments(content, attached.get(i, []))}
        for i, role, content in rows
    ]


def record_reply(
    session: Session,
    message_id: int,
    text: str,
    *,
    ai_request_id: int | None,
    complete: bool = True,
) -> ChatMessage:
    """Store the reply to a user message. A complete reply marks the message
    ``done``; an incomplete one is kept (marked so) and the message stays
    ``queued``, to be asked again with the same key."""
    msg = session.get(ChatMessage, message_id)
    if msg is None:
        raise NotFound(_("no chat message with id {id}").format(id=message_id))
    reply = ChatMessage(
        conversation_id=msg.conversation_id,
        role="assistant",
        content=text,
        status="done" if complete else "incomplete",
        ai_request_id=ai_request_id,
        created_at=utcnow(),
        superseded_by=msg.superseded_by,  # replaced while it was being answered
    )
    if complete:
        msg.status = "done"
        msg.ai_request_id = ai_request_id
        session.add(msg)
    conv = session.get(Conversation, msg.conversation_id)
    conv.updated_at = utcnow()
    session.add_all([reply, conv])
    session.flush()
    return reply


def fail_message(session: Session, message_id: int, error: str) -> None:
    """A user message that cannot be sent as it is (the service refused it)."""
    msg = session.get(ChatMessage, message_id)
    if msg is not None:
        msg.status = "error"
        msg.error = error.splitlines()[0][:500] if error else None
        session.add(msg)
        session.flush()


def to_markdown(session: Session, conversation_id: int) -> str:
    """A conversation as Markdown: its title, then each current message under
    its role, with what was attached to it (superseded messages are left out)."""
    conv = get_conversation(session, conversation_id)
    out = [f"# {conv.title}", ""]
    names = {"user": _("You"), "assistant": _("AI")}
    current = [m for m in messages(session, conversation_id) if m.superseded_by is None]
    attached = conversation_attachments(session, conversation_id)
    mark = {"queued": _(" (queued)"), "incomplete": _(" (incomplete)"), "error": _(" (failed)")}
    for m in current:
        out += [f"## {names[m.role]}{mark.get(m.status, '')}", ""]
        for a in attached.get(m.id, []):
            what = label(a.kind, a.ref_id, a.title, a.cut)
            out.append("> " + _("Attached: {what}").format(what=what))
        if attached.get(m.id):
            out.append("")
        out += [m.content, ""]
    return "\n".join(out)
