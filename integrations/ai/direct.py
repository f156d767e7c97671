"""``DirectProvider``: any OpenAI-compatible endpoint (a local Ollama,
llama.cpp server, vLLM, OpenAI) with no account server and no login. Its key,
if it needs one, is in the keyring (``inkbench ai key``); its quota is the
local usage log, with no limits."""

from __future__ import annotations

from pathlib import Path

from inkbench.i18n import _
from inkbench.integrations.ai.credentials import get_api_key
from inkbench.integrations.ai.errors import AuthRequired, Offline
from inkbench.integrations.ai.http import HttpProvider
from inkbench.integrations.ai.provider import Amounts, Quota
from inkbench.settings import Settings
from inkbench.storage.errors import InvalidInput


class DirectProvider(HttpProvider):
    name = "direct"

    def __init__(
        self,
        base_url: str,
        *,
        api_key: str | None = None,
        default_model: str | None = None,
        timeout: float = 60.0,
        home: Path | None = None,
        **kwargs,
    ) -> None:
        super().__init__(default_model=default_model, timeout=timeout, **kwargs)
        self._base_url = base_url.rstrip("/")
        self.api_key = api_key
        self.home = home
        self.what = self._base_url

    @classmethod
    def from_config(cls, home: Path, config: Settings) -> DirectProvider:
        if not config.ai.base_url:
            raise InvalidInput(
                _(
                    'config.toml has [ai] provider = "direct" but no base_url; add e.g. base_url = "http://127.0.0.1:11434/v1"'
                )
            )
        return cls(
            config.ai.base_url,
            api_key=get_api_key(config, config.ai.base_url),
            default_model=config.ai.model,
            timeout=config.ai.timeout,
            home=home,
        )

    @property
    def base_url(self) -> str:
        return self._base_url

    def auth_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}

    def on_unauthorized(self, used: dict[str, str]) -> bool:
        if self.api_key:
            message = _("{url} refused the API key; store another with `inkbench ai key`")
        else:
            message = _("{url} needs an API key; store it with `inkbench ai key`")
        raise AuthRequired(message.format(url=self._base_url))

    def unreachable(self, exc: Exception) -> Exception:
        return Offline(self._base_url, type(exc).__name__)

    def quota(self) -> Quota:
        """This month's use from the local log; a direct endpoint has no limits."""
        from inkbench.storage.ai_usage import local_usage, month_start, next_month_start
        from inkbench.storage.engine import open_database

        db = open_database(self.home)
        try:
            used = local_usage(db, since=month_start(), provider=self.name)
        finally:
            db.dispose()
        return Quota(
            plan="direct",
            period_end=next_month_start().strftime("%Y-%m-%dT%H:%M:%SZ"),
            limit=Amounts(None, None),
            used=Amounts(articles=used.articles, tokens=used.tokens),
            remaining=Amounts(None, None),
        )
