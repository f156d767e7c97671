"""The Textual app. ``make_app`` is the one way to build it (CLI and tests).

Start-up stays light: the first list is read with stdlib sqlite3
(``storage.store``, ``storage.lists``) and storage's ORM is imported in a
worker after the first paint. Long work goes through ``app.jobs``
(``tui.jobs``): progress in the status bar, cancel, one failure route.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import itertools
import os
import threading
from collections.abc import Callable
from typing import Any

from rich.cells import cell_len
from textual import on
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.widget import Widget
from textual.widgets import ContentSwitcher
from textual.worker import Worker, WorkerState

from inkbench.i18n import LANGUAGES, N_, _, set_language
from inkbench.settings import Settings, load_settings
from inkbench.storage.store import Store
from inkbench.tui.areas import AREAS, area
from inkbench.tui.commands import InkbenchCommands
from inkbench.tui.jobs import Job, Jobs, describe_error, log_error
from inkbench.tui.keymap import check_keymap, unknown_ids
from inkbench.tui.messages import (
    AccountChanged,
    ConnectivityChanged,
    DataChanged,
    DocRef,
    DocumentSaved,
    DocumentSaveFailed,
    JobFailed,
    JobFinished,
    JobProgress,
    OpenDocument,
    ServerWarning,
)
from inkbench.tui.textual_text import textual_text
from inkbench.tui.vocab import kind_name
from inkbench.tui.widgets.footer import Footer
from inkbench.tui.widgets.status_bar import StatusBar

FIRST_AREA = "articles"
# the [keymap] ids are checked this long after start-up, once the first
# screen is up (knowing every id imports every area and screen module)
KEYMAP_CHECK_AFTER_S = 0.5
# the start-up heap is frozen this long after start (see freeze_heap)
FREEZE_AFTER_S = 2.0


def freeze_heap() -> None:
    """Move every object alive now (the modules, classes and data that live
    as long as the app) out of the collector's sight (``gc.freeze``). A full
    collection then scans only what came later: opening and closing screens
    leaves their widget trees as cyclic garbage only a full collection
    frees, and with the whole start-up heap in sight each took 150-370 ms
    (500k objects in the outline bench), falling on a screen's open about
    one time in ten. No collection first: at this point one takes ~40 ms
    on the UI thread and finds ~20 unreachable objects (a demo home)."""
    gc.freeze()


class AreaTabs(Widget):
    """One line naming every area with its key; the current one highlighted."""

    DEFAULT_CSS = """
    AreaTabs { height: 1; background: $panel; padding: 0 1; }
    """

    def __init__(self) -> None:
        super().__init__(id="tabs")
        self.current = FIRST_AREA

    def _layout(self) -> tuple[Content, list[tuple[str, int]]]:
        """The tabs line in the current language, and (area id, cells) of each
        tab after the name, for clicks. At a narrow width the name goes and
        tabs lose their padding; narrower still, the longest names of the other
        tabs are shortened (with …) until the line fits, so every key shows and
        the current tab keeps its whole name."""
        keymap = self.app._keymap
        labels = []
        for a in AREAS:
            key = keymap.get(a.binding_id, a.key).split(",")[0]
            labels.append((a.id, key, _(a.title)))
        room = (self.size.width or 80) - 2  # the widget's padding
        name = Content.styled(" Inkbench ", "bold $text-accent")
        wide = [f" {key} {title} " for _id, key, title in labels]
        if name.cell_length + sum(cell_len(t) for t in wide) <= room:
            texts, head, sep = wide, name, ""
        else:
            titles = {area_id: title for area_id, _key, title in labels}

            def line_cells() -> int:
                tabs = sum(cell_len(f"{k} {titles[i]}") for i, k, _t in labels)
                return tabs + len(labels) - 1

            while line_cells() > room:
                others = [
                    i for i, _k, _t in labels if i != self.current and cell_len(titles[i]) > 2
                ]
                if not others:
                    break
                longest = max(others, key=lambda i: cell_len(titles[i]))
                kept = titles[longest].rstrip("…")
                titles[longest] = kept[:-1] + "…"
            texts = [f"{key} {titles[area_id]}" for area_id, key, _t in labels]
            head, sep = Content(""), " "
        parts = []
        spans = [("", head.cell_length)]
        for (area_id, _key, _title), text in zip(labels, texts, strict=True):
            style = "bold reverse $accent" if area_id == self.current else "$text-muted"
            parts.append(Content.styled(text, style))
            spans.append((area_id, cell_len(text) + len(sep)))
        return head + Content(sep).join(parts), spans

    def render(self) -> Content:
        tabs, _spans = self._layout()
        hint = Content.styled(_("  ^f search · ^p commands · f1 keys"), "$text-muted")
        if tabs.cell_length + hint.cell_length <= self.size.width:
            tabs += hint
        return tabs

    def on_click(self, event) -> None:
        x = event.x - 1
        for area_id, width in self._layout()[1]:
            if 0 <= x < width:
                if area_id:
                    self.app.show_area(area_id)  # type: ignore[attr-defined]
                return
            x -= width


def _area_bindings() -> list[Binding]:
    # not in the footer (show=False): the tabs line names every area with its key
    group = Binding.Group(N_("Areas"), compact=True)
    return [
        Binding(a.key, f"show_area('{a.id}')", a.title, id=a.binding_id, group=group, show=False)
        for a in AREAS
    ]


class InkbenchApp(App):
    TITLE = "Inkbench"
    CSS_PATH = "app.tcss"  # shared styles; widgets and dialogs carry their own
    COMMANDS = App.COMMANDS | {InkbenchCommands}
    BINDINGS = [
        *_area_bindings(),
        Binding("ctrl+f", "search", N_("Search"), id="app.search", priority=True),
        Binding("f1,question_mark", "help", N_("Keys"), id="app.help"),
        Binding("ctrl+p", "command_palette", N_("Commands"), id="app.palette", priority=True),
        Binding("ctrl+t", "toggle_theme", N_("Light/dark"), show=False, id="app.theme"),
        Binding("ctrl+q", "quit", N_("Quit"), id="app.quit", priority=True),
    ]

    def __init__(
        self,
        home: str | os.PathLike[str] | None = None,
        settings: Settings | None = None,
    ) -> None:
        super().__init__()
        self.store = Store(home)
        self.jobs = Jobs(self, self.store.home)
        self.settings = settings if settings is not None else load_settings(self.store.home)
        self.store_ready = self.store.schema_is_current()
        self.unsaved: dict[DocRef, tuple[str, str]] = {}
        self._save_seq = itertools.count(1)
        self._saved_seq: dict[DocRef, int] = {}
        self._doc_locks: dict[DocRef, threading.Lock] = {}
        self._save_jobs: dict[Worker, tuple[DocRef, int, str, str]] = {}
        self._quit_anyway = False
        self._mounting: dict[str, Any] = {}
        self._problems = list(self.settings.problems)
        # a headless app (tests: many apps in one process, one after another)
        # freezes nothing, or each would keep its heap for good; a benchmark
        # of the real app's pauses sets this
        self.freeze_headless = False
        if self.settings.keymap:
            # ids are checked after the first frame (_check_keymap_ids); an
            # entry naming no binding changes nothing meanwhile
            keymap, problems = check_keymap(self.settings.keymap, None, self._config_name)
            self._problems += problems
            self.set_keymap(keymap)

    @property
    def _config_name(self) -> str:
        return str(self.settings.path or "config.toml")

    def _settings_notice(self, problem: str) -> None:
        self.notify(problem, title=_("Settings"), severity="warning", timeout=12, markup=False)

    def _check_keymap_ids(self) -> None:
        from inkbench.tui.keys import all_ids

        for problem in unknown_ids(self.settings.keymap, all_ids(type(self)), self._config_name):
            self._settings_notice(problem)

    # --- layout -------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield AreaTabs()
        with ContentSwitcher(id="areas", initial=None):
            yield self._make_pane(FIRST_AREA)
        yield StatusBar(id="status")
        yield Footer()

    def _make_pane(self, area_id: str) -> Widget:
        return area(area_id).load()(id=f"area-{area_id}")

    def on_mount(self) -> None:
        theme = self.settings.ui.theme
        if theme:
            if theme in self.available_themes:
                self.theme = theme
            else:
                self._problems.append(
                    _("{path}: ui.theme: no theme named {theme!r}; use one of {themes}").format(
                        path=self.settings.path or "config.toml",
                        theme=theme,
                        themes=", ".join(sorted(self.available_themes)),
                    )
                )
        for problem in self._problems:
            self._settings_notice(problem)
        if self.settings.keymap:
            self.set_timer(KEYMAP_CHECK_AFTER_S, self._check_keymap_ids)
        if not self.is_headless or self.freeze_headless:
            self.set_timer(FREEZE_AFTER_S, freeze_heap)
        self.query_one(ContentSwitcher).current = f"area-{FIRST_AREA}"
        self.call_after_refresh(self._focus_area, FIRST_AREA)
        from inkbench.integrations.ai.plain_http import set_sink
        from inkbench.tui.areas.account import start_monitor  # online/offline, account, quota

        # a plain-http server elsewhere: one notice this session, from any thread
        set_sink(lambda message: self.post_message(ServerWarning(message)))
        start_monitor(self)  # a thread worker; started here so the first check is known early
        if not self.store_ready:
            self.run_worker(
                self._open_database, thread=True, name=_("open database"), exit_on_error=False
            )

    def on_ready(self) -> None:
        if self.store_ready:
            # after the first paint: import the ORM and open storage for writes
            self.run_worker(
                self.store.database, thread=True, name=_("open database"), exit_on_error=False
            )

    def _open_database(self) -> None:
        """(Thread worker.) Open the database, upgrading an older one with its
        progress in the status bar (rebuilding a big search index takes minutes)."""
        job = "database-upgrade"

        def progress(done: int, total: int, step: str) -> None:
            self.post_message(JobProgress(job, step, done, total or None))

        try:
            self.store.database(progress=progress)
        finally:
            self.post_message(JobFinished(job, _("Upgrading the database")))
        self.call_from_thread(self._database_ready)

    def _database_ready(self) -> None:
        from inkbench.tui.widgets.list_pane import ListPane

        self.store_ready = True
        for pane in self.query(ListPane):
            pane.reload()

    # --- areas --------------------------------------------------------------------

    def pane(self, area_id: str) -> Widget | None:
        found = self.query(f"#area-{area_id}")
        return found.first() if found else None

    def show_area(self, area_id: str) -> Widget:
        if self.screen is not self.screen_stack[0]:
            while len(self.screen_stack) > 1 and not self._leave_screen():
                pass
        switcher = self.query_one(ContentSwitcher)
        pane = self.pane(area_id)
        fresh = pane is None
        if pane is None:
            pane = self._make_pane(area_id)
            self._mounting[area_id] = switcher.mount(pane)
        switcher.current = f"area-{area_id}"
        tabs = self.query_one(AreaTabs)
        tabs.current = area_id
        tabs.refresh()
        if not fresh and hasattr(pane, "on_area_shown"):
            pane.on_area_shown()
        self.call_after_refresh(self._focus_area, area_id)
        return pane

    def _leave_screen(self) -> bool:
        """Close the top screen (editors save on the way out). False at the bottom."""
        from inkbench.tui.screens.editor import EditorScreen

        screen = self.screen
        if len(self.screen_stack) <= 1:
            return True
        if isinstance(screen, EditorScreen):
            screen.flush()
        self.pop_screen()
        return len(self.screen_stack) <= 1

    async def _focus_area(self, area_id: str) -> None:
        mounting = self._mounting.get(area_id)
        if mounting is not None:  # a pane opened just now: its children mount first
            await mounting
        pane = self.pane(area_id)
        if pane is not None and hasattr(pane, "focus_default"):
            pane.focus_default()

    def action_show_area(self, area_id: str) -> None:
        self.show_area(area_id)

    async def run_area_action(self, area_id: str, action: str) -> None:
        """Open an area and run one of its actions (the palette does this)."""
        pane = self.show_area(area_id)
        mounting = self._mounting.pop(area_id, None)
        if mounting is not None:
            await mounting
            await asyncio.sleep(0)
        await pane.run_action(action)

    # --- Textual's own words ------------------------------------------------------------

    def get_system_commands(self, screen):  # noqa: ANN201 (Textual's signature)
        """Textual's system commands (theme, quit, screenshot…) in the interface's language."""
        for command in super().get_system_commands(screen):
            yield command._replace(
                title=textual_text(command.title), help=textual_text(command.help)
            )

    def action_command_palette(self) -> None:
        """The command palette, its placeholder in the interface's language."""
        from textual.command import CommandPalette

        if self.use_command_palette and not CommandPalette.is_open(self):
            placeholder = textual_text("Search for commands…")
            self.push_screen(CommandPalette(id="--command-palette", placeholder=placeholder))

    def search_themes(self) -> None:
        """The theme picker, its placeholder in the interface's language."""
        from textual.command import CommandPalette
        from textual.theme import ThemeProvider

        placeholder = textual_text("Search for themes…")
        self.push_screen(CommandPalette(providers=[ThemeProvider], placeholder=placeholder))

    # --- language -------------------------------------------------------------------

    async def switch_language(self, language: str) -> None:
        """Speak ``language`` from now on and keep the choice in config.toml
        (``[ui] language``, a one-line edit). Screens above the main one close
        (editors save on the way out) and the area panes are built again, so
        the next screen is in the new language; rows live in the database and
        come back as they were."""
        from inkbench.settings import set_ui_language
        from inkbench.storage.errors import InkbenchError

        code = set_language(language)
        kept = True
        try:
            set_ui_language(self.store.home, code)
        except (OSError, ValueError, InkbenchError) as e:
            kept = False
            self.notify(
                _("Could not keep the language in config.toml: {error}").format(error=e),
                severity="warning",
                markup=False,
            )
        while len(self.screen_stack) > 1 and not self._leave_screen():
            pass
        tabs = self.query_one(AreaTabs)
        current = tabs.current
        switcher = self.query_one(ContentSwitcher)
        self._mounting.clear()
        await switcher.remove_children()
        self.show_area(current)
        tabs.refresh()
        self.status.refresh()
        footer = self.screen.query_one(Footer)
        footer.call_later(footer.recompose)  # on the footer's own message pump
        self.refresh_bindings()
        if kept:
            self.notify(_("Interface language: {name}").format(name=LANGUAGES[code][1]))

    # --- global actions --------------------------------------------------------------

    def action_search(self) -> None:
        from inkbench.tui.screens.search import SearchScreen

        if not isinstance(self.screen, SearchScreen):
            self.push_screen(SearchScreen())

    def action_help(self) -> None:
        from inkbench.tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_toggle_theme(self) -> None:
        self.theme = "textual-light" if self.current_theme.dark else "textual-dark"

    async def action_quit(self) -> None:
        from inkbench.tui.screens.editor import EditorScreen

        for screen in self.screen_stack:
            if isinstance(screen, EditorScreen):
                screen.flush()
        saves = [w for w in self.workers if w.group == "save" and not w.is_finished]
        if saves:
            await self.workers.wait_for_complete(saves)
        if self.unsaved and not self._quit_anyway:
            self._quit_anyway = True
            self.notify(
                _(
                    "Some text could not be saved (see the messages). Reopen it to try again, "
                    "or press ctrl+q again to quit and lose it."
                ),
                severity="error",
                timeout=20,
            )
            return
        self.exit()

    # --- documents -------------------------------------------------------------------

    @on(OpenDocument)
    def _open_document(self, message: OpenDocument) -> None:
        from inkbench.tui.screens.editor import EditorScreen

        if not self.store_ready:
            self.notify(_("The database is still opening; try again in a moment."))
            return
        if self.editor_for(message.doc) is not None:
            return  # already open (a second Enter, or opened again from search)
        self.push_screen(EditorScreen(message.doc, message.line, message.column))

    def editor_for(self, doc: DocRef):
        from inkbench.tui.screens.editor import EditorScreen

        for screen in self.screen_stack:
            if isinstance(screen, EditorScreen) and screen.doc == doc:
                return screen
        return None

    def save(self, doc: DocRef, version: int, title: str, body: str, revision_kind: str) -> Worker:
        """Save a document in a thread worker; the result comes back as
        DocumentSaved / DocumentSaveFailed. Saves of one document are applied
        in the order they were started (an older one never overwrites a newer)."""
        from inkbench.tui import actions

        seq = next(self._save_seq)
        lock = self._doc_locks.setdefault(doc, threading.Lock())

        def run() -> None:
            with lock:
                if seq < self._saved_seq.get(doc, 0):
                    return
                result = actions.save_document(
                    self.store, doc.kind, doc.id, title, body, revision_kind
                )
                self._saved_seq[doc] = seq
            self.post_message(DocumentSaved(doc, version, revision_kind, result.word_count))

        name = _("save {kind} {id}").format(kind=kind_name(doc.kind), id=doc.id)
        worker = self.run_worker(run, thread=True, group="save", name=name, exit_on_error=False)
        self._save_jobs[worker] = (doc, version, title, body)
        return worker

    def on_document_saved(self, message: DocumentSaved) -> None:
        self.unsaved.pop(message.doc, None)
        editor = self.editor_for(message.doc)
        if editor is not None:
            editor.post_message(
                DocumentSaved(
                    message.doc, message.version, message.revision_kind, message.word_count
                )
            )
        else:
            self.post_message(DataChanged(message.doc.kind))

    # --- one route for failures ------------------------------------------------------------

    @on(Worker.StateChanged)
    def _worker_state(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if event.state in (WorkerState.SUCCESS, WorkerState.CANCELLED):
            self._save_jobs.pop(worker, None)
            return
        if event.state != WorkerState.ERROR:
            return
        message = describe_error(worker.error)
        job = self._save_jobs.pop(worker, None)
        if job is not None:
            doc, version, title, body = job
            editor = self.editor_for(doc)
            if editor is not None:
                editor.post_message(DocumentSaveFailed(doc, version, message))
            else:
                self.unsaved[doc] = (title, body)
                self.notify(
                    _(
                        "Could not save {kind} “{title}”: {message}. The text is kept: open it "
                        "again before quitting."
                    ).format(kind=kind_name(doc.kind), title=title, message=message),
                    title=_("Not saved"),
                    severity="error",
                    timeout=30,
                    markup=False,
                )
            return
        self.report_error(worker.name or _("a background job"), worker.error)

    def worker_failed(self, event: Worker.StateChanged) -> None:
        """The route for failures of short workers that belong to widgets and
        screens (their StateChanged does not bubble): one notice, the
        traceback in errors.log."""
        if event.state == WorkerState.ERROR:
            name = event.worker.name or _("a background job")
            self.report_error(name, event.worker.error)

    def report_error(self, what: str, error: BaseException | None) -> None:
        """One error notice for a failed worker; its traceback to errors.log."""
        message = describe_error(error)
        if error is not None:
            with contextlib.suppress(OSError):
                where = log_error(self.store.home, what, error)
                message += _(" (details in {path})").format(path=where)
        self.notify(
            message,
            title=_("{what} failed").format(what=what),
            severity="error",
            timeout=10,
            markup=False,
        )

    def db_job(
        self,
        fn: Callable[..., Any],
        *args: Any,
        name: str,
        done: Callable[[Any], None] | None = None,
        failed: Callable[[BaseException], None] | None = None,
    ) -> Job:
        """Run ``fn(store, *args)`` as a quiet job; ``done(result)`` on the UI
        thread after it succeeds; a failure is one error notice, then
        ``failed(error)`` on the UI thread."""
        return self.jobs.start(
            lambda _cancel, _progress: fn(self.store, *args),
            label=name,
            group="db",
            done=done,
            failed=failed,
            show=False,
        )

    # --- app-wide messages ---------------------------------------------------------------

    @on(DataChanged)
    def _data_changed(self, message: DataChanged) -> None:
        from inkbench.tui.areas.base import AreaPane

        for pane in self.query(AreaPane):
            pane.data_changed(message.kind)

    @property
    def status(self) -> StatusBar:
        return self.query_one("#status", StatusBar)

    def on_connectivity_changed(self, message: ConnectivityChanged) -> None:
        self.status.set_online(message.online, message.detail)

    def on_account_changed(self, message: AccountChanged) -> None:
        self.status.set_account(message.username, message.plan, message.quota)

    def on_job_progress(self, message: JobProgress) -> None:
        self.status.set_job(message.job_id, message.label, message.done, message.total)

    def on_job_finished(self, message: JobFinished) -> None:
        self.status.end_job(message.job_id)
        if message.message:
            self.notify(
                message.message,
                title=message.label,
                severity="information" if message.ok else "error",
                markup=False,
            )

    def on_job_failed(self, message: JobFailed) -> None:
        self.status.end_job(message.job_id)
        self.notify(
            message.message,
            title=_("{label} failed").format(label=message.label),
            severity="error",
            timeout=30,
            markup=False,
        )

    def on_server_warning(self, message: ServerWarning) -> None:
        self.notify(
            message.message, title=_("Account"), severity="warning", timeout=20, markup=False
        )

    def on_unmount(self) -> None:
        from inkbench.integrations.ai.plain_http import set_sink

        set_sink(None)
        self.store.close()


def make_app(
    home: str | os.PathLike[str] | None = None,
    settings: Settings | None = None,
    language: str | None = None,
) -> InkbenchApp:
    """The app for a data directory. ``language`` ("zh"/"en") switches the
    interface's language first; without it the process's choice stands (the
    CLI makes it: ``--lang``, ``[ui] language``, the locale, English)."""
    if language is not None:
        set_language(language)
    return InkbenchApp(home=home, settings=settings)
