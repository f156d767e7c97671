"""Generation tasks from the command line: ``task``."""

from __future__ import annotations

import argparse

from inkbench.cli.core import open_db
from inkbench.cli.output import print_json
from inkbench.i18n import N_, _, aside, format_number, ngettext
from inkbench.tui.cells import pad
from inkbench.tui.vocab import status_name


def register(sub: argparse._SubParsersAction) -> None:
    """``task create|list|show|pause|resume|cancel|retry|delete``."""
    k = sub.add_parser(
        "task", help=_("generation tasks: create, list, show, pause, resume, cancel")
    )
    ksub = k.add_subparsers(title=_("task commands"), metavar="COMMAND", required=True)
    p = ksub.add_parser("create", help=_("a task writing COUNT articles from a distillation"))
    p.add_argument(
        "--distillation",
        type=int,
        required=True,
        metavar="ID",
        help=_("the distillation whose topics become articles"),
    )
    p.add_argument("--topics", metavar="ID,ID", help=_("only these topic ids (default: all)"))
    p.add_argument(
        "--setting", required=True, metavar="NAME|ID", help=_("the article setting to write with")
    )
    p.add_argument("--count", type=int, required=True, metavar="N", help=_("how many articles"))
    p.add_argument("--kb", metavar="NAME|ID", help=_("ground articles in this knowledge base"))
    p.add_argument("--album", metavar="NAME|ID", help=_("illustrate from this album"))
    p.add_argument("--target", metavar="NAME|ID", help=_("end with a call to action for this"))
    p.add_argument("--model", default="", help=_("model id (default: the configured one)"))
    p.add_argument("--name", default="", help=_("a name for the task"))
    p.add_argument("--json", action="store_true", help=_("print JSON"))
    p.set_defaults(func=cmd_task_create)
    p = ksub.add_parser("list", help=_("tasks, newest first"))
    p.add_argument(
        "--status",
        help=_("only this status (queued, running, paused, completed, failed, cancelled)"),
    )
    p.add_argument("--limit", type=int, default=50, help=_("how many (default 50)"))
    p.add_argument("--offset", type=int, default=0, help=_("skip this many"))
    p.add_argument("--json", action="store_true", help=_("print JSON"))
    p.set_defaults(func=cmd_task_list)
    p = ksub.add_parser("show", help=_("a task and its items"))
    p.add_argument("id", type=int, metavar="ID", help=_("the task"))
    p.add_argument("--json", action="store_true", help=_("print JSON"))
    p.set_defaults(func=cmd_task_show)
    for name, helptext in (
        ("pause", N_("pause a task (the running item is handed back)")),
        ("resume", N_("resume a paused task")),
        ("cancel", N_("cancel a task")),
        ("retry", N_("retry a task's failed items")),
        ("delete", N_("delete a finished task (its articles stay)")),
    ):
        p = ksub.add_parser(name, help=_(helptext))
        p.add_argument("id", type=int, metavar="ID", help=_("the task"))
        p.set_defaults(func=cmd_task_action, action=name)


def cmd_task_create(args: argparse.Namespace) -> int:
    from inkbench.storage.albums import find_album
    from inkbench.storage.article_settings import ensure_default_settings, find_setting
    from inkbench.storage.errors import InvalidInput
    from inkbench.storage.knowledge import find_kb
    from inkbench.storage.targets import find_target
    from inkbench.storage.tasks import create_task

    topic_ids = None
    if args.topics:
        try:
            topic_ids = [int(x) for x in args.topics.split(",") if x.strip()]
        except ValueError:
            raise InvalidInput(
                _("--topics takes topic ids separated by commas, e.g. 3,5,8")
            ) from None
    with open_db(args).write() as s:
        ensure_default_settings(s)
        task = create_task(
            s,
            distillation_id=args.distillation,
            setting_id=find_setting(s, args.setting).id,
            count=args.count,
            topic_ids=topic_ids,
            knowledge_base_id=find_kb(s, args.kb).id if args.kb else None,
            album_id=find_album(s, args.album).id if args.album else None,
            target_id=find_target(s, args.target).id if args.target else None,
            model=args.model,
            name=args.name,
        )
    if args.json:
        print_json({"id": task.id, "name": task.name, "status": task.status})
    else:
        print(
            ngettext(
                "task {id} queued: {name} ({n} article)",
                "task {id} queued: {name} ({n} articles)",
                task.article_count,
            ).format(id=task.id, name=task.name, n=task.article_count)
        )
        print(_("run it with `inkbench generate run`, or open the Tasks area"))
    return 0


def _status(t) -> str:
    if t.status == "paused" and t.pause_reason:
        return _("paused ({reason})").format(reason=t.pause_reason)
    return status_name(t.status)


def cmd_task_list(args: argparse.Namespace) -> int:
    from inkbench.storage.tasks import count_tasks, list_tasks

    with open_db(args).read() as s:
        rows = list_tasks(
            s, offset=max(0, args.offset), limit=max(1, args.limit), status=args.status
        )
        total = count_tasks(s, status=args.status)
    if args.json:
        print_json([r.__dict__ for r in rows])
        return 0
    for r in rows:
        print(f"{r.id:>5}  {pad(_status(r), 24)}{r.done_count:>4}/{r.article_count:<4} {r.name}")
    print(
        ngettext("{n} of {total} task", "{n} of {total} tasks", total).format(
            n=len(rows), total=format_number(total)
        )
    )
    return 0


def cmd_task_show(args: argparse.Namespace) -> int:
    from inkbench.storage.tasks import get_task, item_articles, resource_names, task_items

    with open_db(args).read() as s:
        t = get_task(s, args.id)
        names = resource_names(s, t.id)
        items = task_items(s, t.id)
        articles = item_articles(s, t.id)
    if args.json:
        print_json(
            {
                **t.model_dump(),
                # what it uses, by their names now (stored ones once purged)
                "setting_name": names.setting,
                "knowledge_base_name": names.knowledge_base,
                "album_name": names.album,
                "target_name": names.target,
                "items": [
                    {**i.model_dump(exclude={"partial_text"}), "article_id": articles.get(i.id)}
                    for i in items
                ],
            }
        )
        return 0
    print(_("task {id}: {name}").format(id=t.id, name=t.name))
    print(
        "  "
        + _("status: {status}").format(status=_status(t))
        + (f" · {t.error}" if t.error else "")
    )
    print(
        "  "
        + _("progress: {done}/{total} done, {failed} failed").format(
            done=t.done_count, total=t.article_count, failed=t.failed_count
        )
    )
    print(
        "  "
        + _("keyword: {keyword} · setting: {setting} · model: {model}").format(
            keyword=t.keyword, setting=names.setting, model=t.model or _("default")
        )
    )
    for label, value in (
        (_("knowledge base"), names.knowledge_base),
        (_("album"), names.album),
        (_("target"), names.target),
    ):
        if value:
            print("  " + _("{label}: {value}").format(label=label, value=value))
    for i in items:
        art = " → " + _("article {id}").format(id=articles[i.id]) if i.id in articles else ""
        err = aside(i.error) if i.status != "done" else ""
        print(f"  {i.position + 1:>3}. {pad(status_name(i.status), 8)}{i.topic_text}{art}{err}")
    return 0


def cmd_task_action(args: argparse.Namespace) -> int:
    from inkbench.storage import tasks as g

    with open_db(args).write() as s:
        if args.action == "pause":
            t = g.pause_task(s, args.id)
        elif args.action == "resume":
            t = g.resume_task(s, args.id)
        elif args.action == "cancel":
            t = g.cancel_task(s, args.id)
        elif args.action == "retry":
            n = g.retry_failed_items(s, args.id)
            print(
                ngettext("{n} failed item queued again", "{n} failed items queued again", n).format(
                    n=n
                )
            )
            return 0
        else:
            g.delete_task(s, args.id)
            print(_("task {id} deleted").format(id=args.id))
            return 0
    print(_("task {id}: {status}").format(id=t.id, status=_status(t)))
    return 0
