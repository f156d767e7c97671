"""For the record: how long the built wheel takes to install into a fresh
venv (``python -m venv``, then ``pip install`` of the wheel and the
dependencies it declares, from the package indexes pip is configured with).

The wheel is built once per run, as ``make dist`` builds it (the sdist, then
the wheel from it). The venv's creation is timed apart and shown as the
baseline, so the ratio says how much longer than an empty venv the install
takes; there is no target.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from bench.results import record

HERE = Path(__file__).parent
ROOT = HERE.parent
WORK = HERE / "work" / "wheel"


def build_wheel() -> Path:
    dist = WORK / "dist"
    shutil.rmtree(dist, ignore_errors=True)
    subprocess.run(
        [sys.executable, "-m", "build", "--outdir", str(dist), str(ROOT)],
        check=True,
        capture_output=True,
        timeout=600,
    )
    (wheel,) = dist.glob("inkbench-*.whl")
    return wheel


def main() -> None:
    wheel = build_wheel()
    env_dir = WORK / "venv"
    shutil.rmtree(env_dir, ignore_errors=True)
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "venv", str(env_dir)], check=True, timeout=300)
    venv_s = time.perf_counter() - start
    python = env_dir / "bin" / "python"
    start = time.perf_counter()
    done = subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--no-cache-dir", str(wheel)],
        capture_output=True,
        text=True,
        timeout=1200,
    )
    if done.returncode != 0:
        raise RuntimeError(f"pip install failed: {done.stderr[-2000:]}")
    install_s = time.perf_counter() - start
    version = subprocess.run(
        [str(env_dir / "bin" / "inkbench"), "--version"],
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout.strip()
    record(
        "wheel_install_fresh_venv",
        value=venv_s + install_s,
        unit="s",
        baseline=venv_s,
        target="for the record (baseline: creating the empty venv)",
        met=True,
    )
    print(
        f"   {wheel.name} ({wheel.stat().st_size / 2**20:.1f} MB): venv {venv_s:.1f} s, "
        f"pip install {install_s:.1f} s; then `inkbench --version`: {version}; "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    )
    shutil.rmtree(env_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
