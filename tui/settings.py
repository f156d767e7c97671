"""User settings from ``config.toml`` in the data home.

Only what the TUI needs today::

    [ui]
    theme = "textual-light"          # any Textual theme name

    [keymap]                         # binding id -> keys (comma-separated)
    "app.search" = "ctrl+k"
    "area.articles" = "f2,1"

The file is optional. Reading it never raises: every problem becomes a
one-line message in ``Settings.problems`` (the app shows each as a notice) and
the default is kept for that entry. Key names are checked later by the app
(:func:`check_keymap`), which knows every binding id.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

CONFIG_NAME = "config.toml"

_MODIFIERS = {"ctrl", "shift", "alt", "meta", "super", "hyper"}


@dataclass
class Settings:
    theme: str | None = None
    keymap: dict[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    path: Path | None = None


def load_settings(home: Path) -> Settings:
    path = Path(home) / CONFIG_NAME
    settings = Settings(path=path)
    if not path.exists():
        return settings
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as e:
        settings.problems.append(f"{path}: cannot read it ({e}); using the defaults")
        return settings
    except tomllib.TOMLDecodeError as e:
        settings.problems.append(f"{path} is not valid TOML ({e}); using the defaults")
        return settings

    ui = data.get("ui", {})
    if not isinstance(ui, dict):
        settings.problems.append(f"{path}: [ui] must be a table; using the defaults")
        ui = {}
    theme = ui.get("theme")
    if theme is not None:
        if isinstance(theme, str) and theme.strip():
            settings.theme = theme.strip()
        else:
            settings.problems.append(f"{path}: [ui] theme must be a theme name (text)")

    keymap = data.get("keymap", {})
    if not isinstance(keymap, dict):
        settings.problems.append(f"{path}: [keymap] must be a table of binding id = keys")
        keymap = {}
    for binding_id, keys in keymap.items():
        if isinstance(keys, list) and all(isinstance(k, str) for k in keys):
            keys = ",".join(keys)
        if not isinstance(keys, str) or not keys.strip():
            settings.problems.append(
                f'{path}: [keymap] {binding_id} must be keys as text, e.g. "ctrl+k"; '
                "the default is kept"
            )
            continue
        settings.keymap[str(binding_id)] = keys.replace(" ", "")
    for name in data:
        if name not in ("ui", "keymap"):
            settings.problems.append(f"{path}: unknown section or key {name!r} ignored")
    return settings


def _key_names() -> set[str]:
    from textual.keys import Keys, _character_to_key

    names = {k.value for k in Keys if "+" not in k.value}
    names |= {f"f{n}" for n in range(1, 25)}
    names |= {_character_to_key(chr(c)) for c in range(33, 127)}
    names |= {"space", "tab", "enter", "escape", "backspace", "delete", "insert"}
    return names


def _valid_key(key: str, names: set[str]) -> bool:
    if key in names or (len(key) == 1 and key.isprintable() and not key.isspace()):
        return True
    parts = key.split("+")
    if len(parts) < 2 or any(not p for p in parts):
        return False
    *mods, base = parts
    if any(m not in _MODIFIERS for m in mods):
        return False
    return base in names or (len(base) == 1 and base.isprintable() and not base.isspace())


def check_keymap(
    keymap: dict[str, str], known_ids: Iterable[str], source: str = "config.toml"
) -> tuple[dict[str, str], list[str]]:
    """Split a user keymap into the valid entries and one message per bad one."""
    known = set(known_ids)
    names = _key_names()
    good: dict[str, str] = {}
    problems: list[str] = []
    for binding_id, keys in keymap.items():
        if binding_id not in known:
            problems.append(
                f"{source} [keymap]: no binding with id {binding_id!r} (see the help screen, F1); "
                "entry ignored"
            )
            continue
        bad = [k for k in keys.split(",") if not _valid_key(k, names)]
        if bad:
            problems.append(
                f"{source} [keymap] {binding_id}: {', '.join(repr(b) for b in bad)} "
                "is not a key name (e.g. ctrl+k, f2, slash); the default is kept"
            )
            continue
        good[binding_id] = keys
    return good, problems
