"""Database operations the TUI runs in thread workers.

Each takes the app's ``Store`` first, opens one write transaction through
``storage`` and returns plain values. They never touch widgets. Storage (and
with it SQLModel) is imported here, inside the functions, so none of it is on
the path to the first screen.
"""

from __future__ import annotations

from dataclasses import dataclass

from inkbench.tui.data import Store

DOC_KINDS = ("article", "chapter")


@dataclass(frozen=True)
class SaveResult:
    word_count: int
    revision_id: int | None


def save_document(
    store: Store, kind: str, doc_id: int, title: str | None, body: str, revision_kind: str
) -> SaveResult:
    """Write an article's or chapter's text and snapshot it as a revision
    (``autosave`` skips a snapshot identical to the newest one)."""
    from inkbench.storage.revisions import snapshot

    db = store.database()
    with db.write() as session:
        title = title.strip() if title and title.strip() else None
        if kind == "article":
            from inkbench.storage.articles import update_article

            row = update_article(session, doc_id, title=title, body=body)
        elif kind == "chapter":
            row = _update_chapter(session, doc_id, title=title, body=body)
        else:
            raise ValueError(kind)
        rev = snapshot(session, kind, doc_id, revision_kind)
        return SaveResult(row.word_count, rev.id if rev is not None else None)


def _update_chapter(session, chapter_id: int, *, title: str | None, body: str):
    from inkbench.storage.works import update_chapter

    return update_chapter(session, chapter_id, title=title, body=body)


def create_article(store: Store, title: str) -> int:
    from inkbench.storage.articles import create_article as create

    with store.database().write() as session:
        return create(session, title).id


def create_work(store: Store, title: str, word_goal: int = 0) -> int:
    from inkbench.storage.works import create_work as create

    with store.database().write() as session:
        return create(session, title, word_goal=word_goal).id


def create_chapter(store: Store, work_id: int, title: str) -> int:
    from inkbench.storage.works import create_chapter as create

    with store.database().write() as session:
        return create(session, work_id, title).id


def move_chapter(store: Store, chapter_id: int, delta: int) -> int:
    """Move a chapter one place up (delta -1) or down (+1); returns its new
    index among the work's live chapters."""
    from inkbench.storage.works import move_chapter_down, move_chapter_up

    with store.database().write() as session:
        move = move_chapter_up if delta < 0 else move_chapter_down
        return move(session, chapter_id)


def set_word_goal(store: Store, work_id: int, goal: int) -> None:
    from inkbench.storage.works import update_work

    with store.database().write() as session:
        update_work(session, work_id, word_goal=goal)


def trash_row(store: Store, entity: str, row_id: int) -> None:
    from inkbench.storage.trash import trash

    with store.database().write() as session:
        trash(session, entity, row_id)


def restore_row(store: Store, entity: str, row_id: int) -> None:
    from inkbench.storage.trash import restore

    with store.database().write() as session:
        restore(session, entity, row_id)


def purge_row(store: Store, entity: str, row_id: int) -> None:
    from inkbench.storage.trash import purge

    with store.database().write() as session:
        purge(session, entity, row_id)


def restore_revision(store: Store, kind: str, revision_id: int) -> None:
    from inkbench.storage.revisions import restore_revision as restore

    with store.database().write() as session:
        restore(session, kind, revision_id)


# --- reads used by screens (stdlib sqlite3, any thread) -----------------------------


@dataclass(frozen=True)
class Document:
    kind: str
    id: int
    title: str
    body: str
    parent_title: str | None
    deleted: bool


def load_document(conn, kind: str, doc_id: int) -> Document | None:
    if kind == "article":
        row = conn.execute(
            "SELECT title, body, NULL, deleted_at FROM article WHERE id = ?", (doc_id,)
        ).fetchone()
    else:
        row = conn.execute(
            "SELECT c.title, c.body, w.title, c.deleted_at FROM chapter c "
            "JOIN work w ON w.id = c.work_id WHERE c.id = ?",
            (doc_id,),
        ).fetchone()
    if row is None:
        return None
    return Document(kind, doc_id, row[0] or "", row[1] or "", row[2], row[3] is not None)


@dataclass(frozen=True)
class Revision:
    id: int
    kind: str
    title: str
    word_count: int
    created_at: str


def list_revisions(conn, kind: str, doc_id: int, limit: int = 500) -> list[Revision]:
    table, col = (
        ("article_revision", "article_id")
        if kind == "article"
        else (
            "chapter_revision",
            "chapter_id",
        )
    )
    rows = conn.execute(
        f"SELECT id, kind, title, word_count, created_at FROM {table} WHERE {col} = ? "
        "ORDER BY id DESC LIMIT ?",
        (doc_id, limit),
    ).fetchall()
    return [Revision(*r) for r in rows]


def revision_body(conn, kind: str, revision_id: int) -> str:
    table = "article_revision" if kind == "article" else "chapter_revision"
    row = conn.execute(f"SELECT body FROM {table} WHERE id = ?", (revision_id,)).fetchone()
    return row[0] if row else ""
