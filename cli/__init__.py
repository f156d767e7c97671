"""The ``inkbench`` command line. ``inkbench`` alone opens the TUI.

Each area registers its subcommands from its own module (``COMMAND_MODULES``):
a module defines ``register(subparsers)`` and sets ``func`` on each parser to a
function taking the parsed args and returning an exit status.

Errors have one route: an ``InkbenchError`` prints one line and exits 1, and so
does a full disk or an I/O error (``storage.errors.user_error``); bad usage
exits 2 (argparse); anything else is a bug, reported in one line with the
traceback written to ``errors.log`` in the data home.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import traceback
from collections.abc import Sequence

from inkbench import __version__, i18n
from inkbench.cli import argparse_i18n
from inkbench.i18n import LANGUAGES, _, detect, set_language

COMMAND_MODULES = (
    "inkbench.cli.core",
    "inkbench.cli.db",
    "inkbench.cli.article",
    "inkbench.cli.work",
    "inkbench.cli.chapter",
    "inkbench.cli.character",
    "inkbench.cli.world",
    "inkbench.cli.scene",
    "inkbench.cli.tag",
    "inkbench.cli.kb",
    "inkbench.cli.distillation",
    "inkbench.cli.setting",
    "inkbench.cli.target",
    "inkbench.cli.task",
    "inkbench.cli.generate",
    "inkbench.cli.album",
    "inkbench.cli.ocr",
    "inkbench.cli.account",
    "inkbench.cli.config",
    "inkbench.cli.demo",
    "inkbench.cli.assistant",
    "inkbench.cli.assist",
    "inkbench.cli.chat",
    "inkbench.cli.usage",
    "inkbench.cli.publish",
)


def build_parser(*, commands: bool = True) -> argparse.ArgumentParser:
    """The whole command line, in the current language; without its
    commands when ``commands`` is false (only the options that open the TUI)."""
    parser = argparse_i18n.Parser(
        prog="inkbench",
        description=_("A keyboard-driven terminal workbench for writing and AI work on it."),
    )
    parser.add_argument(
        "--version",
        action="version",
        version=f"inkbench {__version__}",
        help=_("show program's version number and exit"),
    )
    parser.add_argument(
        "--home",
        metavar="DIR",
        help=_("data directory (default: $INKBENCH_HOME or the platform's user data dir)"),
    )
    parser.add_argument(
        "--lang",
        choices=sorted(LANGUAGES),
        help=_("the interface's language for this run (default: config, then $LANG)"),
    )
    parser.set_defaults(func=None)
    if not commands:
        return parser
    sub = parser.add_subparsers(title=_("commands"), metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def opens_tui(argv: Sequence[str]) -> bool:
    """Whether ``argv`` holds no command, only ``--home``/``--lang`` and their
    values: the TUI opens, and the commands' parsers (every command module,
    ~0.1 s) need not be built."""
    i = 0
    while i < len(argv):
        if argv[i] in ("--home", "--lang"):
            i += 2
        elif argv[i].startswith(("--home=", "--lang=")):
            i += 1
        else:
            return False
    return True


def _report_bug(args: argparse.Namespace, error: BaseException) -> None:
    where = "standard error"
    try:
        from inkbench.storage.paths import ensure_home, resolve_home

        log = ensure_home(resolve_home(getattr(args, "home", None))) / "errors.log"
        with log.open("a", encoding="utf-8") as f:
            traceback.print_exception(error, file=f)
        where = str(log)
    except Exception:
        traceback.print_exception(error, file=sys.stderr)
    message = _(
        "unexpected error ({error}); this is a bug, please report it with the details in {where}"
    ).format(error=f"{type(error).__name__}: {error}", where=where)
    print(f"inkbench: {message}", file=sys.stderr)


def _option_from_argv(argv: Sequence[str], option: str) -> str | None:
    for i, arg in enumerate(argv):
        if arg == option and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith(option + "="):
            return arg.partition("=")[2]
        if arg == "--":
            break
    return None


def language_from_argv(argv: Sequence[str]) -> str | None:
    """``--lang X`` / ``--lang=X`` before the parser exists: the parser's own
    help must already be in that language."""
    return _option_from_argv(argv, "--lang")


def choose_language(argv: Sequence[str]) -> str:
    """``--lang``, else ``[ui] language`` in the config.toml of ``--home``
    (or the default home), else the locale environment, else English: the
    CLI and the TUI it opens speak the same language."""
    chosen = i18n.normalize(language_from_argv(argv))
    if chosen:
        return chosen
    from inkbench.settings import load_settings

    # the one settings model reads config.toml (never raising: a problem in the
    # file is reported once the command runs, and its default kept)
    return detect(load_settings(_option_from_argv(argv, "--home")).ui.language)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    set_language(choose_language(argv))
    argparse_i18n.install()
    parser = build_parser(commands=not opens_tui(argv))
    args = parser.parse_args(argv)
    from inkbench.storage.errors import InkbenchError, user_error

    try:
        if args.func is None:
            from inkbench.cli.core import open_tui

            return open_tui(args)  # the TUI shows config problems as notices
        from inkbench.cli.config import load

        load(args)  # each problem in config.toml: one line on stderr, once
        return int(args.func(args) or 0)
    except InkbenchError as e:
        print(f"inkbench: {e}", file=sys.stderr)
        return e.exit_code
    except KeyboardInterrupt:
        print("inkbench: " + _("interrupted"), file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as e:
        expected = user_error(e)  # a full disk or an I/O error is no bug
        if expected is not None:
            print(f"inkbench: {expected}", file=sys.stderr)
            return expected.exit_code
        _report_bug(args, e)
        return 1


def run() -> None:
    sys.exit(main())
