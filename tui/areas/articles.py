"""Articles: every article in a virtual list; open one to edit it."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.widgets import Static

from inkbench.i18n import N_, _, ngettext
from inkbench.storage.lists import ArticleSource
from inkbench.tui import actions
from inkbench.tui.areas.base import AreaPane
from inkbench.tui.messages import DataChanged, OpenDocument
from inkbench.tui.vocab import status_name
from inkbench.tui.widgets.list_pane import ListPane
from inkbench.tui.widgets.virtual_list import VirtualList


class ArticlesArea(AreaPane):
    area_id = "articles"
    BINDINGS = [
        Binding("n", "new", N_("New"), id="articles.new"),
        Binding("d,delete", "trash", N_("Trash"), id="articles.trash"),
        Binding("h", "history", N_("History"), id="articles.history"),
        Binding("p", "publish", N_("Publish"), id="articles.publish"),
        Binding("x", "mark", N_("Mark"), show=False, id="articles.mark"),
    ]

    def compose(self) -> ComposeResult:
        yield ListPane(ArticleSource(), empty_text=_("No articles yet: press n to write one."))
        yield Static(id="article-published", markup=False)

    @property
    def pane(self) -> ListPane:
        return self.query_one(ListPane)

    def focus_default(self) -> None:
        self.pane.focus_list()

    def data_changed(self, kind: str) -> None:
        if kind == "article":
            self.pane.reload()
        if kind == "publication":
            self._show_published(self._current_id())

    def on_area_shown(self) -> None:
        if self.pane.vlist.loaded:
            self.pane.reload()

    @on(VirtualList.Highlighted)
    def _highlighted(self, event: VirtualList.Highlighted) -> None:
        self._show_published(event.row[0] if event.row else None)

    def _show_published(self, article_id: int | None) -> None:
        """Where the highlighted article was published (account, URL), or
        what waits; empty when it never was."""
        from inkbench.storage.publications import article_publications

        line = self.query_one("#article-published", Static)
        marks = self.pane.vlist.marks
        if marks:
            n = len(marks)
            line.update(
                Content(
                    ngettext(
                        "{n} article marked: p publishes it, x unmarks",
                        "{n} articles marked: p publishes them, x unmarks",
                        n,
                    ).format(n=n)
                )
            )
            line.display = True
            return
        rows = article_publications(self.ink.store.ui_conn, article_id) if article_id else []
        parts = []
        for p in rows[:3]:
            where = p.url or ""
            changed = _(" (changed since)") if p.changed and p.status == "published" else ""
            parts.append(f"{p.account_name}: {status_name(p.status)}{changed} {where}".rstrip())
        line.update(Content(" · ".join(parts)))
        line.display = bool(parts)

    def action_mark(self) -> None:
        """Mark or unmark the highlighted article (p publishes the marked
        ones) and go to the next."""
        vlist = self.pane.vlist
        row = vlist.current_row
        if row is None:
            return
        vlist.marks.symmetric_difference_update({row[0]})
        vlist.refresh()
        vlist.action_cursor_down()
        self._show_published(self._current_id())

    def action_publish(self) -> None:
        vlist = self.pane.vlist
        row = vlist.current_row
        if row is None and not vlist.marks:
            return
        article_ids = sorted(vlist.marks) if vlist.marks else [row[0]]
        if len(article_ids) == 1 and row is not None and row[0] == article_ids[0]:
            what = _("“{title}”").format(title=row[1])
        else:
            n = len(article_ids)
            what = ngettext("{n} marked article", "{n} marked articles", n).format(n=n)
        from inkbench.tui.dialogs.choose_account import ChooseAccount

        def queued(n: int) -> None:
            self.notify(
                _("Queued for publishing: {what}. Press g in Publish (0) to send it.").format(
                    what=what
                ),
                markup=False,
            )
            vlist.marks.clear()
            vlist.refresh()
            self.post_message(DataChanged("publication"))
            self._show_published(self._current_id())

        def chosen(choice: tuple[list[str], bool] | None) -> None:
            if choice is not None:
                names, draft = choice
                self.ink.db_job(
                    actions.publish_articles,
                    article_ids,
                    names,
                    draft,
                    name=_("publish"),
                    done=queued,
                )

        def got_accounts(accounts: list[tuple[str, str, bool]]) -> None:
            if not accounts:
                self.notify(
                    _("No publishing accounts: add one with `inkbench publish account add`."),
                    markup=False,
                )
                return
            self.app.push_screen(
                ChooseAccount(_("Publish {what} to").format(what=what), accounts), chosen
            )

        self.ink.db_job(
            actions.publish_account_names, name=_("reading the accounts"), done=got_accounts
        )

    def _current_id(self) -> int | None:
        row = self.pane.vlist.current_row
        return row[0] if row else None

    @on(VirtualList.Selected)
    def _open(self, event: VirtualList.Selected) -> None:
        self.post_message(OpenDocument("article", event.row[0]))

    def action_new(self) -> None:
        from inkbench.tui.dialogs.ask_text import AskText

        def created(article_id: int) -> None:
            self.post_message(DataChanged("article"))
            self.post_message(OpenDocument("article", article_id))

        def answered(title: str | None) -> None:
            if title is not None:
                self.ink.db_job(actions.create_article, title, name=_("new article"), done=created)

        self.app.push_screen(AskText(_("New article: title"), _("a title")), answered)

    def action_trash(self) -> None:
        row = self.pane.vlist.current_row
        if row is None:
            return

        def trashed(_result: None) -> None:
            self.notify(_("Moved to the Trash: {title}").format(title=row[1]), markup=False)
            self.post_message(DataChanged("article"))

        self.ink.db_job(actions.trash_row, "article", row[0], name=_("trash article"), done=trashed)

    def action_history(self) -> None:
        article_id = self._current_id()
        if article_id is not None:
            from inkbench.tui.screens.revisions import RevisionsScreen

            self.app.push_screen(RevisionsScreen("article", article_id))
