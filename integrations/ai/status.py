"""One look at the account: reachable or not, who is logged in, the quota.
What the TUI's status bar and Account area show; no Textual here (the TUI
calls ``account_status`` from a thread worker)."""

from __future__ import annotations

import os
from dataclasses import dataclass

import httpx

from inkbench.i18n import _
from inkbench.integrations.ai.errors import AIError, AuthRequired, KeyringUnavailable, Offline
from inkbench.integrations.ai.provider import Quota
from inkbench.settings import Settings, load_settings


@dataclass(frozen=True)
class AccountStatus:
    provider: str  # "server" or "direct"
    online: bool
    endpoint: str  # the server URL, or the direct base URL
    username: str | None = None  # None: not logged in (server) / no login (direct)
    plan: str | None = None
    quota: Quota | None = None
    message: str = ""  # one line: why offline, why not logged in, ...
    version: str | None = None

    @property
    def quota_line(self) -> str:
        return quota_summary(self.quota) if self.quota else ""


def _n(value: int) -> str:
    if value >= 10_000_000:
        return f"{value / 1_000_000:.0f}M"
    if value >= 10_000:
        return f"{value / 1000:.0f}k"
    return f"{value:,}"


def quota_summary(q: Quota) -> str:
    """Short text for a status bar: what is left this period."""
    parts = []
    if q.remaining.tokens is not None:
        parts.append(_("{n} tokens").format(n=_n(q.remaining.tokens)))
    if q.remaining.articles is not None:
        parts.append(_("{n} articles").format(n=_n(q.remaining.articles)))
    if not parts:
        return _("{n} tokens used").format(n=_n(q.used.tokens or 0))
    return _("{parts} left").format(parts=" · ".join(parts))


def account_status(
    home: str | os.PathLike[str], config: Settings | None = None, *, timeout: float = 3.0
) -> AccountStatus:
    """Never raises for expected trouble: it is in ``online`` and ``message``."""
    cfg = config if config is not None else load_settings(home)
    if cfg.ai.provider == "direct":
        return _direct_status(cfg, timeout)
    return _server_status(cfg, timeout)


def _direct_status(cfg: Settings, timeout: float) -> AccountStatus:
    from inkbench.integrations.ai.direct import DirectProvider

    base = (cfg.ai.base_url or "").rstrip("/")
    if not base:
        return AccountStatus("direct", False, "", message=_("[ai] base_url is not set"))
    try:
        with httpx.Client(timeout=timeout) as c:
            c.get(f"{base}/models")
        online, message = True, ""
    except httpx.HTTPError as e:
        online, message = False, str(Offline(base, type(e).__name__))
    try:
        quota = DirectProvider(base, home=cfg.home).quota()
    except Exception:  # the local log is a nicety here; the status must not fail
        quota = None
    return AccountStatus("direct", online, base, plan="direct", quota=quota, message=message)


def _server_status(cfg: Settings, timeout: float) -> AccountStatus:
    from inkbench.integrations.ai.credentials import load_session
    from inkbench.integrations.ai.server import ServerProvider, health

    try:
        session = load_session(cfg)
    except KeyringUnavailable as e:
        session, keyring_problem = None, str(e)
    else:
        keyring_problem = ""
    server = session.server if session else cfg.account.server
    try:
        info = health(
            server, timeout=timeout, access_token=session.access_token if session else None
        )
    except Offline as e:
        return AccountStatus(
            "server",
            False,
            server,
            username=session.username if session else None,
            plan=session.plan if session else None,
            message=str(e),
        )
    version = info.get("version")
    if session is None:
        return AccountStatus(
            "server", True, server, message=keyring_problem or _("not logged in"), version=version
        )
    provider = ServerProvider(cfg, session=session)
    provider.retries = 0
    try:
        quota = provider.quota()
    except AuthRequired as e:
        return AccountStatus("server", True, server, message=str(e), version=version)
    except Offline as e:
        return AccountStatus(
            "server", False, server, session.username, session.plan, message=str(e)
        )
    except AIError as e:
        return AccountStatus(
            "server", True, server, session.username, session.plan, message=str(e), version=version
        )
    finally:
        provider.close()
    return AccountStatus(
        "server", True, server, session.username, quota.plan, quota=quota, version=version
    )
