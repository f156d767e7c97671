"""Article settings (prompt templates) from the command line: ``setting``."""

from __future__ import annotations

import argparse

from inkbench.cli.core import open_db
from inkbench.cli.output import print_json
from inkbench.i18n import N_, _, format_words


def register(sub: argparse._SubParsersAction) -> None:
    """``setting list|show|preview|add|edit|delete``."""
    s = sub.add_parser("setting", help=_("article settings (prompt templates)"))
    ssub = s.add_subparsers(title=_("setting commands"), metavar="COMMAND", required=True)
    p = ssub.add_parser("list", help=_("settings (the shipped defaults are added if missing)"))
    p.add_argument("--json", action="store_true", help=_("print JSON"))
    p.set_defaults(func=cmd_setting_list)
    p = ssub.add_parser("show", help=_("a setting's fields"))
    p.add_argument("name", metavar="NAME|ID", help=_("the setting"))
    p.add_argument("--json", action="store_true", help=_("print JSON"))
    p.set_defaults(func=cmd_setting_show)
    p = ssub.add_parser("preview", help=_("the final prompt a setting produces"))
    p.add_argument("name", metavar="NAME|ID", help=_("the setting"))
    p.add_argument("--keyword", default="(keyword)", help=_("the keyword to fill in"))
    p.add_argument("--topic", default="(a reader's question)", help=_("the topic to fill in"))
    p.add_argument("--target", metavar="NAME|ID", help=_("end with a call to action for this"))
    p.add_argument("--kb", metavar="NAME|ID", help=_("fill the sources from this knowledge base"))
    p.set_defaults(func=cmd_setting_preview)
    p = ssub.add_parser("add", help=_("a new setting"))
    p.add_argument("name", metavar="NAME", help=_("the new setting's name"))
    _setting_fields(p)
    p.set_defaults(func=cmd_setting_add)
    p = ssub.add_parser("edit", help=_("change a setting"))
    p.add_argument("name", metavar="NAME|ID", help=_("the setting"))
    p.add_argument("--rename", metavar="NEW_NAME", help=_("give it this name"))
    _setting_fields(p)
    p.set_defaults(func=cmd_setting_edit)
    p = ssub.add_parser("delete", help=_("delete a setting"))
    p.add_argument("name", metavar="NAME|ID", help=_("the setting"))
    p.set_defaults(func=cmd_setting_delete)


def _setting_fields(p: argparse.ArgumentParser) -> None:
    p.add_argument("--style", help=_("the tone and voice"))
    p.add_argument("--length", type=int, help=_("target length in words (CJK characters count 1)"))
    p.add_argument("--language", help=_("zh, en, ..."))
    p.add_argument("--structure", help=_("how the article is built"))
    p.add_argument("--extra", dest="extra_instructions", help=_("anything else the AI must follow"))
    p.add_argument("--template", help=_("the prompt, with {{topic}}, {{sources}} … placeholders"))


def _fields(args: argparse.Namespace) -> dict:
    keys = ("style", "length", "language", "structure", "extra_instructions", "template")
    return {k: getattr(args, k) for k in keys if getattr(args, k) is not None}


def cmd_setting_list(args: argparse.Namespace) -> int:
    from inkbench.storage.article_settings import ensure_default_settings, list_settings

    with open_db(args).write() as s:
        ensure_default_settings(s)
        rows = list_settings(s)
    if args.json:
        print_json([r.model_dump() for r in rows])
        return 0
    for r in rows:
        print(f"{r.id:>4}  {r.language:<3} {format_words(r.length):>12}  {r.name}")
    return 0


#: the fields ``setting show`` prints, as people call them
SHOWN_FIELDS = {
    "id": N_("id"),
    "name": N_("name"),
    "style": N_("style"),
    "length": N_("length"),
    "language": N_("language"),
    "structure": N_("structure"),
    "extra_instructions": N_("extra instructions"),
}


def cmd_setting_show(args: argparse.Namespace) -> int:
    from inkbench.storage.article_settings import ensure_default_settings, find_setting

    with open_db(args).write() as s:
        ensure_default_settings(s)
        r = find_setting(s, args.name)
    if args.json:
        print_json(r.model_dump())
        return 0
    for key, label in SHOWN_FIELDS.items():
        print(_("{label}: {value}").format(label=_(label), value=getattr(r, key)))
    print(
        _("{label}: {value}").format(
            label=_("template"),
            value=r.template or _("(the default: assets/prompts/template.md)"),
        )
    )
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
    print(_("setting {id} added: {name}").format(id=r.id, name=r.name))
    return 0


def cmd_setting_edit(args: argparse.Namespace) -> int:
    from inkbench.storage.article_settings import find_setting, update_setting

    fields = _fields(args)
    if args.rename:
        fields["name"] = args.rename
    with open_db(args).write() as s:
        r = update_setting(s, find_setting(s, args.name).id, **fields)
    print(_("setting {id} changed: {name}").format(id=r.id, name=r.name))
    return 0


def cmd_setting_delete(args: argparse.Namespace) -> int:
    from inkbench.storage.article_settings import delete_setting, find_setting

    with open_db(args).write() as s:
        r = find_setting(s, args.name)
        delete_setting(s, r.id)
    print(_('setting "{name}" deleted').format(name=r.name))
    return 0
