"""Database operations the TUI runs in thread workers.

Each takes the app's ``Store`` first, opens one write transaction through
``storage`` and returns plain values. They never touch widgets. Storage (and
with it SQLModel) is imported here, inside the functions, so none of it is on
the path to the first screen.
"""

from __future__ import annotations

from dataclasses import dataclass

from inkbench.i18n import _, aside, format_number
from inkbench.storage.store import Store

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


# --- albums --------------------------------------------------------------------------


def create_album(store: Store, name: str) -> int:
    """A new album called ``name``; its id."""
    from inkbench.storage.albums import create_album as create

    with store.database().raw() as conn:
        return create(conn, name)


def rename_album(store: Store, album_id: int, name: str) -> None:
    from inkbench.storage.albums import rename_album as rename

    with store.database().raw() as conn:
        rename(conn, album_id, name)


def set_album_engine(store: Store, album_id: int, engine: str | None) -> None:
    """Give an album its own OCR engine (tesseract, ppocr, auto), or None
    for the default from config.toml."""
    from inkbench.storage.albums import set_album_engine as set_engine

    with store.database().raw() as conn:
        set_engine(conn, album_id, engine)


def album_engine(store: Store, album_id: int) -> str | None:
    """The album's own OCR engine, or None (config.toml's default applies)."""
    from inkbench.storage.albums import album_engine as engine

    with store.database().raw(write=False) as conn:
        return engine(conn, album_id)


def transfer_images(
    store: Store, verb: str, image_ids: list[int], target: str
) -> tuple[int, int, bool]:
    """Move or copy (``verb``) images into the album called ``target``
    (created if needed): (done, skipped as already there, album created)."""
    from inkbench.storage.albums import copy_images, get_or_create_album, move_images

    with store.database().raw() as conn:
        album_id, created = get_or_create_album(conn, target)
        fn = move_images if verb == "move" else copy_images
        done, skipped = fn(conn, image_ids, album_id)
    return done, skipped, created


def retry_failed_ocr(store: Store, album_id: int | None) -> int:
    """Queue the failed images again (of one album, or all); how many."""
    from inkbench.storage.albums import retry_failed

    with store.database().raw() as conn:
        return retry_failed(conn, album_id=album_id)


# --- knowledge -----------------------------------------------------------------------


def create_kb(store: Store, name: str) -> int:
    from inkbench.storage.knowledge import create_kb as create

    with store.database().write() as s:
        return create(s, name).id


def rename_kb(store: Store, kb_id: int, name: str) -> None:
    from inkbench.storage.knowledge import rename_kb as rename

    with store.database().write() as s:
        rename(s, kb_id, name)


# --- generation ----------------------------------------------------------------------


def preview_prompt(store: Store, setting_id: int, distillation_id: int | None, topic: str) -> str:
    from inkbench.integrations.generation.prompts import preview_prompt
    from inkbench.storage.distillations import get_distillation

    with store.database().read() as s:
        keyword = get_distillation(s, distillation_id).keyword if distillation_id else "(keyword)"
        return preview_prompt(s, setting_id, keyword=keyword, topic=topic or "(a question)")


def create_task(store: Store, values: dict) -> int:
    from inkbench.storage.tasks import create_task

    with store.database().write() as s:
        return create_task(s, **values).id


def load_setting(store: Store, setting_id: int) -> dict:
    from inkbench.storage.article_settings import get_setting

    with store.database().read() as s:
        return get_setting(s, setting_id).model_dump()


def save_setting(store: Store, setting_id: int | None, values: dict) -> int:
    from inkbench.storage.article_settings import create_setting, update_setting

    with store.database().write() as s:
        if setting_id is None:  # values stay whole: a refused save shows them again
            rest = {k: v for k, v in values.items() if k != "name"}
            return create_setting(s, values["name"], **rest).id
        return update_setting(s, setting_id, **values).id


def generation_write(store: Store, fn_name: str, *args, **kwargs) -> int | None:
    """Call ``<fn_name>(session, *args, **kwargs)`` of ``storage.targets``
    (``*_target``) or ``storage.distillations`` (distillations and topics) in
    one write transaction; the id of what it returns, if any."""
    from inkbench.storage import distillations, targets

    module = targets if fn_name.endswith("_target") else distillations
    with store.database().write() as s:
        result = getattr(module, fn_name)(s, *args, **kwargs)
        return getattr(result, "id", None)


def task_choices(store: Store) -> dict:
    """Options for the task dialog: settings (the defaults made if missing),
    knowledge bases, albums, targets."""
    from inkbench.storage.article_settings import ensure_default_settings
    from inkbench.storage.reads import task_choices as choices

    with store.database().write() as s:
        ensure_default_settings(s)
    with store.database().raw(write=False) as conn:
        return choices(conn)


def task_action(store: Store, action: str, task_id: int) -> str:
    """Pause, resume, retry (failed items) or cancel a task; its new status."""
    from inkbench.storage import tasks as g

    with store.database().write() as s:
        if action == "pause":
            t = g.pause_task(s, task_id)
        elif action == "resume":
            t = g.resume_task(s, task_id)
        elif action == "retry":
            g.retry_failed_items(s, task_id)
            t = g.get_task(s, task_id)
        else:
            t = g.cancel_task(s, task_id)
        return t.status


def task_items_text(store: Store, task_id: int) -> tuple[str, str]:
    """A task's items with their articles and where each article came from."""
    from inkbench.storage.provenance import article_provenance
    from inkbench.storage.tasks import get_task, item_articles, resource_names, task_items

    db = store.database()
    with db.read() as s:
        task = get_task(s, task_id)
        names = resource_names(s, task_id)
        items = task_items(s, task_id)
        articles = item_articles(s, task_id)
    from inkbench.tui.vocab import status_name

    lines = [
        f"{task.name} · {status_name(task.status)}"
        + aside(task.pause_reason)
        + " · "
        + _("{done}/{total} done").format(done=task.done_count, total=task.article_count),
        _("keyword: {keyword} · setting: {setting}").format(
            keyword=task.keyword, setting=names.setting
        ),
        "",
    ]
    with db.raw(write=False) as conn:
        for item in items:
            art = articles.get(item.id)
            head = f"{item.position + 1}. [{status_name(item.status)}] {item.topic_text}"
            lines.append(head + (_(" → article {id}").format(id=art) if art else ""))
            if item.error and item.status != "done":
                lines.append("     " + _("error: {error}").format(error=item.error))
            if art:
                p = article_provenance(conn, art)
                for src in p.sources:
                    heading = src["heading"].removeprefix(src["document_title"])
                    source = f"{src['document_title']}{heading}"
                    lines.append("     " + _("source: {source}").format(source=source))
                for img in p.images:
                    lines.append(
                        "     "
                        + _("image: {name} ({album})").format(name=img["name"], album=img["album"])
                    )
            elif item.partial_text:
                lines.append(
                    "     "
                    + _("so far: {n} characters saved").format(
                        n=format_number(len(item.partial_text))
                    )
                )
    return task.name, "\n".join(lines)


# --- publishing ------------------------------------------------------------------------


def publish_articles(
    store: Store, article_ids: list[int], account_names: list[str], draft: bool = False
) -> int:
    """Queue the articles for publishing to each account, all or nothing
    (one refusal queues none); the number of publications queued."""
    from inkbench.storage.publications import enqueue

    with store.database().raw() as conn:
        return sum(len(enqueue(conn, article_ids, name, draft=draft)) for name in account_names)


def retry_publication(store: Store, publication_id: int) -> str:
    """Queue a failed or cancelled publication again; its new status."""
    from inkbench.storage.publications import retry_publication as retry

    with store.database().raw() as conn:
        return retry(conn, publication_id).status


def cancel_publication(store: Store, publication_id: int) -> str:
    """Cancel a queued publication; its new status."""
    from inkbench.storage.publications import cancel_publication as cancel

    with store.database().raw() as conn:
        return cancel(conn, publication_id).status


def publish_account_names(store: Store) -> list[tuple[str, str, bool]]:
    """(name, kind, paused) of every publishing account, by name."""
    from inkbench.storage.publish_accounts import list_accounts

    with store.database().raw(write=False) as conn:
        return [(a.name, a.kind, a.paused) for a in list_accounts(conn)]
