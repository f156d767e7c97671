"""Sending chat messages: queued ones go out in order, each with the
Idempotency-Key stored with it, so a resend (after offline, a spent quota,
a logout or a kill -9) is answered and charged once.

``flush`` stops at the first message the server cannot take now (offline,
quota spent, not logged in, no model configured, or a reply cut off): it and the ones after it
stay queued. A message the service refuses as it is (a bad request) is
marked failed and the rest go on.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from inkbench.integrations.ai.provider import (
    AIProvider,
    Cancelled,
    Done,
    StreamCut,
    TextDelta,
    UpstreamError,
)
from inkbench.settings import Settings
from inkbench.storage import chat as store
from inkbench.storage.ai_usage import log_request
from inkbench.storage.assistants import get_assistant
from inkbench.storage.errors import InkbenchError
from inkbench.storage.jobs import CancelToken

DEFAULT_PROMPT = {
    "en": "You are a thoughtful assistant to a writer. Answer briefly and concretely.",
    "zh": "你是作者贴心的写作助手。回答要简洁、具体。",
}


@dataclass
class FlushResult:
    """What a flush did."""

    sent: list[int] = field(default_factory=list)  # user message ids answered
    failed: list[int] = field(default_factory=list)
    waiting: int = 0  # still queued
    stopped_by: str = ""  # the one-line reason sending stopped, if it did


def _system(session, conv) -> str:
    """The conversation's system prompt: its assistant's, or the default,
    with what it is bound to (or the one stored with it)."""
    if conv.system_prompt:
        return conv.system_prompt
    from inkbench.integrations.assist.context import text_language
    from inkbench.storage.models import Article, Chapter, Work

    parts = []
    bound = ""
    if conv.chapter_id is not None:
        ch = session.get(Chapter, conv.chapter_id)
        if ch is not None:
            bound = f"{ch.title}\n{ch.synopsis}".strip()
    elif conv.article_id is not None:
        a = session.get(Article, conv.article_id)
        if a is not None:
            bound = a.title
    if conv.work_id is not None:
        w = session.get(Work, conv.work_id)
        if w is not None:
            bound = f"{w.title}\n{w.description}\n{bound}".strip()
    language = text_language(bound + conv.title)
    prompt = DEFAULT_PROMPT[language]
    if conv.assistant_id is not None:
        from inkbench.storage.models import Assistant

        row = session.get(Assistant, conv.assistant_id)
        if row is not None:
            prompt = (row.system_prompt_zh if language == "zh" else "") or row.system_prompt
    parts.append(prompt)
    if bound:
        parts.append(bound)
    return "\n\n".join(parts)


def flush(
    db,
    provider: AIProvider,
    settings: Settings,
    *,
    conversation_id: int | None = None,
    model: str | None = None,
    on_text: Callable[[int, str], None] | None = None,
    cancel: CancelToken | None = None,
) -> FlushResult:
    """Send the queued messages (of one conversation, or all), oldest first.
    ``on_text(message_id, piece)`` gets the replies as they stream."""
    result = FlushResult()
    with db.read() as s:
        queue = [m.id for m in store.queued_messages(s, conversation_id)]
    for index, message_id in enumerate(queue):
        with db.read() as s:
            msg = s.get(store.ChatMessage, message_id)
            if msg is None or msg.status != "queued" or msg.superseded_by is not None:
                continue
            conv = store.get_conversation(s, msg.conversation_id)
            sent = [{"role": "system", "content": _system(s, conv)}, *store.history_before(s, msg)]
            key = msg.idempotency_key
            links = {"conversation_id": conv.id, "assistant_id": conv.assistant_id}
            links.update(work_id=conv.work_id, chapter_id=conv.chapter_id)
            links["article_id"] = conv.article_id
        used_model = model or settings.ai.model or provider.default_model or ""
        started = time.monotonic()
        pieces: list[str] = []
        done: Done | None = None
        try:
            for event in provider.stream_chat(
                sent,
                model=used_model or None,
                idempotency_key=key,
                purpose="chat",
                cancel=cancel,
            ):
                if isinstance(event, TextDelta):
                    pieces.append(event.text)
                    if on_text is not None:
                        on_text(message_id, event.text)
                else:
                    done = event
        except InkbenchError as e:  # offline, quota, login, no model, cut off, refused
            partial = "".join(pieces) or getattr(e, "partial_text", "")
            status = "cancelled" if isinstance(e, Cancelled) else "error"
            if isinstance(e, StreamCut) or partial:
                status = "incomplete"
            with db.write() as s:
                rid = log_request(
                    db,
                    provider=provider.name,
                    model=used_model,
                    duration_ms=int((time.monotonic() - started) * 1000),
                    status=status,
                    error=str(e),
                    purpose="chat",
                    request_type="chat",
                    idempotency_key=key,
                    partial_reply=partial,
                    session=s,
                    **links,
                )
                if partial:
                    store.record_reply(s, message_id, partial, ai_request_id=rid, complete=False)
                refused = isinstance(e, UpstreamError) and not e.retryable
                if refused:
                    store.fail_message(s, message_id, str(e))
            if refused:
                result.failed.append(message_id)
                continue
            result.stopped_by = str(e)
            result.waiting = len(queue) - index
            return result
        text = "".join(pieces)
        with db.write() as s:
            rid = log_request(
                db,
                provider=provider.name,
                model=(done.model if done else "") or used_model,
                prompt_tokens=done.usage.prompt_tokens if done else 0,
                completion_tokens=done.usage.completion_tokens if done else 0,
                duration_ms=int((time.monotonic() - started) * 1000),
                status="ok",
                purpose="chat",
                request_type="chat",
                idempotency_key=key,
                session=s,
                **links,
            )
            store.record_reply(s, message_id, text, ai_request_id=rid)
        result.sent.append(message_id)
    return result


def assistant_id_for(db, name: str | None) -> int | None:
    """The id of the assistant called ``name`` (None for none)."""
    if not name:
        return None
    with db.write() as s:
        return int(get_assistant(s, name).id)
