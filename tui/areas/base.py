"""The base class for an area pane (see the contract in ``tui/areas/__init__.py``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.containers import Vertical


class AreaPane(Vertical):
    """One area's pane. Subclass it, set ``BINDINGS`` (every Binding with an
    ``id`` prefixed by the area id), compose your widgets, and override the
    hooks you need."""

    DEFAULT_CSS = """
    AreaPane { height: 1fr; }
    """

    area_id: str = ""

    @property
    def ink(self) -> Any:
        """The ``InkbenchApp`` (``store``, ``jobs``, ``db_job``). Typed loosely:
        the app imports the areas, so this module must not import the app."""
        return self.app

    def on_area_shown(self) -> None:
        """Called each time the area becomes visible (after the first mount too)."""

    def focus_default(self) -> None:
        """Put focus where a keyboard user expects it when the area opens."""
        self.focus_next_in(self)

    def focus_next_in(self, node) -> None:
        for widget in node.query("*"):
            if widget.focusable:
                widget.focus()
                return

    def ask_then_run(
        self,
        prompt: str,
        job: Callable[..., Any],
        *args: Any,
        name: str,
        changed: str,
        value: str = "",
        placeholder: str = "",
    ) -> None:
        """Ask for one line of text; if given, run ``job(store, *args, text)``
        in a thread, then refresh the lists of ``changed`` rows."""
        from inkbench.tui.dialogs.ask_text import AskText
        from inkbench.tui.messages import DataChanged

        def answered(text: str | None) -> None:
            if text:
                self.ink.db_job(
                    job,
                    *args,
                    text,
                    name=name,
                    done=lambda _r: self.post_message(DataChanged(changed)),
                )

        self.app.push_screen(AskText(prompt, placeholder, value), answered)

    def data_changed(self, kind: str) -> None:
        """Rows of ``kind`` changed somewhere (saved, trashed, restored)."""


def ask_import(
    pane: AreaPane,
    target: str | None,
    ask_target: tuple[str, str],
    ask_paths: Callable[[str], tuple[str, str]],
    start: Callable[[str, list[str]], None],
) -> None:
    """Ask where to import (unless ``target`` is chosen already), then which
    paths (shell-quoted), then ``start(target, paths)``. ``ask_target`` is the
    (prompt, placeholder) for the name; ``ask_paths(name)`` gives the same for
    the paths."""
    import shlex

    from inkbench.i18n import _
    from inkbench.tui.dialogs.ask_text import AskText

    def got_paths(text: str | None, name: str) -> None:
        if not text:
            return
        try:
            paths = shlex.split(text)
        except ValueError as e:
            pane.notify(_("Cannot read the paths: {e}").format(e=e), severity="error", markup=False)
            return
        start(name, paths)

    def got_name(name: str | None) -> None:
        if name:
            pane.app.push_screen(AskText(*ask_paths(name)), lambda text: got_paths(text, name))

    if target:
        got_name(target)
    else:
        pane.app.push_screen(AskText(*ask_target), got_name)
