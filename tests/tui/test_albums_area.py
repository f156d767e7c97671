"""The Albums area: lists with OCR progress, the preview with OCR text shown
literally, import by typed path with OCR starting by itself, move/copy,
trash and undo."""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from tests.tui.helpers import screen_text, settle, wait_for

FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"


def _album_with_text(home: Path, tmp_path: Path) -> int:
    """An album and an image whose names and OCR text look like markup."""
    from inkbench.integrations.images import import_images
    from inkbench.storage import albums, leases
    from inkbench.storage.engine import open_database

    Image.new("RGB", (64, 48), (200, 30, 30)).save(tmp_path / "[red]x[0].png")
    db = open_database(home)
    summary = import_images(db, "[b]Album[/b]", [tmp_path / "[red]x[0].png"])
    image_id = summary.imported[0].id
    with db.raw() as conn:
        assert leases.claim(conn, leases.IMAGE_OCR, "test", 60) == image_id
        albums.finish_ocr(
            conn, image_id, "test", text="[b]bold[/b] [/ [0]\n中文", lang="eng", confidence=90.0
        )
    db.dispose()
    return image_id


async def _open_albums(app, pilot):
    pane = app.show_area("albums")
    await settle(pilot, app)
    return pane


async def _answer(pilot, app, text: str) -> None:
    from textual.widgets import Input

    from inkbench.tui.dialogs.ask_text import AskText

    await wait_for(pilot, lambda: isinstance(app.screen, AskText))
    app.screen.query_one(Input).value = text
    await pilot.press("enter")
    await pilot.pause()


async def test_names_and_ocr_text_show_literally(home: Path, tmp_path: Path) -> None:
    from inkbench.tui.app import make_app

    _album_with_text(home, tmp_path)
    app = make_app(home=home)
    async with app.run_test(size=(130, 40)) as pilot:
        pane = await _open_albums(app, pilot)
        await wait_for(pilot, lambda: pane.ocr_text.startswith("[b]"))
        await settle(pilot, app)
        text = screen_text(app)
        assert "[b]Album[/b]" in text
        assert "[red]x[0].png" in text
        assert "[b]bold[/b] [/ [0]" in text and "中文" in text
        assert "100%" in text  # the album's OCR progress
        assert pane.query_one("#preview").display  # the picture is shown
        await pilot.press("enter")  # album -> its images
        await pilot.press("enter")  # the image -> its whole OCR text
        await settle(pilot, app)
        assert "[b]bold[/b] [/ [0]" in screen_text(app)


async def test_import_by_typed_path_then_ocr_runs_by_itself(home: Path, tmp_path: Path) -> None:
    from inkbench.tui.app import make_app

    font = (  # face 2: Simplified Chinese
        ImageFont.truetype(FONT, 40, index=2)
        if Path(FONT).is_file()
        else ImageFont.load_default(40)
    )
    page = Image.new("L", (700, 120), 255)
    ImageDraw.Draw(page).text((20, 30), "Lantern harbour invoice", font=font, fill=0)
    (tmp_path / "in put").mkdir()
    page.save(tmp_path / "in put" / "scan one.png")
    (tmp_path / "in put" / "notes.png").write_text("not an image")

    app = make_app(home=home)
    async with app.run_test(size=(130, 40)) as pilot:
        pane = await _open_albums(app, pilot)
        await pilot.press("i")
        await _answer(pilot, app, "Scans")
        await _answer(pilot, app, f"'{tmp_path / 'in put'}'")

        def notices() -> str:
            return " ".join(str(n.message) for n in app._notifications)

        # the import's notice names what was refused (checked while it shows:
        # on a loaded machine OCR can outlast it)
        await wait_for(pilot, lambda: "1 imported, 1 refused" in notices(), timeout=60)
        assert "notes.png" in notices()
        # then OCR by itself, in the background
        await wait_for(pilot, lambda: "Lantern" in pane.ocr_text, timeout=90)
        await wait_for(pilot, lambda: not app.jobs.running("album-ocr"))
        await settle(pilot, app)
        assert pane.albums.vlist.total == 1 and pane.images.vlist.total == 1
        assert "Lantern harbour invoice" in screen_text(app)


async def test_move_copy_trash_and_undo(home: Path, tmp_path: Path) -> None:
    from inkbench.tui.app import make_app

    image_id = _album_with_text(home, tmp_path)
    app = make_app(home=home)
    async with app.run_test(size=(130, 40)) as pilot:
        pane = await _open_albums(app, pilot)
        await pilot.press("enter")  # focus the images
        await pilot.press("c")
        await _answer(pilot, app, "Copies")
        await settle(pilot, app)
        assert pane.albums.vlist.total == 2
        await pilot.press("m")
        await _answer(pilot, app, "Copies")  # the file is there already: stays
        await settle(pilot, app)
        assert pane.images.vlist.total == 1
        await pilot.press("d")
        await settle(pilot, app)
        assert pane.images.vlist.total == 0
        assert pane.last_trashed == ("image", image_id, "[red]x[0].png")
        await pilot.press("u")
        await settle(pilot, app)
        assert pane.images.vlist.total == 1
        assert pane.last_trashed is None


async def test_trashing_an_album_takes_its_images_off_the_screen(
    home: Path, tmp_path: Path
) -> None:
    """The images pane follows the album list: trash the highlighted album
    (the last one, so nothing takes its place) and its images go too; undo
    brings them back."""
    from inkbench.integrations.images import import_images
    from inkbench.storage.engine import open_database
    from inkbench.tui.app import make_app

    Image.new("RGB", (32, 32), (10, 200, 10)).save(tmp_path / "leaf.png")
    db = open_database(home)
    import_images(db, "Garden", [tmp_path / "leaf.png"])
    db.dispose()
    app = make_app(home=home)
    async with app.run_test(size=(130, 40)) as pilot:
        pane = await _open_albums(app, pilot)
        await wait_for(pilot, lambda: pane.images.vlist.total == 1)
        assert "leaf.png" in screen_text(app)
        await pilot.press("d")  # the album list has the focus
        await wait_for(pilot, lambda: pane.last_trashed is not None)
        await settle(pilot, app)
        assert pane.albums.vlist.total == 0
        assert pane.images.vlist.total == 0
        assert "leaf.png" not in screen_text(app)
        await pilot.press("u")
        await wait_for(pilot, lambda: pane.images.vlist.total == 1)
        await settle(pilot, app)
        assert "leaf.png" in screen_text(app)
