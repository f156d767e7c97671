"""A work's outline (``o`` in the Works area): its chapters in order, each
with status, words, synopsis and the characters its text names most, and
under each its scenes (synopsis, place, time, mood, words, characters).
alt+up/alt+down move a chapter or a scene (a scene moves with its text);
Enter opens the text at the line; e edits, a adds a scene, t tags."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.screen import Screen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from inkbench.i18n import N_, _, format_words
from inkbench.tui import actions, bible_actions
from inkbench.tui.vocab import status_name
from inkbench.tui.widgets.footer import Footer


def _people(people) -> str:
    return ", ".join(p.name for p in people)


def chapter_line(c) -> Content:
    """A chapter's lines: number, title, status, words, characters, synopsis."""
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
    lines = [head] + [Content("     ") + e for e in extra]
    return Content("\n").join(lines)


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


class OutlineScreen(Screen):
    """The outline of one work."""

    HELP_SECTION = N_("Outline")
    DEFAULT_CSS = """
    OutlineScreen > #outline-head { height: 1; background: $panel; padding: 0 1; text-style: bold; }
    OutlineScreen > OptionList { height: 1fr; border: none; }
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

    def compose(self) -> ComposeResult:
        head = _("Outline of {title}").format(title=self.work_title)
        yield Static(Content(head), id="outline-head")
        yield OptionList(id="outline")
        yield Static(id="outline-info", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.load()

    def load(self, keep: str | None = None) -> None:
        """Read the outline in a worker and show it (keeping the cursor on ``keep``)."""
        self._keep = keep
        self.app.db_job(  # type: ignore[attr-defined]
            bible_actions.read_outline, self.work_id, name=_("outline"), done=self._show
        )

    def _show(self, chapters: list) -> None:
        box = self.query_one("#outline", OptionList)
        before = self._keep or self.current_key()
        self.chapters = chapters
        self.lines.clear()
        options = []
        for c in chapters:
            key = f"c{c.id}"
            self.lines[key] = ("chapter", c)
            options.append(Option(chapter_line(c), id=key))
            for s in c.scenes:
                skey = f"s{s.id}"
                self.lines[skey] = ("scene", c, s)
                options.append(Option(scene_line(s), id=skey))
        box.clear_options()
        box.add_options(options)
        if options:
            keys = [o.id for o in options]
            box.highlighted = keys.index(before) if before in keys else 0
        scenes = sum(len(c.scenes) for c in chapters)
        info = _("{chapters} chapters · {scenes} scenes · Enter opens the text").format(
            chapters=len(chapters), scenes=scenes
        )
        if not chapters:
            info = _("No chapters yet: add one in the Works area (c).")
        self.query_one("#outline-info", Static).update(Content(info))
        self.loaded = True

    def current_key(self) -> str | None:
        box = self.query_one("#outline", OptionList)
        if box.highlighted is None or not box.option_count:
            return None
        return box.get_option_at_index(box.highlighted).id

    def current(self) -> tuple | None:
        key = self.current_key()
        return self.lines.get(key) if key else None

    # --- actions ------------------------------------------------------------------------

    @on(OptionList.OptionSelected, "#outline")
    def _open(self, event: OptionList.OptionSelected) -> None:
        line = self.lines.get(event.option.id or "")
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
        from inkbench.tui.bible_forms import ask_and_save, chapter_fields, scene_fields

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

        def scene_read(values: dict) -> None:
            ask_and_save(
                self,
                _("Scene of “{title}”").format(title=chapter.title),
                scene_fields(values),
                bible_actions.save_scene,
                scene.id,
                chapter.id,
                name=_("save scene"),
                done=self._reload,
            )

        self.app.db_job(  # type: ignore[attr-defined]
            bible_actions.read_scene, scene.id, name=_("read scene"), done=scene_read
        )

    def action_add_scene(self) -> None:
        from inkbench.tui.bible_forms import ask_and_save, scene_fields

        line = self.current()
        if line is None:
            return
        chapter = line[1]
        ask_and_save(
            self,
            _("New scene at the end of “{title}”").format(title=chapter.title),
            scene_fields({"synopsis": "", "time": "", "mood": ""}),
            bible_actions.save_scene,
            None,
            chapter.id,
            name=_("add scene"),
            done=self._reload,
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
