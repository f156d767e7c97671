"""Running generation tasks from the command line: ``generate run``."""

from __future__ import annotations

import argparse
import signal
import sys

from inkbench.cli.core import open_db
from inkbench.cli.output import warn


def register(sub: argparse._SubParsersAction) -> None:
    """``generate run``."""
    r = sub.add_parser("generate", help="run generation tasks")
    rsub = r.add_subparsers(title="generate commands", metavar="COMMAND", required=True)
    p = rsub.add_parser("run", help="write the queued tasks' articles (until stopped)")
    p.add_argument("--once", action="store_true", help="stop when nothing is left to do now")
    p.add_argument("--task", type=int, metavar="ID", help="only this task")
    p.add_argument("--stream", action="store_true", help="print the AI's text as it arrives")
    p.add_argument(
        "--lease",
        type=float,
        default=60.0,
        metavar="SECONDS",
        help="how long an item stays ours without a heartbeat (default 60)",
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
            print(f"task {e.task_id} item {e.item_id}: writing “{e.text}”", flush=True)
        elif e.kind == "item_done":
            print(f"task {e.task_id} item {e.item_id}: article {e.article_id} written", flush=True)
        elif e.kind in ("item_retry", "item_failed"):
            word = "will retry" if e.kind == "item_retry" else "failed"
            warn(f"task {e.task_id} item {e.item_id} {word}: {e.message}")
        elif e.kind == "task_paused":
            warn(f"task {e.task_id} paused: {e.message}")
        elif e.kind == "task_resumed":
            print(f"task {e.task_id} resumed: {e.message}", flush=True)
        elif e.kind == "task_finished":
            print(f"task {e.task_id} {e.message}", flush=True)

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
        f"{stats.done} article(s) written, {stats.failed} failed, {stats.retried} to retry"
        + (f", {stats.paused} pause(s)" if stats.paused else "")
    )
    return 0
