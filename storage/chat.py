"""Conversations with the AI, kept only in this database (never on the server).

A user message is stored ``queued`` with the Idempotency-Key its reply will
be asked with, and committed before anything is sent; it becomes ``done``
when its reply (an ``assistant`` message) is stored in the same transaction.
So a message written offline, or whose sender was killed mid-reply, is sent
again with the same key, and the server answers it (and charges it) once.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, select

from inkbench.i18n import _
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
) -> Conversation:
    """A new conversation, optionally bound to a work, chapter, article or
    knowledge base (which must exist). A chapter's work is bound too."""
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
            .where(ChatMessage.status == "queued")
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


def add_user_message(session: Session, conversation_id: int, text: str) -> ChatMessage:
    """A user message, ``queued`` with its own Idempotency-Key."""
    text = (text or "").strip()
    if not text:
        raise InvalidInput(_("the message is empty; write something to send"))
    conv = get_conversation(session, conversation_id)
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
    return msg


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


def message_rows(conn, conversation_id: int) -> list[tuple[int, str, str, str]]:
    """(id, role, content, status) of a conversation's messages in order,
    through a stdlib connection: 10,000 of them read in a few milliseconds."""
    return conn.execute(
        "SELECT id, role, content, status FROM chat_message WHERE conversation_id = ? ORDER BY id",
        (conversation_id,),
    ).fetchall()


def queued_messages(session: Session, conversation_id: int | None = None) -> list[ChatMessage]:
    """User messages waiting to be sent, oldest first."""
    stmt = select(ChatMessage).where(ChatMessage.status == "queued", ChatMessage.role == "user")
    if conversation_id is not None:
        stmt = stmt.where(ChatMessage.conversation_id == conversation_id)
    return list(session.exec(stmt.order_by(ChatMessage.id)).all())


def history_before(session: Session, message: ChatMessage) -> list[dict[str, str]]:
    """The conversation up to and including ``message``, as chat messages:
    answered user messages and complete replies (not queued or failed ones)."""
    rows = session.exec(
        select(ChatMessage.role, ChatMessage.content)
        .where(
            ChatMessage.conversation_id == message.conversation_id,
            ChatMessage.id < message.id,
            ChatMessage.status == "done",
        )
        .order_by(ChatMessage.id)
    ).all()
    return [{"role": r, "content": c} for r, c in rows] + [
        {"role": "user", "content": message.content}
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
    """A conversation as Markdown: its title, then each message under its role."""
    conv = get_conversation(session, conversation_id)
    out = [f"# {conv.title}", ""]
    names = {"user": _("You"), "assistant": _("AI")}
    for m in messages(session, conversation_id):
        mark = {"queued": _(" (queued)"), "incomplete": _(" (incomplete)"), "error": _(" (failed)")}
        out += [f"## {names[m.role]}{mark.get(m.status, '')}", "", m.content, ""]
    return "\n".join(out)
