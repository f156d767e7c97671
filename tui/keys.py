"""Every binding with an id, found in the classes that declare them: the
help screen lists them, the keymap check knows their ids.

Nothing here is a hand-kept list. :func:`binding_classes` imports each module
of ``inkbench.tui`` (except the app, which the caller passes in, so this
module depends on no screen and no screen on the app) and keeps the classes
that declare ``BINDINGS`` with ids. A class names its help section with
``HELP_SECTION``; an area pane's section is its area's title.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Iterator
from functools import cache

from textual.binding import Binding

from inkbench.i18n import N_

PACKAGE = "inkbench.tui"
APP_MODULE = "inkbench.tui.app"
FIRST = N_("Everywhere")


def declared(cls: type) -> list[Binding]:
    """Bindings with an id that a class declares itself (not inherited ones)."""
    return [b for b in cls.__dict__.get("BINDINGS", []) if isinstance(b, Binding) and b.id]


@cache
def binding_classes() -> tuple[type, ...]:
    """Every class in ``inkbench.tui`` (bar the app module) declaring a
    binding with an id, in module order."""
    package = importlib.import_module(PACKAGE)
    found: list[type] = []
    for info in pkgutil.walk_packages(package.__path__, PACKAGE + "."):
        if info.name == APP_MODULE:
            continue
        module = importlib.import_module(info.name)
        for _name, obj in inspect.getmembers(module, inspect.isclass):
            if obj.__module__ == module.__name__ and declared(obj):
                found.append(obj)
    return tuple(found)


def section_of(cls: type) -> str:
    """The help section a class's keys are listed under."""
    from inkbench.tui.areas import AREAS

    area_id = getattr(cls, "area_id", "")
    for a in AREAS:
        if a.id == area_id:
            return a.title
    return getattr(cls, "HELP_SECTION", "") or cls.__name__


def owners(app_class: type) -> list[tuple[str, type]]:
    """(section, class) for the app and every class with bound ids: the app
    first, then the areas in tab order, then the rest by section."""
    from inkbench.tui.areas import AREAS

    order = {a.title: i for i, a in enumerate(AREAS)}
    rest = sorted(
        ((section_of(cls), cls) for cls in binding_classes()),
        key=lambda sc: (order.get(sc[0], len(order)), sc[0] if sc[0] not in order else ""),
    )
    return [(FIRST, app_class), *rest]


def all_bindings(app_class: type) -> Iterator[tuple[str, type, Binding]]:
    """(section, class, binding) for every binding with an id."""
    for section, cls in owners(app_class):
        for binding in declared(cls):
            yield section, cls, binding


def all_ids(app_class: type) -> set[str]:
    """Every binding id (what ``[keymap]`` in config.toml may name)."""
    return {b.id for _s, _c, b in all_bindings(app_class) if b.id}
