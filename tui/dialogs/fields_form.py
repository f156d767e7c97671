"""A form of labelled fields (one line, several lines, a choice, several
choices, a flag):
the story bible's, a work's, a chapter's and the export's forms are lists
of :class:`Field` shown by this one dialog."""

from __future__ import annotations

from dataclasses import dataclass, field

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.widgets import (
    Button,
    Checkbox,
    Input,
    Label,
    Select,
    SelectionList,
    Static,
    TextArea,
)
from textual.widgets.selection_list import Selection

from inkbench.i18n import N_, _
from inkbench.tui.dialogs.base import Dialog


def multi_values(value: str) -> list[str]:
    """The chosen values of a ``multichoice`` field's value, in order."""
    return [v for v in (x.strip() for x in value.split(",")) if v]


@dataclass
class Field:
    """One field: ``kind`` is ``line``, ``text`` (several lines), ``choice``
    (``choices``: value -> shown label), ``multichoice`` (any of ``choices``;
    the value lists the chosen ones separated by commas, space toggles one;
    ``placeholder`` is shown when there is nothing to choose) or ``flag``
    (value "1" or "")."""

    id: str
    label: str
    value: str = ""
    kind: str = "line"
    choices: dict[str, str] = field(default_factory=dict)
    placeholder: str = ""


class FieldsForm(Dialog[dict[str, str] | None]):
    """Dismisses with {field id: text} on ctrl+s (or Save), None on escape."""

    HELP_SECTION = N_("Forms")
    DEFAULT_CSS = """
    FieldsForm > VerticalScroll {
        width: 80; height: auto; max-height: 90%; padding: 0 2;
        border: thick $primary 60%; background: $surface;
    }
    FieldsForm .dialog-title { margin-bottom: 1; }
    FieldsForm Label { color: $text-muted; }
    FieldsForm TextArea { height: 5; }
    FieldsForm Select { width: 1fr; }
    FieldsForm SelectionList { height: auto; max-height: 8; border: none; padding: 0; }
    FieldsForm Horizontal { height: auto; align-horizontal: right; margin-top: 1; }
    FieldsForm Button { margin-left: 1; }
    """
    BINDINGS = [
        Binding("escape", "cancel", N_("Cancel"), id="form.cancel"),
        Binding("ctrl+s", "save", N_("Save"), id="form.save"),
    ]

    def __init__(self, title: str, fields: list[Field]) -> None:
        super().__init__()
        self.form_title = title
        self.fields = fields

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static(Content(self.form_title + _(" · ctrl+s saves")), classes="dialog-title")
            for f in self.fields:
                if f.kind == "flag":
                    yield Checkbox(Content(f.label), bool(f.value), id=f"f-{f.id}", compact=True)
                    continue
                yield Label(Content(f.label))
                if f.kind == "text":
                    yield TextArea(f.value, id=f"f-{f.id}", soft_wrap=True)
                elif f.kind == "choice":
                    options = [(Content(label), value) for value, label in f.choices.items()]
                    yield Select(
                        options,
                        value=f.value if f.value in f.choices else Select.BLANK,
                        allow_blank=f.value not in f.choices,
                        id=f"f-{f.id}",
                        compact=True,
                    )
                elif f.kind == "multichoice":
                    if not f.choices:  # say so rather than show an empty box
                        yield Label(Content(f.placeholder or _("(nothing to choose from)")))
                    chosen = set(multi_values(f.value))
                    yield SelectionList[str](
                        *(
                            Selection(Content(label), value, value in chosen)
                            for value, label in f.choices.items()
                        ),
                        id=f"f-{f.id}",
                        compact=True,
                    )
                else:
                    yield Input(f.value, placeholder=f.placeholder, id=f"f-{f.id}", compact=True)
            with Horizontal():
                yield Button(_("Cancel"), id="cancel")
                yield Button(_("Save"), variant="primary", id="save")

    def on_mount(self) -> None:
        # the first field, not the scrolling box around the fields: a form is for typing
        if self.fields:
            self.query_one(f"#f-{self.fields[0].id}").focus()

    def values(self) -> dict[str, str]:
        """What the fields hold now."""
        out: dict[str, str] = {}
        for f in self.fields:
            widget = self.query_one(f"#f-{f.id}")
            if isinstance(widget, TextArea):
                out[f.id] = widget.text
            elif isinstance(widget, Checkbox):
                out[f.id] = "1" if widget.value else ""
            elif isinstance(widget, SelectionList):
                chosen = set(widget.selected)
                out[f.id] = ",".join(v for v in f.choices if v in chosen)
            elif isinstance(widget, Select):
                out[f.id] = "" if widget.value is Select.BLANK else str(widget.value)
            else:  # a one-line input: the spaces around it are not meant
                out[f.id] = widget.value.strip()  # type: ignore[attr-defined]
        return out

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "cancel":
            self.dismiss(None)
        else:
            self.action_save()

    def on_input_submitted(self) -> None:
        self.action_save()

    def action_save(self) -> None:
        self.dismiss(self.values())

    def action_cancel(self) -> None:
        self.dismiss(None)
