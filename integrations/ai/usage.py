"""The local usage log's names where callers outside ``storage`` first
found them; the log itself (writing a row, its totals) is
``storage.ai_usage``."""

from __future__ import annotations

from inkbench.storage.ai_usage import (
    LocalUsage,
    local_usage,
    log_request,
    month_start,
    next_month_start,
)

__all__ = ["LocalUsage", "local_usage", "log_request", "month_start", "next_month_start"]
