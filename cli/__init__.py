"""The ``inkbench`` command line. ``inkbench`` alone opens the TUI.

Each area registers its subcommands from its own module (``COMMAND_MODULES``):
a module defines ``register(subparsers)`` and sets ``func`` on each parser to a
function taking the parsed args and returning an exit status.

Errors have one route: an ``InkbenchError`` prints one line and exits 1; bad
usage exits 2 (argparse); anything else is a bug, reported in one line with
the traceback written to ``errors.log`` in the data home.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import traceback
from collections.abc import Sequence

from inkbench import __version__

COMMAND_MODULES = (
    "inkbench.cli.core",
    "inkbench.cli.db",
    "inkbench.cli.article",
    "inkbench.cli.kb",
    "inkbench.cli.generate",
    "inkbench.cli.album",
    "inkbench.cli.ocr",
    "inkbench.cli.account",
    "inkbench.cli.config",
    "inkbench.cli.demo",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="inkbench",
        description="A keyboard-driven terminal workbench for writing and AI work on it.",
    )
    parser.add_argument("--version", action="version", version=f"inkbench {__version__}")
    parser.add_argument(
        "--home",
        metavar="DIR",
        help="data directory (default: $INKBENCH_HOME or the platform's user data dir)",
    )
    parser.set_defaults(func=None)
    sub = parser.add_subparsers(title="commands", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


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
    print(
        f"inkbench: unexpected error ({type(error).__name__}: {error}); this is a bug, "
        f"please report it with the details in {where}",
        file=sys.stderr,
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    from inkbench.storage.errors import InkbenchError

    try:
        if args.func is None:
            from inkbench.cli.core import open_tui

            return open_tui(args)
        return int(args.func(args) or 0)
    except InkbenchError as e:
        print(f"inkbench: {e}", file=sys.stderr)
        return e.exit_code
    except KeyboardInterrupt:
        print("inkbench: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as e:
        _report_bug(args, e)
        return 1


def run() -> None:
    sys.exit(main())
