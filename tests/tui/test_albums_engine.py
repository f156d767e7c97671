"""Choosing an album's OCR engine in the Albums area (``e``): the choices,
the album's own engine stored, back to the default; the album's name (which
looks like markup) shown literally."""

from __future__ import annotations

from pathlib import Path

from PIL import Image

from tests.tui.helpers import screen_text, settle, wait_for


def _album(home: Path, tmp_path: Path) -> None:
    from inkbench.integrations.images import import_images
    from inkbench.storage.engine import open_database

    Image.new("RGB", (64, 48), (200, 30, 30)).save(tmp_path / "shot.png")
    db = open_database(home)
    import_images(db, "[b]截图[/b]", [tmp_path / "shot.png"])
    db.dispose()


def _engine(home: Path) -> str | None:
    from inkbench.storage.albums import album_engine
    from inkbench.storage.engine import open_database

    db = open_database(home)
    try:
        with db.raw(write=False) as conn:
            return album_engine(conn, 1)
    finally:
        db.dispose()


async def test_choose_an_albums_engine_then_the_default(home: Path, tmp_path: Path) -> None:
    from textual.widgets import OptionList

    from inkbench.tui.app import make_app
    from inkbench.tui.dialogs.choose import Choose

    _album(home, tmp_path)
    app = make_app(home=home)
    async with app.run_test(size=(130, 40)) as pilot:
        pane = app.show_area("albums")
        await settle(pilot, app)
        await wait_for(pilot, lambda: pane.album_id is not None)
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, Choose))
        text = screen_text(app)
        assert "[b]截图[/b]" in text and "tesseract" in text and "ppocr" in text
        options = app.screen.query_one(OptionList)
        options.highlighted = 2  # tesseract
        await pilot.press("enter")
        await wait_for(pilot, lambda: _engine(home) == "tesseract")
        await settle(pilot, app)
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, Choose))
        assert app.screen.query_one(OptionList).highlighted == 2  # the current one
        app.screen.query_one(OptionList).highlighted = 0  # the default
        await pilot.press("enter")
        await wait_for(pilot, lambda: _engine(home) is None)
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, Choose))
        await pilot.press("escape")  # nothing changes
        await wait_for(pilot, lambda: not isinstance(app.screen, Choose))
        assert _engine(home) is None
