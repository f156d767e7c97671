# ruff: noqa: F811  (pytest fixtures imported from tests.fakes are used as arguments)
"""Generation on a full disk (issue 12): the runner's write of an article
fails with one line saying the disk is full; nothing committed is lost and
the item is written once when there is room again."""

from __future__ import annotations

from pathlib import Path

from inkbench.integrations.generation.runner import Runner
from inkbench.storage.errors import DiskProblem, user_error
from inkbench.storage.tasks import get_task
from tests.fakes.fixtures import (  # noqa: F401
    _fake_upstream,
    account_server,
    keyring_file,
    upstream,
)
from tests.integrations.test_generation_e2e import _inputs, _rows, ai  # noqa: F401
from tests.test_disk_full import disk_full, home, inkbench  # noqa: F401


def test_full_disk_mid_task_one_line_then_the_item_is_written_once(
    home, db, tmp_path: Path, ai, upstream, account_server
) -> None:
    task_id = _inputs(db, home, tmp_path, ai, upstream, count=2, album=False, kb=False)
    upstream.behaviour.reply = "# Long\n\n" + "heat pump paragraph text " * 20_000
    problem = None
    with disk_full(home):
        try:
            Runner(db, ai).run(once=True)
        except Exception as e:  # noqa: BLE001 - what reaches the user is checked below
            problem = user_error(e)  # the one route the CLI and the TUI take
        db.dispose()
    assert isinstance(problem, DiskProblem), problem
    assert "full" in str(problem)
    check = inkbench(home, "db", "check")
    assert check.returncode == 0, check.stdout + check.stderr
    assert _rows(db, "SELECT count(*) FROM article")[0][0] == 0
    Runner(db, ai).run(once=True)
    assert _rows(db, "SELECT count(*) FROM article")[0][0] == 2
    with db.read() as s:
        assert get_task(s, task_id).status == "completed"
