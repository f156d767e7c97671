"""What the lists show: row sources over plain SQL (stdlib ``sqlite3``, read
only), so the first list is read before SQLModel is imported.

A source is a :class:`RowSource`: ``count`` and ``fetch`` read a page of rows
(``LIMIT/OFFSET``, or from the far end past the middle), ``cells`` turns one
row into display strings. :class:`SqlSource` builds both from one SELECT.
The views (``inkbench.tui``) only ever hold a source; the SQL lives here.
Stdlib only: nothing heavy may be imported by this module.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass

from inkbench.i18n import N_, format_number, ngettext
from inkbench.storage.fold import list_filter
from inkbench.storage.vocab import account_kind_name, document_format_name

Row = tuple
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def flat(text: object) -> str:
    """One line of literal text: control characters (newlines, ESC) become spaces."""
    return _CONTROL.sub(" ", "" if text is None else str(text))


@dataclass(frozen=True)
class Column:
    """One column of a list: its title, a width (None: share the rest), justify."""

    title: str
    width: int | None = None  # None: share what is left
    justify: str = "left"  # or "right"


class RowSource:
    """What a list shows. Subclasses set ``columns`` and implement the rest.

    ``fetch`` returns rows (tuples, ``row[0]`` the id) in display order;
    ``cells`` turns one into display strings, one per column."""

    columns: tuple[Column, ...] = ()
    sorts: tuple[str, ...] = ("default",)
    # sorts an index serves: any page is a few ms, read on the UI thread.
    # Pages in other orders (a sort over the whole table) are read in a worker.
    fast_sorts: tuple[str, ...] = ()

    def count_text(self, n: int) -> str:
        """``n`` rows as the footer counts them (``1 row``, ``2 rows``)."""
        return ngettext("{n} row", "{n} rows", n).format(n=format_number(n))

    def count(self, conn: sqlite3.Connection, text: str) -> int:
        raise NotImplementedError

    def fetch(
        self,
        conn: sqlite3.Connection,
        offset: int,
        limit: int,
        *,
        sort: str,
        reverse: bool,
        text: str,
        total: int,
    ) -> list[Row]:
        raise NotImplementedError

    def cells(self, row: Row) -> Sequence[str]:
        return [flat(c) for c in row[1 : len(self.columns) + 1]]


class SqlSource(RowSource):
    """A source over one SELECT: ``select`` (columns, FROM, JOINs), ``where``,
    ``filter_sql`` (one ``?`` for a LIKE pattern) and ``orders``: sort name ->
    (forward ORDER BY, the exact reverse)."""

    select: str = ""
    where: str = "1"
    filter_sql: str = ""
    orders: dict[str, tuple[str, str]] = {}
    params: tuple = ()

    @property
    def sorts(self) -> tuple[str, ...]:  # type: ignore[override]
        return tuple(self.orders)

    def _where(self, text: str) -> tuple[str, tuple]:
        if text and self.filter_sql:
            # folded like search: full-width, traditional and pinyin find the name
            clause, args = list_filter(self.filter_sql, text)
            return f"({self.where}) AND ({clause})", (*self.params, *args)
        return self.where, self.params

    def count_sql(self) -> str:
        return "SELECT count(*) FROM " + self.select.split(" FROM ", 1)[1]

    def count(self, conn: sqlite3.Connection, text: str) -> int:
        where, params = self._where(text)
        return conn.execute(f"{self.count_sql()} WHERE {where}", params).fetchone()[0]

    def fetch(self, conn, offset, limit, *, sort, reverse, text, total):
        forward, backward = self.orders[sort]
        if reverse:
            forward, backward = backward, forward
        where, params = self._where(text)
        if total and offset > total // 2:
            # read from the far end: OFFSET stays small
            far_limit = max(0, min(limit, total - offset))
            far_offset = max(0, total - offset - far_limit)
            sql = f"{self.select} WHERE {where} ORDER BY {backward} LIMIT ? OFFSET ?"
            rows = conn.execute(sql, (*params, far_limit, far_offset)).fetchall()
            rows.reverse()
            return rows
        sql = f"{self.select} WHERE {where} ORDER BY {forward} LIMIT ? OFFSET ?"
        return conn.execute(sql, (*params, limit, offset)).fetchall()


# --- articles, works, chapters, the Trash ---------------------------------------------


def _when(value: object) -> str:
    """'2026-11-23 15:04:05.123456' -> '2026-11-23 15:04' (stored UTC)."""
    return str(value or "")[:16]


class ArticleSource(SqlSource):
    def count_text(self, n: int) -> str:
        """``n`` rows as the footer counts them (``1 article``, ``2 articles``)."""
        return ngettext("{n} article", "{n} articles", n).format(n=format_number(n))

    columns = (
        Column(N_("Title")),
        Column(N_("Status"), 9),
        Column(N_("Words"), 8, "right"),
        Column(N_("Updated"), 16),
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
    def count_text(self, n: int) -> str:
        """``n`` rows as the footer counts them (``1 work``, ``2 works``)."""
        return ngettext("{n} work", "{n} works", n).format(n=format_number(n))

    fast_sorts = ("updated", "title")  # works are few (hundreds, not 100k)
    columns = (
        Column(N_("Title")),
        Column(N_("Status"), 8),
        Column(N_("Ch."), 3, "right"),
        Column(N_("Words"), 7, "right"),
        Column(N_("Goal"), 9, "right"),
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
    def count_text(self, n: int) -> str:
        """``n`` rows as the footer counts them (``1 chapter``, ``2 chapters``)."""
        return ngettext("{n} chapter", "{n} chapters", n).format(n=format_number(n))

    fast_sorts = ("position",)  # one work's chapters
    columns = (
        Column("#", 4, "right"),
        Column(N_("Chapter")),
        Column(N_("Status"), 8),
        Column(N_("Words"), 8, "right"),
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
    ("character", "character", "name"),
    ("world_entry", "world_entry", "title"),
)


class TrashSource(SqlSource):
    def count_text(self, n: int) -> str:
        """``n`` rows as the footer counts them (``1 item in the Trash``)."""
        return ngettext("{n} item in the Trash", "{n} items in the Trash", n).format(
            n=format_number(n)
        )

    columns = (Column(N_("Kind"), 14), Column(N_("Title")), Column(N_("Deleted"), 16))
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


# --- albums and images ------------------------------------------------------------


_LIVE = "i.album_id = a.id AND i.deleted_at IS NULL"


class AlbumSource(SqlSource):
    def count_text(self, n: int) -> str:
        """``n`` rows as the footer counts them (``1 album``, ``2 albums``)."""
        return ngettext("{n} album", "{n} albums", n).format(n=format_number(n))

    columns = (
        Column(N_("Album")),
        Column(N_("Images"), 7, "right"),
        Column(N_("OCR"), 10, "right"),
    )
    select = (
        f"SELECT a.id, a.name, (SELECT count(*) FROM image i WHERE {_LIVE}),"
        f" (SELECT count(*) FROM image i WHERE {_LIVE}"
        "  AND i.ocr_status IN ('done', 'no_text', 'failed')),"
        f" (SELECT count(*) FROM image i WHERE {_LIVE} AND i.ocr_status = 'failed')"
        " FROM album a"
    )
    where = "a.deleted_at IS NULL"
    filter_sql = "a.name LIKE ? ESCAPE '\\'"
    orders = {
        "name": ("a.name COLLATE NOCASE ASC, a.id ASC", "a.name COLLATE NOCASE DESC, a.id DESC"),
        "updated": ("a.updated_at DESC, a.id DESC", "a.updated_at ASC, a.id ASC"),
    }

    def count_sql(self) -> str:
        return "SELECT count(*) FROM album a"

    def cells(self, row):
        _id, name, images, finished, failed = row
        pct = f"{100 * finished // images}%" if images else "-"
        return (flat(name), f"{images:,}", pct + (f" {failed}✗" if failed else ""))


class ImageSource(SqlSource):
    def count_text(self, n: int) -> str:
        """``n`` rows as the footer counts them (``1 image``, ``2 images``)."""
        return ngettext("{n} image", "{n} images", n).format(n=format_number(n))

    columns = (
        Column(N_("Image")),
        Column(N_("Size"), 11, "right"),
        Column(N_("OCR"), 8),
        Column(N_("Conf"), 5, "right"),
    )
    select = "SELECT id, original_name, width, height, ocr_status, ocr_confidence FROM image"
    filter_sql = "original_name LIKE ? ESCAPE '\\'"
    orders = {
        "imported": ("id ASC", "id DESC"),
        "name": (
            "original_name COLLATE NOCASE ASC, id ASC",
            "original_name COLLATE NOCASE DESC, id DESC",
        ),
        "status": ("ocr_status ASC, id ASC", "ocr_status DESC, id DESC"),
    }

    def __init__(self, album_id: int | None) -> None:
        self.album_id = album_id
        self.where = "album_id = ? AND deleted_at IS NULL"
        self.params = (album_id if album_id is not None else -1,)

    def cells(self, row):
        _id, name, width, height, status, conf = row
        size = f"{width}×{height}" if width else "?"
        return (
            flat(name),
            size,
            status.replace("_", " "),
            f"{conf:.0f}" if conf is not None else "",
        )


# --- knowledge ----------------------------------------------------------------------


class KbSource(SqlSource):
    def count_text(self, n: int) -> str:
        """``n`` rows as the footer counts them (``1 knowledge base``, ``2 knowledge bases``)."""
        return ngettext("{n} knowledge base", "{n} knowledge bases", n).format(n=format_number(n))

    columns = (Column(N_("Knowledge base")), Column(N_("Docs"), 6, "right"))
    select = (
        "SELECT k.id, k.name, (SELECT count(*) FROM kb_document d WHERE d.kb_id = k.id"
        " AND d.deleted_at IS NULL) FROM knowledge_base k"
    )
    where = "k.deleted_at IS NULL"
    filter_sql = "k.name LIKE ? ESCAPE '\\'"
    orders = {
        "name": ("k.name COLLATE NOCASE ASC, k.id ASC", "k.name COLLATE NOCASE DESC, k.id DESC"),
        "updated": ("k.updated_at DESC, k.id DESC", "k.updated_at ASC, k.id ASC"),
    }

    def count_sql(self) -> str:
        return "SELECT count(*) FROM knowledge_base k"

    def cells(self, row):
        return (flat(row[1]), str(row[2]))


class DocumentSource(SqlSource):
    def count_text(self, n: int) -> str:
        """``n`` rows as the footer counts them (``1 document``, ``2 documents``)."""
        return ngettext("{n} document", "{n} documents", n).format(n=format_number(n))

    columns = (Column(N_("Document")), Column(N_("Format"), 8), Column(N_("Chunks"), 7, "right"))
    filter_sql = "d.title LIKE ? ESCAPE '\\'"
    orders = {
        "newest": ("d.id DESC", "d.id ASC"),
        "title": ("d.title COLLATE NOCASE ASC, d.id ASC", "d.title COLLATE NOCASE DESC, d.id DESC"),
    }

    def __init__(self, kb_id: int | None) -> None:
        self.kb_id = kb_id
        self.select = (
            "SELECT d.id, d.title, d.format, (SELECT count(*) FROM kb_chunk c"
            " WHERE c.document_id = d.id) FROM kb_document d"
        )
        self.where = "d.kb_id = ? AND d.deleted_at IS NULL"
        self.params = (kb_id if kb_id is not None else -1,)

    def count_sql(self) -> str:
        return "SELECT count(*) FROM kb_document d"

    def cells(self, row):
        return (flat(row[1]), document_format_name(row[2]), str(row[3]))


# --- generation -------------------------------------------------------------------


class DistillationSource(SqlSource):
    def count_text(self, n: int) -> str:
        """``n`` rows as the footer counts them (``1 distillation``, ``2 distillations``)."""
        return ngettext("{n} distillation", "{n} distillations", n).format(n=format_number(n))

    columns = (Column(N_("Keyword")), Column(N_("Topics"), 7, "right"))
    select = (
        "SELECT d.id, d.keyword, (SELECT count(*) FROM topic t WHERE t.distillation_id = d.id)"
        " FROM distillation d"
    )
    filter_sql = "d.keyword LIKE ? ESCAPE '\\'"
    orders = {
        "newest": ("d.id DESC", "d.id ASC"),
        "keyword": ("d.keyword COLLATE NOCASE, d.id", "d.keyword COLLATE NOCASE DESC, d.id DESC"),
    }

    def count_sql(self) -> str:
        return "SELECT count(*) FROM distillation d"

    def cells(self, row):
        return (flat(row[1]), str(row[2]))


class TopicSource(SqlSource):
    def count_text(self, n: int) -> str:
        """``n`` rows as the footer counts them (``1 topic``, ``2 topics``)."""
        return ngettext("{n} topic", "{n} topics", n).format(n=format_number(n))

    columns = (Column("#", 4, "right"), Column(N_("Reader question")))
    filter_sql = "question LIKE ? ESCAPE '\\'"
    orders = {"order": ("position, id", "position DESC, id DESC")}

    def __init__(self, distillation_id: int | None) -> None:
        self.distillation_id = distillation_id
        self.select = "SELECT id, position, question FROM topic"
        self.where = "distillation_id = ?"
        self.params = (distillation_id if distillation_id is not None else -1,)

    def cells(self, row):
        return (str(row[1] + 1), flat(row[2]))


class TaskSource(SqlSource):
    def count_text(self, n: int) -> str:
        """``n`` rows as the footer counts them (``1 task``, ``2 tasks``)."""
        return ngettext("{n} task", "{n} tasks", n).format(n=format_number(n))

    columns = (
        Column(N_("Task")),
        Column(N_("Status"), 24),
        Column(N_("Done"), 9, "right"),
        Column(N_("Created"), 16),
    )
    select = (
        "SELECT id, name, status, pause_reason, done_count, article_count, failed_count,"
        " created_at, error FROM generation_task"
    )
    filter_sql = "name LIKE ? ESCAPE '\\'"
    orders = {"newest": ("id DESC", "id ASC"), "status": ("status, id DESC", "status DESC, id")}

    def cells(self, row):
        _id, name, status, reason, done, total, failed, created, _err = row
        if status == "paused" and reason:
            status = f"paused ({reason})"
        extra = f" ✗{failed}" if failed else ""
        return (flat(name), status, f"{done}/{total}{extra}", str(created or "")[:16])


# --- publishing ------------------------------------------------------------------------


class PublicationSource(SqlSource):
    """The publishing queue and its history, newest first."""

    def count_text(self, n: int) -> str:
        """``n`` rows as the footer counts them (``1 publication``, ``2 publications``)."""

        return ngettext("{n} publication", "{n} publications", n).format(n=format_number(n))

    columns = (
        Column(N_("Article")),
        Column(N_("Account"), 14),
        Column(N_("Status"), 10),
        Column(N_("When"), 16),
    )
    select = (
        "SELECT p.id, a.title, p.account_name, p.status, p.scheduled_at, p.published_at,"
        " p.updated_at, p.url, p.last_error, p.article_id"
        " FROM publication p JOIN article a ON a.id = p.article_id"
    )
    filter_sql = "(a.title LIKE ? ESCAPE '\\')"
    orders = {
        "newest": ("p.id DESC", "p.id ASC"),
        "status": ("p.status, p.id DESC", "p.status DESC, p.id"),
        "account": ("p.account_name, p.id DESC", "p.account_name DESC, p.id"),
    }

    def cells(self, row):
        _id, title, account, status, scheduled, published, updated = row[:7]
        when = published or (scheduled if status == "queued" else None) or updated
        return (flat(title), flat(account), status, _when(when))


class PublishAccountSource(SqlSource):
    """The publishing accounts with how much went out through each."""

    def count_text(self, n: int) -> str:
        """``n`` rows as the footer counts them (``1 account``, ``2 accounts``)."""

        return ngettext("{n} account", "{n} accounts", n).format(n=format_number(n))

    columns = (
        Column(N_("Account")),
        Column(N_("Kind"), 11),
        Column(N_("Where")),
        Column(N_("Published"), 10, "right"),
    )
    select = (
        "SELECT a.id, a.name, a.kind, coalesce(a.url, a.path, ''), a.paused, a.pause_reason,"
        " (SELECT count(*) FROM publication p"
        "   WHERE p.account_id = a.id AND p.status = 'published')"
        " FROM publish_account a"
    )
    filter_sql = "a.name LIKE ? ESCAPE '\\'"
    orders = {"name": ("a.name COLLATE NOCASE, a.id", "a.name COLLATE NOCASE DESC, a.id DESC")}

    def count_sql(self) -> str:
        return "SELECT count(*) FROM publish_account a"

    def cells(self, row):
        _id, name, kind, where, paused, _reason, published = row
        mark = " ⏸" if paused else ""
        return (flat(name) + mark, account_kind_name(kind), flat(where), f"{published:,}")
