"""A work's outline (``o`` in the Works area): its chapters in order, each
with status, words, synopsis and the characters its text names most, and
under each its scenes (synopsis, place, time, mood, words, characters).
alt+up/alt+down move a chapter or a scene (a scene moves with its text);
Enter opens the text at the line; e edits, a adds a scene, t tags. The line
under the cursor is shown in full below the list.

The outline is read without its characters (a third of the read's time);
the list builds only the lines on screen (``widgets.outline_list``), and
the characters of the chapters on screen (and their scenes) are read when
those lines are first built, a page of chapters at a time. The outline of
300 chapters with 1,500 scenes opens in the time of its read
(bench/README.md)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Static

from inkbench.i18n import N_, _, format_words
from inkbench.tui import actions, bible_actions
from inkbench.tui.vocab import status_name
from inkbench.tui.widgets.footer import Footer
from inkbench.tui.widgets.outline_list import OutlineList

if TYPE_CHECKING:
    from inkbench.storage.store import Store


def _people(people) -> str:
    return _(", ").join(p.name for p in people)


# chapters whose characters are read at once when one of them is first built
PEOPLE_PAGE = 40


def read_outline_rows(store: Store, work_id: int) -> tuple[list, set[int]]:
    """The outline without characters, and the chapters whose text names
    someone (so their rows know their height). A db job."""
    from inkbench.storage.outline import chapters_naming, outline

    with store.reader() as conn:
        return outline(conn, work_id, people=False), chapters_naming(conn, work_id)


def chapter_height(c, named: bool) -> int:
    """How many lines :func:`chapter_lines` gives (without building them);
    ``named``: its text names someone."""
    return 1 + bool(c.tags) + named + bool(c.synopsis)


def chapter_lines(c) -> list[Content]:
    """A chapter's lines: number, title, status, words; then its tags, the
    characters its text names, its synopsis (each only if it has them)."""
    head = Content.assemble(
        (f"{c.number:>3}. ", "$text-muted"),
        (c.title, "bold"),
        (f"  {status_name(c.status)} · {format_words(c.word_count)}", "$text-muted"),
    )
    extra = []
    if c.tags:
        extra.append(Content.styled("#" + " #".join(c.tags), "$text-accent"))
    if c.characters:
        extra.append(Content(_("named: {people}").format(people=_people(c.characters))))
    if c.synopsis:
        extra.append(Content.styled(c.synopsis.replace("\n", " "), "italic"))
    return [head] + [Content("     ") + e for e in extra]


def scene_line(s) -> Content:
    """A scene's line: synopsis, place, time, mood, words, characters."""
    bits = [s.synopsis.replace("\n", " ") or _("(no synopsis)")]
    if s.location:
        bits.append(_("at {place}").format(place=s.location))
    bits += [x for x in (s.time, s.mood) if x]
    bits.append(format_words(s.word_count))
    if s.characters:
        bits.append(_people(s.characters))
    mark = "◦" if s.placed else "×"
    line = Content.assemble(("       " + mark + " ", "$text-muted"), " · ".join(bits))
    if s.tags:
        line += Content.styled("  #" + " #".join(s.tags), "$text-accent")
    return line


def detail(line: tuple) -> Content:
    """The line under the cursor in full: a scene's synopsis, place, time,
    mood and characters, or a chapter's title, synopsis and named characters."""
    if line[0] == "scene":
        s = line[2]
        head = Content(s.synopsis or _("(no synopsis)"))
        where = "  ".join(
            [
                _("Location: {place}").format(place=s.location or _("(none)")),
                _("Time: {time}").format(time=s.time or "—"),
                _("Mood: {mood}").format(mood=s.mood or "—"),
            ]
        )
        people = _people(s.characters) or _("(none)")
        body = [Content(where), Content(_("Characters: {people}").format(people=people))]
    else:
        c = line[1]
        head = Content.styled(c.title, "bold")
        body = [Content(c.synopsis)] if c.synopsis else []
        if c.characters:
            body.append(Content(_("named: {people}").format(people=_people(c.characters))))
    return Content("\n").join([head, *body])


class OutlineScreen(Screen):
    """The outline of one work."""

    HELP_SECTION = N_("Outline")
    DEFAULT_CSS = """
    OutlineScreen > #outline-head { height: 1; background: $panel; padding: 0 1; text-style: bold; }
    OutlineScreen > OutlineList { height: 1fr; }
    OutlineScreen > #outline-detail {
        height: auto; max-height: 4; padding: 0 1; border-top: solid $panel;
    }
    OutlineScreen > #outline-info { height: 1; color: $text-muted; padding: 0 1; }
    """
    BINDINGS = [
        Binding("escape", "close", N_("Back"), id="outline.close"),
        Binding("alt+up,K", "move(-1)", N_("Move up"), id="outline.move_up"),
        Binding("alt+down,J", "move(1)", N_("Move down"), id="outline.move_down"),
        Binding("e", "edit", N_("Edit"), id="outline.edit"),
        Binding("a", "add_scene", N_("Add scene"), id="outline.add_scene"),
        Binding("t", "tag", N_("Tag"), id="outline.tag"),
    ]
    AUTO_FOCUS = "#outline"

    def __init__(self, work_id: int, work_title: str) -> None:
        super().__init__()
        self.work_id = work_id
        self.work_title = work_title
        self.chapters: list = []
        # option id -> ("chapter", chapter) or ("scene", chapter, scene)
        self.lines: dict[str, tuple] = {}
        self.loaded = False
        self._keep: str | None = None
        # the read starts now, while the screen is composed and mounted (it
        # runs in a worker; its result waits for the mount if it is early)
        self._mounted = False
        self._early: tuple[list, set[int]] | None = None
        self._peopled: set[int] = set()  # chapters (by index) whose characters are read
        self.load()

    def compose(self) -> ComposeResult:
        head = _("Outline of {title}").format(title=self.work_title)
        yield Static(Content(head), id="outline-head")
        yield OutlineList(id="outline")
        yield Static(id="outline-detail", markup=False)
        yield Static(id="outline-info", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self._mounted = True
        if self._early is not None:
            self._show(self._early)
            self._early = None

    def load(self, keep: str | None = None) -> None:
        """Read the outline in a worker and show it (keeping the cursor on ``keep``)."""
        self._keep = keep
        self.app.db_job(  # type: ignore[attr-defined]
            read_outline_rows, self.work_id, name=_("outline"), done=self._arrived
        )

    def _arrived(self, read: tuple[list, set[int]]) -> None:
        if self._mounted:
            self._show(read)
        else:
            self._early = read

    def _show(self, read: tuple[list, set[int]]) -> None:
        chapters, named = read
        box = self.query_one("#outline", OutlineList)
        before = self._keep or self.current_key()
        self.chapters = chapters
        self._peopled.clear()
        self.lines.clear()
        lines = self.lines
        keys: list[str] = []
        heights: list[int] = []
        for c in chapters:
            key = f"c{c.id}"
            lines[key] = ("chapter", c)
            keys.append(key)
            heights.append(chapter_height(c, c.id in named))
            for s in c.scenes:
                key = f"s{s.id}"
                lines[key] = ("scene", c, s)
                keys.append(key)
                heights.append(1)

        def lines_of(i: int) -> list[Content]:
            line = lines[keys[i]]
            self._people(line[1].number - 1)  # chapter numbers count from 1, in order
            return chapter_lines(line[1]) if line[0] == "chapter" else [scene_line(line[2])]

        box.set_rows(keys, heights, lines_of, keep=before)
        scenes = len(keys) - len(chapters)
        info = _("{chapters} chapters · {scenes} scenes · Enter opens the text").format(
            chapters=len(chapters), scenes=scenes
        )
        if not chapters:
            info = _("No chapters yet: add one in the Works area (c).")
            self.query_one("#outline-detail", Static).update("")
        self.query_one("#outline-info", Static).update(Content(info))
        self.loaded = True

    def _people(self, k: int) -> None:
        """Read the characters of chapter ``k`` and its scenes if not read
        yet, with those of the next chapters (a page: ~0.5 ms, on the UI
        thread's read connection, as list pages are)."""
        if k in self._peopled:
            return
        from inkbench.storage.outline import fill_people

        end = min(k + PEOPLE_PAGE, len(self.chapters))
        page = [i for i in range(k, end) if i not in self._peopled]
        fill_people(
            self.app.store.ui_conn,  # type: ignore[attr-defined]
            self.work_id,
            [self.chapters[i] for i in page],
        )
        self._peopled.update(page)

    @on(OutlineList.Highlighted, "#outline")
    def _highlighted(self, event: OutlineList.Highlighted) -> None:
        line = self.lines.get(event.key)
        if line is not None:
            self._people(line[1].number - 1)
            self.query_one("#outline-detail", Static).update(detail(line))

    def current_key(self) -> str | None:
        """The key of the line under the cursor (``c<id>`` or ``s<id>``)."""
        return self.query_one("#outline", OutlineList).highlighted_key

    def current(self) -> tuple | None:
        """The line under the cursor: ("chapter", chapter) or ("scene", chapter, scene)."""
        key = self.current_key()
        return self.lines.get(key) if key else None

    # --- actions ------------------------------------------------------------------------

    @on(OutlineList.Selected, "#outline")
    def _open(self, event: OutlineList.Selected) -> None:
        line = self.lines.get(event.key)
        if line is None:
            return
        from inkbench.tui.messages import OpenDocument

        if line[0] == "chapter":
            self.app.post_message(OpenDocument("chapter", line[1].id))
            return
        from inkbench.storage.bible_views import scene_place

        row, _col = scene_place(self.app.store.ui_conn, line[1].id, line[2].id)  # type: ignore[attr-defined]
        self.app.post_message(OpenDocument("chapter", line[1].id, row + 1, 0))

    def action_close(self) -> None:
        self.dismiss(None)

    def _reload(self, _result=None) -> None:
        from inkbench.tui.messages import DataChanged

        self.load()
        self.app.post_message(DataChanged("chapter"))

    def action_move(self, delta: int) -> None:
        line = self.current()
        if line is None:
            return
        key = self.current_key()
        if line[0] == "chapter":
            job, target = actions.move_chapter, line[1].id
        else:
            if not line[2].placed:
                self.notify(_("This scene's marker is not in the text; it cannot move."))
                return
            job, target = bible_actions.move_scene, line[2].id
        self.app.db_job(  # type: ignore[attr-defined]
            job, target, delta, name=_("move"), done=lambda _r: self._moved(key)
        )

    def _moved(self, key: str | None) -> None:
        from inkbench.tui.messages import DataChanged

        self.load(keep=key)
        self.app.post_message(DataChanged("chapter"))

    def action_edit(self) -> None:
        from inkbench.tui.bible_forms import ask_and_save, chapter_fields

        line = self.current()
        if line is None:
            return
        if line[0] == "chapter":
            chapter = line[1]

            def chapter_read(values: dict) -> None:
                ask_and_save(
                    self,
                    _("Chapter “{title}”").format(title=values["title"]),
                    chapter_fields(values),
                    bible_actions.save_chapter,
                    chapter.id,
                    name=_("save chapter"),
                    done=self._reload,
                )

            self.app.db_job(  # type: ignore[attr-defined]
                bible_actions.read_chapter, chapter.id, name=_("read chapter"), done=chapter_read
            )
            return
        chapter, scene = line[1], line[2]
        self._scene_form(chapter.id, scene.id, _("Scene of “{title}”").format(title=chapter.title))

    def _scene_form(self, chapter_id: int, scene_id: int | None, title: str) -> None:
        """Read the scene form's choices (the work's places and characters),
        ask, and save the scene (a new one at the chapter's end when
        ``scene_id`` is None)."""
        from inkbench.tui.bible_forms import (
            ask_and_save,
            read_scene_form,
            save_scene_form,
            scene_fields,
        )

        def with_form(form) -> None:
            ask_and_save(
                self,
                title,
                scene_fields(form),
                save_scene_form,
                scene_id,
                chapter_id,
                name=_("save scene") if scene_id else _("add scene"),
                done=self._reload,
            )

        self.app.db_job(  # type: ignore[attr-defined]
            read_scene_form, chapter_id, scene_id, name=_("read scene"), done=with_form
        )

    def action_add_scene(self) -> None:
        line = self.current()
        if line is None:
            return
        chapter = line[1]
        self._scene_form(
            chapter.id, None, _("New scene at the end of “{title}”").format(title=chapter.title)
        )

    def action_tag(self) -> None:
        """Put a tag on the chapter or scene (or take it off)."""
        from inkbench.tui.dialogs.ask_text import AskText

        line = self.current()
        if line is None:
            return
        kind, row_id = ("chapter", line[1].id) if line[0] == "chapter" else ("scene", line[2].id)

        def answered(name: str | None) -> None:
            if name and name.strip():
                self.app.db_job(  # type: ignore[attr-defined]
                    bible_actions.toggle_tag,
                    self.work_id,
                    name,
                    kind,
                    row_id,
                    name=_("tag"),
                    done=self._reload,
                )

        self.app.push_screen(
            AskText(_("Tag to put on (or take off): its name"), _("a tag of this work")), answered
        )

    def on_worker_state_changed(self, event) -> None:
        self.app.worker_failed(event)  # type: ignore[attr-defined]
