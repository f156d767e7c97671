"""The warning for an account server reached over plain ``http://`` on
another machine: the password, the tokens and every text sent to the AI
cross the network unencrypted. Said once per process or session (one line), whichever
call reaches the server first; a loopback address (``localhost``,
``127.0.0.0/8``, ``::1``) is this machine and draws no warning.

Where the warning goes is the caller's: standard error by default (the CLI),
a notice in the TUI (``set_sink``). The check reads the URL only; it never
resolves a name."""

from __future__ import annotations

import ipaddress
import sys
import threading
from collections.abc import Callable
from urllib.parse import urlsplit

from inkbench.i18n import _

_lock = threading.Lock()
_warned: set[str] = set()
_sink: Callable[[str], None] | None = None


def is_plain_remote(url: str) -> bool:
    """True for an ``http://`` URL whose host is not this machine's loopback."""
    try:
        parts = urlsplit(url.strip())
        host = (parts.hostname or "").rstrip(".").lower()
    except ValueError:
        return False
    if parts.scheme.lower() != "http" or not host:
        return False
    if host == "localhost" or host.endswith(".localhost"):
        return False
    try:
        return not ipaddress.ip_address(host).is_loopback
    except ValueError:
        return True  # a name: another machine as far as the URL says


def plain_http_warning(url: str) -> str:
    """The one-line warning for ``url``."""
    return _(
        "warning: {url} is plain http:// on another machine, so your password, "
        "tokens and texts cross the network unencrypted; use https://"
    ).format(url=url.rstrip("/"))


def set_sink(sink: Callable[[str], None] | None) -> None:
    """Where the warning goes (called from any thread); None: standard error.
    Starts a session: the warning is given once again, to the new sink."""
    global _sink
    with _lock:
        _sink = sink
        _warned.clear()


def note_server(url: str) -> bool:
    """Warn about ``url`` if it is plain remote http and no warning was given
    in this process yet; True if it warned now."""
    if not is_plain_remote(url):
        return False
    with _lock:
        if _warned:
            return False
        _warned.add(url)
        sink = _sink
    message = plain_http_warning(url)
    if sink is None:
        print(message, file=sys.stderr)
    else:
        sink(message)
    return True


def warned() -> bool:
    """Whether this process has given the warning."""
    with _lock:
        return bool(_warned)
