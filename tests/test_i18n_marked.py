"""Every word the CLI prints, and every error message storage and integrations
raise, goes through the catalog: an AST scan for string literals (and the
literal parts of f-strings) that reach the user without ``_()``/``ngettext``/
``N_``/``pgettext`` around them.

What the scan looks at: in ``cli/``, the arguments of ``print(...)``,
``warn(...)`` and ``Progress(...)`` and every ``help=``/``description=``/
``title=``; everywhere in ``cli/``, ``storage/`` and ``integrations/``, the
arguments of the project's error classes (``InkbenchError`` and its
subclasses, found by walking the class definitions) and of their
``super().__init__(...)``. It follows the expression that builds the message
(``+``, ``a if c else b``, ``a or b``, f-string fields, ``"...".format(...)``
and its arguments) and stops at any other call, whose result is data.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

MARKERS = {"_", "ngettext", "N_", "pgettext"}
PRINTERS = {"print", "warn", "Progress"}
TEXT_KEYWORDS = {"help", "description", "title"}
#: the root error classes; their subclasses are found in the code
ERROR_ROOTS = {"InkbenchError", "Refused"}
#: functions that build an error from a message
ERROR_FACTORIES = {"_not_a_backup"}
#: functions that return an error message (their ``return`` values are scanned)
MESSAGE_BUILDERS = {"_unidentified", "missing_message"}
#: literals that are no words: the program's name as a prefix, units, formats
ALLOWED = {"inkbench: ", "inkbench ", "B", "KB", "MB", "GB", "UTC"}

_FIELD = re.compile(r"\{[^{}]*\}")
_WORD = re.compile(r"[A-Za-z]{2,}")


def _is_words(text: str) -> bool:
    if text in ALLOWED:
        return False
    return bool(_WORD.search(_FIELD.sub("", text)))


def _unmarked(node: ast.AST | None) -> list[ast.AST]:
    """The literals with words in the message-building expression ``node``."""
    if node is None:
        return []
    if isinstance(node, ast.Constant):
        return [node] if isinstance(node.value, str) and _is_words(node.value) else []
    if isinstance(node, ast.JoinedStr):
        literal = "".join(v.value for v in node.values if isinstance(v, ast.Constant))
        found: list[ast.AST] = [node] if _is_words(literal) else []
        for v in node.values:
            if isinstance(v, ast.FormattedValue):
                found += _unmarked(v.value)
        return found
    if isinstance(node, ast.BinOp):
        return _unmarked(node.left) + _unmarked(node.right)
    if isinstance(node, ast.IfExp):
        return _unmarked(node.body) + _unmarked(node.orelse)
    if isinstance(node, ast.BoolOp):
        return [n for v in node.values for n in _unmarked(v)]
    if isinstance(node, ast.Call):
        func = node.func
        if isinstance(func, ast.Name) and func.id in MARKERS:
            return []
        if isinstance(func, ast.Attribute) and func.attr == "format":
            found = _unmarked(func.value)
            for a in node.args:
                found += _unmarked(a)
            for k in node.keywords:
                found += _unmarked(k.value)
            return found
    return []


def _name(func: ast.expr) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def error_classes(trees: list[ast.AST]) -> set[str]:
    """``ERROR_ROOTS`` and every class defined (in ``trees``) below one of them."""
    known = set(ERROR_ROOTS)
    classes = [
        (n.name, {_name(b) for b in n.bases})
        for tree in trees
        for n in ast.walk(tree)
        if isinstance(n, ast.ClassDef)
    ]
    grew = True
    while grew:
        grew = False
        for name, bases in classes:
            if name not in known and bases & known:
                known.add(name)
                grew = True
    return known


def unmarked(tree: ast.AST, *, cli: bool, errors: set[str]) -> list[tuple[int, str]]:
    """(line, text) of every user-visible literal in ``tree`` not marked for translation."""
    found: list[ast.AST] = []
    error_class_bodies = [
        n for n in ast.walk(tree) if isinstance(n, ast.ClassDef) and n.name in errors
    ]
    supers = {
        id(call)
        for cls in error_class_bodies
        for call in ast.walk(cls)
        if isinstance(call, ast.Call)
        and isinstance(call.func, ast.Attribute)
        and call.func.attr == "__init__"
        and isinstance(call.func.value, ast.Call)
        and _name(call.func.value.func) == "super"
    }
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef) and node.name in MESSAGE_BUILDERS:
            for ret in ast.walk(node):
                if isinstance(ret, ast.Return):
                    found += _unmarked(ret.value)
        if not isinstance(node, ast.Call):
            continue
        name = _name(node.func)
        if cli:
            for k in node.keywords:
                if k.arg in TEXT_KEYWORDS:
                    found += _unmarked(k.value)
            if name in PRINTERS and isinstance(node.func, ast.Name) and node.args:
                targets = node.args if name == "print" else node.args[:1]
                for a in targets:
                    found += _unmarked(a)
        if name in errors or name in ERROR_FACTORIES or id(node) in supers:
            for a in node.args:
                found += _unmarked(a)
    return sorted({(n.lineno, ast.unparse(n)) for n in found})


def _sources() -> dict[Path, ast.AST]:
    files = [*sorted((ROOT / "cli").glob("*.py"))]
    for folder in ("storage", "integrations"):
        files += sorted(p for p in (ROOT / folder).rglob("*.py") if "versions" not in p.parts)
    return {p: ast.parse(p.read_text(encoding="utf-8")) for p in files}


def test_every_user_visible_string_is_marked() -> None:
    sources = _sources()
    errors = error_classes(list(sources.values()))
    assert {"InvalidInput", "NotFound", "AIError", "Offline", "OcrUnavailable"} <= errors
    problems = []
    for path, tree in sources.items():
        cli = path.parent.name == "cli"
        for line, text in unmarked(tree, cli=cli, errors=errors):
            problems.append(f"{path.relative_to(ROOT)}:{line}: {text}")
    assert not problems, "not marked for translation (wrap in _()):\n" + "\n".join(problems)


@pytest.mark.parametrize(
    ("code", "cli", "expected"),
    [
        ('print("done")', True, ["'done'"]),
        ('print(f"imported {n} articles")', True, ["f'imported {n} articles'"]),
        ('print("  " + "rows:")', True, ["'rows:'"]),
        ('p.add_argument("--json", help="print JSON")', True, ["'print JSON'"]),
        ('warn("x" if a else "refused it")', True, ["'refused it'"]),
        ('raise InvalidInput(f"no album {name}")', False, ["f'no album {name}'"]),
        ('raise InvalidInput(_("no album {n}").format(n="all of them"))', False, ["'all of them'"]),
        (
            "class Gone(InvalidInput):\n"
            "    def __init__(self):\n"
            '        super().__init__("it is gone")',
            False,
            ["'it is gone'"],
        ),
        # marked, or no words, or not user text: nothing to report
        ('print(_("done"))', True, []),
        ('print(ngettext("{n} image", "{n} images", n).format(n=n))', True, []),
        ('print(f"{r.id:>6}  {r.title}")', True, []),
        ('print("inkbench: " + _("interrupted"))', True, []),
        ('print(", ".join(d["title"] for d in docs))', True, []),
        ('raise InvalidInput(_("bad {x}").format(x=", ".join(["a"])))', False, []),
        ('print("done")', False, []),  # outside cli/, prints are not checked
        ('log.write("done")', True, []),
    ],
)
def test_the_scan_finds_unmarked_strings(code: str, cli: bool, expected: list[str]) -> None:
    tree = ast.parse(code)
    errors = error_classes([ast.parse("class InvalidInput(InkbenchError): pass"), tree])
    assert [text for _line, text in unmarked(tree, cli=cli, errors=errors)] == expected


def test_every_command_and_option_has_help() -> None:
    """An option without ``help=`` shows no words at all in ``--help``: each
    one says what it is for (and the scan above sees that it is translated)."""
    bare = []
    for path in sorted((ROOT / "cli").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and _name(node.func) in ("add_argument", "add_parser")
                and not any(k.arg == "help" for k in node.keywords)
            ):
                bare.append(f"{path.relative_to(ROOT)}:{node.lineno}: {ast.unparse(node)}")
    assert not bare, "no help=:\n" + "\n".join(bare)
