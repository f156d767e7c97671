"""Publish: the publishing accounts, the queue with its status and errors,
and the history of the highlighted publication's article.

The runner (``integrations.publish.runner``) is a job of the app; g starts
and stops it. Accounts are added with ``inkbench publish account add`` (it
asks for the secret, which goes only to the keyring); t checks one here and
resumes it when the runner paused it. Articles are queued from the Articles
area (p) or ``inkbench publish``."""

from __future__ import annotations

import contextlib

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.widgets import Static

from inkbench.i18n import N_, _, format_datetime
from inkbench.storage.jobs import CancelToken, ProgressFn
from inkbench.storage.lists import PublicationSource, PublishAccountSource
from inkbench.tui import actions
from inkbench.tui.areas.base import AreaPane
from inkbench.tui.messages import DataChanged
from inkbench.tui.vocab import status_name
from inkbench.tui.widgets.list_pane import ListPane
from inkbench.tui.widgets.virtual_list import VirtualList

RUNNER_JOBS = "publish"


class PublishArea(AreaPane):
    area_id = "publish"
    DEFAULT_CSS = """
    PublishArea #publish-accounts { height: 8; }
    PublishArea #publish-queue { height: 1fr; border-top: solid $panel; }
    PublishArea #publish-detail { height: auto; max-height: 8; padding: 0 1;
                                  border-top: solid $panel; }
    """
    BINDINGS = [
        Binding("g", "toggle_runner", N_("Run/stop"), id="publish.run"),
        Binding("r", "retry", N_("Retry"), id="publish.retry"),
        Binding("c", "cancel", N_("Cancel"), id="publish.cancel"),
        Binding("u", "url", N_("URL"), id="publish.url"),
        Binding("t", "test_account", N_("Test account"), id="publish.test"),
    ]

    def compose(self) -> ComposeResult:
        yield ListPane(
            PublishAccountSource(),
            empty_text=_("No accounts: add one with `inkbench publish account add`."),
            id="publish-accounts",
        )
        yield ListPane(
            PublicationSource(),
            empty_text=_("Nothing published yet: press p on an article in Articles (1)."),
            filter_placeholder=_("/ filter by article title"),
            id="publish-queue",
        )
        yield Static(id="publish-detail", markup=False)

    @property
    def queue(self) -> ListPane:
        return self.query_one("#publish-queue", ListPane)

    @property
    def accounts(self) -> ListPane:
        return self.query_one("#publish-accounts", ListPane)

    def focus_default(self) -> None:
        self.queue.focus_list()

    def on_area_shown(self) -> None:
        for pane in (self.accounts, self.queue):
            if pane.vlist.loaded:
                pane.reload()
        self._sync()

    def data_changed(self, kind: str) -> None:
        if kind in ("publication", "publish_account", "article"):
            self.queue.reload()
            self.accounts.reload()

    def on_mount(self) -> None:
        self.call_after_refresh(self._sync)

    def _sync(self) -> None:
        from textual.css.query import NoMatches

        with contextlib.suppress(NoMatches):
            self._show(self.queue.vlist.current_row)

    @on(VirtualList.Highlighted, "#publish-queue VirtualList")
    def _highlighted(self, event: VirtualList.Highlighted) -> None:
        event.stop()
        self._show(event.row)

    def _show(self, row) -> None:
        """The highlighted publication: where it went or why not, and the
        article's other publications (its history)."""
        from inkbench.storage.publications import article_publications

        detail = self.query_one("#publish-detail", Static)
        if not row:
            detail.update(Content(""))
            return
        pub_id, title, account, status = row[:4]
        url, error, article_id = row[7], row[8], row[9]
        lines = [
            _("#{id} · {title} → {account}: {status}").format(
                id=pub_id, title=title, account=account, status=status_name(status)
            )
        ]
        if url:
            lines.append(_("at {url}").format(url=url))
        if error and status != "published":
            lines.append(f"! {error}")
        history = article_publications(self.ink.store.ui_conn, article_id)
        others = [h for h in history if h.publication_id != pub_id]
        for h in others[:4]:
            when = format_datetime(h.published_at) if h.published_at else ""
            changed = _(" (changed since)") if h.changed else ""
            status = status_name(h.status)
            lines.append(f"  {h.account_name}: {status} {when}{changed} {h.url or ''}".rstrip())
        detail.update(Content("\n".join(lines)))

    def _outcome(self, outcome) -> None:
        """One item the runner finished: a failure or a paused account is a
        notice (what went wrong and what to do); every outcome refreshes."""
        if outcome.status in ("failed", "paused", "lost"):
            self.notify(
                f"{outcome.article_title} → {outcome.account}: {outcome.message}",
                severity="error",
                markup=False,
            )
        self._changed()

    # --- one publication ----------------------------------------------------------------

    def _current(self):
        return self.queue.vlist.current_row

    def _changed(self) -> None:
        self.post_message(DataChanged("publication"))

    def action_retry(self) -> None:
        row = self._current()
        if row is None:
            return

        def done(status: str) -> None:
            self.notify(
                _("Publication #{id}: {status}").format(id=row[0], status=status_name(status)),
                markup=False,
            )
            self._changed()

        self.ink.db_job(actions.retry_publication, row[0], name=_("retry"), done=done)

    def action_cancel(self) -> None:
        row = self._current()
        if row is None:
            return

        def done(status: str) -> None:
            self.notify(
                _("Publication #{id}: {status}").format(id=row[0], status=status_name(status)),
                markup=False,
            )
            self._changed()

        self.ink.db_job(actions.cancel_publication, row[0], name=_("cancel"), done=done)

    def action_url(self) -> None:
        """Show the post's URL and copy it to the clipboard (where the
        terminal allows it)."""
        row = self._current()
        if row is None:
            return
        url = row[7]
        if not url:
            self.notify(_("This publication has no URL yet."), markup=False)
            return
        self.app.copy_to_clipboard(url)
        self.notify(_("Copied: {url}").format(url=url), markup=False)

    # --- accounts -----------------------------------------------------------------------

    def action_test_account(self) -> None:
        row = self.accounts.vlist.current_row
        if row is None:
            self.notify(_("Choose an account in the list above first."), markup=False)
            return
        name = row[1]
        settings = self.ink.settings
        store = self.ink.store

        def job(_cancel: CancelToken, _progress: ProgressFn) -> tuple[str, bool]:
            from inkbench.integrations.publish.accounts import check_account
            from inkbench.integrations.publish.secrets import secret_reader

            return check_account(store.database(), name, secret_reader(settings))

        def done(result: tuple[str, bool]) -> None:
            line, resumed = result
            text = f"{name}: {line}"
            if resumed:
                text += "\n" + _("Resumed: its queued publications will go out.")
            self.notify(text, markup=False)
            self.post_message(DataChanged("publish_account"))

        self.ink.jobs.start(
            job,
            label=_("testing {name}").format(name=name),
            group="publish-test",
            done=done,
            advice=_("check the account's address and password"),
        )

    # --- the runner ---------------------------------------------------------------------

    def action_toggle_runner(self) -> None:
        running = self.ink.jobs.running(RUNNER_JOBS)
        if running:
            for job in running:
                job.cancel()
            self.notify(_("Stopping the publishing runner…"), markup=False)
            return
        self.start_runner()

    def start_runner(self) -> None:
        """Publish what is due, then keep waiting for scheduled items until
        stopped (g again)."""
        settings = self.ink.settings
        store = self.ink.store

        def job(cancel: CancelToken, progress: ProgressFn):
            from inkbench.integrations.publish.runner import run_publications
            from inkbench.integrations.publish.secrets import secret_reader

            return run_publications(
                store.database(),
                secret_reader(settings),
                once=False,
                cancel=cancel,
                progress=progress,
                on_outcome=lambda outcome: self.app.call_from_thread(self._outcome, outcome),
            )

        def done(summary) -> None:
            self.notify(
                _("Publishing stopped: {n} published").format(n=summary.published), markup=False
            )
            self._changed()

        self.ink.jobs.start(
            job,
            label=_("publishing"),
            group=RUNNER_JOBS,
            done=done,
            advice=_("check the account with t, then start again with g"),
        )
        self.notify(_("Publishing runner started · g stops it"), markup=False)
