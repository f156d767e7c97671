"""Every binding in the app, by section: the help screen lists them, the
keymap check knows their ids, the palette offers them. The classes that own
bindings are listed by the app (``InkbenchApp.binding_owners``) and passed in,
so this module imports nothing of the app's."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from textual.binding import Binding

Owners = Sequence[tuple[str, type]]  # (help section, class declaring BINDINGS)


def declared(cls: type) -> list[Binding]:
    """Bindings a class declares itself (not inherited ones)."""
    out = []
    for item in cls.__dict__.get("BINDINGS", []):
        if isinstance(item, Binding) and item.id:
            out.append(item)
    return out


def all_bindings(owners: Owners) -> Iterator[tuple[str, type, Binding]]:
    """(section, owner, binding) for every binding with an id, in ``owners``' order."""
    for section, cls in owners:
        for binding in declared(cls):
            yield section, cls, binding


def all_ids(owners: Owners) -> set[str]:
    """The ids of every binding ``owners`` declare."""
    return {b.id for _s, _c, b in all_bindings(owners) if b.id}
