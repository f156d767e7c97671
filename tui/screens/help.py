"""Help: every key, what it does and its binding id (remappable in config.toml)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from inkbench.i18n import N_, _
from inkbench.tui.cells import pad
from inkbench.tui.keys import all_bindings
from inkbench.tui.vocab import binding_text


def format_keys(keys: str) -> str:
    from textual.keys import format_key

    return ", ".join(format_key(k) for k in keys.split(","))


class HelpScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > Vertical {
        width: 96; max-width: 100%; height: 90%; border: thick $primary 60%; background: $surface;
    }
    HelpScreen #help-head { padding: 0 1; height: auto; }
    HelpScreen VerticalScroll { height: 1fr; padding: 0 1; }
    """
    HELP_SECTION = N_("Help")
    BINDINGS = [Binding("escape,q,f1", "close", N_("Close"), id="help.close")]

    def compose(self) -> ComposeResult:
        app = self.app
        path = app.settings.path if app.settings.path else "config.toml"  # type: ignore[attr-defined]
        with Vertical():
            yield Static(
                Content.assemble(
                    (_("Keys"), "bold"),
                    _(' · change any in {path} under [keymap]: binding id = "keys"').format(
                        path=path
                    ),
                ),
                id="help-head",
            )
            with VerticalScroll():
                yield Static(self.table(), id="help-table")

    def table(self) -> Content:
        keymap = self.app._keymap  # normalised user keymap
        lines: list[Content] = []
        section = None
        for name, _cls, binding in all_bindings(type(self.app)):
            if name != section:
                section = name
                if lines:
                    lines.append(Content(""))
                lines.append(Content.styled(_(name), "bold $text-accent"))
            keys = keymap.get(binding.id or "", binding.key)
            changed = binding.id in keymap
            description = (
                binding_text(binding.description, binding.id or "")
                if binding.description
                else binding.action
            )
            lines.append(
                Content.assemble(
                    (f"  {format_keys(keys):<22}", "bold" if not changed else "bold $text-warning"),
                    pad(description, 26),
                    (binding.id or "", "$text-muted"),
                )
            )
        return Content("\n").join(lines)

    def action_close(self) -> None:
        self.dismiss(None)
