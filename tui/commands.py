"""Command palette (ctrl+p): every action in the app, from any screen.

Running jobs come first (cancel, pause/resume: ``app.jobs``). Areas and
their actions come from ``tui.areas.AREAS`` and the panes' ``BINDINGS``; the
current screen's own bindings (editor, history) come from its active
bindings. Each command shows its key and binding id.

Titles are shown in the interface's language; a search matches the shown
title and its English original, so ``新建`` and ``new`` both find "New"."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content

from inkbench.i18n import LANGUAGES, _
from inkbench.tui.keys import declared
from inkbench.tui.vocab import binding_text

Command = tuple[str, str, str, Callable[[], object]]  # shown title, English title, help, run


def _both(english: str, binding_id: str | None = None) -> tuple[str, str]:
    return binding_text(english, binding_id or ""), english


class InkbenchCommands(Provider):
    """Every action of the app for the command palette (ctrl+p)."""

    def _commands(self) -> list[Command]:
        from inkbench.tui.areas import AREAS
        from inkbench.tui.screens.editor import EditorScreen
        from inkbench.tui.screens.revisions import RevisionsScreen

        app = self.app
        keymap = app._keymap
        screen = self.screen

        def keys(binding) -> str:
            return keymap.get(binding.id or "", binding.key)

        out: list[Command] = []
        jobs = app.jobs  # type: ignore[attr-defined]
        for job in jobs.running():
            if job.group == "db" or job.cancel_token.cancelled:
                continue
            out.append(
                (
                    _("Cancel: {job}").format(job=job.label),
                    f"Cancel: {job.label}",
                    _("stop this background job"),
                    job.cancel,
                )
            )
            if job.pausable:
                if job.paused:
                    shown = _("Resume: {job}").format(job=job.label)
                    english = f"Resume: {job.label}"
                else:
                    shown = _("Pause: {job}").format(job=job.label)
                    english = f"Pause: {job.label}"
                out.append((shown, english, _("background job"), partial(jobs.toggle_pause, job)))
        for code, (_locale, name) in LANGUAGES.items():
            out.append(
                (
                    _("Language: {name}").format(name=name),
                    f"Language: {name}",
                    _("the interface's language, kept in config.toml"),
                    partial(app.call_later, app.switch_language, code),  # type: ignore[attr-defined]
                )
            )
        on_main = not isinstance(screen, (EditorScreen, RevisionsScreen))
        # the current screen's own actions first
        seen: set[str] = set()
        for active in screen.active_bindings.values():
            binding = active.binding
            if not binding.id or binding.id in seen or binding.id.startswith(("area.", "app.")):
                continue
            if binding.id.startswith(("list.up", "list.down", "list.page", "list.first")):
                continue
            seen.add(binding.id)
            out.append(
                (
                    *_both(binding.description or binding.action, binding.id),
                    f"{keys(binding)} · {binding.id}",
                    partial(app.call_later, active.node.run_action, binding.action),
                )
            )
        for binding in declared(type(app)):
            if binding.id and binding.id.startswith("app."):
                out.append(
                    (
                        *_both(binding.description, binding.id),
                        f"{keys(binding)} · {binding.id}",
                        partial(app.call_later, app.run_action, binding.action),
                    )
                )
        for area in AREAS:
            binding_key = keymap.get(area.binding_id, area.key)
            out.append(
                (
                    _("Go to {area}").format(area=_(area.title)),
                    f"Go to {area.title}",
                    f"{binding_key} · {area.binding_id}",
                    partial(app.show_area, area.id),  # type: ignore[attr-defined]
                )
            )
            for binding in declared(area.load()):
                if binding.id in seen and on_main:
                    continue
                out.append(
                    (
                        _("{area}: {action}").format(
                            area=_(area.title), action=binding_text(binding.description)
                        ),
                        f"{area.title}: {binding.description}",
                        f"{keys(binding)} · {binding.id}",
                        partial(app.run_area_action, area.id, binding.action),  # type: ignore[attr-defined]
                    )
                )
        return out

    async def discover(self) -> Hits:
        for title, _english, help_text, command in self._commands():
            yield DiscoveryHit(title, command, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, english, help_text, command in self._commands():
            score = matcher.match(title)
            shown = matcher.highlight(title)
            if english != title:
                english_score = matcher.match(english)
                if english_score > score:  # found by its English name: show both
                    score = english_score
                    shown = Content(title + " · ") + matcher.highlight(english)
            if score > 0:
                yield Hit(score, shown, command, text=title, help=help_text)
