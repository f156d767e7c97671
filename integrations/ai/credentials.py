"""Tokens and API keys live only in the OS keyring (``keyring``).

Where the machine has no usable keyring (a headless box: keyring's ``fail``
backend, an empty chainer, or only keyrings.alt's *plaintext* file picked
automatically), ``KeyringUnavailable`` says so in one line and names the
opt-in: ``[account] keyring = "file"`` in config.toml selects keyrings.alt's
encrypted file (``keyring.cfg`` in the data home), unlocked with the
password in ``INKBENCH_KEYRING_PASSWORD`` or, on a terminal, a prompt.
A backend chosen explicitly (``PYTHON_KEYRING_BACKEND`` or keyringrc.cfg)
is used as chosen.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import keyring
import keyring.backend
import keyring.errors

from inkbench.i18n import _
from inkbench.integrations.ai.errors import KeyringUnavailable
from inkbench.settings import KEYRING_PASSWORD_ENV, Settings

SERVICE = "inkbench"
SESSION_ENTRY = "account-session"
PASSWORD_ENV = KEYRING_PASSWORD_ENV
FILE_NAME = "keyring.cfg"


def opt_in() -> str:
    """How to keep the tokens in an encrypted file instead (one clause, translated)."""
    return _(
        'to keep them in an encrypted file instead, add `[account]` `keyring = "file"` to '
        "config.toml and set {env} (see README, Account server)"
    ).format(env=PASSWORD_ENV)


@dataclass
class StoredSession:
    """What ``inkbench login`` keeps: one JSON entry in the keyring."""

    server: str
    username: str
    plan: str
    access_token: str = field(repr=False)  # never in a repr, so never in a log line
    refresh_token: str = field(repr=False)
    access_expires_at: float = 0.0  # epoch seconds

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, raw: str) -> StoredSession | None:
        try:
            data = json.loads(raw)
            return cls(**{k: data[k] for k in cls.__dataclass_fields__})
        except (ValueError, KeyError, TypeError):
            return None

    @property
    def access_expired(self) -> bool:
        return time.time() >= self.access_expires_at - 5


def _is_unusable(backend: keyring.backend.KeyringBackend) -> str | None:
    """Why this backend cannot hold secrets, or None if it can."""
    from keyring.backends import chainer, fail

    if isinstance(backend, fail.Keyring):
        return _("no keyring backend is available on this machine")
    if isinstance(backend, chainer.ChainerBackend):
        usable = [b for b in backend.backends if not _is_unusable(b)]
        if not usable:
            return _("no usable keyring backend is available on this machine")
        return None
    module = type(backend).__module__
    if module.startswith("keyrings.alt") and not _explicit_choice():
        return _(
            "the only keyring found is {name} from keyrings.alt, "
            "which Inkbench does not pick on its own"
        ).format(name=type(backend).__name__)
    return None


def _explicit_choice() -> bool:
    if os.environ.get("PYTHON_KEYRING_BACKEND"):
        return True
    try:
        from keyring.core import load_config

        return load_config() is not None
    except Exception:
        return False


def _file_backend(config: Settings, *, interactive: bool) -> keyring.backend.KeyringBackend:
    try:
        from keyrings.alt.file import EncryptedKeyring
    except Exception as e:  # pragma: no cover - keyrings.alt is a dependency
        raise KeyringUnavailable(
            _("the encrypted file keyring cannot load ({e})").format(e=e)
        ) from None
    try:
        EncryptedKeyring._get_crypto_impl()
    except ImportError:
        raise KeyringUnavailable(
            _("the encrypted file keyring needs pycryptodomex: pip install pycryptodomex")
        ) from None
    home = Path(config.home) if config.home else Path.cwd()
    path = home / FILE_NAME
    secret = config.account.keyring_password  # from the environment only
    password = secret.get_secret_value() if secret else None
    if not password and not interactive:
        raise KeyringUnavailable(
            _(
                "config.toml chooses the encrypted file keyring; set {env} to its "
                "password (or run the command on a terminal to be asked)"
            ).format(env=PASSWORD_ENV)
        )

    class PasswordFileKeyring(EncryptedKeyring):
        def _get_new_password(self):
            return password if password else super()._get_new_password()

        def _unlock(self):
            if not password:
                return super()._unlock()
            self.keyring_key = password
            try:
                ok = self.get_password("keyring-setting", "password reference")
            except Exception:
                ok = None
            if ok != "password reference value":
                self._lock()
                raise ValueError("Incorrect Password")

    backend = PasswordFileKeyring()
    backend.file_path = str(path)
    return backend


def keyring_backend(config: Settings, *, interactive: bool = False, what: str | None = None):
    """The backend tokens go to, or ``KeyringUnavailable`` with the opt-in.
    ``what``: what the caller keeps there, for the message (login tokens
    if not given)."""
    if config.account.keyring == "file":
        return _file_backend(config, interactive=interactive)
    backend = keyring.get_keyring()
    why = _is_unusable(backend)
    if why:
        if what is None:
            message = _("cannot store login tokens: {why}; {opt_in}").format(
                why=why, opt_in=opt_in()
            )
        else:
            message = _("cannot store {what}: {why}; {opt_in}").format(
                what=what, why=why, opt_in=opt_in()
            )
        raise KeyringUnavailable(message)
    return backend


def _call(fn, *args):
    try:
        return fn(*args)
    except keyring.errors.PasswordDeleteError:
        raise  # nothing to delete: the callers ignore it
    except ValueError as e:  # the encrypted file's password is wrong
        raise KeyringUnavailable(
            _("cannot open the encrypted keyring file ({e}); check {env}").format(
                e=e, env=PASSWORD_ENV
            )
        ) from None
    except keyring.errors.KeyringError as e:
        raise KeyringUnavailable(
            _("the keyring refused ({error}); {opt_in}").format(
                error=f"{type(e).__name__}: {e}", opt_in=opt_in()
            )
        ) from None


def load_session(config: Settings, *, interactive: bool = False) -> StoredSession | None:
    backend = keyring_backend(config, interactive=interactive)
    raw = _call(backend.get_password, SERVICE, SESSION_ENTRY)
    return StoredSession.from_json(raw) if raw else None


def save_session(config: Settings, session: StoredSession, *, interactive: bool = False) -> None:
    backend = keyring_backend(config, interactive=interactive)
    _call(backend.set_password, SERVICE, SESSION_ENTRY, session.to_json())


def clear_session(config: Settings, *, interactive: bool = False) -> None:
    backend = keyring_backend(config, interactive=interactive)
    with contextlib.suppress(keyring.errors.PasswordDeleteError):
        _call(backend.delete_password, SERVICE, SESSION_ENTRY)


def _key_entry(base_url: str) -> str:
    return "api-key " + base_url.rstrip("/")


def get_api_key(config: Settings, base_url: str, *, interactive: bool = False) -> str | None:
    """The direct provider's API key for ``base_url`` (None: send none).

    With no keyring there can be no stored key, and a local endpoint (Ollama)
    needs none: send none. If the endpoint wants one, its 401 says to run
    `inkbench ai key`, which explains the keyring opt-in."""
    try:
        backend = keyring_backend(config, interactive=interactive)
        return _call(backend.get_password, SERVICE, _key_entry(base_url)) or None
    except KeyringUnavailable:
        return None


def set_api_key(config: Settings, base_url: str, key: str, *, interactive: bool = False) -> None:
    backend = keyring_backend(config, interactive=interactive)
    _call(backend.set_password, SERVICE, _key_entry(base_url), key)


def delete_api_key(config: Settings, base_url: str, *, interactive: bool = False) -> None:
    backend = keyring_backend(config, interactive=interactive)
    with contextlib.suppress(keyring.errors.PasswordDeleteError):
        _call(backend.delete_password, SERVICE, _key_entry(base_url))
