"""argparse's own words ("usage:", "options", its error messages) in the
interface's language.

argparse looks its messages up through the module globals ``_`` and
``ngettext`` at call time; ``install()`` points those at Inkbench's catalog.
The messages are listed here so Babel extracts them into the catalog; a test
checks this list against argparse's source, so a new Python that adds a
message fails a test instead of showing English.
"""

from __future__ import annotations

import argparse

from inkbench.i18n import N_, _, language, ngettext

#: What users can see: usage and help headings, and parse errors. argparse's
#: programming errors (bad ``add_argument`` calls) are left out on purpose.
MESSAGES = (
    N_("usage: "),
    N_("positional arguments"),
    N_("options"),
    N_("show this help message and exit"),
    N_("show program's version number and exit"),
    N_("%(prog)s: error: %(message)s\n"),
    N_("argument %(argument_name)s: %(message)s"),
    N_("ambiguous option: %(option)s could match %(matches)s"),
    N_("expected one argument"),
    N_("expected at least one argument"),
    N_("expected at most one argument"),
    N_("ignored explicit argument %r"),
    N_("invalid %(type)s value: %(value)r"),
    N_("invalid choice: %(value)r (choose from %(choices)s)"),
    N_("not allowed with argument %s"),
    N_("one of the arguments %s is required"),
    N_("the following arguments are required: %s"),
    N_("unexpected option string: %s"),
    N_("unrecognized arguments: %s"),
    N_("can't open '%(filename)s': %(error)s"),
)
PLURALS = (ngettext("expected %s argument", "expected %s arguments", 0),)


def install() -> None:
    """Make argparse speak the current language."""
    argparse._ = _  # type: ignore[attr-defined]
    argparse.ngettext = ngettext  # type: ignore[attr-defined]


class Parser(argparse.ArgumentParser):
    """An ``ArgumentParser`` whose help headings end the way the language
    writes them: argparse appends an ASCII ``:`` to every section title, and
    Chinese text takes the full-width ``：``. Sub-parsers are of the same
    class (argparse makes them with ``type(parent)``)."""

    def format_help(self) -> str:
        """The help text, with section headings punctuated for the language."""
        text = super().format_help()
        if language() != "zh":
            return text
        for group in self._action_groups:
            if group.title:
                text = text.replace(f"\n{group.title}:\n", f"\n{group.title}：\n")
        return text
