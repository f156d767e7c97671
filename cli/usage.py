"""``inkbench usage [--by day|model|assistant|purpose] [--since DATE] [--json]``."""

from __future__ import annotations

import argparse
from datetime import date

from inkbench.cli.core import open_db
from inkbench.cli.output import print_json
from inkbench.i18n import _


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            _("{value!r} is not a date; use YYYY-MM-DD").format(value=value)
        ) from None


def register(sub: argparse._SubParsersAction) -> None:
    """``usage``."""
    from inkbench.storage.vocab import USAGE_GROUPS

    p = sub.add_parser(
        "usage", help=_("the AI requests made from here: tokens, time, errors, estimated cost")
    )
    p.add_argument("--by", choices=USAGE_GROUPS, default="day", help=_("group by (default day)"))
    p.add_argument("--since", type=_day, metavar="DATE", help=_("from this day on (YYYY-MM-DD)"))
    p.add_argument("--json", action="store_true", help=_("print JSON"))
    p.set_defaults(func=cmd_usage)


def cmd_usage(args: argparse.Namespace) -> int:
    """Print the usage log's totals."""
    from inkbench.settings import load_settings
    from inkbench.storage.ai_usage import usage_report

    settings = load_settings(args.home)
    prices = {m: (p.input, p.output) for m, p in settings.ai.prices.items()}
    with open_db(args).raw(write=False) as conn:
        rows = usage_report(conn, by=args.by, since=args.since, prices=prices)
    if args.json:
        print_json([r.to_dict() for r in rows])
        return 0
    if not rows:
        print(_("no AI requests yet"))
        return 0
    head = (
        _("requests"),
        _("prompt"),
        _("completion"),
        _("seconds"),
        _("errors"),
        _("cost"),
    )
    from rich.cells import cell_len

    from inkbench.storage.vocab import purpose_name
    from inkbench.tui.cells import pad

    keys = [(purpose_name(r.key) if args.by == "purpose" else r.key) or "-" for r in rows]
    width = max(12, *(cell_len(key) for key in keys))
    # right-aligned by cells: a Chinese heading takes two cells a character
    print(" " * (width + 1) + " ".join(" " * max(0, 10 - cell_len(h)) + h for h in head))
    for key, r in zip(keys, rows, strict=True):
        cost = "-" if r.cost is None else f"{r.cost:.4f}"
        print(
            f"{pad(key, width + 1)}{r.requests:>10} {r.prompt_tokens:>10} "
            f"{r.completion_tokens:>10} {r.duration_ms / 1000:>10.1f} {r.errors:>10} {cost:>10}"
        )
    return 0
