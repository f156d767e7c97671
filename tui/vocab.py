"""Stored vocabulary (statuses: ``storage.vocab``; kinds of rows) in the
interface's language.

The database keeps the English ids; lists and notices show them through
:func:`status_name`. Every id is spelled out here so the catalog has it
(``pgettext("status", …)``: "draft" the status, not the verb).
"""

from __future__ import annotations

from inkbench.i18n import _, pgettext
from inkbench.storage.vocab import origin_name, status_name

__all__ = ["origin_name", "status_name"]


def kind_name(kind: str) -> str:
    """A kind of row (``article``, ``knowledge_base``, ``kb document``…) as the user reads it."""
    names = {
        "article": pgettext("kind", "article"),
        "work": pgettext("kind", "work"),
        "chapter": pgettext("kind", "chapter"),
        "album": pgettext("kind", "album"),
        "image": pgettext("kind", "image"),
        "knowledge_base": pgettext("kind", "knowledge base"),
        "kb_document": pgettext("kind", "document"),
        "distillation": pgettext("kind", "keyword"),
        "topic": pgettext("kind", "topic"),
        "generation_task": pgettext("kind", "task"),
        "character": pgettext("kind", "character"),
        "world_entry": pgettext("kind", "world entry"),
    }
    return names.get(kind.replace(" ", "_"), kind)


def role_name(role: str) -> str:
    """A character's role (``protagonist``, ``antagonist``…) as the user reads it."""
    names = {
        "protagonist": pgettext("role", "protagonist"),
        "antagonist": pgettext("role", "antagonist"),
        "supporting": pgettext("role", "supporting"),
        "minor": pgettext("role", "minor"),
    }
    return names.get(role, role)


def category_name(category: str) -> str:
    """A world entry's category (``geography``, ``magic``…) as the user reads it."""
    names = {
        "geography": pgettext("category", "geography"),
        "history": pgettext("category", "history"),
        "culture": pgettext("category", "culture"),
        "organisation": pgettext("category", "organisation"),
        "magic": pgettext("category", "magic"),
        "technology": pgettext("category", "technology"),
        "item": pgettext("category", "item"),
        "other": pgettext("category", "other"),
    }
    return names.get(category, category)


def attribute_label(key: str) -> str:
    """A character's or world entry's field (``age``, ``flaws``…) as its label."""
    labels = {
        "description": _("Description"),
        "age": _("Age"),
        "gender": _("Gender"),
        "appearance": _("Appearance"),
        "personality": _("Personality"),
        "background": _("Background"),
        "motivation": _("Motivation"),
        "flaws": _("Flaws"),
        "strengths": _("Strengths"),
        "content": _("Content"),
    }
    return labels.get(key, key)


def relation_name(kind: str) -> str:
    """A relationship's kind: the suggested ones (``family``, ``rival``…) in
    the interface's language, a writer's own word as written."""
    names = {
        "family": pgettext("relation", "family"),
        "friend": pgettext("relation", "friend"),
        "rival": pgettext("relation", "rival"),
        "lover": pgettext("relation", "lover"),
        "mentor": pgettext("relation", "mentor"),
        "enemy": pgettext("relation", "enemy"),
        "colleague": pgettext("relation", "colleague"),
    }
    return names.get(kind.strip().lower(), kind)


def speaker_name(role: str) -> str:
    """Who wrote a chat message (``user``, ``assistant``) as the user reads it."""
    names = {"user": pgettext("speaker", "you"), "assistant": pgettext("speaker", "AI")}
    return names.get(role, role)


def revision_kind(kind: str) -> str:
    """How a revision was made (``manual``, ``autosave``, ``ai``, ``restore``)."""
    names = {
        "manual": pgettext("revision", "manual"),
        "autosave": pgettext("revision", "autosave"),
        "ai": pgettext("revision", "AI"),
        "restore": pgettext("revision", "restore"),
    }
    return names.get(kind, kind)


def binding_text(description: str, binding_id: str = "") -> str:
    """A binding's description (an ``N_()`` msgid) in the interface's language.
    A few English words are both a noun and a verb ("Trash": the area, and
    moving a row there); as an action's description they are the verb, as
    an area's key (``area.<id>``) the noun."""
    if binding_id.startswith("area."):
        return _(description)
    verbs = {"Trash": pgettext("action", "Trash")}
    return verbs[description] if description in verbs else _(description)
