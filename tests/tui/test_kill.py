"""Kill the app with SIGKILL in the middle of editing: everything typed before
the last autosave is in the database, and the database is sound."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from tests.conftest import assert_db_sound
from tests.tui.helpers import db_row, seed

DRIVER = r"""
import asyncio, sys
from inkbench.tui.app import make_app
from inkbench.tui.messages import OpenDocument
from inkbench.tui.screens.editor import EditorScreen

async def main(home, article_id):
    app = make_app(home=home)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause(0.3)
        app.post_message(OpenDocument("article", article_id))
        while not isinstance(app.screen, EditorScreen):
            await pilot.pause(0.05)
        editor = app.screen
        await pilot.pause(0.2)
        await pilot.press("end", *" autosaved [b]text[/b] 保存")
        while editor.dirty or editor.saving:
            await pilot.pause(0.05)
        print("SAVED", flush=True)
        await pilot.press(*" typed after the save")
        print("TYPING", flush=True)
        await asyncio.sleep(60)

asyncio.run(main(sys.argv[1], int(sys.argv[2])))
"""


def test_sigkill_mid_edit_keeps_autosaved_text(home: Path) -> None:
    ids = seed(home)
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": str(root)}
    proc = subprocess.Popen(
        [sys.executable, "-c", DRIVER, str(home), str(ids["garden"])],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=root,
    )
    try:
        lines = []
        for line in proc.stdout:
            lines.append(line.strip())
            if line.startswith("TYPING"):
                break
        assert "SAVED" in lines, proc.stderr.read() if proc.poll() is not None else lines
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    assert proc.returncode == -signal.SIGKILL
    body = db_row(home, "SELECT body FROM article WHERE id = ?", (ids["garden"],))[0]
    assert "autosaved [b]text[/b] 保存" in body
    rev = db_row(
        home,
        "SELECT body FROM article_revision WHERE article_id = ? AND kind = 'autosave' "
        "ORDER BY id DESC LIMIT 1",
        (ids["garden"],),
    )[0]
    assert rev == body
    assert_db_sound(home / "inkbench.db")
