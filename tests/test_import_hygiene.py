"""Dependencies point one way: cli -> tui -> integrations -> storage; server alone.
Checked in fresh interpreters, since only that proves an import stays out."""

from __future__ import annotations

import subprocess
import sys

import pytest

FORBIDDEN = {
    "storage": (
        "textual",
        "rich",
        "httpx",
        "inkbench.integrations",
        "inkbench.tui",
        "inkbench.cli",
        "inkbench.server",
    ),
    "integrations": ("textual", "inkbench.tui", "inkbench.cli", "inkbench.server"),
    "tui": ("inkbench.cli", "inkbench.server"),
    "server": (
        "textual",
        "inkbench.storage",
        "inkbench.integrations",
        "inkbench.tui",
        "inkbench.cli",
    ),
}


def loaded_after_import(module: str) -> set[str]:
    code = (
        "import importlib, pkgutil, sys\n"
        f"pkg = importlib.import_module('inkbench.' + {module!r})\n"
        "for m in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + '.'):\n"
        "    if '.migrations.versions' in m.name or m.name.endswith('migrations.env'):\n"
        "        continue\n"
        "    importlib.import_module(m.name)\n"
        "print('\\n'.join(sys.modules))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    names = set()
    for name in out.split():
        parts = name.split(".")
        names.add(parts[0])
        if parts[0] == "inkbench" and len(parts) > 1:
            names.add("inkbench." + parts[1])
    return names


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_package_does_not_import(package: str) -> None:
    loaded = loaded_after_import(package)
    bad = sorted(set(FORBIDDEN[package]) & loaded)
    assert not bad, f"importing {package} pulls in {bad}"


# What OCR worker processes import must not pull in the ORM: each worker would
# pay about a second of start-up for it (bench_ocr measures the difference).
LIGHT = (
    "inkbench.storage.connection",
    "inkbench.storage.vocab",
    "inkbench.storage.leases",
    "inkbench.storage.albums",
    "inkbench.storage.blobs",
    "inkbench.storage.jobs",
    "inkbench.storage.lists",  # the first list is read before the ORM loads
    "inkbench.storage.reads",
    "inkbench.storage.store",
    "inkbench.integrations.ocr.runner",
    "inkbench.integrations.ocr.engine",
)


@pytest.mark.parametrize("module", LIGHT)
def test_worker_modules_do_not_load_the_orm(module: str) -> None:
    code = f"import sys, {module}; print(' '.join(sys.modules))"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    heavy = sorted({"sqlalchemy", "sqlmodel", "alembic", "textual"} & set(out))
    assert not heavy, f"importing {module} loads {heavy}"
