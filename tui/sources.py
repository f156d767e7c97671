"""Row sources for the lists: plain SQL over the schema in ``storage.models``
(read-only, stdlib sqlite3, so no ORM import before the first screen)."""

from __future__ import annotations

from inkbench.tui.widgets.virtual_list import Column, SqlSource, flat


def _when(value: object) -> str:
    """'2026-11-23 15:04:05.123456' -> '2026-11-23 15:04' (stored UTC)."""
    return str(value or "")[:16]


class ArticleSource(SqlSource):
    noun = "articles"
    columns = (
        Column("Title"),
        Column("Status", 9),
        Column("Words", 8, "right"),
        Column("Updated", 16),
    )
    fast_sorts = ("updated",)  # ix_article_live_updated
    select = "SELECT id, title, status, word_count, updated_at FROM article"
    where = "deleted_at IS NULL"
    filter_sql = "title LIKE ? ESCAPE '\\'"
    orders = {
        "updated": ("updated_at DESC, id DESC", "updated_at ASC, id ASC"),
        "title": ("title COLLATE NOCASE ASC, id ASC", "title COLLATE NOCASE DESC, id DESC"),
        "words": ("word_count DESC, id DESC", "word_count ASC, id ASC"),
        "status": ("status ASC, id DESC", "status DESC, id ASC"),
    }

    def cells(self, row):
        _id, title, status, words, updated = row
        return (flat(title), status, f"{words:,}", _when(updated))


class WorkSource(SqlSource):
    noun = "works"
    fast_sorts = ("updated", "title")  # works are few (hundreds, not 100k)
    columns = (
        Column("Title"),
        Column("Status", 8),
        Column("Ch.", 3, "right"),
        Column("Words", 7, "right"),
        Column("Goal", 9, "right"),
    )
    select = (
        "SELECT w.id, w.title, w.status, "
        "(SELECT count(*) FROM chapter c WHERE c.work_id = w.id AND c.deleted_at IS NULL), "
        "(SELECT coalesce(sum(c.word_count), 0) FROM chapter c "
        " WHERE c.work_id = w.id AND c.deleted_at IS NULL), "
        "w.word_goal, w.genre FROM work w"
    )
    where = "w.deleted_at IS NULL"
    filter_sql = "w.title LIKE ? ESCAPE '\\'"
    orders = {
        "updated": ("w.updated_at DESC, w.id DESC", "w.updated_at ASC, w.id ASC"),
        "title": ("w.title COLLATE NOCASE ASC, w.id ASC", "w.title COLLATE NOCASE DESC, w.id DESC"),
    }

    def count_sql(self) -> str:
        return "SELECT count(*) FROM work w"

    def cells(self, row):
        _id, title, status, chapters, words, goal, _genre = row
        if goal:
            pct = min(999, round(100 * words / goal))
            goal_text = f"{pct}%"
        else:
            goal_text = "no goal"
        return (flat(title), status, str(chapters), f"{words:,}", goal_text)


class ChapterSource(SqlSource):
    noun = "chapters"
    fast_sorts = ("position",)  # one work's chapters
    columns = (
        Column("#", 4, "right"),
        Column("Chapter"),
        Column("Status", 8),
        Column("Words", 8, "right"),
    )
    select = "SELECT id, position, title, status, word_count FROM chapter"
    filter_sql = "title LIKE ? ESCAPE '\\'"
    orders = {"position": ("position ASC, id ASC", "position DESC, id DESC")}

    def __init__(self, work_id: int | None) -> None:
        self.work_id = work_id or 0
        self.where = "work_id = ? AND deleted_at IS NULL"
        self.params = (self.work_id,)

    def cells(self, row):
        _id, position, title, status, words = row
        return (str(position + 1), flat(title), status, f"{words:,}")


# The Trash: every trashable table, newest first.
TRASH_TABLES = (
    ("article", "article", "title"),
    ("work", "work", "title"),
    ("chapter", "chapter", "title"),
    ("album", "album", "name"),
    ("image", "image", "original_name"),
    ("knowledge_base", "knowledge_base", "name"),
    ("kb_document", "kb_document", "title"),
)


class TrashSource(SqlSource):
    noun = "items in the Trash"
    columns = (Column("Kind", 14), Column("Title"), Column("Deleted", 16))
    select = (
        "SELECT * FROM ("
        + " UNION ALL ".join(
            f"SELECT '{entity}' AS entity, id, {col} AS title, deleted_at FROM {table}"
            " WHERE deleted_at IS NOT NULL"
            for entity, table, col in TRASH_TABLES
        )
        + ") AS t"
    )
    filter_sql = "title LIKE ? ESCAPE '\\'"
    orders = {
        "deleted": ("deleted_at DESC, entity, id DESC", "deleted_at ASC, entity DESC, id ASC"),
        "title": ("title COLLATE NOCASE, id", "title COLLATE NOCASE DESC, id DESC"),
    }

    def count_sql(self) -> str:
        return f"SELECT count(*) FROM ({self.select})"

    def cells(self, row):
        entity, _id, title, deleted = row
        return (entity.replace("_", " "), flat(title), _when(deleted))
