"""The ``[account]`` and ``[ai]`` tables of ``config.toml`` in the data home.

```toml
[account]
server = "http://127.0.0.1:8765"   # the account server `inkbench login` uses
user = "alice"                      # default user name for `inkbench login`
keyring = "system"                  # or "file": keyrings.alt's encrypted file
                                    # (password from INKBENCH_KEYRING_PASSWORD)

[ai]
provider = "server"                 # or "direct": an OpenAI-compatible endpoint
base_url = "http://127.0.0.1:11434/v1"   # direct only (e.g. a local Ollama)
model = "llama3.2"                  # default model (both providers)
timeout = 60                        # seconds to wait for a reply to start
```

Secrets never live here: tokens and API keys are in the keyring.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from inkbench.storage.errors import InvalidInput
from inkbench.storage.paths import CONFIG_NAME

DEFAULT_SERVER = "http://127.0.0.1:8765"


@dataclass(frozen=True)
class AccountConfig:
    server: str = DEFAULT_SERVER
    user: str | None = None
    keyring: str = "system"  # "system" | "file"


@dataclass(frozen=True)
class AIConfig:
    provider: str = "server"  # "server" | "direct"
    base_url: str | None = None
    model: str | None = None
    timeout: float = 60.0


@dataclass(frozen=True)
class Config:
    account: AccountConfig = field(default_factory=AccountConfig)
    ai: AIConfig = field(default_factory=AIConfig)
    home: Path | None = None


def _str(table: dict, key: str, where: str, default):
    value = table.get(key, default)
    if value is not None and not isinstance(value, str):
        raise InvalidInput(f"config.toml: {where}.{key} must be a string")
    return value


def load_config(home: str | os.PathLike[str] | Path) -> Config:
    """Read ``config.toml`` under ``home`` (missing file: defaults)."""
    home = Path(home)
    path = home / CONFIG_NAME
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        data = {}
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as e:
        raise InvalidInput(f"cannot read {path}: {e}; fix or remove the file") from e
    acc = data.get("account") or {}
    ai = data.get("ai") or {}
    if not isinstance(acc, dict) or not isinstance(ai, dict):
        raise InvalidInput(f"{path}: [account] and [ai] must be tables")
    keyring = _str(acc, "keyring", "account", "system")
    if keyring not in ("system", "file"):
        raise InvalidInput(
            f'config.toml: account.keyring must be "system" or "file", not {keyring!r}'
        )
    provider = _str(ai, "provider", "ai", "server")
    if provider not in ("server", "direct"):
        raise InvalidInput(
            f'config.toml: ai.provider must be "server" or "direct", not {provider!r}'
        )
    timeout = ai.get("timeout", 60.0)
    if not isinstance(timeout, int | float) or timeout <= 0:
        raise InvalidInput("config.toml: ai.timeout must be a positive number of seconds")
    server = _str(acc, "server", "account", DEFAULT_SERVER).rstrip("/")
    return Config(
        account=AccountConfig(
            server=server, user=_str(acc, "user", "account", None), keyring=keyring
        ),
        ai=AIConfig(
            provider=provider,
            base_url=_str(ai, "base_url", "ai", None),
            model=_str(ai, "model", "ai", None),
            timeout=float(timeout),
        ),
        home=home,
    )


def set_ai_provider(home: str | os.PathLike[str] | Path, provider: str) -> None:
    """Set ``[ai] provider`` in config.toml, leaving every other line as it is."""
    if provider not in ("server", "direct"):
        raise InvalidInput(f'ai.provider must be "server" or "direct", not {provider!r}')
    path = Path(home) / CONFIG_NAME
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        lines = []
    setting = f'provider = "{provider}"'
    table = None
    ai_start = None
    done = False
    for i, line in enumerate(lines):
        stripped = line.strip()
        if stripped.startswith("[") and not stripped.startswith("[["):
            table = stripped.strip("[]").strip()
            if table == "ai":
                ai_start = i
            continue
        if table == "ai" and stripped.split("=", 1)[0].strip() == "provider":
            lines[i] = setting
            done = True
            break
    if not done:
        if ai_start is None:
            lines += (["", "[ai]"] if lines else ["[ai]"]) + [setting]
        else:
            lines.insert(ai_start + 1, setting)
    text = "\n".join(lines) + "\n"
    tomllib.loads(text)  # never write a file that no longer parses
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".toml.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
