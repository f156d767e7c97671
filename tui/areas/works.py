"""Works (novels) and their chapters: two lists side by side, word goals with
progress, chapter reordering, and the chapter editor."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.widgets import ProgressBar, Sparkline, Static

from inkbench.i18n import N_, _, aside, ngettext
from inkbench.storage.lists import ChapterSource, WorkSource
from inkbench.tui import actions
from inkbench.tui.areas.base import AreaPane
from inkbench.tui.messages import DataChanged, OpenDocument
from inkbench.tui.vocab import kind_name
from inkbench.tui.widgets.list_pane import ListPane
from inkbench.tui.widgets.master_detail import MasterDetail
from inkbench.tui.widgets.virtual_list import VirtualList


class WorksArea(AreaPane):
    area_id = "works"
    DEFAULT_CSS = """
    WorksArea > Horizontal { height: 1fr; }
    WorksArea #works-side { width: 1fr; }
    WorksArea #chapters-side { width: 1fr; border-left: solid $panel; }
    WorksArea #goal { height: 1; padding: 0 1; }
    WorksArea #goal-bar { height: 1; padding: 0 1; }
    WorksArea #work-heading { height: 1; padding: 0 1; text-style: bold; color: $text-accent; }
    WorksArea #writing { height: 1; padding: 0 1; color: $text-muted; }
    WorksArea #writing-days { height: 1; width: 1fr; padding: 0 1; }
    """
    BINDINGS = [
        Binding("n", "new_work", N_("New work"), id="works.new"),
        Binding("c", "new_chapter", N_("New chapter"), id="works.new_chapter"),
        Binding("w", "goal", N_("Word goal"), id="works.goal"),
        Binding("K,ctrl+up", "move(-1)", N_("Move up"), id="works.move_up"),
        Binding("J,ctrl+down", "move(1)", N_("Move down"), id="works.move_down"),
        Binding("d,delete", "trash", N_("Trash"), id="works.trash"),
        Binding("h", "history", N_("History"), id="works.history"),
        Binding("b", "bible", N_("Story bible"), id="works.bible"),
        Binding("O", "outline", N_("Outline"), id="works.outline"),
        Binding("e", "edit", N_("Edit"), id="works.edit"),
        Binding("x", "export", N_("Export"), id="works.export"),
        Binding("left", "focus_works", N_("Works"), show=False, id="works.focus_works"),
        Binding("right", "focus_chapters", N_("Chapters"), show=False, id="works.focus_chapters"),
    ]

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.work_id: int | None = None
        self.work_title = ""

    def compose(self) -> ComposeResult:
        yield MasterDetail(
            ListPane(WorkSource(), empty_text=_("No works yet: press n to start one."), id="works"),
            ListPane(
                ChapterSource(None),
                empty_text=_("No chapters: press c to add one."),
                id="chapters",
            ),
            lambda row: ChapterSource(row[0] if row else None),
            master_side="works-side",
            detail_side="chapters-side",
            above_detail=[
                Static(id="work-heading", markup=False),
                Static(id="goal", markup=False),
                ProgressBar(total=100, show_eta=False, id="goal-bar"),
                Static(id="writing", markup=False),
                Sparkline([], id="writing-days"),
            ],
        )

    @property
    def lists(self) -> MasterDetail:
        return self.query_one(MasterDetail)

    @property
    def works(self) -> ListPane:
        return self.lists.master

    @property
    def chapters(self) -> ListPane:
        return self.lists.detail

    def focus_default(self) -> None:
        self.lists.focus_master()

    def on_area_shown(self) -> None:
        if self.works.vlist.loaded:
            self.works.reload()

    def data_changed(self, kind: str) -> None:
        if kind in ("work", "chapter"):
            self.works.reload()
            self.lists.sync()

    # --- selection ----------------------------------------------------------------

    @on(MasterDetail.MasterChanged)
    def _work_shown(self, event: MasterDetail.MasterChanged) -> None:
        event.stop()
        self._show_work(event.row)
        if not event.changed:
            self.chapters.reload()

    def _show_work(self, row) -> None:
        work_id = row[0] if row else None
        if row:
            _id, title, _status, chapters, words, goal, genre = row
            self.work_title = title
            heading = title + aside(genre)
            self.query_one("#work-heading", Static).update(Content(heading))
            bar = self.query_one("#goal-bar", ProgressBar)
            if goal:
                pct = 100 * words / goal
                self.query_one("#goal", Static).update(
                    Content(
                        _("Goal: {words:,} of {goal:,} words ({pct:.0f}%)").format(
                            words=words, goal=goal, pct=pct
                        )
                    )
                )
                bar.display = True
                bar.update(total=goal, progress=min(words, goal))
            else:
                self.query_one("#goal", Static).update(
                    Content(
                        _("{words:,} words in {chapters} chapters · no goal (w sets one)").format(
                            words=words, chapters=chapters
                        )
                    )
                )
                bar.display = False
        else:
            self.query_one("#work-heading", Static).update(Content(""))
            self.query_one("#goal", Static).update(Content(_("Pick a work on the left.")))
            self.query_one("#goal-bar", ProgressBar).display = False
        self.work_id = work_id
        self._read_stats(work_id)

    def _read_stats(self, work_id: int | None) -> None:
        """Words per day (last 30 days) and the streak, read in a job."""
        writing = self.query_one("#writing", Static)
        days = self.query_one("#writing-days", Sparkline)
        if work_id is None:
            writing.update(Content(""))
            days.data = []
            return
        from inkbench.tui.bible_actions import writing_stats

        self.ink.db_job(
            writing_stats,
            work_id,
            name=_("writing statistics"),
            done=lambda stats: self._show_stats(work_id, stats),
        )

    def _show_stats(self, work_id: int, stats) -> None:
        if work_id != self.work_id:
            return  # another work is shown now
        writing = self.query_one("#writing", Static)
        days = self.query_one("#writing-days", Sparkline)
        last = sum(n for _day, n in stats.days)
        text = ngettext(
            "Last 30 days: {words:,} words added · streak {streak} day",
            "Last 30 days: {words:,} words added · streak {streak} days",
            stats.streak,
        ).format(words=last, streak=stats.streak)
        writing.update(Content(text))
        days.data = [n for _day, n in stats.days]

    @on(VirtualList.Selected, "#chapters VirtualList")
    def _chapter_selected(self, event: VirtualList.Selected) -> None:
        event.stop()
        self.post_message(OpenDocument("chapter", event.row[0]))

    def _chapters_focused(self) -> bool:
        return self.lists.detail_focused

    # --- actions ------------------------------------------------------------------

    def action_focus_works(self) -> None:
        self.lists.focus_master()

    def action_focus_chapters(self) -> None:
        self.lists.focus_detail()

    def action_new_work(self) -> None:
        from inkbench.tui.dialogs.ask_text import AskText

        def answered(title: str | None) -> None:
            if title is not None:
                self.ink.db_job(
                    actions.create_work,
                    title,
                    name=_("new work"),
                    done=lambda _id: self.post_message(DataChanged("work")),
                )

        self.app.push_screen(AskText(_("New work: title"), _("a title")), answered)

    def action_new_chapter(self) -> None:
        from inkbench.tui.dialogs.ask_text import AskText

        row = self.works.vlist.current_row
        if row is None:
            self.notify(_("Create or pick a work first (n creates one)."))
            return
        work_id = row[0]

        def created(chapter_id: int) -> None:
            self.post_message(DataChanged("chapter"))
            self.post_message(OpenDocument("chapter", chapter_id))

        def answered(title: str | None) -> None:
            if title is not None:
                self.ink.db_job(
                    actions.create_chapter, work_id, title, name=_("new chapter"), done=created
                )

        self.app.push_screen(AskText(_("New chapter: title"), _("a title")), answered)

    def action_goal(self) -> None:
        from inkbench.tui.dialogs.ask_text import AskText

        row = self.works.vlist.current_row
        if row is None:
            return
        work_id = row[0]
        current = str(row[5])

        def answered(text: str | None) -> None:
            if text is None:
                return
            try:
                goal = int(text.replace(",", "").replace("_", "").strip() or "0")
            except ValueError:
                self.notify(
                    _("Not a number of words: {text}").format(text=text),
                    severity="error",
                    markup=False,
                )
                return
            self.ink.db_job(
                actions.set_word_goal,
                work_id,
                goal,
                name=_("set word goal"),
                done=lambda _r: self.post_message(DataChanged("work")),
            )

        self.app.push_screen(
            AskText(_("Word goal for this work (0 for none)"), "80000", current), answered
        )

    def action_move(self, delta: int) -> None:
        row = self.chapters.vlist.current_row
        if row is None:
            return

        def moved(index: int) -> None:
            self.chapters.reload()
            self.chapters.vlist.move_to(index)

        self.ink.db_job(actions.move_chapter, row[0], delta, name=_("move chapter"), done=moved)

    def action_trash(self) -> None:
        if self._chapters_focused():
            row, entity = self.chapters.vlist.current_row, "chapter"
            title = row[2] if row else ""
        else:
            row, entity = self.works.vlist.current_row, "work"
            title = row[1] if row else ""
        if row is None:
            return

        def trashed(_r: None) -> None:
            self.notify(_("Moved to the Trash: {title}").format(title=title), markup=False)
            self.post_message(DataChanged(entity))

        self.ink.db_job(
            actions.trash_row,
            entity,
            row[0],
            name=_("trash {kind}").format(kind=kind_name(entity)),
            done=trashed,
        )

    def action_history(self) -> None:
        row = self.chapters.vlist.current_row
        if row is None:
            self.notify(_("Pick a chapter first: history is kept per chapter."))
            return
        from inkbench.tui.screens.revisions import RevisionsScreen

        self.app.push_screen(RevisionsScreen("chapter", row[0]))

    # --- the novel's screens and forms ------------------------------------------------

    def _work_row(self):
        row = self.works.vlist.current_row
        if row is None:
            self.notify(_("Create or pick a work first (n creates one)."))
        return row

    def action_bible(self) -> None:
        """The work's story bible: characters, world, tags."""
        row = self._work_row()
        if row is not None:
            from inkbench.tui.screens.bible import BibleScreen

            self.app.push_screen(BibleScreen(row[0], row[1]))

    def action_outline(self) -> None:
        """The work's outline: chapters and scenes."""
        row = self._work_row()
        if row is not None:
            from inkbench.tui.screens.outline import OutlineScreen

            self.app.push_screen(OutlineScreen(row[0], row[1]))

    def action_edit(self) -> None:
        """Edit the work's fields, or the highlighted chapter's status and synopsis."""
        from inkbench.tui import bible_actions
        from inkbench.tui.bible_forms import ask_and_save, chapter_fields, work_fields

        if self._chapters_focused():
            chapter = self.chapters.vlist.current_row
            if chapter is None:
                return

            def chapter_read(values: dict) -> None:
                ask_and_save(
                    self,
                    _("Chapter “{title}”").format(title=values["title"]),
                    chapter_fields(values),
                    bible_actions.save_chapter,
                    chapter[0],
                    name=_("save chapter"),
                    done=lambda _r: self.post_message(DataChanged("chapter")),
                )

            self.ink.db_job(
                bible_actions.read_chapter, chapter[0], name=_("read chapter"), done=chapter_read
            )
            return
        row = self._work_row()
        if row is None:
            return

        def work_read(values: dict) -> None:
            ask_and_save(
                self,
                _("Work “{title}”").format(title=values["title"]),
                work_fields(values),
                bible_actions.save_work,
                row[0],
                name=_("save work"),
                done=lambda _r: self.post_message(DataChanged("work")),
            )

        self.ink.db_job(bible_actions.read_work, row[0], name=_("read work"), done=work_read)

    def action_export(self) -> None:
        """Export the work as one manuscript (md, docx, epub)."""
        row = self._work_row()
        if row is not None:
            from inkbench.tui.manuscript_export import ask_export

            ask_export(self, row[0], row[1])
