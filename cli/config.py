"""``inkbench config show | path``: the effective settings and where each came
from, and the file that holds them. ``load(args)`` is how every command reads
the settings: problems in the file are printed once, one line each."""

from __future__ import annotations

import argparse
import json

from rich.cells import cell_len

from inkbench.cli.output import print_json, warn
from inkbench.i18n import _, pgettext
from inkbench.settings import Settings, entries, load_settings
from inkbench.tui.cells import pad


def register(sub: argparse._SubParsersAction) -> None:
    config = sub.add_parser("config", help=_("the settings in config.toml: show, path"))
    config.set_defaults(func=lambda args: (config.print_help(), 2)[1])
    csub = config.add_subparsers(metavar="ACTION")
    p = csub.add_parser(
        "show", help=_("every effective setting and where it came from (default, file, env)")
    )
    p.add_argument("--json", action="store_true", help=_("print JSON"))
    p.set_defaults(func=cmd_show)
    p = csub.add_parser("path", help=_("print the path of config.toml"))
    p.set_defaults(func=cmd_path)


def load(args: argparse.Namespace) -> Settings:
    """The settings for ``--home``; the first call prints each problem in the
    file to stderr, later calls for the same command return the same settings."""
    settings = getattr(args, "settings", None)
    if settings is None:
        settings = load_settings(getattr(args, "home", None))
        for problem in settings.problems:
            warn(problem)
        args.settings = settings
    return settings


def _value(entry) -> str:
    if entry.secret:
        return _("(set, hidden)") if entry.source != "default" else _("(unset)")
    if entry.value is None:
        return _("(unset)")
    if entry.value == {}:
        return _("(none)")
    return json.dumps(entry.value, ensure_ascii=False)


def _source(source: str) -> str:
    """Where a setting's value came from (``default``, ``file``, ``env:VAR``) in words."""
    if source == "default":
        return pgettext("setting source", "default")
    if source == "file":
        return pgettext("setting source", "file")
    if source.startswith("env:"):
        return _("env:{variable}").format(variable=source.removeprefix("env:"))
    return source


def cmd_show(args: argparse.Namespace) -> int:
    settings = load_settings(args.home) if args.json else load(args)  # JSON: in "problems"
    rows = entries(settings)
    if args.json:
        print_json(
            {
                "path": str(settings.path),
                "exists": bool(settings.path and settings.path.exists()),
                "problems": list(settings.problems),
                "settings": {
                    e.key: {
                        "value": None if e.secret else e.value,
                        "source": e.source,
                        **({"secret": True, "set": e.source != "default"} if e.secret else {}),
                    }
                    for e in rows
                },
            }
        )
        return 0
    state = "" if settings.path and settings.path.exists() else " " + _("(not there: all defaults)")
    print(f"# {settings.path}{state}")
    width = max(len(e.key) for e in rows)
    values = [_value(e) for e in rows]
    vwidth = min(max(cell_len(v) for v in values), 40)
    for e, v in zip(rows, values, strict=True):
        print(f"{e.key:<{width}}  {pad(v, vwidth)}  {_source(e.source)}")
    return 0


def cmd_path(args: argparse.Namespace) -> int:
    settings = load_settings(getattr(args, "home", None))
    print(settings.path)
    return 0
