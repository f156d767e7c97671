"""Knowledge bases: bases, their documents and chunks, and retrieval.

A document is a file's extracted text, stored once per knowledge base (its
blob's SHA-256 is unique within the base, so importing the same file again
adds nothing). Its chunks are ordered passages; the search triggers index
them in the same transaction. Trashing a base or a document follows
``storage.trash`` (the chunks leave the index and come back on restore).

Retrieval finds the best chunks of one base for a topic through the FTS index
(bm25). A topic is a sentence, and the search parser ANDs every term, so a
topic would rarely match whole; retrieval instead ORs the topic's significant
terms, quoted in the index form, and lets bm25 rank passages by how many and
how rare the terms they share are.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, text
from sqlmodel import Session, select

from inkbench.i18n import _
from inkbench.storage import trash as trash_ops
from inkbench.storage.bulk import insert_chunks
from inkbench.storage.errors import InvalidInput, NotFound
from inkbench.storage.models import KbChunk, KbDocument, KnowledgeBase, db_time, utcnow
from inkbench.storage.text import CJK_RUN, index_form

# --- knowledge bases -----------------------------------------------------------------


@dataclass(frozen=True)
class KbSummary:
    id: int
    name: str
    description: str
    documents: int
    chunks: int
    updated_at: datetime


def _clean_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise InvalidInput(_("a knowledge base needs a name"))
    if len(name) > 200:
        raise InvalidInput(_("a knowledge base name is at most 200 characters"))
    return name


def _live_by_name(session: Session, name: str) -> KnowledgeBase | None:
    return session.exec(
        select(KnowledgeBase).where(KnowledgeBase.name == name, KnowledgeBase.deleted_at.is_(None))
    ).first()


def kb_name_taken(session: Session, name: str) -> bool:
    """Whether a knowledge base outside the Trash is called ``name``."""
    return _live_by_name(session, name) is not None


def create_kb(session: Session, name: str, description: str = "") -> KnowledgeBase:
    name = _clean_name(name)
    if _live_by_name(session, name) is not None:
        raise InvalidInput(
            _('a knowledge base named "{name}" exists; choose another name').format(name=name)
        )
    now = utcnow()
    kb = KnowledgeBase(name=name, description=description, created_at=now, updated_at=now)
    session.add(kb)
    session.flush()
    return kb


def get_kb(session: Session, kb_id: int) -> KnowledgeBase:
    kb = session.get(KnowledgeBase, kb_id)
    if kb is None:
        raise NotFound(
            _("no knowledge base with id {kb_id}; `inkbench kb list` shows them").format(
                kb_id=kb_id
            )
        )
    return kb


def find_kb(session: Session, name_or_id: str | int) -> KnowledgeBase:
    """A live knowledge base by name, or by id when given a number."""
    if isinstance(name_or_id, int) or str(name_or_id).isdigit():
        kb = session.get(KnowledgeBase, int(name_or_id))
        if kb is not None and kb.deleted_at is None:
            return kb
    kb = _live_by_name(session, str(name_or_id).strip())
    if kb is None:
        raise NotFound(
            _('no knowledge base "{name_or_id}"; `inkbench kb list` shows them').format(
                name_or_id=name_or_id
            )
        )
    return kb


def get_or_create_kb(session: Session, name: str) -> tuple[KnowledgeBase, bool]:
    kb = _live_by_name(session, _clean_name(name))
    if kb is not None:
        return kb, False
    return create_kb(session, name), True


def rename_kb(
    session: Session, kb_id: int, name: str, description: str | None = None
) -> KnowledgeBase:
    kb = get_kb(session, kb_id)
    name = _clean_name(name)
    other = _live_by_name(session, name)
    if other is not None and other.id != kb.id:
        raise InvalidInput(
            _('a knowledge base named "{name}" exists; choose another name').format(name=name)
        )
    kb.name = name
    if description is not None:
        kb.description = description
    kb.updated_at = utcnow()
    session.add(kb)
    session.flush()
    return kb


def list_kbs(
    session: Session,
    *,
    offset: int = 0,
    limit: int = 100,
    text_filter: str | None = None,
    trashed: bool = False,
) -> list[KbSummary]:
    """One page of knowledge bases with their live document and chunk counts."""
    where = "k.deleted_at IS NOT NULL" if trashed else "k.deleted_at IS NULL"
    params: dict = {"limit": limit, "offset": offset}
    if text_filter:
        where += " AND ink_name_matches(k.name, :pat)"  # folded: see storage.fold
        params["pat"] = text_filter
    sql = (
        "SELECT k.id, k.name, k.description,"
        " (SELECT count(*) FROM kb_document d WHERE d.kb_id = k.id AND d.deleted_at IS NULL),"
        " (SELECT count(*) FROM kb_chunk c JOIN kb_document d ON d.id = c.document_id"
        "  WHERE d.kb_id = k.id AND d.deleted_at IS NULL), k.updated_at"
        f" FROM knowledge_base k WHERE {where} ORDER BY k.name, k.id LIMIT :limit OFFSET :offset"
    )
    rows = session.connection().execute(text(sql), params).all()
    return [KbSummary(r[0], r[1], r[2], r[3], r[4], _as_time(r[5])) for r in rows]


def count_kbs(session: Session, *, trashed: bool = False) -> int:
    cond = KnowledgeBase.deleted_at.is_not(None) if trashed else KnowledgeBase.deleted_at.is_(None)
    return session.exec(select(func.count()).select_from(KnowledgeBase).where(cond)).one()


def drop_if_empty(conn, kb_id: int) -> bool:
    """Delete the knowledge base ``kb_id`` if it holds no document (not even
    one in the Trash) and no task uses it: an import that created it but
    brought nothing in leaves nothing behind. ``conn`` is a stdlib connection
    in a write transaction. True if it was deleted."""
    cur = conn.execute(
        "DELETE FROM knowledge_base WHERE id = ?"
        " AND NOT EXISTS (SELECT 1 FROM kb_document WHERE kb_id = ?)"
        " AND NOT EXISTS (SELECT 1 FROM generation_task WHERE knowledge_base_id = ?)",
        (kb_id, kb_id, kb_id),
    )
    return cur.rowcount > 0


def trash_kb(session: Session, kb_id: int) -> None:
    """To the Trash (refused, naming the task, while an active task uses it)."""
    trash_ops.trash(session, "knowledge_base", kb_id)


def restore_kb(session: Session, kb_id: int) -> None:
    kb = get_kb(session, kb_id)
    if kb.deleted_at is not None and _live_by_name(session, kb.name) is not None:
        raise InvalidInput(
            _(
                'cannot restore knowledge base "{name}": another one has that name; rename it first'
            ).format(name=kb.name)
        )
    trash_ops.restore(session, "knowledge_base", kb_id)


# --- documents -------------------------------------------------------------------------


@dataclass(frozen=True)
class DocumentSummary:
    id: int
    kb_id: int
    title: str
    source: str
    format: str
    char_count: int
    chunks: int
    created_at: datetime
    deleted_at: datetime | None


@dataclass(frozen=True)
class AddedDocument:
    id: int
    title: str
    chunks: int
    created: bool  # False: this file was already in the knowledge base
    restored: bool = False  # it was in the Trash and came back


def _as_time(value) -> datetime:
    if isinstance(value, str):
        return datetime.fromisoformat(value)
    return value


def add_document(
    conn: sqlite3.Connection,
    kb_id: int,
    *,
    title: str,
    text: str,
    chunks: Sequence[tuple[str, str]],
    source: str = "",
    blob_sha: str | None = None,
    fmt: str = "text",
) -> AddedDocument:
    """A document and its ``(heading, text)`` chunks, in the caller's transaction
    (use inside ``db.raw()``, after ``blobs.register`` for ``blob_sha``).

    The same file (same blob) in the same base is never stored twice: the
    existing document is returned (restored from the Trash if it was there)."""
    row = conn.execute("SELECT deleted_at FROM knowledge_base WHERE id = ?", (kb_id,)).fetchone()
    if row is None:
        raise NotFound(_("no knowledge base with id {kb_id}").format(kb_id=kb_id))
    if row[0] is not None:
        raise InvalidInput(_("that knowledge base is in the Trash; restore it first"))
    if blob_sha is not None:
        existing = conn.execute(
            "SELECT d.id, d.title, d.deleted_at, (SELECT count(*) FROM kb_chunk c"
            " WHERE c.document_id = d.id) FROM kb_document d WHERE d.kb_id = ? AND d.blob_sha = ?",
            (kb_id, blob_sha),
        ).fetchone()
        if existing is not None:
            doc_id, old_title, deleted_at, n = existing
            if deleted_at is not None:
                conn.execute("UPDATE kb_document SET deleted_at = NULL WHERE id = ?", (doc_id,))
            return AddedDocument(
                doc_id, old_title, n, created=False, restored=deleted_at is not None
            )
    title = (title or "").strip() or "untitled"
    now = db_time(utcnow())
    cur = conn.execute(
        "INSERT INTO kb_document (kb_id, title, source, blob_sha, format, text, char_count,"
        " created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (kb_id, title, source, blob_sha, fmt, text, len(text), now),
    )
    doc_id = cur.lastrowid
    n = insert_chunks(conn, doc_id, [(h, t) for h, t in chunks if t.strip()])
    conn.execute("UPDATE knowledge_base SET updated_at = ? WHERE id = ?", (now, kb_id))
    return AddedDocument(doc_id, title, n, created=True)


def get_document(session: Session, document_id: int) -> KbDocument:
    doc = session.get(KbDocument, document_id)
    if doc is None:
        raise NotFound(_("no document with id {document_id}").format(document_id=document_id))
    return doc


def list_documents(
    session: Session,
    kb_id: int,
    *,
    offset: int = 0,
    limit: int = 100,
    trashed: bool = False,
) -> list[DocumentSummary]:
    where = "d.deleted_at IS NOT NULL" if trashed else "d.deleted_at IS NULL"
    sql = (
        "SELECT d.id, d.kb_id, d.title, d.source, d.format, d.char_count,"
        " (SELECT count(*) FROM kb_chunk c WHERE c.document_id = d.id), d.created_at, d.deleted_at"
        f" FROM kb_document d WHERE d.kb_id = :kb AND {where}"
        " ORDER BY d.id DESC LIMIT :limit OFFSET :offset"
    )
    rows = session.connection().execute(text(sql), {"kb": kb_id, "limit": limit, "offset": offset})
    return [
        DocumentSummary(
            r[0],
            r[1],
            r[2],
            r[3],
            r[4],
            r[5],
            r[6],
            _as_time(r[7]),
            _as_time(r[8]) if r[8] else None,
        )
        for r in rows.all()
    ]


def count_documents(session: Session, kb_id: int, *, trashed: bool = False) -> int:
    cond = KbDocument.deleted_at.is_not(None) if trashed else KbDocument.deleted_at.is_(None)
    return session.exec(
        select(func.count()).select_from(KbDocument).where(KbDocument.kb_id == kb_id, cond)
    ).one()


def trash_document(session: Session, document_id: int) -> None:
    trash_ops.trash(session, "kb_document", document_id)


def restore_document(session: Session, document_id: int) -> None:
    trash_ops.restore(session, "kb_document", document_id)


def list_chunks(
    session: Session, document_id: int, *, offset: int = 0, limit: int = 100
) -> list[KbChunk]:
    return list(
        session.exec(
            select(KbChunk)
            .where(KbChunk.document_id == document_id)
            .order_by(KbChunk.position)
            .offset(offset)
            .limit(limit)
        ).all()
    )


# --- retrieval --------------------------------------------------------------------------

# Words that say nothing about what a question is about.
_STOP_LATIN = frozenset(
    """a an the and or but of to in on at for from by with about into over under as is are
    was were be been being do does did doing have has had having can could should would
    will shall may might must i you he she it we they me him her us them my your his its our
    their this that these those what which who whom whose when where why how if then than
    so not no yes there here all any some each every more most much many very just also
    only own same too s t don vs via get got make made use used using""".split()
)
# Chinese question words and function bigrams (in the index form's bigrams).
_STOP_CJK = frozenset(
    """什么 为什 么么 怎么 怎样 如何 哪些 哪个 哪里 是否 可以 能否 有哪 哪些 为何 多少 一个
    一些 这个 那个 这些 那些 我们 你们 他们 应该 需要 的是 是什 么样 样的 如何 之间 还是
    以及 或者 因为 所以 但是 如果 就是 还有 没有 有什 有没 吗""".split()
)
_WORD = re.compile(r"\w+")
MAX_RETRIEVAL_TERMS = 32


def _quote(token: str) -> str:
    return '"' + token.replace('"', '""') + '"'


def retrieval_terms(topic: str) -> list[str]:
    """The significant tokens of a topic in the index's form (CJK bigrams,
    lower-cased Latin words), stop words and single characters dropped."""
    terms: list[str] = []
    seen: set[str] = set()
    for token in _WORD.findall(index_form(topic)):
        token = token.lower()
        if CJK_RUN.fullmatch(token):
            if len(token) < 2 or token in _STOP_CJK:
                continue
        elif len(token) < 2 or token in _STOP_LATIN or token.isdigit():
            continue
        if token not in seen:
            seen.add(token)
            terms.append(token)
    if not terms:  # a topic of nothing but short words: use what there is
        for token in _WORD.findall(index_form(topic)):
            token = token.lower()
            if token not in seen:
                seen.add(token)
                terms.append(token)
    return terms[:MAX_RETRIEVAL_TERMS]


def or_expression(terms: Iterable[str]) -> str:
    """A safe FTS5 expression matching any of the terms (each quoted)."""
    return " OR ".join(_quote(t) for t in terms)


@dataclass(frozen=True)
class RetrievedChunk:
    """A passage chosen for a topic, with where it came from."""

    chunk_id: int
    document_id: int
    document_title: str
    heading: str
    text: str
    position: int
    score: float  # bm25: lower is better


def retrieve(
    conn: sqlite3.Connection, kb_id: int, topic: str, *, limit: int = 5
) -> list[RetrievedChunk]:
    """The best ``limit`` live chunks of knowledge base ``kb_id`` for ``topic``."""
    terms = retrieval_terms(topic)
    if not terms or limit <= 0:
        return []
    rows = conn.execute(
        "SELECT c.id, d.id, d.title, c.heading, c.text, c.position, search_chunk.rank"
        " FROM search_chunk JOIN kb_chunk c ON c.id = search_chunk.rowid"
        " JOIN kb_document d ON d.id = c.document_id"
        " WHERE search_chunk MATCH ? AND d.kb_id = ? AND d.deleted_at IS NULL"
        " ORDER BY search_chunk.rank LIMIT ?",
        (or_expression(terms), kb_id, limit),
    ).fetchall()
    return [RetrievedChunk(*r) for r in rows]
