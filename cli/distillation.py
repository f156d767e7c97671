"""Distillations from the command line: ``distill`` (ask the AI for a
keyword's reader questions), ``distillation`` and ``topic``."""

from __future__ import annotations

import argparse

from inkbench.cli.core import open_db
from inkbench.cli.output import print_json
from inkbench.i18n import _, format_number, ngettext


def register(sub: argparse._SubParsersAction) -> None:
    """``distill``, ``distillation …`` and ``topic …``."""
    p = sub.add_parser("distill", help=_("ask the AI for reader questions (topics) on a keyword"))
    p.add_argument("keyword", metavar="KEYWORD", help=_("the keyword to distil"))
    p.add_argument("--model", help=_("model id (default: the configured one)"))
    p.add_argument("--count", type=int, default=10, help=_("how many topics (default 10)"))
    p.add_argument("--json", action="store_true", help=_("print JSON"))
    p.set_defaults(func=cmd_distill)

    d = sub.add_parser("distillation", help=_("list, show and delete distillations"))
    dsub = d.add_subparsers(title=_("distillation commands"), metavar="COMMAND", required=True)
    p = dsub.add_parser("list", help=_("distillations, newest first"))
    p.add_argument("--limit", type=int, default=50, help=_("how many (default 50)"))
    p.add_argument("--offset", type=int, default=0, help=_("skip this many"))
    p.add_argument("--json", action="store_true", help=_("print JSON"))
    p.set_defaults(func=cmd_distillation_list)
    p = dsub.add_parser("show", help=_("a distillation's topics"))
    p.add_argument("id", type=int, metavar="ID", help=_("the distillation"))
    p.add_argument("--json", action="store_true", help=_("print JSON"))
    p.set_defaults(func=cmd_distillation_show)
    p = dsub.add_parser("delete", help=_("delete a distillation and its topics"))
    p.add_argument("id", type=int, metavar="ID", help=_("the distillation"))
    p.set_defaults(func=cmd_distillation_delete)

    t = sub.add_parser("topic", help=_("add, edit and delete a distillation's topics"))
    tsub = t.add_subparsers(title=_("topic commands"), metavar="COMMAND", required=True)
    p = tsub.add_parser("add", help=_("add a topic to a distillation"))
    p.add_argument("distillation", type=int, metavar="DISTILLATION_ID", help=_("the distillation"))
    p.add_argument("text", metavar="QUESTION", help=_("the reader's question"))
    p.set_defaults(func=cmd_topic_add)
    p = tsub.add_parser("edit", help=_("change a topic's question"))
    p.add_argument("id", type=int, metavar="TOPIC_ID", help=_("the topic"))
    p.add_argument("text", metavar="QUESTION", help=_("the reader's question"))
    p.set_defaults(func=cmd_topic_edit)
    p = tsub.add_parser("delete", help=_("delete a topic"))
    p.add_argument("id", type=int, metavar="TOPIC_ID", help=_("the topic"))
    p.set_defaults(func=cmd_topic_delete)


def cmd_distill(args: argparse.Namespace) -> int:
    from inkbench.integrations.ai.factory import get_provider
    from inkbench.integrations.generation.distill import distill

    db = open_db(args)
    provider = get_provider(args.home)
    try:
        result = distill(db, provider, args.keyword, model=args.model, count=args.count)
    finally:
        provider.close()
    if args.json:
        print_json(result.__dict__)
        return 0
    print(
        _("distillation {distillation_id}: {keyword}").format(
            distillation_id=result.distillation_id, keyword=result.keyword
        )
    )
    for n, q in enumerate(result.topics, 1):
        print(f"  {n:>2}. {q}")
    return 0


def cmd_distillation_list(args: argparse.Namespace) -> int:
    from inkbench.storage.distillations import count_distillations, list_distillations

    db = open_db(args)
    with db.read() as s:
        rows = list_distillations(s, offset=max(0, args.offset), limit=max(1, args.limit))
        total = count_distillations(s)
    if args.json:
        print_json([r.__dict__ for r in rows])
        return 0
    for r in rows:
        print(
            "{id:>5}  {topics:>10}  {keyword}".format(
                id=r.id,
                topics=ngettext("{n} topic", "{n} topics", r.topics).format(n=r.topics),
                keyword=r.keyword,
            )
        )
    print(
        ngettext("{n} of {total} distillation", "{n} of {total} distillations", total).format(
            n=len(rows), total=format_number(total)
        )
    )
    return 0


def cmd_distillation_show(args: argparse.Namespace) -> int:
    from inkbench.storage.distillations import get_distillation, list_topics

    db = open_db(args)
    with db.read() as s:
        d = get_distillation(s, args.id)
        topics = list_topics(s, d.id)
    if args.json:
        print_json(
            {
                "id": d.id,
                "keyword": d.keyword,
                "topics": [{"id": t.id, "question": t.question} for t in topics],
            }
        )
        return 0
    print(_("distillation {id}: {keyword}").format(id=d.id, keyword=d.keyword))
    for t in topics:
        print("  " + _("topic {id:>5}: {question}").format(id=t.id, question=t.question))
    return 0


def cmd_distillation_delete(args: argparse.Namespace) -> int:
    from inkbench.storage.distillations import delete_distillation

    with open_db(args).write() as s:
        delete_distillation(s, args.id)
    print(_("distillation {id} deleted").format(id=args.id))
    return 0


def cmd_topic_add(args: argparse.Namespace) -> int:
    from inkbench.storage.distillations import add_topic

    with open_db(args).write() as s:
        t = add_topic(s, args.distillation, args.text)
    print(_("topic {id} added").format(id=t.id))
    return 0


def cmd_topic_edit(args: argparse.Namespace) -> int:
    from inkbench.storage.distillations import edit_topic

    with open_db(args).write() as s:
        edit_topic(s, args.id, args.text)
    print(_("topic {id} changed").format(id=args.id))
    return 0


def cmd_topic_delete(args: argparse.Namespace) -> int:
    from inkbench.storage.distillations import delete_topic

    with open_db(args).write() as s:
        delete_topic(s, args.id)
    print(_("topic {id} deleted").format(id=args.id))
    return 0
