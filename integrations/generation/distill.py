"""Distillation: ask the AI for the questions readers ask about a keyword and
store them as a distillation with its topics."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass

from inkbench.i18n import _
from inkbench.integrations.ai.errors import AIError
from inkbench.integrations.generation.prompts import fill, prompt_asset
from inkbench.integrations.generation.replies import parse_questions
from inkbench.storage.ai_usage import log_request
from inkbench.storage.distillations import create_distillation, list_topics
from inkbench.storage.engine import Database
from inkbench.storage.errors import InvalidInput
from inkbench.storage.jobs import CancelToken

DEFAULT_COUNT = 10


@dataclass(frozen=True)
class DistillResult:
    distillation_id: int
    keyword: str
    topics: list[str]


def distill_messages(keyword: str, count: int = DEFAULT_COUNT) -> list[dict[str, str]]:
    system = fill(prompt_asset("distill.md"), {"count": str(count)})
    return [
        {"role": "system", "content": system},
        {"role": "user", "content": f"Keyword: {keyword}"},
    ]


def distill(
    db: Database,
    provider,
    keyword: str,
    *,
    model: str | None = None,
    count: int = DEFAULT_COUNT,
    cancel: CancelToken | None = None,
) -> DistillResult:
    """Ask, parse, store; the request is logged in ``ai_request`` either way."""
    keyword = (keyword or "").strip()
    if not keyword:
        raise InvalidInput(_("give a keyword to distil, e.g. `inkbench distill 热泵`"))
    if not 1 <= count <= 50:
        raise InvalidInput(_("ask for 1 to 50 topics"))
    key = f"distill-{uuid.uuid4().hex}"
    started = time.monotonic()
    used_model = model or getattr(provider, "default_model", None) or ""
    try:
        result = provider.chat(
            distill_messages(keyword, count),
            model=model,
            idempotency_key=key,
            purpose="distill",
            cancel=cancel,
        )
    except AIError as e:
        log_request(
            db,
            provider=provider.name,
            model=used_model,
            purpose="distill",
            request_type="distill",
            duration_ms=int((time.monotonic() - started) * 1000),
            status="error",
            error=str(e),
            idempotency_key=key,
        )
        raise
    questions = parse_questions(result.text, limit=count)
    log_request(
        db,
        provider=provider.name,
        model=result.model or used_model,
        purpose="distill",
        request_type="distill",
        prompt_tokens=result.usage.prompt_tokens,
        completion_tokens=result.usage.completion_tokens,
        duration_ms=int((time.monotonic() - started) * 1000),
        idempotency_key=key,
    )
    if not questions:
        raise InvalidInput(_("the AI's reply held no questions; try again or add topics by hand"))
    with db.write() as session:
        d = create_distillation(session, keyword, questions, model=result.model or used_model)
        topics = [t.question for t in list_topics(session, d.id)]
    return DistillResult(d.id, d.keyword, topics)
