"""Dependencies point one way: tui -> integrations -> storage; server alone.
Checked in fresh interpreters, since only that proves an import stays out."""

from __future__ import annotations

import subprocess
import sys

import pytest

FORBIDDEN = {
    "storage": ("textual", "rich", "httpx", "integrations", "tui", "server"),
    "integrations": ("textual", "tui", "server"),
    "server": ("textual", "storage", "integrations", "tui"),
}


def loaded_after_import(module: str) -> set[str]:
    code = (
        "import importlib, pkgutil, sys\n"
        f"pkg = importlib.import_module({module!r})\n"
        "for m in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + '.'):\n"
        "    if '.migrations.versions' in m.name or m.name.endswith('migrations.env'):\n"
        "        continue\n"
        "    importlib.import_module(m.name)\n"
        "print('\\n'.join(sys.modules))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    return {name.split(".")[0] for name in out.split()}


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_package_does_not_import(package: str) -> None:
    loaded = loaded_after_import(package)
    bad = sorted(set(FORBIDDEN[package]) & loaded)
    assert not bad, f"importing {package} pulls in {bad}"
