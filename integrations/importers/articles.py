"""``inkbench article import``: markdown and text files become articles."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from inkbench.i18n import _, ngettext
from inkbench.integrations.importers.textfiles import (
    TEXT_SUFFIXES,
    expand_paths,
    read_text,
    split_title,
)
from inkbench.storage.articles import already_imported, create_article
from inkbench.storage.engine import Database
from inkbench.storage.errors import InvalidInput, user_error
from inkbench.storage.jobs import ProgressFn

#: files committed per transaction: a run cut short (kill -9, a full disk)
#: keeps whole batches, and running it again skips them
BATCH = 100


@dataclass(frozen=True)
class ImportedArticle:
    id: int
    title: str
    path: str
    word_count: int


@dataclass
class ArticleImport:
    """What an import did: the articles it added, and how many files it
    skipped because their content already is an article from that file."""

    imported: list[ImportedArticle] = field(default_factory=list)
    skipped: int = 0


def import_articles(
    db: Database,
    paths: Iterable[str | Path],
    *,
    copies: bool = False,
    progress: ProgressFn | None = None,
) -> ArticleImport:
    """Read every file first; if any cannot be used, import nothing and raise
    one error listing each problem. Then insert them, ``BATCH`` files per
    transaction, skipping each file whose title and body already are a live
    article imported from the same path (unless ``copies``)."""
    files = list(expand_paths(paths, TEXT_SUFFIXES))
    if not files:
        raise InvalidInput(_("no .md or .txt files found in the paths given"))
    parsed: list[tuple[str, str, str]] = []
    problems: list[str] = []
    for i, path in enumerate(files):
        try:
            title, body = split_title(read_text(path), path.stem)
            parsed.append((str(path.resolve()), title, body))
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
    result = ArticleImport()
    shown = {str(path.resolve()): str(path) for path in files}
    try:
        for start in range(0, len(parsed), BATCH):
            batch = parsed[start : start + BATCH]
            with db.write() as session:
                skip = set() if copies else already_imported(session, batch)
                added = []
                for i, (source, title, body) in enumerate(batch):
                    if i in skip:
                        continue
                    article = create_article(
                        session, title, body, origin="imported", source_path=source
                    )
                    added.append(
                        ImportedArticle(
                            article.id, article.title, shown[source], article.word_count
                        )
                    )
            result.imported.extend(added)
            result.skipped += len(skip)
    except Exception as e:
        expected = user_error(e)
        if expected is None or not (result.imported or result.skipped):
            raise
        done = len(result.imported)
        raise type(expected)(
            str(expected)
            + " "
            + ngettext(
                "({n} article was imported before that; run the same import again to add the"
                " rest: what is in already is skipped)",
                "({n} articles were imported before that; run the same import again to add the"
                " rest: what is in already is skipped)",
                done,
            ).format(n=done)
        ) from e
    return result
