"""Articles: create, read, update, list a page at a time, import."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, select

from inkbench.i18n import _
from inkbench.storage.errors import InvalidInput, NotFound
from inkbench.storage.models import ARTICLE_ORIGINS, ARTICLE_STATUSES, Article, utcnow
from inkbench.storage.text import word_count

SORTS = {
    "updated": Article.updated_at.desc(),
    "created": Article.created_at.desc(),
    "title": Article.title.asc(),
    "words": Article.word_count.desc(),
}


@dataclass(frozen=True)
class ArticleSummary:
    """A list row: everything but the body."""

    id: int
    title: str
    status: str
    word_count: int
    origin: str
    updated_at: datetime


def like_pattern(text: str) -> str:
    """A LIKE pattern matching ``text`` literally anywhere (escape is backslash)."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _check(status: str | None = None, origin: str | None = None) -> None:
    if status is not None and status not in ARTICLE_STATUSES:
        raise InvalidInput(
            _("unknown status {status!r}; use one of: {choices}").format(
                status=status, choices=", ".join(ARTICLE_STATUSES)
            )
        )
    if origin is not None and origin not in ARTICLE_ORIGINS:
        raise InvalidInput(
            _("unknown origin {origin!r}; use one of: {choices}").format(
                origin=origin, choices=", ".join(ARTICLE_ORIGINS)
            )
        )


def create_article(
    session: Session,
    title: str,
    body: str = "",
    *,
    status: str = "draft",
    origin: str = "manual",
    source_path: str | None = None,
    generation_item_id: int | None = None,
    topic_id: int | None = None,
) -> Article:
    _check(status, origin)
    title = title.strip()
    if not title:
        raise InvalidInput(_("an article needs a title"))
    now = utcnow()
    article = Article(
        title=title,
        body=body,
        status=status,
        origin=origin,
        word_count=word_count(body),
        source_path=source_path,
        generation_item_id=generation_item_id,
        topic_id=topic_id,
        created_at=now,
        updated_at=now,
    )
    session.add(article)
    session.flush()
    return article


def get_article(session: Session, article_id: int) -> Article:
    article = session.get(Article, article_id)
    if article is None:
        raise NotFound(
            _("no article with id {article_id}; `inkbench article list` shows them").format(
                article_id=article_id
            )
        )
    return article


def update_article(
    session: Session,
    article_id: int,
    *,
    title: str | None = None,
    body: str | None = None,
    status: str | None = None,
) -> Article:
    _check(status)
    article = get_article(session, article_id)
    if title is not None:
        if not title.strip():
            raise InvalidInput(_("an article needs a title"))
        article.title = title.strip()
    if body is not None:
        article.body = body
        article.word_count = word_count(body)
    if status is not None:
        article.status = status
    article.updated_at = utcnow()
    session.add(article)
    session.flush()
    return article


def _filtered(stmt, *, text: str | None, status: str | None, trashed: bool):
    stmt = stmt.where(Article.deleted_at.is_not(None) if trashed else Article.deleted_at.is_(None))
    if status:
        stmt = stmt.where(Article.status == status)
    if text:
        # folded like the list filters: width, script, case, pinyin (storage.fold)
        stmt = stmt.where(func.ink_name_matches(Article.title, text) == 1)
    return stmt


def list_articles(
    session: Session,
    *,
    offset: int = 0,
    limit: int = 100,
    sort: str = "updated",
    text: str | None = None,
    status: str | None = None,
    trashed: bool = False,
) -> list[ArticleSummary]:
    """One page of articles (never the whole table), filtered by title text."""
    if sort not in SORTS:
        raise InvalidInput(
            _("unknown sort {sort!r}; use one of: {choices}").format(
                sort=sort, choices=", ".join(SORTS)
            )
        )
    _check(status)
    stmt = select(
        Article.id,
        Article.title,
        Article.status,
        Article.word_count,
        Article.origin,
        Article.updated_at,
    )
    stmt = _filtered(stmt, text=text, status=status, trashed=trashed)
    stmt = stmt.order_by(SORTS[sort], Article.id.desc()).offset(offset).limit(limit)
    return [ArticleSummary(*row) for row in session.exec(stmt).all()]


def count_articles(
    session: Session, *, text: str | None = None, status: str | None = None, trashed: bool = False
) -> int:
    stmt = _filtered(
        select(func.count()).select_from(Article), text=text, status=status, trashed=trashed
    )
    return session.exec(stmt).one()


def already_imported(session: Session, files: list[tuple[str, str, str]]) -> set[int]:
    """Which of ``files`` (source path, title, body) are already a live
    article imported from that path with that title and body: their indexes.
    One query for all of them (run it in the transaction that inserts the
    rest, so two imports of one folder at once cannot both add a file)."""
    paths = {path for path, _title, _body in files}
    have: set[tuple[str, str, str]] = set()
    path_list = sorted(paths)
    for start in range(0, len(path_list), 500):
        chunk = path_list[start : start + 500]
        rows = session.exec(
            select(Article.source_path, Article.title, Article.body).where(
                Article.origin == "imported",
                Article.deleted_at.is_(None),
                Article.source_path.in_(chunk),
            )
        )
        have.update((p, t, b) for p, t, b in rows)
    return {i for i, (p, t, b) in enumerate(files) if (p, t.strip(), b) in have}


def live_article_ids(session: Session, *, after: int = 0, limit: int = 500) -> list[int]:
    """Ids of articles not in the Trash, above ``after``, in id order: a
    page at a time, for work over every article."""
    stmt = (
        select(Article.id)
        .where(Article.deleted_at.is_(None), Article.id > after)
        .order_by(Article.id)
        .limit(limit)
    )
    return list(session.exec(stmt).all())
