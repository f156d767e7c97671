"""No import cycles between modules, counting imports inside functions (a
deferred import still runs, just later) but not ``if TYPE_CHECKING:`` blocks.

The graph is read from the source with ``ast``, so nothing is imported: every
``import`` and ``from … import`` statement anywhere in a module is an edge to
the module it names, and ``from package import name`` is an edge to
``package.name`` when that is a module. Cycles are the strongly connected
components of more than one module (Tarjan).
"""

from __future__ import annotations

import ast
import importlib.util
from collections.abc import Iterator
from pathlib import Path

LAYERS = ("cli", "tui", "storage", "integrations", "server")


def modules_under(folder: Path, package: str) -> dict[str, Path]:
    """Module name -> source file for a package folder (migration scripts skipped)."""
    out: dict[str, Path] = {}
    for path in sorted(folder.rglob("*.py")):
        rel = path.relative_to(folder).with_suffix("")
        if "versions" in rel.parts and "migrations" in rel.parts:
            continue
        parts = [p for p in rel.parts if p != "__init__"]
        out[".".join([package, *parts])] = path
    return out


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(tree: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    """Every import statement, at any depth, outside ``if TYPE_CHECKING:``."""
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            stack.extend(node.orelse)
            continue
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        stack.extend(ast.iter_child_nodes(node))


def _owner(name: str, known: dict[str, Path]) -> str | None:
    """``name`` if it is a known module, else its nearest known parent."""
    while name:
        if name in known:
            return name
        name = name.rpartition(".")[0]
    return None


def import_graph(known: dict[str, Path]) -> dict[str, set[str]]:
    """module -> the known modules it imports (itself excluded)."""
    graph: dict[str, set[str]] = {}
    for module, path in known.items():
        is_package = path.name == "__init__.py"
        here = module if is_package else module.rpartition(".")[0]
        targets: set[str | None] = set()
        for node in _imports(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import):
                targets.update(_owner(a.name, known) for a in node.names)
                continue
            base = node.module or ""
            if node.level:
                anchor = here.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join(anchor + ([base] if base else []))
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                targets.add(sub if sub in known else _owner(base, known))
        graph[module] = {t for t in targets if t is not None and t != module}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module, each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    counter = 0

    def visit(v: str) -> None:  # Tarjan; the graph is a few hundred modules
        nonlocal counter
        index[v] = low[v] = counter
        counter += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return sorted(found)


def _describe(found: list[list[str]], graph: dict[str, set[str]]) -> str:
    lines = []
    for component in found:
        members = set(component)
        edges = [f"{a} -> {b}" for a in component for b in sorted(graph[a] & members)]
        lines.append(f"cycle of {len(component)}: " + "; ".join(edges))
    return "\n".join(lines)


def inkbench_modules() -> dict[str, Path]:
    known: dict[str, Path] = {}
    for layer in LAYERS:
        spec = importlib.util.find_spec(f"inkbench.{layer}")
        assert spec is not None and spec.submodule_search_locations
        folder = Path(next(iter(spec.submodule_search_locations)))
        known.update(modules_under(folder, f"inkbench.{layer}"))
    return known


def test_no_import_cycles() -> None:
    known = inkbench_modules()
    assert "inkbench.storage.models" in known and "inkbench.cli" in known
    graph = import_graph(known)
    found = cycles(graph)
    assert not found, "import cycles:\n" + _describe(found, graph)


def _write(root: Path, files: dict[str, str]) -> None:
    for name, source in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source, encoding="utf-8")


def test_checker_finds_a_cycle_hidden_in_a_function(tmp_path: Path) -> None:
    _write(
        tmp_path / "pkg",
        {
            "__init__.py": "",
            "a.py": "def make():\n    from pkg.sub import b\n    return b\n",
            "sub/__init__.py": "",
            "sub/b.py": "from .. import a\n",
            "sub/c.py": "from typing import TYPE_CHECKING\n"
            "if TYPE_CHECKING:\n    from pkg.sub import d\n",
            "sub/d.py": "from pkg.sub.c import x\n",
            "e.py": "import pkg.a\n",
        },
    )
    known = modules_under(tmp_path / "pkg", "pkg")
    graph = import_graph(known)
    assert graph["pkg.a"] == {"pkg.sub.b"}
    assert graph["pkg.sub.b"] == {"pkg.a"}
    assert graph["pkg.sub.c"] == set()  # TYPE_CHECKING imports do not count
    assert graph["pkg.sub.d"] == {"pkg.sub.c"}
    assert cycles(graph) == [["pkg.a", "pkg.sub.b"]]
    assert "pkg.a -> pkg.sub.b" in _describe(cycles(graph), graph)


def test_checker_passes_a_graph_without_cycles(tmp_path: Path) -> None:
    _write(
        tmp_path / "pkg",
        {
            "__init__.py": "",
            "a.py": "def make():\n    from pkg import b\n",
            "b.py": "from pkg.c import name\n",
            "c.py": "import os\nname = os.sep\n",
        },
    )
    graph = import_graph(modules_under(tmp_path / "pkg", "pkg"))
    assert graph == {"pkg": set(), "pkg.a": {"pkg.b"}, "pkg.b": {"pkg.c"}, "pkg.c": set()}
    assert cycles(graph) == []
