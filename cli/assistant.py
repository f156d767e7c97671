"""``inkbench assistant list | show | add | edit | export | import``."""

from __future__ import annotations

import argparse
from pathlib import Path

from inkbench.cli.core import open_db
from inkbench.cli.output import print_json
from inkbench.i18n import _


def register(sub: argparse._SubParsersAction) -> None:
    """``assistant …``."""
    a = sub.add_parser("assistant", help=_("the AI assistants: list, show, add, edit, share"))
    asub = a.add_subparsers(title=_("assistant commands"), metavar="COMMAND", required=True)
    p = asub.add_parser("list", help=_("every assistant, with its uses"))
    p.add_argument("--json", action="store_true", help=_("print JSON"))
    p.set_defaults(func=cmd_list)
    p = asub.add_parser("show", help=_("an assistant's prompt and parameters"))
    p.add_argument("name", metavar="NAME", help=_("the assistant's name"))
    p.add_argument("--json", action="store_true", help=_("print JSON"))
    p.set_defaults(func=cmd_show)
    for verb, helptext in (
        ("add", _("a new assistant")),
        ("edit", _("change an assistant")),
    ):
        p = asub.add_parser(verb, help=helptext)
        p.add_argument("name", metavar="NAME", help=_("the assistant's name"))
        p.add_argument("--prompt", help=_("the system prompt"))
        p.add_argument("--prompt-zh", help=_("the system prompt for Chinese text"))
        p.add_argument("--title", help=_("the name shown in lists"))
        p.add_argument("--description", help=_("what it is for"))
        p.add_argument("--temperature", type=float, help=_("0 to 2"))
        p.add_argument("--max-tokens", type=int, help=_("longest reply, in tokens"))
        p.add_argument("--model", help=_("preferred model"))
        if verb == "edit":
            p.add_argument("--rename", metavar="NEW", help=_("a new name"))
        p.set_defaults(func=cmd_add if verb == "add" else cmd_edit)
    p = asub.add_parser("export", help=_("write an assistant to a TOML file to share"))
    p.add_argument("name", metavar="NAME", help=_("the assistant's name"))
    p.add_argument("--out", required=True, metavar="FILE", help=_("the file to write"))
    p.set_defaults(func=cmd_export)
    p = asub.add_parser("import", help=_("add an assistant from a TOML file"))
    p.add_argument("file", metavar="FILE", help=_("an assistant TOML file"))
    p.set_defaults(func=cmd_import)


def _changes(args: argparse.Namespace) -> dict:
    out = {}
    for arg, key in (
        ("prompt", "system_prompt"),
        ("prompt_zh", "system_prompt_zh"),
        ("title", "title"),
        ("description", "description"),
        ("temperature", "temperature"),
        ("max_tokens", "max_tokens"),
        ("model", "model"),
        ("rename", "name"),
    ):
        value = getattr(args, arg, None)
        if value is not None:
            out[key] = value
    return out


def cmd_list(args: argparse.Namespace) -> int:
    """Print every assistant."""
    from inkbench.storage.assistants import list_assistants

    with open_db(args).write() as s:
        rows = list_assistants(s)
    if args.json:
        print_json(
            [
                {
                    "id": r.id,
                    "name": r.name,
                    "title": r.title,
                    "title_zh": r.title_zh,
                    "builtin": r.builtin,
                    "uses": r.uses,
                }
                for r in rows
            ]
        )
        return 0
    for r in rows:
        title = " / ".join(t for t in (r.title, r.title_zh) if t)
        kind = _("built-in") if r.builtin else _("yours")
        print(f"{r.name:<16} {title:<28} {kind:<9} {r.uses:>5}")
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    """Print one assistant as its TOML file holds it."""
    from inkbench.storage.assistants import get_assistant, to_dict, to_toml

    with open_db(args).write() as s:
        row = get_assistant(s, args.name)
    if args.json:
        print_json({**to_dict(row), "builtin": row.builtin, "uses": row.uses})
        return 0
    print(to_toml(row), end="")
    return 0


def cmd_add(args: argparse.Namespace) -> int:
    """Add an assistant from the options."""
    from inkbench.storage.assistants import add_assistant, parse_spec

    spec = parse_spec({"name": args.name, **_changes(args)}, _("the options"))
    with open_db(args).write() as s:
        row = add_assistant(s, spec)
    print(_("assistant {name} added").format(name=row.name))
    return 0


def cmd_edit(args: argparse.Namespace) -> int:
    """Change an assistant's keys."""
    from inkbench.storage.assistants import edit_assistant
    from inkbench.storage.errors import InvalidInput

    changes = _changes(args)
    if not changes:
        raise InvalidInput(_("nothing to change; pass --prompt, --title, … (see --help)"))
    with open_db(args).write() as s:
        row = edit_assistant(s, args.name, changes)
    print(_("assistant {name} changed").format(name=row.name))
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    """Write an assistant to a TOML file."""
    from inkbench.storage.assistants import get_assistant, to_toml
    from inkbench.storage.errors import InvalidInput

    with open_db(args).write() as s:
        row = get_assistant(s, args.name)
        text = to_toml(row)
    out = Path(args.out)
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as e:
        raise InvalidInput(
            _("cannot write {path} ({error})").format(path=out, error=e.strerror)
        ) from None
    print(_("assistant {name} written to {path}").format(name=row.name, path=out))
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    """Add an assistant from a TOML file."""
    from inkbench.storage.assistants import add_assistant, read_spec

    spec = read_spec(Path(args.file))
    with open_db(args).write() as s:
        row = add_assistant(s, spec)
    print(_("assistant {name} imported").format(name=row.name))
    return 0
