"""A generation task shows the live names of what it uses (article setting,
knowledge base, album, conversion target), read through its foreign keys:
in the Tasks area's detail, ``inkbench task show`` (text and JSON) and
``inkbench task list --json``. The names stored when it was created serve
only once the resource is purged. Real SQLite in a temp data home."""

from __future__ import annotations

import json
from pathlib import Path

from inkbench.cli import main
from inkbench.storage.albums import create_album, rename_album
from inkbench.storage.article_settings import create_setting, delete_setting, update_setting
from inkbench.storage.distillations import create_distillation
from inkbench.storage.knowledge import create_kb, rename_kb
from inkbench.storage.reads import task_detail
from inkbench.storage.targets import create_target, update_target
from inkbench.storage.tasks import cancel_task, create_task
from inkbench.storage.trash import purge, trash


def _task(db) -> tuple[int, dict[str, int]]:
    with db.raw() as conn:
        album_id = create_album(conn, "[b]site[/b] photos")
    with db.write() as s:
        d = create_distillation(s, "heat pumps", ["Are they noisy?"])
        setting = create_setting(s, "Blog post v1")
        kb = create_kb(s, "HVAC handbook")
        target = create_target(s, "WarmCo")
        task = create_task(
            s,
            distillation_id=d.id,
            setting_id=setting.id,
            count=1,
            knowledge_base_id=kb.id,
            album_id=album_id,
            target_id=target.id,
            name="winter",
        )
        ids = {"album": album_id, "setting": setting.id, "kb": kb.id, "target": target.id}
        return task.id, ids


def _rename_all(db, ids: dict[str, int]) -> None:
    with db.raw() as conn:
        rename_album(conn, ids["album"], "Site photos 2026")
    with db.write() as s:
        update_setting(s, ids["setting"], name="Blog post (short)")
        rename_kb(s, ids["kb"], "Heat pump handbook")
        update_target(s, ids["target"], name="WarmCo Ltd")


def _show(home: Path, task_id: int, capsys) -> tuple[str, dict]:
    assert main(["--home", str(home), "task", "show", str(task_id)]) == 0
    text = capsys.readouterr().out
    assert main(["--home", str(home), "task", "show", str(task_id), "--json"]) == 0
    return text, json.loads(capsys.readouterr().out)


def test_a_task_shows_the_names_its_resources_have_now(db, home: Path, capsys) -> None:
    task_id, ids = _task(db)
    _rename_all(db, ids)
    text, data = _show(home, task_id, capsys)
    for new, old in (
        ("Site photos 2026", "[b]site[/b] photos"),
        ("Blog post (short)", "Blog post v1"),
        ("Heat pump handbook", "HVAC handbook"),
        ("WarmCo Ltd", "WarmCo\n"),
    ):
        assert new in text and old not in text
    assert (
        data["album_name"],
        data["setting_name"],
        data["knowledge_base_name"],
        data["target_name"],
    ) == ("Site photos 2026", "Blog post (short)", "Heat pump handbook", "WarmCo Ltd")
    assert main(["--home", str(home), "task", "list", "--json"]) == 0
    (row,) = json.loads(capsys.readouterr().out)
    assert (row["album_name"], row["knowledge_base_name"]) == (
        "Site photos 2026",
        "Heat pump handbook",
    )
    # the Tasks area's detail line reads the same
    with db.raw(write=False) as conn:
        detail = task_detail(conn, task_id)
    assert (detail.album, detail.setting, detail.knowledge_base, detail.target) == (
        "Site photos 2026",
        "Blog post (short)",
        "Heat pump handbook",
        "WarmCo Ltd",
    )


def test_a_trashed_resource_shows_its_live_name_and_a_purged_one_its_last_name(
    db, home: Path, capsys
) -> None:
    task_id, ids = _task(db)
    _rename_all(db, ids)
    with db.write() as s:
        cancel_task(s, task_id)  # a finished task no longer holds what it used
        trash(s, "album", ids["album"])
        trash(s, "knowledge_base", ids["kb"])
    with db.raw(write=False) as conn:
        detail = task_detail(conn, task_id)
    assert (detail.album, detail.knowledge_base) == ("Site photos 2026", "Heat pump handbook")
    with db.write() as s:
        purge(s, "album", ids["album"])
        purge(s, "knowledge_base", ids["kb"])
        delete_setting(s, ids["setting"])
    text, data = _show(home, task_id, capsys)
    assert (data["album_id"], data["knowledge_base_id"], data["setting_id"]) == (None, None, None)
    # the names they had when they went, not the ones they had when the task was made
    assert (data["album_name"], data["knowledge_base_name"], data["setting_name"]) == (
        "Site photos 2026",
        "Heat pump handbook",
        "Blog post (short)",
    )
    assert "Site photos 2026" in text and "[b]site[/b]" not in text
    with db.raw(write=False) as conn:
        detail = task_detail(conn, task_id)
    assert (detail.album, detail.setting) == ("Site photos 2026", "Blog post (short)")
