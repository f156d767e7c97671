"""What can go wrong talking to an AI provider. Each is an ``InkbenchError``
with a one-line message: the CLI prints it and exits 1, the TUI shows it.

Retry guidance for callers (the generation runner):

- ``Offline``, ``StreamCut``, ``UpstreamError`` (``retryable``): try again
  later with the same idempotency key; the server charges once.
- ``QuotaExceeded``: wait for the period to end or change plan.
- ``AuthRequired``: the user must run ``inkbench login``; AI work waits.
- ``Cancelled``: the caller's ``CancelToken`` was cancelled.
"""

from __future__ import annotations

from inkbench.i18n import _
from inkbench.storage.errors import InkbenchError


class AIError(InkbenchError):
    """Base class of every provider error."""

    retryable = False


class Offline(AIError):
    """The server (or direct endpoint) cannot be reached at all."""

    retryable = True

    def __init__(self, url: str, detail: str = "") -> None:
        self.url = url
        if detail:
            message = _(
                "offline: cannot reach {url} ({detail}); editing works as usual, "
                "AI work waits until it is reachable"
            ).format(url=url, detail=detail)
        else:
            message = _(
                "offline: cannot reach {url}; editing works as usual, "
                "AI work waits until it is reachable"
            ).format(url=url)
        super().__init__(message)


class AuthRequired(AIError):
    """Not logged in, or the session was revoked/expired and refresh failed."""

    def __init__(self, message: str = "") -> None:
        super().__init__(message or _("not logged in to the account server; run `inkbench login`"))


class QuotaExceeded(AIError):
    """The plan's articles or tokens for this period are spent."""

    def __init__(self, message: str = "", *, period_end: str | None = None) -> None:
        self.period_end = period_end
        if period_end:
            default = _("quota exceeded for this period (resets {period_end}); AI work waits")
        else:
            default = _("quota exceeded for this period; AI work waits")
        super().__init__(message or default.format(period_end=period_end))


class UpstreamError(AIError):
    """The AI service answered with an error or timed out (codes such as
    ``upstream_error``, ``upstream_timeout``, ``bad_request``)."""

    def __init__(self, message: str, *, code: str = "upstream_error", status: int = 0) -> None:
        self.code = code
        self.status = status
        self.retryable = code in RETRYABLE_CODES or status >= 500 or status == 429
        super().__init__(message)


RETRYABLE_CODES = frozenset(
    {"upstream_error", "upstream_timeout", "upstream_unreachable", "request_in_progress"}
)


class StreamCut(AIError):
    """A streamed reply stopped before its end; the partial text is attached.
    Retrying with the same idempotency key is charged at most once."""

    retryable = True

    def __init__(self, partial_text: str = "", detail: str = "") -> None:
        self.partial_text = partial_text
        if detail:
            message = _("the AI reply was cut off before its end ({detail}); retry to get it whole")
        else:
            message = _("the AI reply was cut off before its end; retry to get it whole")
        super().__init__(message.format(detail=detail))


class Cancelled(AIError):
    """The caller's cancel check returned True; the request was abandoned."""

    def __init__(self) -> None:
        super().__init__(_("the AI request was cancelled"))


class KeyringUnavailable(AIError):
    """No usable OS keyring backend, and the file opt-in is not enabled."""
