"""Checking the ``[keymap]`` of config.toml against the app's bindings.

The settings model (``inkbench.settings``) reads the keymap: binding id ->
keys, comma-separated. Only the app knows every binding id and which key names
Textual understands, so the check is here (:func:`check_keymap`).
"""

from __future__ import annotations

from collections.abc import Iterable

from inkbench.i18n import _

_MODIFIERS = {"ctrl", "shift", "alt", "meta", "super", "hyper"}


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
    keymap: dict[str, str], known_ids: Iterable[str] | None, source: str = "config.toml"
) -> tuple[dict[str, str], list[str]]:
    """Split a user keymap into the valid entries and one message per bad one.
    ``known_ids`` None: the ids are not checked (see :func:`unknown_ids`)."""
    known = None if known_ids is None else set(known_ids)
    names = _key_names()
    good: dict[str, str] = {}
    problems: list[str] = []
    for binding_id, keys in keymap.items():
        if known is not None and binding_id not in known:
            problems.append(_unknown(source, binding_id))
            continue
        bad = [k for k in keys.split(",") if not _valid_key(k, names)]
        if bad:
            problems.append(
                _(
                    "{source} [keymap] {id}: {keys} is not a key name (e.g. ctrl+k, f2, slash); "
                    "the default is kept"
                ).format(source=source, id=binding_id, keys=", ".join(repr(b) for b in bad))
            )
            continue
        good[binding_id] = keys
    return good, problems


def _unknown(source: str, binding_id: str) -> str:
    return _(
        "{source} [keymap]: no binding with id {id!r} (see the help screen, F1); entry ignored"
    ).format(source=source, id=binding_id)


def unknown_ids(
    keymap: dict[str, str], known_ids: Iterable[str], source: str = "config.toml"
) -> list[str]:
    """One message per keymap entry naming no binding. (The app checks the
    ids after its first frame: knowing them all imports every area and
    screen module.)"""
    known = set(known_ids)
    return [_unknown(source, binding_id) for binding_id in keymap if binding_id not in known]
