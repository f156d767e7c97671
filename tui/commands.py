"""Command palette (ctrl+p): every action in the app, from any screen.

Running jobs come first (cancel, pause/resume: ``app.jobs``). Areas and
their actions come from ``tui.areas.AREAS`` and the panes' ``BINDINGS``; the
current screen's own bindings (editor, history) come from its active
bindings. Each command shows its key and binding id."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from inkbench.tui.keys import declared


class InkbenchCommands(Provider):
    def _commands(self) -> list[tuple[str, str, Callable[[], object]]]:
        from inkbench.tui.areas import AREAS
        from inkbench.tui.screens.editor import EditorScreen
        from inkbench.tui.screens.revisions import RevisionsScreen

        app = self.app
        keymap = app._keymap
        screen = self.screen

        def keys(binding) -> str:
            return keymap.get(binding.id or "", binding.key)

        out: list[tuple[str, str, Callable[[], object]]] = []
        jobs = app.jobs  # type: ignore[attr-defined]
        for job in jobs.running():
            if job.group == "db" or job.cancel_token.cancelled:
                continue
            out.append((f"Cancel: {job.label}", "stop this background job", job.cancel))
            if job.pausable:
                verb = "Resume" if job.paused else "Pause"
                out.append(
                    (f"{verb}: {job.label}", "background job", partial(jobs.toggle_pause, job))
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
                    binding.description or binding.action,
                    f"{keys(binding)} · {binding.id}",
                    partial(app.call_later, active.node.run_action, binding.action),
                )
            )
        for binding in declared(type(app)):
            if binding.id and binding.id.startswith("app."):
                out.append(
                    (
                        binding.description,
                        f"{keys(binding)} · {binding.id}",
                        partial(app.call_later, app.run_action, binding.action),
                    )
                )
        for area in AREAS:
            binding_key = keymap.get(area.binding_id, area.key)
            out.append(
                (
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
                        f"{area.title}: {binding.description}",
                        f"{keys(binding)} · {binding.id}",
                        partial(app.run_area_action, area.id, binding.action),  # type: ignore[attr-defined]
                    )
                )
        return out

    async def discover(self) -> Hits:
        for title, help_text, command in self._commands():
            yield DiscoveryHit(title, command, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, command in self._commands():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), command, text=title, help=help_text)
