"""``inkbench chat list | new | send | show | flush | export | edit |
regenerate | copy``: conversations kept only on this machine, with an
offline queue; an edit or a regenerate is a new message (its own
Idempotency-Key) that supersedes the ones it replaces."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from inkbench.cli.core import open_db
from inkbench.cli.output import print_json
from inkbench.i18n import _, ngettext
from inkbench.tui.vocab import speaker_name, status_name


def register(sub: argparse._SubParsersAction) -> None:
    """``chat …``."""
    c = sub.add_parser("chat", help=_("conversations with the AI, kept only on this machine"))
    csub = c.add_subparsers(title=_("chat commands"), metavar="COMMAND", required=True)
    p = csub.add_parser("list", help=_("conversations, the latest first"))
    p.add_argument("--json", action="store_true", help=_("print JSON"))
    p.set_defaults(func=cmd_list)
    p = csub.add_parser("new", help=_("start a conversation"))
    bind = p.add_mutually_exclusive_group()
    bind.add_argument("--work", type=int, metavar="ID", help=_("about a work"))
    bind.add_argument("--chapter", type=int, metavar="ID", help=_("about a chapter"))
    bind.add_argument("--article", type=int, metavar="ID", help=_("about an article"))
    bind.add_argument("--kb", type=int, metavar="ID", help=_("about a knowledge base"))
    p.add_argument("--title", default="", help=_("its title"))
    p.add_argument("--assistant", metavar="NAME", help=_("answer as this assistant"))
    p.set_defaults(func=cmd_new)
    p = csub.add_parser("send", help=_("send a message (queued while offline)"))
    p.add_argument("conversation", type=int, metavar="CONV", help=_("the conversation's id"))
    p.add_argument("text", metavar="TEXT", help=_("the message"))
    p.add_argument(
        "--attach",
        action="append",
        default=[],
        metavar="KIND:ID",
        help=_(
            "send this with the message (repeatable): chapter:ID, article:ID, character:ID, "
            "world:ID or kb:ID (a knowledge passage)"
        ),
    )
    p.add_argument("--model", help=_("model id (default: the configured one)"))
    p.set_defaults(func=cmd_send)
    p = csub.add_parser(
        "edit", help=_("edit an earlier message and send it again (later ones are superseded)")
    )
    p.add_argument("conversation", type=int, metavar="CONV", help=_("the conversation's id"))
    p.add_argument(
        "message", type=int, metavar="MSG", help=_("the message's id (see `inkbench chat show`)")
    )
    p.add_argument("text", metavar="TEXT", help=_("the new text"))
    p.add_argument("--model", help=_("model id (default: the configured one)"))
    p.set_defaults(func=cmd_edit)
    p = csub.add_parser("regenerate", help=_("ask again for the last reply (or --reply ID)"))
    p.add_argument("conversation", type=int, metavar="CONV", help=_("the conversation's id"))
    p.add_argument("--reply", type=int, metavar="ID", help=_("the reply to ask again for"))
    p.add_argument("--model", help=_("model id (default: the configured one)"))
    p.set_defaults(func=cmd_regenerate)
    p = csub.add_parser("copy", help=_("copy a reply into a chapter or article as a new revision"))
    p.add_argument("conversation", type=int, metavar="CONV", help=_("the conversation's id"))
    p.add_argument("--reply", type=int, metavar="ID", help=_("the reply (default: the last one)"))
    target = p.add_mutually_exclusive_group()
    target.add_argument("--chapter", type=int, metavar="ID", help=_("into this chapter"))
    target.add_argument("--article", type=int, metavar="ID", help=_("into this article"))
    p.add_argument(
        "--replace", action="store_true", help=_("replace the text instead of adding after it")
    )
    p.set_defaults(func=cmd_copy)
    p = csub.add_parser("show", help=_("a conversation's messages"))
    p.add_argument("conversation", type=int, metavar="CONV", help=_("the conversation's id"))
    p.add_argument("--json", action="store_true", help=_("print JSON"))
    p.set_defaults(func=cmd_show)
    p = csub.add_parser("flush", help=_("send the queued messages, in order"))
    p.add_argument("--model", help=_("model id (default: the configured one)"))
    p.set_defaults(func=cmd_flush)
    p = csub.add_parser("export", help=_("write a conversation as Markdown"))
    p.add_argument("conversation", type=int, metavar="CONV", help=_("the conversation's id"))
    p.add_argument("--out", required=True, metavar="FILE", help=_("the file to write"))
    p.set_defaults(func=cmd_export)


def cmd_list(args: argparse.Namespace) -> int:
    """Print the conversations."""
    from inkbench.storage.chat import list_conversations

    with open_db(args).read() as s:
        rows = list_conversations(s)
    if args.json:
        print_json([{**r.__dict__, "updated_at": r.updated_at.isoformat()} for r in rows])
        return 0
    for r in rows:
        queued = _("{n} queued").format(n=r.queued) if r.queued else ""
        print(f"{r.id:>5}  {r.messages:>4}  {r.bound_to:<14} {r.title}  {queued}".rstrip())
    print(ngettext("{n} conversation", "{n} conversations", len(rows)).format(n=len(rows)))
    return 0


def cmd_new(args: argparse.Namespace) -> int:
    """Create a conversation."""
    from inkbench.integrations.assist.chat import assistant_id_for
    from inkbench.storage.chat import create_conversation

    db = open_db(args)
    assistant_id = assistant_id_for(db, args.assistant)
    with db.write() as s:
        conv = create_conversation(
            s,
            args.title,
            work_id=args.work,
            chapter_id=args.chapter,
            article_id=args.article,
            knowledge_base_id=args.kb,
            assistant_id=assistant_id,
        )
    print(_("conversation {id}: {title}").format(id=conv.id, title=conv.title))
    return 0


def _flush(args: argparse.Namespace, conversation_id: int | None) -> int:
    from inkbench.integrations.ai.factory import get_provider
    from inkbench.integrations.assist.chat import flush
    from inkbench.settings import load_settings

    db = open_db(args)
    settings = load_settings(args.home)
    provider = get_provider(args.home, settings)
    current = [None]

    def show(message_id: int, piece: str) -> None:
        if current[0] != message_id:
            if current[0] is not None:
                print()
            current[0] = message_id
        sys.stdout.write(piece)
        sys.stdout.flush()

    try:
        result = flush(
            db,
            provider,
            settings,
            conversation_id=conversation_id,
            model=getattr(args, "model", None),
            on_text=show,
        )
    finally:
        provider.close()
        if current[0] is not None:
            print()
    for message_id in result.failed:
        print(_("message {id} was refused and not sent").format(id=message_id), file=sys.stderr)
    if result.stopped_by:
        print(
            ngettext(
                "{n} message queued; `inkbench chat flush` sends it when the server answers "
                "({why})",
                "{n} messages queued; `inkbench chat flush` sends them when the server answers "
                "({why})",
                result.waiting,
            ).format(n=result.waiting, why=result.stopped_by)
        )
    return 0


def cmd_send(args: argparse.Namespace) -> int:
    """Queue a message (with its attachments), then send what is queued in
    its conversation."""
    from inkbench.storage.chat import add_user_message
    from inkbench.storage.chat_attachments import parse_ref

    refs = [parse_ref(a) for a in args.attach]
    with open_db(args).write() as s:
        add_user_message(s, args.conversation, args.text, refs)
    return _flush(args, args.conversation)


def cmd_edit(args: argparse.Namespace) -> int:
    """Edit an earlier message and send it again."""
    from inkbench.storage.chat import edit_message

    with open_db(args).write() as s:
        new = edit_message(s, args.conversation, args.message, args.text)
        new_id = new.id
    print(_("message {old} edited as message {new}").format(old=args.message, new=new_id))
    return _flush(args, args.conversation)


def cmd_regenerate(args: argparse.Namespace) -> int:
    """Ask again for a reply."""
    from inkbench.storage.chat import regenerate

    with open_db(args).write() as s:
        regenerate(s, args.conversation, args.reply)
    return _flush(args, args.conversation)


def cmd_copy(args: argparse.Namespace) -> int:
    """Copy a reply into a chapter or article as an ``ai`` revision."""
    from inkbench.storage.ai_edits import copy_reply
    from inkbench.storage.chat import copy_target, last_reply

    with open_db(args).write() as s:
        reply_id = args.reply or last_reply(s, args.conversation)
        if args.chapter is not None:
            owner, owner_id = "chapter", args.chapter
        elif args.article is not None:
            owner, owner_id = "article", args.article
        else:
            owner, owner_id = copy_target(s, args.conversation)
        revision_id = copy_reply(s, reply_id, owner, owner_id, replace=args.replace)
    print(
        _("reply {reply} copied into {owner} {id} as revision {rev}").format(
            reply=reply_id, owner=owner, id=owner_id, rev=revision_id
        )
    )
    return 0


def cmd_flush(args: argparse.Namespace) -> int:
    """Send every queued message."""
    from inkbench.storage.chat import queued_messages

    with open_db(args).read() as s:
        waiting = len(queued_messages(s))
    if not waiting:
        print(_("nothing queued"))
        return 0
    return _flush(args, None)


def cmd_show(args: argparse.Namespace) -> int:
    """Print a conversation."""
    from inkbench.storage.chat import get_conversation, messages
    from inkbench.storage.chat_attachments import conversation_attachments, label

    with open_db(args).read() as s:
        conv = get_conversation(s, args.conversation)
        rows = messages(s, args.conversation)
        attached = conversation_attachments(s, args.conversation)
    if args.json:
        print_json(
            {
                "id": conv.id,
                "title": conv.title,
                "messages": [
                    {
                        "id": m.id,
                        "role": m.role,
                        "content": m.content,
                        "status": m.status,
                        "ai_request_id": m.ai_request_id,
                        "superseded_by": m.superseded_by,
                        "attachments": [
                            {"kind": a.kind, "id": a.ref_id, "title": a.title, "cut": a.cut}
                            for a in attached.get(m.id, [])
                        ],
                    }
                    for m in rows
                ],
            }
        )
        return 0
    print(conv.title)
    for m in rows:
        mark = "" if m.status == "done" else f" [{status_name(m.status)}]"
        if m.superseded_by is not None:
            mark += " " + _("[superseded by {id}]").format(id=m.superseded_by)
        print(f"\n{m.id} {speaker_name(m.role)}{mark}:")
        for a in attached.get(m.id, []):
            print("  + " + label(a.kind, a.ref_id, a.title, a.cut))
        print(m.content)
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    """Write a conversation as Markdown."""
    from inkbench.storage.chat import to_markdown
    from inkbench.storage.errors import InvalidInput

    with open_db(args).read() as s:
        text = to_markdown(s, args.conversation)
    out = Path(args.out)
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as e:
        raise InvalidInput(
            _("cannot write {path} ({error})").format(path=out, error=e.strerror)
        ) from None
    print(_("conversation {id} written to {path}").format(id=args.conversation, path=out))
    return 0
