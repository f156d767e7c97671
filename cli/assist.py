"""``inkbench assist ACTION --chapter ID|--article ID …``: an assistant on a
chapter or article from the command line."""

from __future__ import annotations

import argparse
import sys

from inkbench.cli.core import open_db
from inkbench.cli.output import print_json
from inkbench.i18n import _


def register(sub: argparse._SubParsersAction) -> None:
    """``assist``."""
    from inkbench.integrations.assist.actions import ACTIONS

    p = sub.add_parser(
        "assist",
        help=_("run an assistant on a chapter or article (continue, polish, review, …)"),
    )
    p.add_argument("action", metavar="ACTION", choices=list(ACTIONS), help=", ".join(ACTIONS))
    where = p.add_mutually_exclusive_group(required=True)
    where.add_argument("--chapter", type=int, metavar="ID", help=_("the chapter to work on"))
    where.add_argument("--article", type=int, metavar="ID", help=_("the article to work on"))
    p.add_argument(
        "--range",
        metavar="START:END",
        help=_("the selection, in characters (START:START is a cursor; default: the end)"),
    )
    p.add_argument("--assistant", metavar="NAME", help=_("another assistant than the action's"))
    p.add_argument("--model", help=_("model id (default: the assistant's, then the configured)"))
    p.add_argument("--note", default="", help=_("a word to the assistant (e.g. the style)"))
    p.add_argument(
        "--apply", action="store_true", help=_("write the reply into the text as an AI revision")
    )
    p.add_argument(
        "--show-context",
        action="store_true",
        help=_("print the messages that would be sent, without calling the AI"),
    )
    p.add_argument(
        "--queue",
        action="store_true",
        help=_(
            "keep the request as a queued chat message (offline, quota spent), "
            "sent once by `inkbench chat flush`"
        ),
    )
    p.add_argument("--json", action="store_true", help=_("print JSON"))
    p.set_defaults(func=cmd_assist)


def parse_range(value: str | None) -> tuple[int | None, int | None]:
    """``START:END`` → (start, end); ``None`` → (None, None)."""
    from inkbench.storage.errors import InvalidInput

    if value is None:
        return None, None
    start, sep, end = value.partition(":")
    try:
        a = int(start)
        b = int(end) if sep else a
    except ValueError:
        raise InvalidInput(
            _("--range takes START:END in characters, e.g. 120:480; got {value!r}").format(
                value=value
            )
        ) from None
    return a, b


def cmd_assist(args: argparse.Namespace) -> int:
    """Assemble, stream, log and maybe apply."""
    from inkbench.settings import load_settings

    owner, owner_id = (
        ("chapter", args.chapter)
        if args.chapter is not None
        else (
            "article",
            args.article,
        )
    )
    start, end = parse_range(args.range)
    db = open_db(args)
    settings = load_settings(args.home)
    if args.queue:
        from inkbench.integrations.assist.run import queue_assist

        conv_id, message_id = queue_assist(
            db,
            settings,
            owner=owner,
            owner_id=owner_id,
            action=args.action,
            assistant=args.assistant,
            start=start,
            end=end,
            note=args.note,
        )
        if args.json:
            print_json({"conversation_id": conv_id, "message_id": message_id})
            return 0
        print(
            _(
                "queued as conversation {conv}: `inkbench chat flush` sends it once; "
                "`inkbench chat copy {conv}` puts the reply into the text"
            ).format(conv=conv_id)
        )
        return 0
    if args.show_context:
        from inkbench.integrations.assist.run import prepare

        ctx, _aid, model, _params = prepare(
            db,
            settings,
            owner=owner,
            owner_id=owner_id,
            action=args.action,
            assistant=args.assistant,
            start=start,
            end=end,
            model=args.model,
            note=args.note,
        )
        if args.json:
            print_json({**ctx.to_dict(), "model": model})
            return 0
        for m in ctx.messages:
            print(f"--- {m['role']} ---")
            print(m["content"])
        print("---")
        print(_("about {tokens} of {budget} tokens").format(tokens=ctx.tokens, budget=ctx.budget))
        for line in ctx.cut:
            print(_("cut: {what}").format(what=line))
        return 0

    from inkbench.integrations.ai.factory import get_provider
    from inkbench.integrations.assist.run import run_assist

    provider = get_provider(args.home, settings)
    streamed = []

    def show(piece: str) -> None:
        streamed.append(piece)
        if not args.json:
            sys.stdout.write(piece)
            sys.stdout.flush()

    try:
        result = run_assist(
            db,
            provider,
            settings,
            owner=owner,
            owner_id=owner_id,
            action=args.action,
            assistant=args.assistant,
            start=start,
            end=end,
            model=args.model,
            apply=args.apply,
            note=args.note,
            on_text=show,
        )
    finally:
        provider.close()
        if streamed and not args.json:
            print()
    if args.json:
        print_json(result.to_dict())
        return 0
    if result.applied == "text":
        print(
            _("applied as revision {revision} (request {request})").format(
                revision=result.revision_id, request=result.request_id
            ),
            file=sys.stderr,
        )
    elif result.applied == "synopsis":
        print(_("saved as the chapter's synopsis"), file=sys.stderr)
    return 0
