"""What the story bible's lists show: a work's characters (with their role
and how often the text names them), its world entries as a tree (parents
before their children, indented by depth) and its tags. Row sources over
plain SQL, like ``storage.lists``; stdlib only."""

from __future__ import annotations

from inkbench.i18n import N_, format_number, ngettext
from inkbench.storage.lists import Column, SqlSource, flat

_LIVE_MENTIONS = (
    "(SELECT coalesce(sum(m.count), 0) FROM mention m JOIN chapter ch ON ch.id = m.chapter_id "
    "WHERE m.{column} = {alias}.id AND ch.deleted_at IS NULL)"
)


class CharacterSource(SqlSource):
    """A work's live characters: name, role, appearances (times named in the text)."""

    def count_text(self, n: int) -> str:
        """``n`` rows as the footer counts them (``1 character``, ``2 characters``)."""

        return ngettext("{n} story character", "{n} story characters", n).format(n=format_number(n))

    fast_sorts = ("name", "appearances")  # one work's characters: hundreds at most
    columns = (
        Column(N_("Name")),
        Column(N_("Role"), 12),
        Column(N_("Appears"), 8, "right"),
    )
    select = (
        "SELECT c.id, c.name, c.role, "
        + _LIVE_MENTIONS.format(column="character_id", alias="c")
        + " FROM character c"
    )
    filter_sql = "c.name LIKE ? ESCAPE '\\'"
    orders = {
        "name": ("c.name COLLATE NOCASE ASC, c.id ASC", "c.name COLLATE NOCASE DESC, c.id DESC"),
        "appearances": ("4 DESC, c.id ASC", "4 ASC, c.id DESC"),
    }

    def __init__(self, work_id: int | None) -> None:
        self.work_id = work_id or 0
        self.where = "c.work_id = ? AND c.deleted_at IS NULL"
        self.params = (self.work_id,)

    def count_sql(self) -> str:
        return "SELECT count(*) FROM character c"

    def cells(self, row):
        _id, name, role, count = row
        return (flat(name), role, f"{count:,}")


class WorldEntrySource(SqlSource):
    """A work's live world entries as a tree: each parent before its
    children (by title), the title indented by depth."""

    def count_text(self, n: int) -> str:
        """``n`` rows as the footer counts them (``1 world entry``, ``2 world entries``)."""

        return ngettext("{n} world entry", "{n} world entries", n).format(n=format_number(n))

    fast_sorts = ("tree",)
    columns = (
        Column(N_("Title")),
        Column(N_("Category"), 12),
        Column(N_("Appears"), 8, "right"),
    )
    # the path of titles from the root orders the tree; \x1f sorts before any letter
    select = (
        "WITH RECURSIVE tree(id, depth, path) AS ("
        " SELECT e.id, 0, e.title FROM world_entry e"
        " WHERE e.work_id = ?1 AND e.deleted_at IS NULL AND (e.parent_id IS NULL OR NOT EXISTS"
        "  (SELECT 1 FROM world_entry p WHERE p.id = e.parent_id AND p.deleted_at IS NULL))"
        " UNION ALL"
        " SELECT e.id, t.depth + 1, t.path || char(31) || e.title FROM world_entry e"
        " JOIN tree t ON e.parent_id = t.id WHERE e.deleted_at IS NULL AND t.depth < 50)"
        " SELECT e.id, e.title, e.category, "
        + _LIVE_MENTIONS.format(column="world_entry_id", alias="e")
        + ", t.depth, e.parent_id FROM tree t JOIN world_entry e ON e.id = t.id"
    )
    filter_sql = "e.title LIKE ? ESCAPE '\\'"
    orders = {"tree": ("t.path ASC, e.id ASC", "t.path DESC, e.id DESC")}

    def __init__(self, work_id: int | None) -> None:
        self.work_id = work_id or 0
        self.where = "1"
        self.params = (self.work_id,)

    def count(self, conn, text: str) -> int:
        where, params = self._where(text)
        sql = self.select.rsplit(" SELECT e.id, e.title", 1)[0]
        sql += " SELECT count(*) FROM tree t JOIN world_entry e ON e.id = t.id"
        return conn.execute(f"{sql} WHERE {where}", params).fetchone()[0]

    def cells(self, row):
        _id, title, category, count, depth, _parent = row
        return ("  " * depth + ("└ " if depth else "") + flat(title), category, f"{count:,}")


class TagSource(SqlSource):
    """A work's tags: name, colour, and how many chapters and scenes carry each."""

    def count_text(self, n: int) -> str:
        """``n`` rows as the footer counts them (``1 tag``, ``2 tags``)."""

        return ngettext("{n} tag", "{n} tags", n).format(n=format_number(n))

    fast_sorts = ("name",)
    columns = (
        Column(N_("Tag")),
        Column(N_("Colour"), 9),
        Column(N_("Chapters"), 8, "right"),
        Column(N_("Scenes"), 7, "right"),
    )
    select = (
        "SELECT t.id, t.name, t.color, "
        "(SELECT count(*) FROM chapter_tag ct JOIN chapter c ON c.id = ct.chapter_id "
        " WHERE ct.tag_id = t.id AND c.deleted_at IS NULL), "
        "(SELECT count(*) FROM scene_tag st WHERE st.tag_id = t.id), t.description FROM tag t"
    )
    filter_sql = "t.name LIKE ? ESCAPE '\\'"
    orders = {"name": ("t.name COLLATE NOCASE ASC, t.id", "t.name COLLATE NOCASE DESC, t.id DESC")}

    def __init__(self, work_id: int | None) -> None:
        self.work_id = work_id or 0
        self.where = "t.work_id = ?"
        self.params = (self.work_id,)

    def count_sql(self) -> str:
        return "SELECT count(*) FROM tag t"

    def cells(self, row):
        _id, name, color, chapters, scenes, _description = row
        return (flat(name), flat(color), f"{chapters:,}", f"{scenes:,}")
