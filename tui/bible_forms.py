"""The novel's forms as field lists for ``FieldsForm``, and the ask → save
round trips the bible screens, the outline and the Works area share."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from inkbench.i18n import _
from inkbench.storage.vocab import (
    CHAPTER_STATUSES,
    CHARACTER_ROLES,
    WORK_STATUSES,
    WORLD_CATEGORIES,
)
from inkbench.tui import bible_actions
from inkbench.tui.dialogs.fields_form import Field, FieldsForm, multi_values
from inkbench.tui.vocab import attribute_label, category_name, role_name, status_name

if TYPE_CHECKING:
    from inkbench.storage.scenes import SceneForm
    from inkbench.storage.store import Store


def character_fields(view: Any | None) -> list[Field]:
    """The character form (``view``: an ``EntryView`` to edit, None for a new one)."""
    from inkbench.storage.bible import CHARACTER_ATTRIBUTES

    values = view.fields if view else {}
    fields = [
        Field("name", _("Name"), view.title if view else ""),
        Field(
            "aliases",
            _("Aliases (separated by commas)"),
            ", ".join(view.aliases) if view else "",
            placeholder=_("e.g. 晚晚, Lin Wan"),
        ),
        Field(
            "role",
            _("Role"),
            view.role_or_category if view else "supporting",
            "choice",
            {r: role_name(r) for r in CHARACTER_ROLES},
        ),
    ]
    for key in CHARACTER_ATTRIBUTES:
        kind = "text" if key in ("description", "background") else "line"
        fields.append(Field(key, attribute_label(key), values.get(key, ""), kind))
    return fields


def world_fields(
    view: Any | None, entries: list[tuple[int, str]], parent_id: int | None = None
) -> list[Field]:
    """The world entry form; ``entries`` are the possible parents (id, title)."""
    parents = {"0": _("(none: top of the tree)")}
    parents.update({str(i): t for i, t in entries if not view or i != view.id})
    current_parent = view.parent[0] if view and view.parent else parent_id
    return [
        Field("title", _("Title"), view.title if view else ""),
        Field(
            "category",
            _("Category"),
            view.role_or_category if view else "geography",
            "choice",
            {c: category_name(c) for c in WORLD_CATEGORIES},
        ),
        Field("parent", _("Inside (parent entry)"), str(current_parent or 0), "choice", parents),
        Field(
            "aliases", _("Aliases (separated by commas)"), ", ".join(view.aliases) if view else ""
        ),
        Field(
            "characters",
            _("Linked characters (names, separated by commas)"),
            ", ".join(n for _i, n in view.linked) if view else "",
        ),
        Field("content", _("Content"), view.fields.get("content", "") if view else "", "text"),
    ]


def tag_fields(row: tuple | None) -> list[Field]:
    """The tag form (``row``: a ``TagSource`` row to edit, None for a new tag)."""
    return [
        Field("name", _("Name"), row[1] if row else ""),
        Field(
            "color", _("Colour (a name or #rrggbb)"), row[2] if row else "", placeholder="#c0392b"
        ),
        Field("description", _("Description"), row[5] if row else "", "text"),
    ]


def work_fields(values: dict) -> list[Field]:
    """The work form."""
    return [
        Field("title", _("Title"), values["title"]),
        Field("genre", _("Genre"), values["genre"]),
        Field(
            "status",
            _("Status"),
            values["status"],
            "choice",
            {s: status_name(s) for s in WORK_STATUSES},
        ),
        Field("goal", _("Word goal (0 for none)"), values["goal"]),
        Field(
            "naming",
            _("New chapters are titled ({n} is the number)"),
            values["naming"],
            placeholder=_("Chapter {n} · 第{n}章"),
        ),
        Field("description", _("Description"), values["description"], "text"),
    ]


def chapter_fields(values: dict) -> list[Field]:
    """The chapter form (status and synopsis; the title is edited in the editor)."""
    return [
        Field(
            "status",
            _("Status"),
            values["status"],
            "choice",
            {s: status_name(s) for s in CHAPTER_STATUSES},
        ),
        Field("synopsis", _("Synopsis"), values["synopsis"], "text"),
    ]


def ask_and_save(
    node: Any,
    title: str,
    fields: list[Field],
    job: Callable[..., Any],
    *args: Any,
    name: str,
    done: Callable[[Any], None],
) -> None:
    """Show a form; when saved, run ``job(store, *args, values)`` as a db job.
    A refused save (a name taken, a field left empty) reopens the form with
    what was typed, under the notice that says what to change."""

    def answered(values: dict | None) -> None:
        if values is None:
            return

        def refused(_error: BaseException) -> None:
            typed = [replace(f, value=values.get(f.id, f.value)) for f in fields]
            ask_and_save(node, title, typed, job, *args, name=name, done=done)

        node.app.db_job(job, *args, values, name=name, done=done, failed=refused)

    node.app.push_screen(FieldsForm(title, fields), answered)


def edit_entry(node: Any, kind: str, work_id: int, entry_id: int | None, done) -> None:
    """Ask for a character's or world entry's fields (new when ``entry_id`` is
    None) and save them; ``done(id)`` after."""
    app = node.app

    def with_view(view) -> None:
        if kind == "character":
            title = (
                _("Edit character “{name}”").format(name=view.title) if view else _("New character")
            )
            ask_and_save(
                node,
                title,
                character_fields(view),
                bible_actions.save_character,
                work_id,
                entry_id,
                name=_("save character"),
                done=done,
            )
            return

        def with_entries(entries: list[tuple[int, str]]) -> None:
            title = (
                _("Edit world entry “{name}”").format(name=view.title)
                if view
                else _("New world entry")
            )
            ask_and_save(
                node,
                title,
                world_fields(view, entries),
                bible_actions.save_world_entry,
                work_id,
                entry_id,
                name=_("save world entry"),
                done=done,
            )

        app.db_job(
            bible_actions.read_world_titles,
            work_id,
            name=_("reading the world entries"),
            done=with_entries,
        )

    if entry_id is None:
        with_view(None)
    else:
        app.db_job(bible_actions.read_entry, kind, entry_id, name=_("read entry"), done=with_view)


def scene_fields(form: SceneForm) -> list[Field]:
    """The scene form (``form``: a ``storage.scenes.SceneForm``): synopsis,
    the place (one of the work's world entries, or none), time, mood and the
    characters in it (any of the work's characters)."""
    places = {"0": _("(none)")}
    for i, (entry_id, title) in enumerate(form.places):
        trashed = form.location_in_trash and i == len(form.places) - 1
        places[str(entry_id)] = (
            _("{title} (in the Trash)").format(title=title) if trashed else title
        )
    return [
        Field("synopsis", _("Synopsis"), form.synopsis, "text"),
        Field(
            "location", _("Location (a world entry)"), str(form.location_id or 0), "choice", places
        ),
        Field("time", _("Time"), form.time),
        Field("mood", _("Mood"), form.mood),
        Field(
            "characters",
            _("Characters in the scene (space chooses)"),
            ",".join(str(i) for i in form.character_ids),
            "multichoice",
            {str(i): name for i, name in form.people},
            placeholder=_("The work has no characters yet: add them in the story bible (b)."),
        ),
    ]


def read_scene_form(store: Store, chapter_id: int, scene_id: int | None) -> SceneForm:
    """The scene form's details and choices (``storage.scenes.SceneForm``);
    a new scene's when ``scene_id`` is None. A db job."""
    from inkbench.storage.scenes import scene_form

    with store.database().read() as session:
        return scene_form(session, chapter_id, scene_id)


def save_scene_form(store: Store, scene_id: int | None, chapter_id: int, values: dict) -> int:
    """Save the scene form: change the scene, or add one at the end of the
    chapter (``scene_id`` None); its id. A db job."""
    from inkbench.storage.scenes import add_scene, update_scene

    location = values.get("location") or "0"
    fields = {
        "synopsis": values.get("synopsis", ""),
        "time": values.get("time", ""),
        "mood": values.get("mood", ""),
        "location_id": None if location == "0" else int(location),
        "character_ids": [int(v) for v in multi_values(values.get("characters", ""))],
    }
    with store.database().write() as session:
        if scene_id is None:
            return add_scene(session, chapter_id, **fields).id
        return update_scene(session, scene_id, **fields).id
