"""The built wheel works on its own: installed into a fresh venv outside the
repository, with the dependencies it declares and nothing else, it runs the
CLI, finds its shipped assets and reads the demo album with OCR."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    # sdist first, then the wheel from the unpacked sdist (what `make dist` does):
    # no stale build/ folder in the checkout can leak into it, and the sdist is
    # proven complete
    subprocess.run(
        [sys.executable, "-m", "build", "--outdir", str(out), str(ROOT)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (path,) = out.glob("inkbench-*.whl")
    return path


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv with the wheel and its declared dependencies; its bin/."""
    env_dir = tmp_path_factory.mktemp("venv")
    venv.create(env_dir, with_pip=True)
    bindir = env_dir / ("Scripts" if os.name == "nt" else "bin")
    subprocess.run(
        [str(bindir / "python"), "-m", "pip", "install", "--quiet", str(wheel)],
        check=True,
        capture_output=True,
        timeout=600,
    )
    return bindir


def test_wheel_holds_one_top_level_package(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    tops = {n.split("/")[0] for n in names if not n.split("/")[0].endswith(".dist-info")}
    assert tops == {"inkbench"}
    record = next(n for n in names if n.endswith(".dist-info/RECORD"))
    rows = zipfile.ZipFile(wheel).read(record).decode().splitlines()
    assert all(r.startswith(("inkbench/", "inkbench-")) for r in rows)
    # the shipped assets are inside the package
    assert "inkbench/assets/prompts/template.md" in names
    assert "inkbench/assets/locale/zh_CN/LC_MESSAGES/inkbench.mo" in names
    assert "inkbench/tui/app.tcss" in names  # the app's stylesheet (CSS_PATH)
    assert any(n.startswith("inkbench/assets/demo/images/") for n in names)


def _run(bindir: Path, home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("INKBENCH_", "PYTHON"))}
    env["INKBENCH_HOME"] = str(home)
    return subprocess.run(
        [str(bindir / "inkbench"), *args],
        capture_output=True,
        text=True,
        cwd=home.parent,  # outside the repository: nothing can come from the source tree
        env=env,
        timeout=300,
    )


def test_installed_wheel_runs_the_cli(installed: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    from inkbench import __version__

    r = _run(installed, home, "--version")
    assert r.returncode == 0 and r.stdout.strip() == f"inkbench {__version__}"

    # the compiled Chinese catalog is in the wheel
    r = _run(installed, home, "--lang", "zh", "--help")
    assert r.returncode == 0 and r.stdout.startswith("用法：inkbench"), r.stdout[:200]

    r = _run(installed, home, "demo")
    assert r.returncode == 0, r.stderr

    r = _run(installed, home, "stats", "--json")
    assert r.returncode == 0, r.stderr
    rows = json.loads(r.stdout)["rows"]
    assert rows["article"] > 0 and rows["image"] > 0

    r = _run(installed, home, "setting", "list")
    assert r.returncode == 0, r.stderr
    assert "Blog post" in r.stdout  # a prompt shipped in assets/prompts

    r = _run(installed, home, "ocr", "run", "--once")
    assert r.returncode == 0, r.stderr
    r = _run(installed, home, "stats", "--json")
    ocr = json.loads(r.stdout)["ocr"]
    assert ocr.get("pending", 0) == 0 and ocr.get("done", 0) > 0, ocr


def test_server_without_its_extra_says_what_to_install(installed: Path, tmp_path: Path) -> None:
    r = subprocess.run(
        [str(installed / "inkbench-server"), "plans"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
    )
    assert r.returncode == 1
    assert r.stderr.count("\n") == 1 and "inkbench[server]" in r.stderr
