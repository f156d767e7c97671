"""The usage log (``ai_request``) summed for people: requests, tokens,
time, errors and an estimated cost, per day, model, assistant or purpose."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import date

from inkbench.i18n import _
from inkbench.storage.errors import InvalidInput

# group -> SQL expression of the key
GROUPS: dict[str, str] = {
    "day": "substr(r.created_at, 1, 10)",
    "model": "r.model",
    "assistant": "COALESCE(a.name, '')",
    "purpose": "r.request_type",
}


@dataclass(frozen=True)
class UsageRow:
    """One group's totals. ``cost`` is None when a model in it has no price."""

    key: str
    requests: int
    prompt_tokens: int
    completion_tokens: int
    duration_ms: int
    errors: int
    cost: float | None

    def to_dict(self) -> dict:
        """For ``--json``."""
        return asdict(self)


def usage_report(
    conn: sqlite3.Connection,
    *,
    by: str = "day",
    since: date | None = None,
    prices: Mapping[str, tuple[float, float]] | None = None,
) -> list[UsageRow]:
    """Totals per ``by`` (day, model, assistant, purpose) since ``since``
    (a UTC day), ordered by key; ``prices`` maps a model to its price per
    million (prompt, completion) tokens."""
    if by not in GROUPS:
        raise InvalidInput(
            _("cannot group usage by {by!r}; use one of {groups}").format(
                by=by, groups=", ".join(GROUPS)
            )
        )
    prices = prices or {}
    where, params = "", []
    if since is not None:
        where, params = "WHERE r.created_at >= ?", [since.isoformat()]
    sql = (
        f"SELECT {GROUPS[by]} AS k, r.model, count(*), sum(r.prompt_tokens), "
        "sum(r.completion_tokens), sum(r.duration_ms), "
        "sum(r.status NOT IN ('ok')) "
        "FROM ai_request r LEFT JOIN assistant a ON a.id = r.assistant_id "
        f"{where} GROUP BY k, r.model ORDER BY k, r.model"
    )
    totals: dict[str, list] = {}
    for key, model, n, prompt, completion, duration, errors in conn.execute(sql, params):
        t = totals.setdefault(key or "", [0, 0, 0, 0, 0, 0.0])
        t[0] += n
        t[1] += prompt or 0
        t[2] += completion or 0
        t[3] += duration or 0
        t[4] += errors or 0
        price = prices.get(model)
        if price is None:
            if prompt or completion:
                t[5] = None
        elif t[5] is not None:
            t[5] += ((prompt or 0) * price[0] + (completion or 0) * price[1]) / 1_000_000
    return [
        UsageRow(k, *v[:5], cost=None if v[5] is None else round(v[5], 6))
        for k, v in sorted(totals.items())
    ]
