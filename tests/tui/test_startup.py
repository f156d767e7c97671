"""Start-up stays light: the first screen is painted (with the list's rows)
before SQLModel/SQLAlchemy are imported; they load in a worker afterwards."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.tui.helpers import seed

CHILD = r"""
import os, sys
from inkbench.tui.app import InkbenchApp, make_app
from inkbench.tui.widgets.list_pane import ListPane

original = InkbenchApp.on_ready

def on_ready(self):  # runs after the first screen is painted
    vlist = self.pane("articles").query_one(ListPane).vlist
    heavy = sorted(m for m in ("sqlmodel", "sqlalchemy", "alembic") if m in sys.modules)
    print("READY", vlist.total, ",".join(heavy) or "-", flush=True)
    os._exit(0)

InkbenchApp.on_ready = on_ready
make_app(home=sys.argv[1]).run(headless=True, size=(100, 30))
"""


def test_first_paint_without_the_orm(home: Path) -> None:
    seed(home)
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(home)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(root)},
    )
    line = next((ln for ln in out.stdout.splitlines() if ln.startswith("READY")), None)
    assert line is not None, out.stderr[-3000:]
    _tag, total, heavy = line.split()
    assert total == "5"
    assert heavy == "-", f"imported before the first paint: {heavy}"


FREEZE_CHILD = r"""
import gc, sys
from inkbench.tui import app as app_module
from inkbench.tui.app import make_app

app_module.FREEZE_AFTER_S = 0.2
app = make_app(home=sys.argv[1])
app.freeze_headless = sys.argv[2] == "freeze"

async def main():
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause(1.0)
        print("FROZEN", gc.get_freeze_count(), flush=True)

import asyncio
asyncio.run(main())
"""


def test_the_start_up_heap_is_frozen_once_the_app_is_up(home: Path) -> None:
    """After start-up the live heap leaves the collector's sight (gc.freeze),
    so a full collection scans only what came later; a headless app (the
    tests' many apps in one process) freezes nothing unless told to."""
    seed(home)
    root = Path(__file__).resolve().parents[2]
    counts = {}
    for mode in ("freeze", "headless"):
        out = subprocess.run(
            [sys.executable, "-c", FREEZE_CHILD, str(home), mode],
            capture_output=True,
            text=True,
            timeout=60,
            cwd=root,
            env={**os.environ, "PYTHONPATH": str(root)},
        )
        line = next((ln for ln in out.stdout.splitlines() if ln.startswith("FROZEN")), None)
        assert line is not None, out.stderr[-3000:]
        counts[mode] = int(line.split()[1])
    assert counts["freeze"] > 10_000 and counts["headless"] == 0
