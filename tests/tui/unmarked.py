"""Finding user-visible string literals in TUI code that are not marked for
translation: an AST scan of the calls that put text on screen (the sinks).

A literal passed to a sink must be wrapped in ``_()``, ``ngettext()``,
``pgettext()`` or ``N_()`` (``_("…").format(...)`` counts as wrapped). Text
with no word in it (symbols, key names, spacing) needs no translation.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

#: calls whose positional arguments (by index) and keywords are shown to users
SINKS: dict[str, tuple[tuple[int, ...], tuple[str, ...]]] = {
    "Static": ((0,), ()),
    "Label": ((0,), ()),
    "Button": ((0,), ("label",)),
    "Input": ((0,), ("value", "placeholder")),
    "TextArea": ((), ("placeholder",)),
    "notify": ((0,), ("title", "message")),
    "Binding": ((2,), ("description", "tooltip")),
    "Group": ((0,), ("description",)),
    "Column": ((0,), ("title",)),
    "Content": ((0,), ()),
    "styled": ((0,), ()),
    "assemble": ((0, 1, 2, 3, 4, 5, 6, 7), ()),
    "update": ((0,), ()),
    "set_note": ((0,), ()),
    "AskText": ((0, 1), ("prompt", "placeholder")),
    "Confirm": ((0,), ("question", "yes", "no")),
    "ShowText": ((0, 1), ("title", "text")),
    "SettingEditor": ((0,), ("title",)),
    "ask_then_run": ((0,), ("prompt", "placeholder", "name")),
    "run_worker": ((), ("name",)),  # a failed worker's notice names it
    "ListPane": ((), ("empty_text", "filter_placeholder")),
    "VirtualList": ((), ("empty_text",)),
    "Area": ((2,), ("title",)),
    "DiscoveryHit": ((0,), ("help",)),
    "Hit": ((), ("help", "text")),
    "report_error": ((0,), ()),
    "start": ((), ("label",)),
    "db_job": ((), ("name",)),
    "add_column": ((0,), ()),
    "RadioButton": ((0,), ("label",)),
    "Checkbox": ((0,), ("label",)),
    "_show_problem": ((0,), ()),
    "RunnerStopped": ((0,), ()),
}
#: keywords shown to users whatever the call
ANY_CALL_KEYWORDS = (
    "title",
    "placeholder",
    "empty_text",
    "label",
    "description",
    "tooltip",
    "advice",
)
MARKERS = {"_", "N_", "ngettext", "pgettext"}
WORD = re.compile(r"[A-Za-z]{2,}")
#: literals that contain letters but are not words to translate
ALLOWED = {
    "Inkbench",  # the product's name
    "OCR",
    "ctrl+q",
    "ctrl+p",
}


def _call_name(node: ast.Call) -> str:
    func = node.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def _is_marked(node: ast.AST) -> bool:
    if isinstance(node, ast.Call):
        name = _call_name(node)
        if name in MARKERS:
            return True
        # _("…{n}…").format(n=...)
        if isinstance(node.func, ast.Attribute) and node.func.attr == "format":
            return _is_marked(node.func.value)
    return False


def _words(text: str) -> bool:
    return bool(WORD.search(text)) and text.strip() not in ALLOWED


def unmarked_in(node: ast.AST) -> Iterator[ast.AST]:
    """The literal pieces of an argument expression that are words and not marked."""
    if _is_marked(node):
        return
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        if _words(node.value):
            yield node
    elif isinstance(node, ast.JoinedStr):
        for part in node.values:
            if isinstance(part, ast.Constant) and _words(str(part.value)):
                yield node
                return
            if isinstance(part, ast.FormattedValue):
                yield from unmarked_in(part.value)
    elif isinstance(node, ast.BinOp):
        yield from unmarked_in(node.left)
        yield from unmarked_in(node.right)
    elif isinstance(node, ast.IfExp):
        yield from unmarked_in(node.body)
        yield from unmarked_in(node.orelse)
    elif isinstance(node, (ast.Tuple, ast.List)) and node.elts:
        # Content.assemble(("text", "style")): the first element is the text
        yield from unmarked_in(node.elts[0])
    elif (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in ("join", "format")
    ):
        # " · ".join([...]) / "…".format(...) of unmarked text
        yield from unmarked_in(node.func.value)


#: class attributes shown to users (help sections)
SHOWN_ATTRIBUTES = ("HELP_SECTION",)


def scan_source(source: str, filename: str = "<source>") -> list[tuple[int, str]]:
    """(line, text) of every unmarked user-visible literal in ``source``."""
    tree = ast.parse(source, filename)
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id in SHOWN_ATTRIBUTES for t in node.targets
        ):
            found += [(lit.lineno, ast.unparse(lit)) for lit in unmarked_in(node.value)]
        if not isinstance(node, ast.Call):
            continue
        name = _call_name(node)
        positions, keywords = SINKS.get(name, ((), ()))
        args = [a for i, a in enumerate(node.args) if i in positions]
        args += [k.value for k in node.keywords if k.arg in keywords or k.arg in ANY_CALL_KEYWORDS]
        for arg in args:
            for literal in unmarked_in(arg):
                found.append((literal.lineno, ast.unparse(literal)))
    return found


def scan_tree(root: Path) -> list[str]:
    """``path:line: text`` of every unmarked literal under ``root``."""
    # keep found order stable: by file, then line
    out = []
    for path in sorted(root.rglob("*.py")):
        for line, text in sorted(scan_source(path.read_text(encoding="utf-8"), str(path))):
            out.append(f"{path.relative_to(root)}:{line}: {text}")
    return out
