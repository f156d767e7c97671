"""Editors: autosave within 2 s, text there on reopen, a failed save keeps the
text, revisions browse/diff/restore, word counts with CJK."""

from __future__ import annotations

from pathlib import Path

from tests.tui.helpers import db_row, screen_text, seed, settle, wait_for


async def open_editor(pilot, app, kind: str, doc_id: int):
    from inkbench.tui.messages import OpenDocument
    from inkbench.tui.screens.editor import EditorScreen

    app.post_message(OpenDocument(kind, doc_id))
    await wait_for(pilot, lambda: isinstance(app.screen, EditorScreen))
    await settle(pilot, app)
    return app.screen


async def test_type_autosave_reopen(home: Path) -> None:
    from inkbench.tui.app import make_app

    ids = seed(home)
    app = make_app(home=home)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        editor = await open_editor(pilot, app, "article", ids["garden"])
        await pilot.press("ctrl+end" if False else "end")
        await pilot.press(*" [b]typed[/b] 你好")
        assert editor.dirty
        # autosave comes by itself, without leaving the editor
        await wait_for(pilot, lambda: not editor.dirty and not editor.saving)
        body = db_row(home, "SELECT body FROM article WHERE id = ?", (ids["garden"],))[0]
        assert "[b]typed[/b] 你好" in body
        kinds = db_row(
            home,
            "SELECT group_concat(kind) FROM article_revision WHERE article_id = ?",
            (ids["garden"],),
        )[0]
        assert "autosave" in kinds
        await wait_for(pilot, lambda: editor.counted_version == editor.version)
        assert (
            editor.words
            == db_row(home, "SELECT word_count FROM article WHERE id = ?", (ids["garden"],))[0]
        )
        # more typing, then leave at once: saved on the way out
        await pilot.press(*" more")
        await pilot.press("escape")
        await settle(pilot, app)
        await app.workers.wait_for_complete()
        body = db_row(home, "SELECT body FROM article WHERE id = ?", (ids["garden"],))[0]
        assert "你好 more" in body
        editor = await open_editor(pilot, app, "article", ids["garden"])
        assert "[b]typed[/b] 你好 more" in editor.text_area.text
        assert "[b]typed[/b]" in screen_text(app)


async def test_chapter_title_and_manual_version(home: Path) -> None:
    from inkbench.tui.app import make_app

    ids = seed(home)
    app = make_app(home=home)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        editor = await open_editor(pilot, app, "chapter", ids["chapter1"])
        assert "The [i]Long[/i] Road" in screen_text(app)  # the work's title, literally
        await pilot.press("f2", "end", *" [/]", "enter")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not editor.dirty and not editor.saving)
        row = db_row(home, "SELECT title FROM chapter WHERE id = ?", (ids["chapter1"],))
        assert row[0] == "[0] Crossing [/]"
        kinds = db_row(
            home,
            "SELECT group_concat(kind) FROM chapter_revision WHERE chapter_id = ?",
            (ids["chapter1"],),
        )[0]
        assert "manual" in kinds


async def test_failed_save_keeps_the_text_and_says_so(home: Path) -> None:
    from inkbench.storage.engine import open_database
    from inkbench.storage.trash import purge, trash
    from inkbench.tui.app import make_app

    ids = seed(home)
    app = make_app(home=home)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        editor = await open_editor(pilot, app, "article", ids["garden"])
        # the article disappears underneath (another process purges it)
        db = open_database(home)
        with db.write() as s:
            trash(s, "article", ids["garden"])
            purge(s, "article", ids["garden"])
        db.dispose()
        await pilot.press(*"precious words")
        await wait_for(pilot, lambda: editor.failure is not None)
        assert "precious words" in editor.text_area.text
        assert editor.dirty
        assert "NOT SAVED" in screen_text(app)
        assert "no article with id" in editor.failure
        # the app keeps the text even if the editor is left
        await pilot.press("escape")
        await settle(pilot, app)
        await app.workers.wait_for_complete()
        await settle(pilot, app)
        assert any("precious words" in body for _t, body in app.unsaved.values())


async def test_revisions_diff_and_restore(home: Path) -> None:
    from inkbench.tui.app import make_app
    from inkbench.tui.screens.revisions import RevisionsScreen

    ids = seed(home)
    app = make_app(home=home)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot, app)
        editor = await open_editor(pilot, app, "article", ids["garden"])
        original = editor.text_area.text
        await pilot.press("ctrl+s")  # version 1: the original text
        await wait_for(pilot, lambda: not editor.saving)
        await pilot.press("ctrl+home", *"[NEW] ", "ctrl+s")
        await wait_for(pilot, lambda: not editor.saving and not editor.dirty)
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: isinstance(app.screen, RevisionsScreen))
        history = app.screen
        await settle(pilot, app)
        assert len(history.revisions) == 2
        await pilot.press("down")  # the older one
        await settle(pilot, app)
        text = screen_text(app)
        assert "-# Garden" in text and "+[NEW] # Garden" in text
        await pilot.press("v")
        await settle(pilot, app)
        assert "│ [NEW] # Garden" in screen_text(app)
        await pilot.press("r", "y")
        await wait_for(pilot, lambda: len(history.revisions) == 3)
        body = db_row(home, "SELECT body FROM article WHERE id = ?", (ids["garden"],))[0]
        assert body == original
        kinds = db_row(
            home,
            "SELECT group_concat(kind) FROM article_revision WHERE article_id = ?",
            (ids["garden"],),
        )[0]
        assert "restore" in kinds
        await pilot.press("escape")
        await settle(pilot, app)
        assert app.screen is editor and editor.text_area.text == original


async def test_markdown_highlighting_when_available(home: Path) -> None:
    from inkbench.tui.app import make_app

    ids = seed(home)
    app = make_app(home=home)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        editor = await open_editor(pilot, app, "article", ids["garden"])
        area = editor.text_area
        # tree-sitter and tree-sitter-markdown are dependencies of Inkbench:
        # a short article is always highlighted as markdown
        assert area.language == "markdown"
        assert area.soft_wrap


async def test_fast_wrapped_height_matches_textual() -> None:
    from textual.app import App
    from textual.document._wrapped_document import WrappedDocument

    from inkbench.tui.widgets.editor_area import EditorArea

    text = "A line that is long enough to wrap a few times in a narrow view. 中文也要换行。\n" * 50

    class One(App):
        def compose(self):
            yield EditorArea(text, soft_wrap=True)

    app = One()
    async with app.run_test(size=(40, 20)) as pilot:
        area = app.query_one(EditorArea)
        await pilot.pause()
        area.focus()
        for location, insert in (
            ((3, 5), "x" * 90),
            ((10, 0), "new\nlines\n"),
            ((0, 0), "中" * 30),
        ):
            area.move_cursor(location)
            area.insert(insert)
            await pilot.pause()
            fast = area.wrapped_document
            assert fast.height == WrappedDocument.height.fget(fast)
        assert area.wrapped_document.height > 50


async def _render_after_edits(area_cls, language: str | None) -> list[list[str]]:
    from textual.app import App
    from textual.geometry import Region

    text = "# Title\n\nSome *words* and `code` here, long enough to wrap in a narrow view.\n" * 40
    text += "a (bracket opened\nand closed) later\nshort\n"

    class One(App):
        def compose(self):
            yield area_cls(text, soft_wrap=True, language=language)

    frames = []
    app = One()
    async with app.run_test(size=(50, 16)) as pilot:
        area = app.query_one(area_cls)
        area.cursor_blink = False
        area.focus()
        await pilot.pause()

        def frame() -> list[str]:
            strips = area.render_lines(Region(0, 0, area.size.width, area.size.height))
            return [repr(list(strip)) for strip in strips]

        steps = [
            ("move", (5, 10)),
            ("type", "xyz "),
            ("type", "`"),
            ("move", (6, 0)),
            ("type", "\n\n"),
            ("select", ((2, 3), (4, 8))),
            ("type", "replaced"),
            ("move", (30, 2)),
            ("type", "*" * 70),
            # a key that adds a row, then keys and deletions inside one row
            ("move", (82, 5)),
            ("type", "a row of words"),
            ("type", "\b\b\b"),
            ("select", ((82, 2), (82, 4))),
            ("type", "ab"),
            # deleting a bracket whose match (highlighted) is on another line
            ("move", (120, 2)),
            ("type", "\x7f"),
            ("type", "("),
            ("move", (121, 11)),
            ("type", "\b"),
            ("move", (122, 5)),
            ("type", "ever longer, until this short line wraps into another row"),
            ("move", (0, 0)),
        ]
        frames.append(frame())
        for kind, arg in steps:
            if kind == "move":
                area.move_cursor(arg, center=True)
            elif kind == "select":
                from textual.widgets.text_area import Selection

                area.selection = Selection(*arg)
            else:
                for ch in arg:
                    if ch == "\n":
                        await pilot.press("enter")
                    elif ch == "\b":
                        await pilot.press("backspace")
                    elif ch == "\x7f":
                        await pilot.press("delete")
                    else:
                        area._replace_via_keyboard(ch, *area.selection)
                    frames.append(frame())  # every key, as a terminal shows it
            await pilot.pause()
            frames.append(frame())
    return frames


async def test_editor_area_renders_exactly_like_textarea() -> None:
    """The faster cache keys must never show a stale line: after every edit,
    move and selection the view is identical to Textual's own TextArea."""
    from textual.widgets import TextArea

    from inkbench.tui.widgets.editor_area import EditorArea

    for language in (None, "markdown"):
        ours = await _render_after_edits(EditorArea, language)
        theirs = await _render_after_edits(TextArea, language)
        assert len(ours) == len(theirs)
        for step, (a, b) in enumerate(zip(ours, theirs, strict=True)):
            assert a == b, f"language={language} step {step} differs"


async def test_a_key_inside_a_line_repaints_only_that_lines_rows() -> None:
    from textual.app import App
    from textual.geometry import Region

    from inkbench.tui.widgets.editor_area import EditorArea

    text = "一行足够长的中文，在窄的视图里会换成几行显示出来。\n" * 300

    class One(App):
        def compose(self):
            yield EditorArea(text, soft_wrap=True)

    app = One()
    async with app.run_test(size=(30, 20)) as pilot:
        area = app.query_one(EditorArea)
        area.cursor_blink = False
        area.focus()
        area.move_cursor((150, 3), center=True)
        await pilot.pause()
        area.render_lines(Region(0, 0, area.size.width, area.size.height))
        area._replace_via_keyboard("字", *area.selection)
        rows = area.wrapped_document._line_index_to_offsets[150]
        top = area.scroll_offset.y - area.content_offset.y  # dirty rows count the border
        assert len(rows) > 1
        assert area._styles_cache._dirty_lines == {y - top for y in rows}
        # a new line is a change to every row below it: all of them repaint
        area.render_lines(Region(0, 0, area.size.width, area.size.height))
        area._replace_via_keyboard("\n", *area.selection)
        assert len(area._styles_cache._dirty_lines) == area.size.height
