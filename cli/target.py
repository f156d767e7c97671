"""Conversion targets (the call to action) from the command line: ``target``."""

from __future__ import annotations

import argparse

from inkbench.cli.core import open_db
from inkbench.cli.output import print_json
from inkbench.i18n import _


def register(sub: argparse._SubParsersAction) -> None:
    """``target add|list|delete``."""
    g = sub.add_parser("target", help=_("conversion targets (the call to action)"))
    gsub = g.add_subparsers(title=_("target commands"), metavar="COMMAND", required=True)
    p = gsub.add_parser("add", help=_("a company or product articles promote"))
    p.add_argument("name", metavar="NAME", help=_("the target's name"))
    p.add_argument("--pitch", default="", help=_("what it offers, in a sentence"))
    p.add_argument("--site", default="", help=_("its website"))
    p.add_argument("--contact", default="", help=_("how to reach it"))
    p.set_defaults(func=cmd_target_add)
    p = gsub.add_parser("list", help=_("conversion targets"))
    p.add_argument("--json", action="store_true", help=_("print JSON"))
    p.set_defaults(func=cmd_target_list)
    p = gsub.add_parser("delete", help=_("delete a conversion target"))
    p.add_argument("name", metavar="NAME|ID", help=_("the target"))
    p.set_defaults(func=cmd_target_delete)


def cmd_target_add(args: argparse.Namespace) -> int:
    from inkbench.storage.targets import create_target

    with open_db(args).write() as s:
        t = create_target(s, args.name, pitch=args.pitch, site=args.site, contact=args.contact)
    print(_("target {id} added: {name}").format(id=t.id, name=t.name))
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
    print(_('target "{name}" deleted').format(name=t.name))
    return 0
