"""The one small interface every AI provider implements, and the values it
passes (usage, stream events, quota). ``integrations.ai.factory.get_provider``
builds the provider the config chooses.

A generation runner uses it like this::

    provider = get_provider(home)
    text = []
    for event in provider.stream_chat(messages, model=None, idempotency_key=key,
                                      purpose="generate", cancel=token):
        if isinstance(event, TextDelta):
            text.append(event.text)          # show it as it arrives
        else:                                # Done: always last, once
            usage = event.usage
    log_request(db, provider=provider.name, ...)   # integrations.ai.usage

Errors are the classes in ``integrations.ai.errors`` (re-exported here), all
``InkbenchError`` with one-line messages. Passing the same ``idempotency_key``
on a retry means the server charges the request once and may replay the
stored answer.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from inkbench.integrations.ai.errors import (
    AIError,
    AuthRequired,
    Cancelled,
    KeyringUnavailable,
    Offline,
    QuotaExceeded,
    StreamCut,
    UpstreamError,
)
from inkbench.storage.jobs import CancelToken

__all__ = [
    "AIError",
    "AIProvider",
    "AuthRequired",
    "Cancelled",
    "ChatEvent",
    "ChatResult",
    "Done",
    "KeyringUnavailable",
    "Message",
    "Offline",
    "Quota",
    "QuotaExceeded",
    "StreamCut",
    "TextDelta",
    "UpstreamError",
    "Usage",
]

# {"role": "system" | "user" | "assistant", "content": "..."}
Message = Mapping[str, str]


@dataclass(frozen=True)
class Usage:
    prompt_tokens: int = 0
    completion_tokens: int = 0

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens


@dataclass(frozen=True)
class TextDelta:
    """A piece of the reply, in order; append it."""

    text: str


@dataclass(frozen=True)
class Done:
    """The last event of a stream: token usage and why the reply ended."""

    usage: Usage
    model: str = ""
    finish_reason: str | None = None
    replayed: bool = False  # the server answered from its idempotency store


ChatEvent = TextDelta | Done


@dataclass(frozen=True)
class ChatResult:
    text: str
    usage: Usage
    model: str = ""
    finish_reason: str | None = None
    replayed: bool = False


@dataclass(frozen=True)
class Amounts:
    """Articles and tokens; ``None`` means unlimited (in ``limit``/``remaining``)."""

    articles: int | None = None
    tokens: int | None = None


@dataclass(frozen=True)
class Quota:
    plan: str
    period_end: str | None  # ISO 8601 UTC, e.g. "2026-12-01T00:00:00Z"
    limit: Amounts
    used: Amounts
    remaining: Amounts

    @property
    def exhausted(self) -> bool:
        return self.remaining.tokens == 0 or self.remaining.articles == 0

    @classmethod
    def from_json(cls, data: Mapping) -> Quota:
        def amounts(d: Mapping | None) -> Amounts:
            d = d or {}
            return Amounts(articles=d.get("articles"), tokens=d.get("tokens"))

        return cls(
            plan=str(data.get("plan", "")),
            period_end=data.get("period_end"),
            limit=amounts(data.get("limit")),
            used=amounts(data.get("used")),
            remaining=amounts(data.get("remaining")),
        )

    def to_json(self) -> dict:
        def d(a: Amounts) -> dict:
            return {"articles": a.articles, "tokens": a.tokens}

        return {
            "plan": self.plan,
            "period_end": self.period_end,
            "limit": d(self.limit),
            "used": d(self.used),
            "remaining": d(self.remaining),
        }


@runtime_checkable
class AIProvider(Protocol):
    """What the generation runner, the CLI and the TUI need from an AI backend.

    ``purpose`` is "generate" (one article: counts against the plan's
    articles), "distill" or "chat" (tokens only). ``model=None`` uses the
    provider's default model. ``cancel`` (a ``CancelToken``) is checked between chunks; once it
    is cancelled the request is dropped and ``Cancelled`` is raised.
    """

    name: str  # "server" or "direct"; goes into ai_request.provider
    default_model: str | None

    def stream_chat(
        self,
        messages: Sequence[Message],
        *,
        model: str | None = None,
        idempotency_key: str | None = None,
        max_tokens: int | None = None,
        temperature: float | None = None,
        purpose: str = "chat",
        cancel: CancelToken | None = None,
    ) -> Iterator[ChatEvent]:
        """Yield ``TextDelta``s as they arrive, then exactly one ``Done``.
        Raises ``StreamCut`` when the stream ends before its end marker."""
        ...

    def chat(
        self,
        messages: Sequence[Message],
        *,
        model: str | None = None,
        idempotency_key: str | None = None,
        max_tokens: int | None = None,
        temperature: float | None = None,
        purpose: str = "chat",
        cancel: CancelToken | None = None,
    ) -> ChatResult:
        """The whole reply at once."""
        ...

    def models(self) -> list[str]:
        """Model ids the provider offers."""
        ...

    def quota(self) -> Quota | None:
        """The plan's limits and use this period (server), or the local usage
        log with no limits (direct)."""
        ...

    def close(self) -> None: ...
