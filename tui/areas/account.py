"""The Account area: which provider, which server, who is logged in, the
plan and what is left of it this period (bars), log in and out, and the
provider choice. Also the app-wide connectivity check (``start_monitor``):
``GET /api/health`` in a thread worker every 30 s, feeding the status bar.

Nothing here blocks the UI thread: every network call runs in a thread
worker that posts a message; user text (user names, server URLs, error
lines) is shown literally."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal
from textual.content import Content
from textual.message import Message
from textual.widgets import Button, Input, Label, ProgressBar, RadioButton, RadioSet, Static

from inkbench.i18n import N_, _
from inkbench.tui.areas.base import AreaPane
from inkbench.tui.messages import AccountChanged, ConnectivityChanged

if TYPE_CHECKING:
    from inkbench.integrations.ai.status import AccountStatus

CHECK_EVERY = 30.0  # seconds between connectivity checks


def _post_status(app, status: AccountStatus) -> None:
    detail = status.message if not status.online else status.endpoint
    app.post_message(ConnectivityChanged(status.online, detail))
    app.post_message(AccountChanged(status.username, status.plan or "", status.quota_line))


def _check(app) -> AccountStatus:
    from inkbench.integrations.ai.status import account_status

    status = account_status(app.store.home)
    _post_status(app, status)
    return status


MONITOR_JOBS = "account-monitor"


def start_monitor(app, every: float = CHECK_EVERY) -> None:
    """Check the account server (or direct endpoint) now and every ``every``
    seconds, as a quiet job of the app, and tell the status bar."""

    def run() -> None:
        app.jobs.start(
            lambda _cancel, _progress: _check(app),
            label=_("Connectivity check"),
            group=MONITOR_JOBS,
            exclusive=True,
            show=False,
            advice=_("Check config.toml's [account] and [ai] settings (area 7 shows them)."),
        )

    run()
    app.set_interval(every, run, name="connectivity")


def _amount(value: int | None) -> str:
    return "unlimited" if value is None else f"{value:,}"


class AccountArea(AreaPane):
    area_id = "account"
    BINDINGS = [
        Binding("ctrl+l", "login", N_("Log in"), id="account.login"),
        Binding("ctrl+o", "logout", N_("Log out"), id="account.logout"),
        Binding("ctrl+r", "refresh", N_("Refresh"), id="account.refresh"),
        Binding("f6", "toggle_provider", N_("Provider"), id="account.provider"),
    ]

    DEFAULT_CSS = """
    AccountArea { padding: 0 1; }
    AccountArea #account-summary { height: auto; margin: 1 0 0 0; }
    AccountArea #account-message { height: auto; color: $text-warning; }
    AccountArea #quota { grid-size: 3; grid-columns: 10 40 1fr; grid-rows: 1; grid-gutter: 0 1;
                         height: auto; margin: 1 0; }
    AccountArea #period { height: 1; color: $text-muted; }
    AccountArea #login-form { height: auto; margin: 1 0 0 0; }
    AccountArea #login-form Input { width: 1fr; }
    AccountArea #login-form Button { min-width: 10; margin: 0 0 0 1; }
    AccountArea RadioSet { margin: 1 0 0 0; }
    """

    class StatusReady(Message):
        def __init__(self, status: AccountStatus) -> None:
            super().__init__()
            self.status = status

    class Problem(Message):
        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.status: AccountStatus | None = None

    def compose(self) -> ComposeResult:
        yield Static(_("Account"), classes="area-title")
        yield Static(Content(_("checking…")), id="account-summary")
        yield Static(Content(""), id="account-message")
        with Grid(id="quota"):
            yield Label(_("Tokens"))
            yield ProgressBar(total=100, show_eta=False, id="tokens-bar")
            yield Static(Content(""), id="tokens-text")
            yield Label(_("Articles"))
            yield ProgressBar(total=100, show_eta=False, id="articles-bar")
            yield Static(Content(""), id="articles-text")
        yield Static(Content(""), id="period")
        with Horizontal(id="login-form"):
            yield Input(placeholder=_("server URL"), id="server")
            yield Input(placeholder=_("user"), id="user")
            yield Input(placeholder=_("password"), password=True, id="password")
            yield Button(_("Log in"), id="login", variant="primary")
            yield Button(_("Log out"), id="logout")
        with RadioSet(id="provider"):
            yield RadioButton(_("Account server (login, quota)"), id="provider-server", value=True)
            yield RadioButton(
                Content(_("Direct endpoint ([ai] base_url in config.toml)")), id="provider-direct"
            )

    def on_mount(self) -> None:
        self._fill_defaults()
        self.action_refresh()

    def on_area_shown(self) -> None:
        self.action_refresh()

    def focus_default(self) -> None:
        # a button, not a text field: the area keys (digits) keep working here;
        # shift+tab reaches the password field, tab the provider choice
        buttons = self.query("#login")
        if not buttons:  # not composed yet: try again once it is
            self.call_after_refresh(self.focus_default)
            return
        logged_in = self.status is not None and self.status.username is not None
        (self.query_one("#logout", Button) if logged_in else buttons.first(Button)).focus()

    # --- data ----------------------------------------------------------------------

    def _fill_defaults(self) -> None:
        from inkbench.settings import load_settings

        cfg = load_settings(self.ink.store.home)  # its problems: the app reported them
        self.query_one("#server", Input).value = cfg.account.server
        self.query_one("#user", Input).value = cfg.account.user or ""
        direct = cfg.ai.provider == "direct"
        self.query_one("#provider-direct", RadioButton).value = direct
        self.query_one("#provider-server", RadioButton).value = not direct

    def on_worker_state_changed(self, event) -> None:
        self.app.worker_failed(event)  # type: ignore[attr-defined]

    @work(thread=True, exclusive=True, group="account", exit_on_error=False)
    def action_refresh(self) -> None:
        status = _check(self.app)
        self.post_message(self.StatusReady(status))

    @work(thread=True, exclusive=True, group="account", exit_on_error=False)
    def _login(self, server: str, user: str, password: str) -> None:
        from inkbench.integrations.ai.server import login
        from inkbench.settings import load_settings
        from inkbench.storage.errors import InkbenchError

        try:
            login(
                load_settings(self.ink.store.home), server=server, username=user, password=password
            )
        except InkbenchError as e:
            self.post_message(self.Problem(str(e)))
        status = _check(self.app)
        self.post_message(self.StatusReady(status))

    @work(thread=True, exclusive=True, group="account", exit_on_error=False)
    def _logout(self) -> None:
        from inkbench.integrations.ai.server import logout
        from inkbench.settings import load_settings
        from inkbench.storage.errors import InkbenchError

        try:
            said = logout(load_settings(self.ink.store.home))
            self.app.call_from_thread(self.notify, said, markup=False)
        except InkbenchError as e:
            self.post_message(self.Problem(str(e)))
        self.post_message(self.StatusReady(_check(self.app)))

    @work(thread=True, exclusive=True, group="account", exit_on_error=False)
    def _set_provider(self, provider: str) -> None:
        from inkbench.settings import set_ai_provider

        set_ai_provider(self.ink.store.home, provider)
        self.post_message(self.StatusReady(_check(self.app)))

    # --- actions -------------------------------------------------------------------

    def action_login(self) -> None:
        server = self.query_one("#server", Input).value.strip()
        user = self.query_one("#user", Input).value.strip()
        password_input = self.query_one("#password", Input)
        password = password_input.value
        if not server or not user or not password:
            self._show_problem(_("give the server URL, the user name and the password"))
            return
        password_input.value = ""  # the password lives nowhere after this
        self._show_problem("")
        self.query_one("#account-summary", Static).update(
            Content(_("logging in to {server}…").format(server=server))
        )
        self._login(server, user, password)

    def action_logout(self) -> None:
        self._logout()

    def action_toggle_provider(self) -> None:
        direct = self.query_one("#provider-direct", RadioButton)
        (self.query_one("#provider-server", RadioButton) if direct.value else direct).value = True

    @on(Button.Pressed, "#login")
    def _login_pressed(self) -> None:
        self.action_login()

    @on(Button.Pressed, "#logout")
    def _logout_pressed(self) -> None:
        self.action_logout()

    @on(Input.Submitted, "#password")
    def _password_submitted(self) -> None:
        self.action_login()

    @on(RadioSet.Changed, "#provider")
    def _provider_changed(self, event: RadioSet.Changed) -> None:
        chosen = "direct" if event.pressed.id == "provider-direct" else "server"
        current = self.status.provider if self.status else None
        if chosen != current:
            self._set_provider(chosen)

    # --- showing -------------------------------------------------------------------

    def _show_problem(self, text: str) -> None:
        self.query_one("#account-message", Static).update(Content(text))

    @on(Problem)
    def _problem(self, message: Problem) -> None:
        self._show_problem(message.text)
        self.notify(message.text, severity="error", markup=False)

    @on(StatusReady)
    def _status_ready(self, message: StatusReady) -> None:
        st = self.status = message.status
        where = _("Account server") if st.provider == "server" else _("Direct endpoint")
        state = _("online") if st.online else _("offline")
        if st.version:
            state += _(" (server {version})").format(version=st.version)
        who = ""
        if st.provider == "server":
            if st.username:
                who = _(" · {user} · plan {plan}").format(user=st.username, plan=st.plan)
            else:
                who = _(" · not logged in")
        endpoint = st.endpoint or _("(not set)")
        self.query_one("#account-summary", Static).update(
            Content(f"{where} {endpoint}{who} · {state}")
        )
        if st.message and st.message != "not logged in":
            self._show_problem(st.message)
        elif not st.message:
            self._show_problem("")
        if st.username:
            self.query_one("#user", Input).value = st.username
            self.query_one("#server", Input).value = st.endpoint
        self._show_quota(st)
        self.query_one("#login-form").display = st.provider == "server"
        radio = "#provider-direct" if st.provider == "direct" else "#provider-server"
        button = self.query_one(radio, RadioButton)
        if not button.value:
            with button.prevent(RadioButton.Changed):
                button.value = True

    def _show_quota(self, st: AccountStatus) -> None:
        q = st.quota
        for what in ("tokens", "articles"):
            bar = self.query_one(f"#{what}-bar", ProgressBar)
            text = self.query_one(f"#{what}-text", Static)
            if q is None:
                bar.update(total=100, progress=0)
                text.update(Content("—"))
                continue
            used = getattr(q.used, what) or 0
            limit = getattr(q.limit, what)
            left = getattr(q.remaining, what)
            if limit:
                bar.update(total=limit, progress=min(used, limit))
            else:  # unlimited (or a zero limit): an empty bar, not an animation
                bar.update(total=1, progress=0 if limit is None else 1)
            text.update(
                Content(
                    _("{used} used of {limit} · {left} left").format(
                        used=_amount(used), limit=_amount(limit), left=_amount(left)
                    )
                )
            )
        period = _("period ends {date}").format(date=q.period_end) if q and q.period_end else ""
        if q and st.provider == "direct":
            period = _("this database's own usage log · {period}").format(period=period)
        self.query_one("#period", Static).update(Content(period))
