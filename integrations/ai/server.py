"""The account server: login, logout, quota, health, and ``ServerProvider``
(the AI proxy at ``<server>/api/ai``), with tokens kept in the keyring."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

from inkbench.i18n import N_, _
from inkbench.integrations.ai.credentials import (
    StoredSession,
    clear_session,
    load_session,
    save_session,
)
from inkbench.integrations.ai.errors import AuthRequired, Offline, UpstreamError
from inkbench.integrations.ai.http import HttpProvider, error_from_response
from inkbench.integrations.ai.plain_http import note_server
from inkbench.integrations.ai.provider import Quota
from inkbench.settings import Settings

CONNECT_TIMEOUT = 5.0
_refresh_lock = threading.Lock()


@contextlib.contextmanager
def _account_lock(home: Path | None) -> Iterator[None]:
    """One refresh at a time across threads and processes sharing a data
    home, so two of them never both spend one refresh token (the server
    would take that for theft and end the session)."""
    with _refresh_lock:
        if home is None:
            yield
            return
        try:
            import fcntl
        except ImportError:  # pragma: no cover - Windows: threads only
            yield
            return
        home.mkdir(parents=True, exist_ok=True)
        with open(home / ".account.lock", "a+") as f:
            fcntl.flock(f, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(f, fcntl.LOCK_UN)


def _client(timeout: float = 15.0) -> httpx.Client:
    return httpx.Client(timeout=httpx.Timeout(timeout, connect=CONNECT_TIMEOUT))


def _post(url: str, **kwargs) -> httpx.Response:
    note_server(url.split("/api/")[0])
    with _client() as c:
        try:
            return c.post(url, **kwargs)
        except httpx.TimeoutException as e:
            raise Offline(
                url.split("/api/")[0], _("timed out: {error}").format(error=type(e).__name__)
            ) from None
        except httpx.TransportError as e:
            raise Offline(url.split("/api/")[0], type(e).__name__) from None


def _session_from(server: str, data: dict) -> StoredSession:
    user = data.get("user") or {}
    return StoredSession(
        server=server,
        username=str(user.get("username", "")),
        plan=str(user.get("plan", "")),
        access_token=data["access_token"],
        refresh_token=data["refresh_token"],
        access_expires_at=time.time() + float(data.get("expires_in", 900)),
    )


def login(
    config: Settings, *, server: str, username: str, password: str, interactive: bool = False
) -> StoredSession:
    """Log in and keep the tokens in the keyring (checked usable first, so a
    machine without one fails before the password is sent)."""
    from inkbench.integrations.ai.credentials import keyring_backend

    keyring_backend(config, interactive=interactive)
    server = server.strip().rstrip("/")
    if not server.startswith(("http://", "https://")):
        from inkbench.storage.errors import InvalidInput

        raise InvalidInput(
            _("the server URL must start with http:// or https://, not {server!r}").format(
                server=server
            )
        )
    resp = _post(f"{server}/api/auth/login", json={"username": username, "password": password})
    if resp.status_code == 401:
        raise AuthRequired(_("login failed: wrong user name or password"))
    if resp.status_code >= 400:
        raise error_from_response(resp, N_("the account server"))
    try:
        session = _session_from(server, resp.json())
    except (ValueError, KeyError, TypeError):
        raise UpstreamError(
            _("{server} is not an Inkbench account server").format(server=server)
        ) from None
    save_session(config, session, interactive=interactive)
    return session


def logout(config: Settings, *, interactive: bool = False) -> str:
    """End the session on the server and forget the tokens. Returns a line
    for the user; offline, the tokens are forgotten all the same."""
    session = load_session(config, interactive=interactive)
    if session is None:
        return _("not logged in")
    told = _("the server ended the session")
    try:
        resp = _post(
            f"{session.server}/api/auth/logout",
            headers={"Authorization": f"Bearer {session.access_token}"},
        )
        if resp.status_code == 401:
            told = _("the session had already ended")
    except Offline:
        told = _("offline: {server} was not told; the session expires there by itself").format(
            server=session.server
        )
    clear_session(config, interactive=interactive)
    return _("logged out {username} ({told})").format(username=session.username, told=told)


def health(server: str, *, timeout: float = 3.0, access_token: str | None = None) -> dict:
    """``GET /api/health``; raises ``Offline`` when the server cannot be reached.
    With the access token of a login the server also says its version (it
    tells anonymous callers none)."""
    server = server.rstrip("/")
    note_server(server)
    headers = {"Authorization": f"Bearer {access_token}"} if access_token else {}
    try:
        with _client(timeout) as c:
            resp = c.get(f"{server}/api/health", headers=headers)
    except httpx.HTTPError as e:
        raise Offline(server, type(e).__name__) from None
    try:
        data = resp.json()
    except ValueError:
        raise Offline(
            server,
            _("answered {status_code}, not an Inkbench server").format(
                status_code=resp.status_code
            ),
        ) from None
    if not isinstance(data, dict) or "status" not in data:
        raise Offline(server, _("not an Inkbench account server"))
    return data


def _ended_message(resp: httpx.Response) -> str:
    try:
        code = resp.json()["error"]["code"]
    except (ValueError, KeyError, TypeError):
        code = ""
    if code == "refresh_reused":
        return _(
            "the login session was ended because its refresh token was used twice "
            "(a copy may exist elsewhere); run `inkbench login`"
        )
    return _("the login session ended or expired; run `inkbench login`")


class ServerProvider(HttpProvider):
    """The account server's AI proxy. Every chat call carries an
    Idempotency-Key; a 401 triggers one refresh (rotating the tokens in the
    keyring) and one retry."""

    name = "server"
    what = N_("the account server")
    honours_idempotency = True  # a repeated Idempotency-Key is answered from its store

    def __init__(
        self,
        config: Settings,
        *,
        session: StoredSession | None = None,
        interactive: bool = False,
        **kwargs,
    ) -> None:
        super().__init__(default_model=config.ai.model, timeout=config.ai.timeout, **kwargs)
        self.config = config
        self.interactive = interactive
        self._session = session

    @classmethod
    def from_config(cls, home: Path, config: Settings) -> ServerProvider:
        return cls(config)

    # --- session -----------------------------------------------------------------------

    @property
    def session(self) -> StoredSession:
        if self._session is None:
            self._session = load_session(self.config, interactive=self.interactive)
        if self._session is None:
            raise AuthRequired()
        return self._session

    @property
    def server(self) -> str:
        return self.session.server

    @property
    def base_url(self) -> str:
        return self.session.server + "/api/ai"

    def unreachable(self, exc: Exception) -> Exception:
        return Offline(self.server, type(exc).__name__)

    def auth_headers(self) -> dict[str, str]:
        note_server(self.server)
        if self.session.access_expired:
            self.on_unauthorized({"Authorization": f"Bearer {self.session.access_token}"})
        return {"Authorization": f"Bearer {self.session.access_token}"}

    def call_headers(self, purpose: str, key: str | None) -> dict[str, str]:
        return super().call_headers(purpose, key) | {"X-Inkbench-Purpose": purpose}

    def on_unauthorized(self, used: dict[str, str]) -> bool:
        used_token = used.get("Authorization", "").removeprefix("Bearer ")
        with _account_lock(self.config.home):
            stored = load_session(self.config, interactive=self.interactive)
            if stored is None:
                self._session = None
                raise AuthRequired()
            if stored.access_token != used_token and not stored.access_expired:
                self._session = stored  # another thread or process refreshed already
                return True
            resp = _post(
                f"{stored.server}/api/auth/refresh",
                json={"refresh_token": stored.refresh_token},
            )
            if resp.status_code >= 500:
                raise error_from_response(resp, self.what)
            if resp.status_code != 200:
                clear_session(self.config, interactive=self.interactive)
                self._session = None
                raise AuthRequired(_ended_message(resp))
            fresh = _session_from(stored.server, resp.json())
            save_session(self.config, fresh, interactive=self.interactive)
            self._session = fresh
            return True

    # --- the rest of the interface ------------------------------------------------------

    def quota(self) -> Quota:
        resp = self._send("GET", "/quota", base=self.server + "/api")
        try:
            return Quota.from_json(resp.json())
        except (ValueError, AttributeError):
            raise UpstreamError(_("the account server sent a quota that is not one")) from None
