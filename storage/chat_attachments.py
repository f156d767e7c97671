"""Context attached to a chat message: the current chapter or an article, a
story-bible entry (character or world entry), a knowledge passage. Its text
is copied when attached (cut to ``ATTACH_LIMIT`` characters, saying how much
was left out), stored with the message and sent with it; a resend or
regenerate sends the same text again."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from inkbench.i18n import _
from inkbench.storage.errors import InvalidInput, NotFound
from inkbench.storage.models import (
    CHAT_ATTACHMENT_KINDS,
    Article,
    Chapter,
    Character,
    ChatAttachment,
    ChatMessage,
    KbChunk,
    KbDocument,
    WorldEntry,
)
from inkbench.storage.vocab import CHARACTER_ATTRIBUTES

ATTACH_LIMIT = 20_000  # characters of one attachment sent with a message


@dataclass(frozen=True)
class AttachmentRef:
    """What to attach: ``kind`` (chapter, article, character, world, kb) and the row's id."""

    kind: str
    ref_id: int


# a search hit's kind (storage.search) → what it attaches as
SEARCH_KINDS = {"chunk": "kb", "world_entry": "world"}


def parse_ref(text: str) -> AttachmentRef:
    """``chapter:3`` → ``AttachmentRef("chapter", 3)`` (a search hit's kind
    works too: ``chunk:7``, ``world_entry:2``); ``InvalidInput`` otherwise."""
    kind, sep, ref = (text or "").strip().partition(":")
    kind = SEARCH_KINDS.get(kind, kind)
    if not sep or kind not in CHAT_ATTACHMENT_KINDS or not ref.strip().isdigit():
        raise InvalidInput(
            _("cannot attach {what!r}; write KIND:ID with KIND one of {kinds}").format(
                what=text, kinds=", ".join(CHAT_ATTACHMENT_KINDS)
            )
        )
    return AttachmentRef(kind, int(ref))


def _source(session: Session, ref: AttachmentRef) -> tuple[str, str]:
    """The title and text of what ``ref`` names; ``NotFound`` if it is not there."""
    row = None
    if ref.kind == "chapter":
        row = session.get(Chapter, ref.ref_id)
        if row is not None and row.deleted_at is None:
            return row.title, row.body or ""
    elif ref.kind == "article":
        row = session.get(Article, ref.ref_id)
        if row is not None and row.deleted_at is None:
            return row.title, row.body or ""
    elif ref.kind == "character":
        row = session.get(Character, ref.ref_id)
        if row is not None and row.deleted_at is None:
            lines = [f"{row.name} ({row.role})"]
            lines += [
                f"{name}: {getattr(row, name)}"
                for name in CHARACTER_ATTRIBUTES
                if getattr(row, name)
            ]
            return row.name, "\n".join(lines)
    elif ref.kind == "world":
        row = session.get(WorldEntry, ref.ref_id)
        if row is not None and row.deleted_at is None:
            return row.title, f"{row.title} ({row.category})\n{row.content}".strip()
    elif ref.kind == "kb":
        row = session.get(KbChunk, ref.ref_id)
        if row is not None:
            doc = session.get(KbDocument, row.document_id)
            title = doc.title if doc is not None else ""
            if row.heading:
                title = f"{title} · {row.heading}" if title else row.heading
            return title, row.text
    raise NotFound(
        _("nothing to attach: no {kind} with id {id}").format(kind=ref.kind, id=ref.ref_id)
    )


def resolve(session: Session, refs: list[AttachmentRef]) -> list[tuple[AttachmentRef, str, str]]:
    """Check every ref before anything is stored: (ref, title, text) each."""
    return [(ref, *_source(session, ref)) for ref in refs]


def attach(
    session: Session, message_id: int, resolved: list[tuple[AttachmentRef, str, str]]
) -> list[ChatAttachment]:
    """Store resolved attachments with a message, each cut to ``ATTACH_LIMIT``."""
    rows = []
    for ref, title, text in resolved:
        cut = max(0, len(text) - ATTACH_LIMIT)
        rows.append(
            ChatAttachment(
                message_id=message_id,
                kind=ref.kind,
                ref_id=ref.ref_id,
                title=title,
                content=text[:ATTACH_LIMIT],
                cut=cut,
            )
        )
    session.add_all(rows)
    session.flush()
    return rows


def copy_attachments(session: Session, from_id: int, to_id: int) -> None:
    """The attachments of one message, given to another (a resend keeps them)."""
    for a in attachments_of(session, [from_id]).get(from_id, []):
        session.add(
            ChatAttachment(
                message_id=to_id,
                kind=a.kind,
                ref_id=a.ref_id,
                title=a.title,
                content=a.content,
                cut=a.cut,
            )
        )
    session.flush()


def attachments_of(session: Session, message_ids: list[int]) -> dict[int, list[ChatAttachment]]:
    """The attachments of these messages, by message id, in the order attached."""
    out: dict[int, list[ChatAttachment]] = {}
    if not message_ids:
        return out
    rows = session.exec(
        select(ChatAttachment)
        .where(ChatAttachment.message_id.in_(message_ids))
        .order_by(ChatAttachment.message_id, ChatAttachment.id)
    ).all()
    for a in rows:
        out.setdefault(a.message_id, []).append(a)
    return out


def conversation_attachments(
    session: Session, conversation_id: int, up_to: int | None = None
) -> dict[int, list[ChatAttachment]]:
    """The attachments of a conversation's messages (up to message id
    ``up_to``), by message id, in the order attached: one query however
    long the conversation."""
    ids = select(ChatMessage.id).where(ChatMessage.conversation_id == conversation_id)
    if up_to is not None:
        ids = ids.where(ChatMessage.id <= up_to)
    out: dict[int, list[ChatAttachment]] = {}
    rows = session.exec(
        select(ChatAttachment)
        .where(ChatAttachment.message_id.in_(ids))
        .order_by(ChatAttachment.message_id, ChatAttachment.id)
    ).all()
    for a in rows:
        out.setdefault(a.message_id, []).append(a)
    return out


def label(kind: str, ref_id: int, title: str, cut: int = 0) -> str:
    """How an attachment is shown: ``chapter 3 “Title”`` (and what was cut)."""
    names = {
        "chapter": _("chapter"),
        "article": _("article"),
        "character": _("character"),
        "world": _("world entry"),
        "kb": _("knowledge passage"),
    }
    text = f"{names.get(kind, kind)} {ref_id} “{title}”"
    if cut:
        text += _(" (cut: {n} characters left out)").format(n=cut)
    return text


def with_attachments(text: str, attached: list) -> str:
    """A user message as sent: each attachment's text under a plain header
    (the same whatever the interface's language), then the message."""
    if not attached:
        return text
    parts = []
    for a in attached:
        cut = f", {a.cut} characters cut" if a.cut else ""
        parts.append(f"[attached {a.kind} {a.ref_id}: {a.title}{cut}]\n{a.content}")
    return "\n\n".join([*parts, text])
