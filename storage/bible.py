"""A work's story bible: characters, their relationships, and world entries
(places, organisations, items …, as a tree), each with a name and aliases.

Every name and alias of a work is one row of ``bible_name``, unique within
the work, so a name always means one entry. Changing a name bumps
``work.bible_version`` and finds the names in the work's chapters again
(``storage.mentions``), in the same transaction. Where an entry appears is
read from the ``mention`` rows: computed from the text, never typed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import update
from sqlmodel import Session, select

from inkbench.i18n import _
from inkbench.storage.errors import InvalidInput, NotFound
from inkbench.storage.mentions import refresh_work
from inkbench.storage.models import (
    CHARACTER_ROLES,
    WORLD_CATEGORIES,
    BibleName,
    Chapter,
    Character,
    CharacterRelation,
    Mention,
    Work,
    WorldEntry,
    WorldEntryCharacter,
    utcnow,
)
from inkbench.storage.vocab import CHARACTER_ATTRIBUTES  # noqa: F401 (re-exported)


def raw_connection(session: Session):
    """The session's sqlite3 connection, inside its transaction."""
    return session.connection().connection.driver_connection


# --- names ---------------------------------------------------------------------------


def _clean_names(name: str, aliases: Iterable[str]) -> list[str]:
    name = name.strip()
    if not name:
        raise InvalidInput(_("a name cannot be empty"))
    out = [name]
    for alias in aliases:
        alias = alias.strip()
        if alias and alias not in out:
            out.append(alias)
    return out


def _owner_label(session: Session, row: BibleName) -> str:
    if row.character_id is not None:
        return _("the character {name}").format(name=session.get(Character, row.character_id).name)
    return _("the world entry {name}").format(
        name=session.get(WorldEntry, row.world_entry_id).title
    )


def _set_names(
    session: Session,
    work_id: int,
    names: Sequence[str],
    *,
    character_id: int | None = None,
    world_entry_id: int | None = None,
) -> None:
    """Make ``names`` (the name, then aliases) the entry's names; refuse one
    that another entry of the work already has."""
    owner = (character_id, world_entry_id)
    taken = session.exec(
        select(BibleName).where(BibleName.work_id == work_id, BibleName.name.in_(names))
    ).all()
    for row in taken:
        if (row.character_id, row.world_entry_id) != owner:
            raise InvalidInput(
                _(
                    "the name {name!r} is already used by {owner} in this work; choose another"
                ).format(name=row.name, owner=_owner_label(session, row))
            )
    column = BibleName.character_id if character_id is not None else BibleName.world_entry_id
    for row in session.exec(select(BibleName).where(column == (character_id or world_entry_id))):
        session.delete(row)
    session.flush()
    for i, name in enumerate(names):
        session.add(
            BibleName(
                work_id=work_id,
                character_id=character_id,
                world_entry_id=world_entry_id,
                name=name,
                is_alias=i > 0,
            )
        )
    session.flush()


def aliases_of(
    session: Session, *, character_id: int | None = None, world_entry_id: int | None = None
) -> list[str]:
    """An entry's aliases, in the order they were given."""
    column = BibleName.character_id if character_id is not None else BibleName.world_entry_id
    rows = session.exec(
        select(BibleName.name)
        .where(column == (character_id or world_entry_id), BibleName.is_alias)
        .order_by(BibleName.id)
    ).all()
    return list(rows)


def bible_changed(session: Session, work_id: int) -> None:
    """A name changed (or an entry left or came back): mentions are found again."""
    session.execute(
        update(Work).where(Work.id == work_id).values(bible_version=Work.bible_version + 1)
    )
    session.flush()
    refresh_work(raw_connection(session), work_id)


# --- characters ----------------------------------------------------------------------


def _check_role(role: str | None) -> None:
    if role is not None and role not in CHARACTER_ROLES:
        raise InvalidInput(
            _("unknown role {role!r}; use one of: {roles}").format(
                role=role, roles=", ".join(CHARACTER_ROLES)
            )
        )


def create_character(
    session: Session,
    work_id: int,
    name: str,
    *,
    aliases: Iterable[str] = (),
    role: str = "supporting",
    **attributes: str,
) -> Character:
    """A new character of a work, found in its chapters at once."""
    _check_role(role)
    unknown = set(attributes) - set(CHARACTER_ATTRIBUTES)
    if unknown:
        raise InvalidInput(_("unknown character field {field!r}").format(field=sorted(unknown)[0]))
    if session.get(Work, work_id) is None:
        raise NotFound(
            _("no work with id {id}; `inkbench work list` shows them").format(id=work_id)
        )
    names = _clean_names(name, aliases)
    now = utcnow()
    character = Character(
        work_id=work_id, name=names[0], role=role, created_at=now, updated_at=now, **attributes
    )
    session.add(character)
    session.flush()
    _set_names(session, work_id, names, character_id=character.id)
    bible_changed(session, work_id)
    return character


def get_character(session: Session, character_id: int) -> Character:
    """A character by id."""
    character = session.get(Character, character_id)
    if character is None:
        raise NotFound(
            _("no character with id {id}; `inkbench character list WORK` shows them").format(
                id=character_id
            )
        )
    return character


def update_character(
    session: Session,
    character_id: int,
    *,
    name: str | None = None,
    aliases: Iterable[str] | None = None,
    role: str | None = None,
    **attributes: str | None,
) -> Character:
    """Change a character; a new name or aliases are found in the text again."""
    _check_role(role)
    character = get_character(session, character_id)
    unknown = set(attributes) - set(CHARACTER_ATTRIBUTES)
    if unknown:
        raise InvalidInput(_("unknown character field {field!r}").format(field=sorted(unknown)[0]))
    for key, value in attributes.items():
        if value is not None:
            setattr(character, key, value)
    if role is not None:
        character.role = role
    if name is not None or aliases is not None:
        new_aliases = aliases_of(session, character_id=character_id) if aliases is None else aliases
        names = _clean_names(character.name if name is None else name, new_aliases)
        character.name = names[0]
        _set_names(session, character.work_id, names, character_id=character_id)
        bible_changed(session, character.work_id)
    character.updated_at = utcnow()
    session.add(character)
    session.flush()
    return character


def list_characters(session: Session, work_id: int) -> list[Character]:
    """A work's live characters, by name."""
    return list(
        session.exec(
            select(Character)
            .where(Character.work_id == work_id, Character.deleted_at.is_(None))
            .order_by(Character.name)
        ).all()
    )


def find_character(session: Session, work_id: int | None, name_or_id: str) -> Character:
    """A character by id, or by name or alias within a work."""
    if name_or_id.isdigit():
        return get_character(session, int(name_or_id))
    stmt = select(Character).join(BibleName, BibleName.character_id == Character.id)
    stmt = stmt.where(BibleName.name == name_or_id.strip())
    if work_id is not None:
        stmt = stmt.where(Character.work_id == work_id)
    found = session.exec(stmt).all()
    if not found:
        raise NotFound(
            _("no character named {name!r}; `inkbench character list WORK` shows them").format(
                name=name_or_id
            )
        )
    if len(found) > 1:
        raise InvalidInput(
            _("{count} works have a character named {name!r}; give its id").format(
                count=len(found), name=name_or_id
            )
        )
    return found[0]


# --- relationships -------------------------------------------------------------------


@dataclass(frozen=True)
class Relation:
    """A relationship seen from one character: who the other is, and how."""

    id: int
    other_id: int
    other_name: str
    kind: str
    note: str


def relate(session: Session, a_id: int, b_id: int, kind: str, note: str = "") -> CharacterRelation:
    """Record how two characters of one work relate (family, friend, rival, lover, mentor …)."""
    if a_id == b_id:
        raise InvalidInput(_("a character cannot have a relationship with itself"))
    a, b = get_character(session, a_id), get_character(session, b_id)
    if a.work_id != b.work_id:
        raise InvalidInput(_("both characters must belong to the same work"))
    kind = kind.strip()
    if not kind:
        raise InvalidInput(_("say what kind of relationship it is (family, friend, rival …)"))
    existing = session.exec(
        select(CharacterRelation).where(
            CharacterRelation.kind == kind,
            (
                (CharacterRelation.character_a_id == a_id)
                & (CharacterRelation.character_b_id == b_id)
            )
            | (
                (CharacterRelation.character_a_id == b_id)
                & (CharacterRelation.character_b_id == a_id)
            ),
        )
    ).first()
    if existing is not None:
        existing.note = note
        session.add(existing)
        session.flush()
        return existing
    relation = CharacterRelation(character_a_id=a_id, character_b_id=b_id, kind=kind, note=note)
    session.add(relation)
    session.flush()
    return relation


def relations_of(session: Session, character_id: int) -> list[Relation]:
    """Every relationship of a character, from its side (whichever side it was recorded from)."""
    out = []
    rows = session.exec(
        select(CharacterRelation).where(
            (CharacterRelation.character_a_id == character_id)
            | (CharacterRelation.character_b_id == character_id)
        )
    ).all()
    for r in rows:
        other_id = r.character_b_id if r.character_a_id == character_id else r.character_a_id
        other = session.get(Character, other_id)
        if other is None or other.deleted_at is not None:
            continue
        out.append(Relation(r.id, other_id, other.name, r.kind, r.note))
    return sorted(out, key=lambda r: (r.kind, r.other_name))


# --- world entries -------------------------------------------------------------------


def _check_category(category: str | None) -> None:
    if category is not None and category not in WORLD_CATEGORIES:
        raise InvalidInput(
            _("unknown category {category!r}; use one of: {categories}").format(
                category=category, categories=", ".join(WORLD_CATEGORIES)
            )
        )


def get_world_entry(session: Session, entry_id: int) -> WorldEntry:
    """A world entry by id."""
    entry = session.get(WorldEntry, entry_id)
    if entry is None:
        raise NotFound(
            _("no world entry with id {id}; `inkbench world list WORK` shows them").format(
                id=entry_id
            )
        )
    return entry


def _check_parent(session: Session, entry: WorldEntry, parent_id: int | None) -> None:
    if parent_id is None:
        return
    parent = get_world_entry(session, parent_id)
    if parent.work_id != entry.work_id:
        raise InvalidInput(_("a world entry's parent must belong to the same work"))
    seen = set()
    node: WorldEntry | None = parent
    while node is not None:
        if node.id == entry.id or node.id in seen:
            raise InvalidInput(
                _("{parent!r} is inside {entry!r}: it cannot also be its parent").format(
                    parent=parent.title, entry=entry.title
                )
            )
        seen.add(node.id)
        node = session.get(WorldEntry, node.parent_id) if node.parent_id else None


def _link_characters(session: Session, entry: WorldEntry, character_ids: Iterable[int]) -> None:
    for row in session.exec(
        select(WorldEntryCharacter).where(WorldEntryCharacter.world_entry_id == entry.id)
    ):
        session.delete(row)
    session.flush()
    for cid in dict.fromkeys(character_ids):
        if get_character(session, cid).work_id != entry.work_id:
            raise InvalidInput(_("a linked character must belong to the same work"))
        session.add(WorldEntryCharacter(world_entry_id=entry.id, character_id=cid))
    session.flush()


def create_world_entry(
    session: Session,
    work_id: int,
    title: str,
    *,
    category: str = "other",
    parent_id: int | None = None,
    aliases: Iterable[str] = (),
    content: str = "",
    character_ids: Iterable[int] = (),
) -> WorldEntry:
    """A new place, organisation, item … of a work's world."""
    _check_category(category)
    if session.get(Work, work_id) is None:
        raise NotFound(
            _("no work with id {id}; `inkbench work list` shows them").format(id=work_id)
        )
    names = _clean_names(title, aliases)
    now = utcnow()
    entry = WorldEntry(
        work_id=work_id,
        title=names[0],
        category=category,
        content=content,
        created_at=now,
        updated_at=now,
    )
    session.add(entry)
    session.flush()
    _check_parent(session, entry, parent_id)
    entry.parent_id = parent_id
    _set_names(session, work_id, names, world_entry_id=entry.id)
    _link_characters(session, entry, character_ids)
    bible_changed(session, work_id)
    return entry


def update_world_entry(
    session: Session,
    entry_id: int,
    *,
    title: str | None = None,
    category: str | None = None,
    parent_id: int | type[...] | None = ...,
    aliases: Iterable[str] | None = None,
    content: str | None = None,
    character_ids: Iterable[int] | None = None,
) -> WorldEntry:
    """Change a world entry (``parent_id=None`` makes it a top-level entry)."""
    _check_category(category)
    entry = get_world_entry(session, entry_id)
    if category is not None:
        entry.category = category
    if content is not None:
        entry.content = content
    if parent_id is not ...:
        _check_parent(session, entry, parent_id)
        entry.parent_id = parent_id
    if character_ids is not None:
        _link_characters(session, entry, character_ids)
    if title is not None or aliases is not None:
        new_aliases = aliases_of(session, world_entry_id=entry_id) if aliases is None else aliases
        names = _clean_names(entry.title if title is None else title, new_aliases)
        entry.title = names[0]
        _set_names(session, entry.work_id, names, world_entry_id=entry_id)
        bible_changed(session, entry.work_id)
    entry.updated_at = utcnow()
    session.add(entry)
    session.flush()
    return entry


def list_world_entries(session: Session, work_id: int) -> list[WorldEntry]:
    """A work's live world entries, by category and title."""
    return list(
        session.exec(
            select(WorldEntry)
            .where(WorldEntry.work_id == work_id, WorldEntry.deleted_at.is_(None))
            .order_by(WorldEntry.category, WorldEntry.title)
        ).all()
    )


def find_world_entry(session: Session, work_id: int | None, name_or_id: str) -> WorldEntry:
    """A world entry by id, or by title or alias within a work."""
    text = str(name_or_id).strip()
    if text.isdigit():
        return get_world_entry(session, int(text))
    stmt = select(WorldEntry).join(BibleName, BibleName.world_entry_id == WorldEntry.id)
    stmt = stmt.where(BibleName.name == text)
    if work_id is not None:
        stmt = stmt.where(WorldEntry.work_id == work_id)
    found = session.exec(stmt).all()
    if not found:
        raise NotFound(
            _("no world entry named {name!r}; `inkbench world list WORK` shows them").format(
                name=text
            )
        )
    if len(found) > 1:
        raise InvalidInput(
            _("{count} works have a world entry named {name!r}; give its id").format(
                count=len(found), name=text
            )
        )
    return found[0]


def linked_characters(session: Session, entry_id: int) -> list[Character]:
    """The live characters linked to a world entry."""
    return list(
        session.exec(
            select(Character)
            .join(WorldEntryCharacter, WorldEntryCharacter.character_id == Character.id)
            .where(WorldEntryCharacter.world_entry_id == entry_id, Character.deleted_at.is_(None))
            .order_by(Character.name)
        ).all()
    )


# --- appearances ---------------------------------------------------------------------


@dataclass(frozen=True)
class Appearance:
    """An entry named in one chapter."""

    chapter_id: int
    chapter_title: str
    chapter_position: int
    count: int
    first_position: int


@dataclass(frozen=True)
class Appearances:
    """Where an entry appears in its work: total, first, and per chapter (in order)."""

    total: int
    chapters: list[Appearance]

    @property
    def first(self) -> Appearance | None:
        """The first chapter (in the work's order) that names it."""
        return self.chapters[0] if self.chapters else None


def appearances(
    session: Session, *, character_id: int | None = None, world_entry_id: int | None = None
) -> Appearances:
    """Where a character or world entry is named in its work's live chapters."""
    column = Mention.character_id if character_id is not None else Mention.world_entry_id
    rows = session.exec(
        select(Chapter.id, Chapter.title, Chapter.position, Mention.count, Mention.first_position)
        .join(Chapter, Chapter.id == Mention.chapter_id)
        .where(column == (character_id or world_entry_id), Chapter.deleted_at.is_(None))
        .order_by(Chapter.position)
    ).all()
    chapters = [Appearance(*row) for row in rows]
    return Appearances(sum(a.count for a in chapters), chapters)


@dataclass(frozen=True)
class Named:
    """An entry named in a chapter, for the editor's side panel."""

    kind: str  # "character" or "world_entry"
    id: int
    name: str
    count: int
    first_position: int


def named_in_chapter(session: Session, chapter_id: int) -> list[Named]:
    """Who and what a chapter names, most often first."""
    conn = raw_connection(session)
    rows = conn.execute(
        "SELECT 'character', c.id, c.name, m.count, m.first_position FROM mention m "
        "JOIN character c ON c.id = m.character_id "
        "WHERE m.chapter_id = ? AND c.deleted_at IS NULL "
        "UNION ALL "
        "SELECT 'world_entry', w.id, w.title, m.count, m.first_position FROM mention m "
        "JOIN world_entry w ON w.id = m.world_entry_id "
        "WHERE m.chapter_id = ? AND w.deleted_at IS NULL "
        "ORDER BY 4 DESC, 5",
        (chapter_id, chapter_id),
    ).fetchall()
    return [Named(*row) for row in rows]


def unrelate(session: Session, relation_id: int) -> None:
    """Remove one relationship between two characters."""
    relation = session.get(CharacterRelation, relation_id)
    if relation is None:
        raise NotFound(_("no relationship with id {id}").format(id=relation_id))
    session.delete(relation)
    session.flush()
