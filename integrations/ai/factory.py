"""``get_provider``: the AI provider the config chooses. Apart from the
interface (``integrations.ai.provider``) so that the providers can import the
interface without the interface importing them back."""

from __future__ import annotations

import os

from inkbench.integrations.ai.direct import DirectProvider
from inkbench.integrations.ai.provider import AIProvider
from inkbench.integrations.ai.server import ServerProvider
from inkbench.settings import Settings, load_settings
from inkbench.storage.paths import resolve_home


def get_provider(
    home: str | os.PathLike[str] | None = None, config: Settings | None = None
) -> AIProvider:
    """The provider the config chooses: ``[ai] provider = "server"`` (default,
    needs ``inkbench login``) or ``"direct"`` (``[ai] base_url``, key in the
    keyring, no login)."""
    home_path = resolve_home(home)
    cfg = config if config is not None else load_settings(home_path)
    if cfg.ai.provider == "direct":
        return DirectProvider.from_config(home_path, cfg)
    return ServerProvider.from_config(home_path, cfg)
