"""Generation from the command line: ``distill``, ``distillation``, ``topic``,
``setting``, ``target``, ``task`` and ``generate run``."""

from __future__ import annotations

import argparse
import signal
import sys

from inkbench.cli.core import open_db
from inkbench.cli.output import print_json, warn


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("distill", help="ask the AI for reader questions (topics) on a keyword")
    p.add_argument("keyword", metavar="KEYWORD")
    p.add_argument("--model", help="model id (default: the configured one)")
    p.add_argument("--count", type=int, default=10, help="how many topics (default 10)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_distill)

    d = sub.add_parser("distillation", help="list, show and delete distillations")
    dsub = d.add_subparsers(title="distillation commands", metavar="COMMAND", required=True)
    p = dsub.add_parser("list", help="distillations, newest first")
    p.add_argument("--limit", type=int, default=50)
    p.add_argument("--offset", type=int, default=0)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_distillation_list)
    p = dsub.add_parser("show", help="a distillation's topics")
    p.add_argument("id", type=int, metavar="ID")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_distillation_show)
    p = dsub.add_parser("delete", help="delete a distillation and its topics")
    p.add_argument("id", type=int, metavar="ID")
    p.set_defaults(func=cmd_distillation_delete)

    t = sub.add_parser("topic", help="add, edit and delete a distillation's topics")
    tsub = t.add_subparsers(title="topic commands", metavar="COMMAND", required=True)
    p = tsub.add_parser("add", help="add a topic to a distillation")
    p.add_argument("distillation", type=int, metavar="DISTILLATION_ID")
    p.add_argument("text", metavar="QUESTION")
    p.set_defaults(func=cmd_topic_add)
    p = tsub.add_parser("edit", help="change a topic's question")
    p.add_argument("id", type=int, metavar="TOPIC_ID")
    p.add_argument("text", metavar="QUESTION")
    p.set_defaults(func=cmd_topic_edit)
    p = tsub.add_parser("delete", help="delete a topic")
    p.add_argument("id", type=int, metavar="TOPIC_ID")
    p.set_defaults(func=cmd_topic_delete)

    s = sub.add_parser("setting", help="article settings (prompt templates)")
    ssub = s.add_subparsers(title="setting commands", metavar="COMMAND", required=True)
    p = ssub.add_parser("list", help="settings (the shipped defaults are added if missing)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_setting_list)
    p = ssub.add_parser("show", help="a setting's fields")
    p.add_argument("name", metavar="NAME|ID")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_setting_show)
    p = ssub.add_parser("preview", help="the final prompt a setting produces")
    p.add_argument("name", metavar="NAME|ID")
    p.add_argument("--keyword", default="(keyword)")
    p.add_argument("--topic", default="(a reader's question)")
    p.add_argument("--target", metavar="NAME|ID")
    p.add_argument("--kb", metavar="NAME|ID", help="fill the sources from this knowledge base")
    p.set_defaults(func=cmd_setting_preview)
    p = ssub.add_parser("add", help="a new setting")
    p.add_argument("name", metavar="NAME")
    _setting_fields(p)
    p.set_defaults(func=cmd_setting_add)
    p = ssub.add_parser("edit", help="change a setting")
    p.add_argument("name", metavar="NAME|ID")
    p.add_argument("--rename", metavar="NEW_NAME")
    _setting_fields(p)
    p.set_defaults(func=cmd_setting_edit)
    p = ssub.add_parser("delete", help="delete a setting")
    p.add_argument("name", metavar="NAME|ID")
    p.set_defaults(func=cmd_setting_delete)

    g = sub.add_parser("target", help="conversion targets (the call to action)")
    gsub = g.add_subparsers(title="target commands", metavar="COMMAND", required=True)
    p = gsub.add_parser("add", help="a company or product articles promote")
    p.add_argument("name", metavar="NAME")
    p.add_argument("--pitch", default="")
    p.add_argument("--site", default="")
    p.add_argument("--contact", default="")
    p.set_defaults(func=cmd_target_add)
    p = gsub.add_parser("list", help="conversion targets")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_target_list)
    p = gsub.add_parser("delete", help="delete a conversion target")
    p.add_argument("name", metavar="NAME|ID")
    p.set_defaults(func=cmd_target_delete)

    k = sub.add_parser("task", help="generation tasks: create, list, show, pause, resume, cancel")
    ksub = k.add_subparsers(title="task commands", metavar="COMMAND", required=True)
    p = ksub.add_parser("create", help="a task writing COUNT articles from a distillation")
    p.add_argument("--distillation", type=int, required=True, metavar="ID")
    p.add_argument("--topics", metavar="ID,ID", help="only these topic ids (default: all)")
    p.add_argument("--setting", required=True, metavar="NAME|ID")
    p.add_argument("--count", type=int, required=True, metavar="N")
    p.add_argument("--kb", metavar="NAME|ID", help="ground articles in this knowledge base")
    p.add_argument("--album", metavar="NAME|ID", help="illustrate from this album")
    p.add_argument("--target", metavar="NAME|ID", help="end with a call to action for this")
    p.add_argument("--model", default="", help="model id (default: the configured one)")
    p.add_argument("--name", default="", help="a name for the task")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_task_create)
    p = ksub.add_parser("list", help="tasks, newest first")
    p.add_argument("--status")
    p.add_argument("--limit", type=int, default=50)
    p.add_argument("--offset", type=int, default=0)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_task_list)
    p = ksub.add_parser("show", help="a task and its items")
    p.add_argument("id", type=int, metavar="ID")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_task_show)
    for name, helptext in (
        ("pause", "pause a task (the running item is handed back)"),
        ("resume", "resume a paused task"),
        ("cancel", "cancel a task"),
        ("retry", "retry a task's failed items"),
        ("delete", "delete a finished task (its articles stay)"),
    ):
        p = ksub.add_parser(name, help=helptext)
        p.add_argument("id", type=int, metavar="ID")
        p.set_defaults(func=cmd_task_action, action=name)

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


def _setting_fields(p: argparse.ArgumentParser) -> None:
    p.add_argument("--style")
    p.add_argument("--length", type=int, help="target length in words (CJK characters count 1)")
    p.add_argument("--language", help="zh, en, ...")
    p.add_argument("--structure")
    p.add_argument("--extra", dest="extra_instructions")
    p.add_argument("--template", help="the prompt, with {{topic}}, {{sources}} … placeholders")


def _fields(args: argparse.Namespace) -> dict:
    keys = ("style", "length", "language", "structure", "extra_instructions", "template")
    return {k: getattr(args, k) for k in keys if getattr(args, k) is not None}


def _provider(args: argparse.Namespace):
    from inkbench.integrations.ai.provider import get_provider

    return get_provider(args.home)


# --- distillations and topics ------------------------------------------------------------


def cmd_distill(args: argparse.Namespace) -> int:
    from inkbench.integrations.generation.distill import distill

    db = open_db(args)
    provider = _provider(args)
    try:
        result = distill(db, provider, args.keyword, model=args.model, count=args.count)
    finally:
        provider.close()
    if args.json:
        print_json(result.__dict__)
        return 0
    print(f"distillation {result.distillation_id}: {result.keyword}")
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
        print(f"{r.id:>5}  {r.topics:>3} topics  {r.keyword}")
    print(f"{len(rows)} of {total} distillation(s)")
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
    print(f"distillation {d.id}: {d.keyword}")
    for t in topics:
        print(f"  topic {t.id:>5}: {t.question}")
    return 0


def cmd_distillation_delete(args: argparse.Namespace) -> int:
    from inkbench.storage.distillations import delete_distillation

    with open_db(args).write() as s:
        delete_distillation(s, args.id)
    print(f"distillation {args.id} deleted")
    return 0


def cmd_topic_add(args: argparse.Namespace) -> int:
    from inkbench.storage.distillations import add_topic

    with open_db(args).write() as s:
        t = add_topic(s, args.distillation, args.text)
    print(f"topic {t.id} added")
    return 0


def cmd_topic_edit(args: argparse.Namespace) -> int:
    from inkbench.storage.distillations import edit_topic

    with open_db(args).write() as s:
        edit_topic(s, args.id, args.text)
    print(f"topic {args.id} changed")
    return 0


def cmd_topic_delete(args: argparse.Namespace) -> int:
    from inkbench.storage.distillations import delete_topic

    with open_db(args).write() as s:
        delete_topic(s, args.id)
    print(f"topic {args.id} deleted")
    return 0


# --- settings and targets --------------------------------------------------------------------


def cmd_setting_list(args: argparse.Namespace) -> int:
    from inkbench.storage.article_settings import ensure_default_settings, list_settings

    with open_db(args).write() as s:
        ensure_default_settings(s)
        rows = list_settings(s)
    if args.json:
        print_json([r.model_dump() for r in rows])
        return 0
    for r in rows:
        print(f"{r.id:>4}  {r.language:<3} {r.length:>6}w  {r.name}")
    return 0


def cmd_setting_show(args: argparse.Namespace) -> int:
    from inkbench.storage.article_settings import ensure_default_settings, find_setting

    with open_db(args).write() as s:
        ensure_default_settings(s)
        r = find_setting(s, args.name)
    if args.json:
        print_json(r.model_dump())
        return 0
    for k in ("id", "name", "style", "length", "language", "structure", "extra_instructions"):
        print(f"{k}: {getattr(r, k)}")
    print(f"template: {r.template or '(the default: assets/prompts/template.md)'}")
    return 0


def cmd_setting_preview(args: argparse.Namespace) -> int:
    from inkbench.integrations.generation.prompts import preview_prompt as preview
    from inkbench.storage.article_settings import ensure_default_settings, find_setting
    from inkbench.storage.knowledge import find_kb, retrieve
    from inkbench.storage.targets import find_target

    db = open_db(args)
    with db.write() as s:
        ensure_default_settings(s)
        setting = find_setting(s, args.name)
        target = find_target(s, args.target) if args.target else None
        kb = find_kb(s, args.kb) if args.kb else None
    sources = []
    if kb is not None:
        with db.raw(write=False) as conn:
            sources = retrieve(conn, kb.id, f"{args.keyword} {args.topic}")
    with db.read() as s:
        print(
            preview(
                s,
                setting.id,
                keyword=args.keyword,
                topic=args.topic,
                target_id=target.id if target else None,
                sources=sources,
            )
        )
    return 0


def cmd_setting_add(args: argparse.Namespace) -> int:
    from inkbench.storage.article_settings import create_setting

    with open_db(args).write() as s:
        r = create_setting(s, args.name, **_fields(args))
    print(f"setting {r.id} added: {r.name}")
    return 0


def cmd_setting_edit(args: argparse.Namespace) -> int:
    from inkbench.storage.article_settings import find_setting, update_setting

    fields = _fields(args)
    if args.rename:
        fields["name"] = args.rename
    with open_db(args).write() as s:
        r = update_setting(s, find_setting(s, args.name).id, **fields)
    print(f"setting {r.id} changed: {r.name}")
    return 0


def cmd_setting_delete(args: argparse.Namespace) -> int:
    from inkbench.storage.article_settings import delete_setting, find_setting

    with open_db(args).write() as s:
        r = find_setting(s, args.name)
        delete_setting(s, r.id)
    print(f'setting "{r.name}" deleted')
    return 0


def cmd_target_add(args: argparse.Namespace) -> int:
    from inkbench.storage.targets import create_target

    with open_db(args).write() as s:
        t = create_target(s, args.name, pitch=args.pitch, site=args.site, contact=args.contact)
    print(f"target {t.id} added: {t.name}")
    return 0


def cmd_target_list(args: argparse.Namespace) -> int:
    from inkbench.storage.targets import list_targets

    with open_db(args).read() as s:
        rows = list_targets(s)
    if args.json:
        print_json([r.model_dump() for r in rows])
        return 0
    for r in rows:
        extra = " · ".join(x for x in (r.pitch, r.site, r.contact) if x)
        print(f"{r.id:>4}  {r.name}" + (f"  ({extra})" if extra else ""))
    return 0


def cmd_target_delete(args: argparse.Namespace) -> int:
    from inkbench.storage.targets import delete_target, find_target

    with open_db(args).write() as s:
        t = find_target(s, args.name)
        delete_target(s, t.id)
    print(f'target "{t.name}" deleted')
    return 0


# --- tasks ------------------------------------------------------------------------------------


def find_album(session, name_or_id: str):
    from sqlmodel import select

    from inkbench.storage.errors import NotFound
    from inkbench.storage.models import Album

    if str(name_or_id).isdigit():
        a = session.get(Album, int(name_or_id))
        if a is not None and a.deleted_at is None:
            return a
    a = session.exec(
        select(Album).where(Album.name == str(name_or_id), Album.deleted_at.is_(None))
    ).first()
    if a is None:
        raise NotFound(f'no album "{name_or_id}"; `inkbench album list` shows them')
    return a


def cmd_task_create(args: argparse.Namespace) -> int:
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
            raise InvalidInput("--topics takes topic ids separated by commas, e.g. 3,5,8") from None
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
        print(f"task {task.id} queued: {task.name} ({task.article_count} article(s))")
        print("run it with `inkbench generate run`, or open the Tasks area")
    return 0


def _status(t) -> str:
    if t.status == "paused" and t.pause_reason:
        return f"paused ({t.pause_reason})"
    return t.status


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
        print(f"{r.id:>5}  {_status(r):<24} {r.done_count:>4}/{r.article_count:<4} {r.name}")
    print(f"{len(rows)} of {total} task(s)")
    return 0


def cmd_task_show(args: argparse.Namespace) -> int:
    from inkbench.storage.tasks import get_task, item_articles, task_items

    with open_db(args).read() as s:
        t = get_task(s, args.id)
        items = task_items(s, t.id)
        articles = item_articles(s, t.id)
    if args.json:
        print_json(
            {
                **t.model_dump(),
                "items": [
                    {**i.model_dump(exclude={"partial_text"}), "article_id": articles.get(i.id)}
                    for i in items
                ],
            }
        )
        return 0
    print(f"task {t.id}: {t.name}")
    print(f"  status: {_status(t)}" + (f" · {t.error}" if t.error else ""))
    print(f"  progress: {t.done_count}/{t.article_count} done, {t.failed_count} failed")
    print(f"  keyword: {t.keyword} · setting: {t.setting_name} · model: {t.model or 'default'}")
    for label, value in (
        ("knowledge base", t.knowledge_base_name),
        ("album", t.album_name),
        ("target", t.target_name),
    ):
        if value:
            print(f"  {label}: {value}")
    for i in items:
        art = f" → article {articles[i.id]}" if i.id in articles else ""
        err = f" ({i.error})" if i.error and i.status != "done" else ""
        print(f"  {i.position + 1:>3}. {i.status:<8} {i.topic_text}{art}{err}")
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
            print(f"{n} failed item(s) queued again")
            return 0
        else:
            g.delete_task(s, args.id)
            print(f"task {args.id} deleted")
            return 0
    print(f"task {t.id}: {_status(t)}")
    return 0


# --- the runner ---------------------------------------------------------------------------------


def cmd_generate_run(args: argparse.Namespace) -> int:
    from inkbench.integrations.generation.runner import Runner

    db = open_db(args)
    provider = _provider(args)
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
