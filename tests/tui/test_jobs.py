"""The one job layer: every long job that fails reaches the user as ONE
error notice saying what failed and what to do, and its traceback is
appended to errors.log in the data home. Failures are real (bad input, no
login) or an integration function made to raise. Also: cancel and pause
from the command palette's job commands."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.tui.helpers import screen_text, seed, settle, wait_for


def _failure_notices(app, what: str) -> list:
    return [
        n
        for n in app._notifications
        if n.severity == "error" and (n.title or "").startswith(what) and "failed" in n.title
    ]


async def _assert_reported(pilot, app, home: Path, what: str, text: str = "") -> None:
    await wait_for(pilot, lambda: _failure_notices(app, what), timeout=60)
    notices = _failure_notices(app, what)
    assert len(notices) == 1, [n.title for n in notices]
    message = notices[0].message
    assert "errors.log" in message  # where the details are
    assert text in message
    log = (home / "errors.log").read_text(encoding="utf-8")
    assert f"{what}" in log and "Traceback (most recent call last)" in log
    await wait_for(pilot, lambda: all(j.group == "account-monitor" for j in app.jobs.running()))


def _boom(message: str):
    def raise_it(*_args, **_kwargs):
        raise RuntimeError(message)

    return raise_it


async def test_album_import_of_no_images_is_one_notice_and_logged(
    home: Path, tmp_path: Path
) -> None:
    from inkbench.tui.app import make_app

    empty = tmp_path / "nothing here"
    empty.mkdir()
    (empty / "notes.txt").write_text("not an image")
    app = make_app(home=home)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        pane = app.show_area("albums")
        await settle(pilot, app)
        pane.start_import("Receipts", [str(empty)])
        await _assert_reported(pilot, app, home, "Importing into Receipts", "no image files")
        assert "Check the paths" in _failure_notices(app, "Importing")[0].message


async def test_ocr_failure_is_one_notice_and_logged(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from inkbench.tui.app import make_app

    monkeypatch.setattr(
        "inkbench.integrations.ocr.runner.run_ocr", _boom("tesseract vanished [red]x[/red]")
    )
    app = make_app(home=home)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        pane = app.show_area("albums")
        await settle(pilot, app)
        pane.start_ocr()
        # the error text is shown literally, brackets and all
        await _assert_reported(pilot, app, home, "OCR", "tesseract vanished [red]x[/red]")


async def test_bad_input_is_one_notice_without_a_bug_report(home: Path) -> None:
    """A new article with an empty title: storage refuses it (InvalidInput);
    the notice says so and where the log is, but not to report a bug."""
    from inkbench.tui.app import make_app

    app = make_app(home=home)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        app.show_area("articles")
        await settle(pilot, app)
        await pilot.press("n")
        await settle(pilot, app)
        await pilot.press("enter")
        await _assert_reported(pilot, app, home, "new article", "an article needs a title")
        message = _failure_notices(app, "new article")[0].message
        assert "report" not in message and "Try again" not in message, message


async def test_knowledge_import_failure_is_one_notice_and_logged(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from inkbench.tui.app import make_app

    monkeypatch.setattr(
        "inkbench.integrations.kb_import.import_documents", _boom("the parser broke")
    )
    doc = tmp_path / "guide.md"
    doc.write_text("# Guide\n\nSome text.\n")
    app = make_app(home=home)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        pane = app.show_area("knowledge")
        await settle(pilot, app)
        pane.start_import("Guides", [str(doc)])
        await _assert_reported(pilot, app, home, "Importing into Guides", "the parser broke")


async def test_distillation_without_a_login_is_one_notice_and_logged(home: Path) -> None:
    """No server, no login: a real failure of the distil job."""
    from inkbench.tui.app import make_app

    app = make_app(home=home)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        pane = app.show_area("generate")
        await settle(pilot, app)
        pane._distill("热泵")
        await _assert_reported(pilot, app, home, "Distilling 热泵")


async def test_generation_runner_failure_is_one_notice_and_logged(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from inkbench.tui.app import make_app

    monkeypatch.setattr("inkbench.integrations.ai.factory.get_provider", _boom("no provider"))
    app = make_app(home=home)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        app.show_area("tasks")
        await settle(pilot, app)
        await pilot.press("g")
        await _assert_reported(pilot, app, home, "Generation", "no provider")
        await wait_for(pilot, lambda: "could not start" in screen_text(app))


async def test_account_monitor_failure_is_one_notice_and_logged(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from inkbench.tui.app import make_app

    monkeypatch.setattr(
        "inkbench.integrations.ai.status.account_status", _boom("status check broke")
    )
    app = make_app(home=home)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        await _assert_reported(pilot, app, home, "Connectivity check", "status check broke")


async def test_palette_cancels_and_pauses_a_running_job(home: Path) -> None:
    """A job waiting on its token: pause/resume then cancel from the palette's
    commands; the status bar shows it while it runs and drops it after."""
    from inkbench.tui.app import make_app
    from inkbench.tui.commands import InkbenchCommands

    seed(home)
    app = make_app(home=home)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)

        def wait_for_cancel(cancel, progress) -> str:
            progress(1, 3, "first")
            while not cancel.wait(0.05):
                pass
            return "stopped"

        results: list[str] = []
        job = app.jobs.start(
            wait_for_cancel, label="Long [b]job[/b]", group="test", done=results.append
        )
        job.pausable = True
        await wait_for(
            pilot, lambda: any("Long [b]job[/b]" in j.label for j in app.status.jobs.values())
        )

        def commands() -> dict:
            return {
                title: run for title, _en, _help, run in InkbenchCommands(app.screen)._commands()
            }

        commands()["Pause: Long [b]job[/b]"]()
        assert job.paused
        await wait_for(pilot, lambda: any("(paused)" in j.label for j in app.status.jobs.values()))
        commands()["Resume: Long [b]job[/b]"]()
        assert not job.paused
        commands()["Cancel: Long [b]job[/b]"]()
        await wait_for(pilot, lambda: results == ["stopped"])
        await wait_for(pilot, lambda: not app.status.jobs)
        assert not app.jobs.running("test")
        assert not (home / "errors.log").exists()
