"""Run an assist action: assemble the context, stream the reply, log the
request (linked to the work, chapter or article and the assistant), and on
``apply`` write the reply as an ``ai`` revision linked to that request.

Errors reach the caller as one-line ``InkbenchError``s after the request is
logged (offline, quota spent, not logged in, upstream error, a reply cut off
mid-stream: the partial text is in ``StreamCut.partial_text``); the text is
never touched unless the whole reply arrived and ``apply`` was asked.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from inkbench.i18n import _
from inkbench.integrations.ai.provider import (
    AIProvider,
    Cancelled,
    Done,
    StreamCut,
    TextDelta,
)
from inkbench.integrations.assist.actions import ACTIONS
from inkbench.integrations.assist.context import Context, Persona, assemble
from inkbench.settings import Settings
from inkbench.storage.ai_edits import apply_ai_text, set_synopsis
from inkbench.storage.ai_usage import log_request
from inkbench.storage.assistants import count_use, examples_of, get_assistant
from inkbench.storage.errors import InkbenchError, InvalidInput
from inkbench.storage.jobs import CancelToken
from inkbench.storage.reads import load_document


@dataclass(frozen=True)
class AssistResult:
    """The reply and what became of it."""

    text: str
    request_id: int
    model: str
    prompt_tokens: int
    completion_tokens: int
    revision_id: int | None = None
    applied: str = ""  # "", "text" or "synopsis"
    start: int = 0  # the selection the reply is for (start == end: the cursor)
    end: int = 0
    mode: str = ""  # how it applies: insert, replace, synopsis, none

    def to_dict(self) -> dict:
        """For ``--json``."""
        return dict(self.__dict__)


def prepare(
    db,
    settings: Settings,
    *,
    owner: str,
    owner_id: int,
    action: str,
    assistant: str | None = None,
    start: int | None = None,
    end: int | None = None,
    model: str | None = None,
    default_model: str | None = None,
    note: str = "",
    text: str | None = None,
) -> tuple[Context, int, str, dict]:
    """The context to send, the assistant's id, the model, and the request's
    parameters (temperature, max_tokens); nothing is sent."""
    spec = ACTIONS.get(action)
    if spec is None:
        raise InvalidInput(
            _("unknown action {action!r}; use one of {actions}").format(
                action=action, actions=", ".join(ACTIONS)
            )
        )
    with db.write() as s:  # write: the built-in assistants load on first use
        row = get_assistant(s, assistant or spec.assistant)
        persona = Persona(
            name=row.name,
            system_prompt=row.system_prompt,
            system_prompt_zh=row.system_prompt_zh,
            examples=tuple(examples_of(row)),
        )
        assistant_id = int(row.id)
        params = {"temperature": row.temperature, "max_tokens": row.max_tokens}
        preferred = row.model
    used_model = model or preferred or settings.ai.model or default_model or ""
    with db.raw(write=False) as conn:
        ctx = assemble(
            conn,
            owner=owner,
            owner_id=owner_id,
            action=action,
            persona=persona,
            budget=settings.ai.context_budget(used_model),
            start=start,
            end=end,
            note=note,
            text=text,
        )
        if text is None:
            doc = load_document(conn, "chapter" if owner == "chapter" else "article", owner_id)
            text = doc.body if doc is not None else ""
    params["body"] = text
    return ctx, assistant_id, used_model, params


def queue_assist(
    db,
    settings: Settings,
    *,
    owner: str,
    owner_id: int,
    action: str,
    assistant: str | None = None,
    start: int | None = None,
    end: int | None = None,
    note: str = "",
    text: str | None = None,
) -> tuple[int, int]:
    """Keep an assist request for later (offline, quota spent, logged out):
    a conversation bound to the chapter or article, with the assembled
    system prompt, and the request as its queued message (its own
    Idempotency-Key), sent once by ``chat flush``. Returns (conversation id,
    message id). The reply is copied into the text from the chat."""
    from inkbench.storage.chat import add_user_message, create_conversation
    from inkbench.storage.models import Article, Chapter

    ctx, assistant_id, _model, _params = prepare(
        db,
        settings,
        owner=owner,
        owner_id=owner_id,
        action=action,
        assistant=assistant,
        start=start,
        end=end,
        note=note,
        text=text,
    )
    system = "\n\n".join(m["content"] for m in ctx.messages if m["role"] == "system")
    asked = ctx.messages[-1]["content"]
    with db.write() as s:
        doc = s.get(Chapter if owner == "chapter" else Article, owner_id)
        conv = create_conversation(
            s,
            f"{action}: {doc.title}",
            chapter_id=owner_id if owner == "chapter" else None,
            article_id=owner_id if owner == "article" else None,
            assistant_id=assistant_id,
            system_prompt=system,
        )
        msg = add_user_message(s, conv.id, asked)
        return int(conv.id), int(msg.id)


def run_assist(
    db,
    provider: AIProvider,
    settings: Settings,
    *,
    owner: str,
    owner_id: int,
    action: str,
    assistant: str | None = None,
    start: int | None = None,
    end: int | None = None,
    model: str | None = None,
    apply: bool = False,
    note: str = "",
    text: str | None = None,
    on_text: Callable[[str], None] | None = None,
    cancel: CancelToken | None = None,
) -> AssistResult:
    """Run ``action`` and return the reply; ``on_text`` gets each piece as it
    arrives. With ``apply`` the reply replaces the selection, is inserted at
    the cursor, or becomes the chapter's synopsis, as the action says.
    ``text`` stands for the stored text (an editor's unsaved text; then the
    editor applies the reply itself, see ``storage.ai_edits.save_ai_text``)."""
    spec = ACTIONS.get(action)
    if apply and spec is not None and spec.apply == "none":
        raise InvalidInput(
            _("{action} changes nothing, so there is nothing to apply; leave out --apply").format(
                action=action
            )
        )
    ctx, assistant_id, used_model, params = prepare(
        db,
        settings,
        owner=owner,
        owner_id=owner_id,
        action=action,
        assistant=assistant,
        start=start,
        end=end,
        model=model,
        default_model=provider.default_model,
        note=note,
        text=text,
    )
    body = params.pop("body")
    links = {
        "work_id": ctx.work_id,
        "chapter_id": owner_id if owner == "chapter" else None,
        "article_id": owner_id if owner == "article" else None,
        "assistant_id": assistant_id,
    }
    key = uuid.uuid4().hex
    started = time.monotonic()
    pieces: list[str] = []
    done: Done | None = None
    try:
        for event in provider.stream_chat(
            ctx.messages,
            model=used_model or None,
            idempotency_key=key,
            max_tokens=params["max_tokens"],
            temperature=params["temperature"],
            purpose="chat",
            cancel=cancel,
        ):
            if isinstance(event, TextDelta):
                pieces.append(event.text)
                if on_text is not None:
                    on_text(event.text)
            else:
                done = event
    except InkbenchError as e:
        partial = "".join(pieces) or getattr(e, "partial_text", "") or ""
        status = "incomplete" if isinstance(e, StreamCut) or partial else "error"
        if isinstance(e, Cancelled):
            status = "cancelled"
        log_request(
            db,
            provider=provider.name,
            model=used_model,
            duration_ms=int((time.monotonic() - started) * 1000),
            status=status,
            error=str(e),
            purpose="chat",
            request_type=action,
            idempotency_key=key,
            partial_reply=partial,
            **links,
        )
        raise
    text = "".join(pieces)
    usage = done.usage if done is not None else None
    final_model = (done.model if done is not None else "") or used_model
    with db.write() as s:
        request_id = log_request(
            db,
            provider=provider.name,
            model=final_model,
            prompt_tokens=usage.prompt_tokens if usage else 0,
            completion_tokens=usage.completion_tokens if usage else 0,
            duration_ms=int((time.monotonic() - started) * 1000),
            status="ok" if text.strip() else "error",
            error=None if text.strip() else "empty reply",
            purpose="chat",
            request_type=action,
            idempotency_key=key,
            session=s,
            **links,
        )
        count_use(s, assistant_id)
    if not text.strip():
        raise InvalidInput(_("the model returned nothing; nothing was changed, try again"))
    revision_id = None
    applied = ""
    if apply:
        with db.write() as s:
            if spec.apply == "synopsis":
                set_synopsis(s, owner_id, text)
                applied = "synopsis"
            else:
                if spec.apply == "insert":
                    new_body = body[: ctx.end] + text + body[ctx.end :]
                else:
                    new_body = body[: ctx.start] + text + body[ctx.end :]
                revision_id = apply_ai_text(
                    s, owner, owner_id, new_body, ai_request_id=request_id, expected=body
                )
                applied = "text"
    return AssistResult(
        text=text,
        request_id=request_id,
        model=final_model,
        prompt_tokens=usage.prompt_tokens if usage else 0,
        completion_tokens=usage.completion_tokens if usage else 0,
        revision_id=revision_id,
        applied=applied,
        start=ctx.start,
        end=ctx.end,
        mode=spec.apply,
    )
