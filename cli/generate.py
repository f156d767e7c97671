"""Running generation tasks from the command line: ``generate run``."""

from __future__ import annotations

import argparse
import signal
import sys

from inkbench.cli.core import open_db
from inkbench.cli.output import warn
from inkbench.i18n import _, ngettext


def register(sub: argparse._SubParsersAction) -> None:
    """``generate run``."""
    r = sub.add_parser("generate", help=_("run generation tasks"))
    rsub = r.add_subparsers(title=_("generate commands"), metavar="COMMAND", required=True)
    p = rsub.add_parser("run", help=_("write the queued tasks' articles (until stopped)"))
    p.add_argument("--once", action="store_true", help=_("stop when nothing is left to do now"))
    p.add_argument("--task", type=int, metavar="ID", help=_("only this task"))
    p.add_argument("--stream", action="store_true", help=_("print the AI's text as it arrives"))
    p.add_argument(
        "--lease",
        type=float,
        default=60.0,
        metavar="SECONDS",
        help=_("how long an item stays ours without a heartbeat (default 60)"),
    )
    p.set_defaults(func=cmd_generate_run)


def cmd_generate_run(args: argparse.Namespace) -> int:
    from inkbench.integrations.ai.factory import get_provider
    from inkbench.integrations.generation.runner import Runner

    db = open_db(args)
    provider = get_provider(args.home)
    streaming = {"on": False}

    def on_event(e) -> None:
        if e.kind == "delta":
            if args.stream:
                sys.stdout.write(e.text)
                sys.stdout.flush()
                streaming["on"] = True
            return
        if streaming["on"]:
            sys.stdout.write("\n")
            streaming["on"] = False
        if e.kind == "item_started":
            print(
                _("task {task_id} item {item_id}: writing “{text}”").format(
                    task_id=e.task_id, item_id=e.item_id, text=e.text
                ),
                flush=True,
            )
        elif e.kind == "item_done":
            print(
                _("task {task_id} item {item_id}: article {article_id} written").format(
                    task_id=e.task_id, item_id=e.item_id, article_id=e.article_id
                ),
                flush=True,
            )
        elif e.kind in ("item_retry", "item_failed"):
            if e.kind == "item_retry":
                line = _("task {task_id} item {item_id} will retry: {message}")
            else:
                line = _("task {task_id} item {item_id} failed: {message}")
            warn(line.format(task_id=e.task_id, item_id=e.item_id, message=e.message))
        elif e.kind == "task_paused":
            warn(_("task {task_id} paused: {message}").format(task_id=e.task_id, message=e.message))
        elif e.kind == "task_resumed":
            print(
                _("task {task_id} resumed: {message}").format(task_id=e.task_id, message=e.message),
                flush=True,
            )
        elif e.kind == "task_finished":
            print(
                _("task {task_id} finished: {status}").format(task_id=e.task_id, status=e.message),
                flush=True,
            )

    runner = Runner(
        db, provider, on_event=on_event, task_id=args.task, lease_seconds=max(2.0, args.lease)
    )

    def stop(_sig, _frame) -> None:
        runner.stop()

    old = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        stats = runner.run(once=args.once)
    finally:
        for sig, handler in old.items():
            signal.signal(sig, handler)
        provider.close()
    print(
        ngettext(
            "{n} article written, {failed} failed, {retried} to retry",
            "{n} articles written, {failed} failed, {retried} to retry",
            stats.done,
        ).format(n=stats.done, failed=stats.failed, retried=stats.retried)
        + (
            ngettext(", {n} pause", ", {n} pauses", stats.paused).format(n=stats.paused)
            if stats.paused
            else ""
        )
    )
    return 0
