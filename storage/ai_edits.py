"""Text written by the AI, applied: the new text and an ``ai`` revision
linked to the request that wrote it, in one transaction; the text as it was
is kept as a revision first, so accepting a reply never loses anything."""

from __future__ import annotations

from sqlmodel import Session

from inkbench.i18n import _
from inkbench.storage.articles import get_article, update_article
from inkbench.storage.errors import InvalidInput
from inkbench.storage.models import AiRequest, ChatMessage
from inkbench.storage.revisions import get_revision, snapshot
from inkbench.storage.works import get_chapter, update_chapter


def current_text(session: Session, owner: str, owner_id: int) -> str:
    """The chapter's or article's text now."""
    row = get_chapter(session, owner_id) if owner == "chapter" else get_article(session, owner_id)
    return row.body or ""


def apply_ai_text(
    session: Session, owner: str, owner_id: int, body: str, *, ai_request_id: int, expected: str
) -> int:
    """Replace the text with ``body`` and record it as an ``ai`` revision
    linked to ``ai_request_id``; returns the revision id. Refused when the
    text is no longer ``expected`` (it changed while the AI was writing)."""
    if current_text(session, owner, owner_id) != expected:
        raise InvalidInput(
            _(
                "the text changed while the AI was writing; the reply was not applied "
                "(run the action again)"
            )
        )
    snapshot(session, owner, owner_id, "autosave")  # the text before, unless already kept
    if owner == "chapter":
        update_chapter(session, owner_id, body=body)
    else:
        update_article(session, owner_id, body=body)
    rev = snapshot(session, owner, owner_id, "ai")
    rev.ai_request_id = ai_request_id
    session.add(rev)
    session.flush()
    return int(rev.id)


def save_ai_text(
    session: Session, owner: str, owner_id: int, body: str, *, ai_request_id: int
) -> int:
    """An editor's text after it accepted a reply: saved, and recorded as an
    ``ai`` revision linked to the request; returns the revision id."""
    if owner == "chapter":
        update_chapter(session, owner_id, body=body)
    else:
        update_article(session, owner_id, body=body)
    rev = snapshot(session, owner, owner_id, "ai")
    rev.ai_request_id = ai_request_id
    session.add(rev)
    session.flush()
    return int(rev.id)


def set_synopsis(session: Session, chapter_id: int, synopsis: str) -> None:
    """A chapter's synopsis, as the AI summarised it."""
    chapter = get_chapter(session, chapter_id)
    chapter.synopsis = synopsis.strip()
    session.add(chapter)
    session.flush()


def revision_request(session: Session, owner: str, revision_id: int) -> AiRequest | None:
    """The AI request that wrote a revision, if one did."""
    rev = get_revision(session, owner, revision_id)
    return session.get(AiRequest, rev.ai_request_id) if rev.ai_request_id else None


def copy_reply(
    session: Session, message_id: int, owner: str, owner_id: int, *, replace: bool = False
) -> int:
    """A chat reply copied into a chapter or article as a new ``ai`` revision
    (linked to the request that wrote the reply): added after the text, or
    replacing it. The text before is kept as a revision first. Returns the
    revision id."""
    msg = session.get(ChatMessage, message_id)
    if msg is None or msg.role != "assistant":
        raise InvalidInput(
            _("no AI reply with id {id}; `inkbench chat show` lists them").format(id=message_id)
        )
    reply = msg.content.strip()
    if not reply:
        raise InvalidInput(_("reply {id} is empty; nothing to copy").format(id=message_id))
    before = current_text(session, owner, owner_id)
    keep = "" if replace or not before.strip() else before.rstrip("\n") + "\n\n"
    body = keep + reply
    snapshot(session, owner, owner_id, "autosave")  # the text before, unless already kept
    if owner == "chapter":
        update_chapter(session, owner_id, body=body)
    else:
        update_article(session, owner_id, body=body)
    rev = snapshot(session, owner, owner_id, "ai")
    rev.ai_request_id = msg.ai_request_id
    session.add(rev)
    session.flush()
    return int(rev.id)
