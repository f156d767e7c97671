"""The areas of the workbench: ONE list, in the order of the tabs.

Plug-in contract (adding or replacing an area)
----------------------------------------------
1. Write ``tui/areas/<area>.py`` with a class that subclasses
   ``tui.areas.base.AreaPane`` (a Vertical). Its ``compose`` builds the pane;
   keep slow imports (sqlmodel, storage modules, httpx) inside functions or
   workers, never at module top, so the first screen stays fast.
2. Give every action a ``Binding(key, action, description, id="<area>.<verb>")``
   in the class's ``BINDINGS``. The id makes it remappable in ``config.toml``
   ([keymap] "<area>.<verb>" = "keys"), lists it in the footer and help (F1)
   and in the command palette (ctrl+p), which can run it from any area.
3. Add one ``Area(...)`` line to ``AREAS`` below: id, default key, title, and
   ``"module:Class"``. The pane is imported and mounted the first time the
   user opens the area; the app calls ``on_area_shown()`` on each visit and
   ``data_changed(kind)`` when rows of a kind change elsewhere.
4. Data: never SQL here. Lists: ``tui.widgets.list_pane.ListPane`` over a
   source from ``storage.lists``; two lists side by side (a master and its
   detail): ``tui.widgets.master_detail.MasterDetail``. Reads on the UI
   thread: ``storage.reads`` functions on ``self.ink.store.ui_conn``. Writes
   and slower reads: a named function in ``tui.actions`` (``fn(store, ...)``)
   run with ``self.ink.db_job(fn, *args, name=..., done=...)``.
5. Long work (imports, OCR, AI calls, runners) is a job of the app:
   ``self.ink.jobs.start(fn, label=..., group=..., done=..., advice=...)``
   where ``fn(cancel, progress)`` takes the ``CancelToken`` and ``ProgressFn``
   of ``storage.jobs`` and passes them on to the integration it calls. The
   job shows in the status bar, can be cancelled from the palette (and the
   area's own key: ``app.jobs.cancel_group(group)``), and a failure is one
   notice plus a traceback in errors.log. Post ``DataChanged(kind)`` after
   changing rows.
6. Show user text literally: ``Content(text)``, ``Static(..., markup=False)``,
   ``notify(..., markup=False)``; never build markup strings from it.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

from textual.widget import Widget

from inkbench.i18n import N_


@dataclass(frozen=True)
class Area:
    id: str  # also the binding id "area.<id>" and the pane's DOM id "area-<id>"
    key: str  # default key(s) to open it
    title: str
    factory: str  # "module:Class", imported on first use

    @property
    def binding_id(self) -> str:
        return f"area.{self.id}"

    def load(self) -> type[Widget]:
        module, _sep, name = self.factory.partition(":")
        return getattr(importlib.import_module(module), name)


AREAS: list[Area] = [
    Area("articles", "1", N_("Articles"), "inkbench.tui.areas.articles:ArticlesArea"),
    Area("works", "2", N_("Works"), "inkbench.tui.areas.works:WorksArea"),
    Area("albums", "3", N_("Albums"), "inkbench.tui.areas.albums:AlbumsArea"),
    Area("knowledge", "4", N_("Knowledge"), "inkbench.tui.areas.knowledge:KnowledgeArea"),
    Area("generate", "5", N_("Generate"), "inkbench.tui.areas.generate:GenerateArea"),
    Area("tasks", "6", N_("Tasks"), "inkbench.tui.areas.tasks:TasksArea"),
    Area("account", "7", N_("Account"), "inkbench.tui.areas.account:AccountArea"),
    Area("trash", "8", N_("Trash"), "inkbench.tui.areas.trash:TrashArea"),
    Area("chat", "9", N_("Chat"), "inkbench.tui.areas.chat:ChatArea"),
    Area("publish", "0", N_("Publish"), "inkbench.tui.areas.publish:PublishArea"),
]


def area(area_id: str) -> Area:
    for a in AREAS:
        if a.id == area_id:
            return a
    raise KeyError(area_id)
