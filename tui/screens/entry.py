"""One character or world entry: its fields, aliases, relationships (from
both sides), tree and linked characters, and every chapter that names it
(count and first place). Enter on a chapter opens the editor at the first
place; on a related entry, that entry."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from inkbench.i18n import N_, _, aside, ngettext
from inkbench.tui import bible_actions
from inkbench.tui.bible_forms import edit_entry
from inkbench.tui.vocab import attribute_label, category_name, relation_name, role_name


def describe(view) -> Content:
    """An entry's fields as plain lines (never markup)."""
    if view.kind == "character":
        head = _("{name} · {role}").format(name=view.title, role=role_name(view.role_or_category))
    else:
        head = _("{name} · {category}").format(
            name=view.title, category=category_name(view.role_or_category)
        )
    lines = [head]
    if view.aliases:
        lines.append(_("Also: {aliases}").format(aliases=", ".join(view.aliases)))
    total = view.appearances.total
    first = view.appearances.first
    if first is not None:
        lines.append(
            ngettext(
                "Named {count} time; first in “{chapter}”",
                "Named {count} times; first in “{chapter}”",
                total,
            ).format(count=total, chapter=first.chapter_title)
        )
    else:
        lines.append(_("Not named in the text yet."))
    if view.parent:
        lines.append(_("Inside: {parent}").format(parent=view.parent[1]))
    if view.children:
        lines.append(
            _("Contains: {children}").format(children=_(", ").join(t for _i, t in view.children))
        )
    if view.linked:
        names = _(", ").join(n for _i, n in view.linked)
        if view.kind == "character":
            lines.append(_("Linked places and things: {names}").format(names=names))
        else:
            lines.append(_("Linked characters: {names}").format(names=names))
    for r in view.relations:
        note = aside(r.note)
        kind = relation_name(r.kind)
        lines.append(_("{kind} of {name}").format(kind=kind, name=r.other_name) + note)
    for key, value in view.fields.items():
        if value.strip():
            lines += ["", _("{label}:").format(label=attribute_label(key)), value.strip()]
    return Content("\n".join(lines))


class EntryScreen(Screen):
    """A character's or world entry's page."""

    HELP_SECTION = N_("Bible entry")
    DEFAULT_CSS = """
    EntryScreen > #entry-text { height: 2fr; padding: 0 1; }
    EntryScreen > #entry-places-head {
        height: 1; background: $panel; padding: 0 1; color: $text-muted;
    }
    EntryScreen > OptionList { height: 1fr; border: none; }
    """
    BINDINGS = [
        Binding("escape", "close", N_("Back"), id="entry.close"),
        Binding("e", "edit", N_("Edit"), id="entry.edit"),
        Binding("r", "relate", N_("Add relationship"), id="entry.relate"),
        Binding("x", "unrelate", N_("Remove relationship"), id="entry.unrelate"),
    ]
    AUTO_FOCUS = "#places"

    def __init__(self, kind: str, entry_id: int) -> None:
        super().__init__()
        self.kind = kind
        self.entry_id = entry_id
        self.view = None
        # option id -> what Enter does: ("chapter", id, offset) or (kind, id) or ("relation", id)
        self.targets: dict[str, tuple] = {}

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="entry-text"):
            yield Static(id="entry-fields", markup=False)
        yield Static(id="entry-places-head", markup=False)
        yield OptionList(id="places")
        from inkbench.tui.widgets.footer import Footer

        yield Footer()

    def on_mount(self) -> None:
        self.load()

    def load(self) -> None:
        """Read the entry again and show it."""
        self.app.db_job(  # type: ignore[attr-defined]
            bible_actions.read_entry,
            self.kind,
            self.entry_id,
            name=_("read entry"),
            done=self._show,
        )

    def _show(self, view) -> None:
        self.view = view
        self.query_one("#entry-fields", Static).update(describe(view))
        head = _("Where the text names it (Enter opens the place) · relationships and links")
        self.query_one("#entry-places-head", Static).update(Content(head))
        box = self.query_one("#places", OptionList)
        box.clear_options()
        self.targets.clear()
        options = []
        for a in view.appearances.chapters:
            key = f"c{a.chapter_id}"
            self.targets[key] = ("chapter", a.chapter_id, a.first_position)
            text = ngettext(
                "Chapter {n} “{title}”: {count} time, first at character {pos}",
                "Chapter {n} “{title}”: {count} times, first at character {pos}",
                a.count,
            ).format(
                n=a.chapter_position + 1, title=a.chapter_title, count=a.count, pos=a.first_position
            )
            options.append(Option(Content(text), id=key))
        for r in view.relations:
            key = f"r{r.id}"
            self.targets[key] = ("relation", r.id, r.other_id)
            note = aside(r.note)
            kind = relation_name(r.kind)
            text = _("Relationship: {kind} of {name}").format(kind=kind, name=r.other_name)
            options.append(Option(Content(text + note), id=key))
        other = "world_entry" if view.kind == "character" else "character"
        for i, name in view.linked:
            key = f"l{i}"
            self.targets[key] = (other, i)
            options.append(Option(Content(_("Linked: {name}").format(name=name)), id=key))
        if view.parent:
            key = f"p{view.parent[0]}"
            self.targets[key] = ("world_entry", view.parent[0])
            options.append(Option(Content(_("Inside: {name}").format(name=view.parent[1])), id=key))
        for i, name in view.children:
            key = f"k{i}"
            self.targets[key] = ("world_entry", i)
            options.append(Option(Content(_("Contains: {name}").format(name=name)), id=key))
        box.add_options(options)
        if options:
            box.highlighted = 0

    @on(OptionList.OptionSelected, "#places")
    def _open(self, event: OptionList.OptionSelected) -> None:
        target = self.targets.get(event.option.id or "")
        if target is None:
            return
        if target[0] == "chapter":
            from inkbench.storage.bible_views import chapter_place
            from inkbench.tui.messages import OpenDocument

            line, column = chapter_place(self.app.store.ui_conn, target[1], target[2])  # type: ignore[attr-defined]
            self.app.post_message(OpenDocument("chapter", target[1], line, column))
        elif target[0] == "relation":
            self.app.push_screen(EntryScreen("character", target[2]), lambda _r: self.load())
        else:
            self.app.push_screen(EntryScreen(target[0], target[1]), lambda _r: self.load())

    # --- actions ------------------------------------------------------------------------

    def action_close(self) -> None:
        self.dismiss(None)

    def _changed(self, _result=None) -> None:
        from inkbench.tui.messages import DataChanged

        self.load()
        self.app.post_message(DataChanged("bible"))

    def action_edit(self) -> None:
        if self.view is not None:
            edit_entry(self, self.kind, self.view.work_id, self.entry_id, self._changed)

    def action_relate(self) -> None:
        if self.kind != "character" or self.view is None:
            self.notify(_("Relationships are between characters."))
            return
        from inkbench.tui.bible_forms import ask_and_save
        from inkbench.tui.dialogs.fields_form import Field

        fields = [
            Field("other", _("With (name, alias or id)"), ""),
            Field("kind", _("Kind (family, friend, rival, lover, mentor … or your own)"), ""),
            Field("note", _("Note"), ""),
        ]
        ask_and_save(
            self,
            _("New relationship of {name}").format(name=self.view.title),
            fields,
            lambda store, values: bible_actions.relate(
                store, self.entry_id, values["other"], values["kind"], values["note"]
            ),
            name=_("add relationship"),
            done=self._changed,
        )

    def action_unrelate(self) -> None:
        box = self.query_one("#places", OptionList)
        if box.highlighted is None:
            return
        target = self.targets.get(box.get_option_at_index(box.highlighted).id or "")
        if not target or target[0] != "relation":
            self.notify(_("Highlight a relationship first: x removes it."))
            return
        self.app.db_job(  # type: ignore[attr-defined]
            bible_actions.unrelate, target[1], name=_("remove relationship"), done=self._changed
        )

    def on_worker_state_changed(self, event) -> None:
        self.app.worker_failed(event)  # type: ignore[attr-defined]
