"""``inkbench article import``: markdown and text files become articles."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from inkbench.i18n import _, ngettext
from inkbench.integrations.importers.textfiles import (
    TEXT_SUFFIXES,
    expand_paths,
    read_text,
    split_title,
)
from inkbench.storage.articles import create_article
from inkbench.storage.engine import Database
from inkbench.storage.errors import InvalidInput
from inkbench.storage.jobs import ProgressFn


@dataclass(frozen=True)
class ImportedArticle:
    id: int
    title: str
    path: str
    word_count: int


def import_articles(
    db: Database,
    paths: Iterable[str | Path],
    *,
    progress: ProgressFn | None = None,
) -> list[ImportedArticle]:
    """Read every file first; if any cannot be used, import nothing and raise
    one error listing each problem. Then insert all in one transaction."""
    files = list(expand_paths(paths, TEXT_SUFFIXES))
    if not files:
        raise InvalidInput(_("no .md or .txt files found in the paths given"))
    parsed: list[tuple[Path, str, str]] = []
    problems: list[str] = []
    for i, path in enumerate(files):
        try:
            title, body = split_title(read_text(path), path.stem)
            parsed.append((path, title, body))
        except InvalidInput as e:
            problems.append(str(e))
        if progress:
            progress(i + 1, len(files), path.name)
    if problems:
        others = len(problems) - 1
        if others:
            message = ngettext(
                "nothing imported: {problem} (and {n} more)",
                "nothing imported: {problem} (and {n} more)",
                others,
            )
        else:
            message = _("nothing imported: {problem}")
        raise InvalidInput(message.format(problem=problems[0], n=others))
    out = []
    with db.write() as session:
        for path, title, body in parsed:
            article = create_article(
                session, title, body, origin="imported", source_path=str(path.resolve())
            )
            out.append(ImportedArticle(article.id, article.title, str(path), article.word_count))
    return out
