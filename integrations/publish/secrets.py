"""Publishing secrets (passwords, application passwords, webhook keys) live
only in the keyring, through the same backend as the account tokens
(``integrations.ai.credentials``): one entry per publishing account, under
its own service name so they never mix with the login tokens."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

import keyring.errors

from inkbench.i18n import _
from inkbench.integrations.ai.credentials import _call
from inkbench.integrations.ai.credentials import keyring_backend as _backend
from inkbench.settings import Settings

SERVICE = "inkbench-publish"


def keyring_backend(config: Settings, *, interactive: bool = False):
    """The keyring backend, or ``KeyringUnavailable`` naming publishing secrets."""
    return _backend(config, interactive=interactive, what=_("publishing passwords and keys"))


def _entry(name: str) -> str:
    return f"account {name}"


def get_secret(config: Settings, name: str, *, interactive: bool = False) -> str | None:
    """The account's secret, or None when none is stored."""
    backend = keyring_backend(config, interactive=interactive)
    return _call(backend.get_password, SERVICE, _entry(name)) or None


def set_secret(config: Settings, name: str, secret: str, *, interactive: bool = False) -> None:
    """Keep the account's secret in the keyring (replacing an older one)."""
    backend = keyring_backend(config, interactive=interactive)
    _call(backend.set_password, SERVICE, _entry(name), secret)


def delete_secret(config: Settings, name: str, *, interactive: bool = False) -> None:
    """Forget the account's secret (nothing stored is fine)."""
    backend = keyring_backend(config, interactive=interactive)
    with contextlib.suppress(keyring.errors.PasswordDeleteError):
        _call(backend.delete_password, SERVICE, _entry(name))


def secret_reader(config: Settings, *, interactive: bool = False) -> Callable[[Any], str | None]:
    """The runner's ``secret_for``: an account's secret from the keyring; a
    keyring that cannot be used fails the account like a wrong password."""
    from inkbench.integrations.ai.errors import KeyringUnavailable
    from inkbench.integrations.publish.base import AuthFailed

    def secret_for(account: Any) -> str | None:
        try:
            return get_secret(config, account.name, interactive=interactive)
        except KeyringUnavailable as e:
            raise AuthFailed(str(e)) from None

    return secret_for
