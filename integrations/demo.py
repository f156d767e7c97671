"""``inkbench demo``: load the sample content in ``assets/demo``.

Everything is read and checked first, the files (images, documents) go into
the blob store, and then every row is inserted in one transaction: the demo
is either loaded whole or not at all. It goes through the same operations a
user's actions do (articles, works, knowledge bases, settings, tasks), the
image and document pipelines' own checks (``integrations.images.prepare``,
``integrations.kb_import.extract``), so the triggers, search indexes and
word counts are the real ones.

Loading twice adds nothing: the demo's article setting marks it as loaded
(``demo.toml``, ``[marker]``), checked inside the write transaction so two
processes racing cannot both load it.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from sqlmodel import Session

from inkbench.i18n import _
from inkbench.integrations.images import Refused, prepare
from inkbench.integrations.importers.textfiles import read_text, split_title
from inkbench.integrations.kb_import import chunk_blocks, extract
from inkbench.storage import blobs, revisions
from inkbench.storage.albums import create_album, find_album_id, insert_image
from inkbench.storage.article_settings import create_setting, setting_name_taken
from inkbench.storage.articles import create_article
from inkbench.storage.assets import asset_path
from inkbench.storage.distillations import create_distillation, list_topics
from inkbench.storage.engine import Database
from inkbench.storage.errors import InvalidInput
from inkbench.storage.jobs import ProgressFn
from inkbench.storage.knowledge import add_document, create_kb, kb_name_taken, retrieve
from inkbench.storage.models import (
    ArticleImage,
    ArticleSource,
    db_time,
    utcnow,
)
from inkbench.storage.publish_accounts import add_account, find_account
from inkbench.storage.targets import create_target, target_name_taken
from inkbench.storage.tasks import create_task, task_items
from inkbench.storage.works import create_chapter, create_work

DEMO_DIR = asset_path("demo")


@dataclass
class DemoReport:
    loaded: bool  # False: it was loaded before, nothing added
    added: dict[str, int] = field(default_factory=dict)


@dataclass
class _Spec:
    """Everything in ``demo.toml``, read and checked."""

    raw: dict
    articles: list[tuple[str, str, str]]  # title, body, status
    chapters: list[tuple[str, str]]
    images: list[Path]
    documents: list[tuple[Path, object, list[tuple[str, str]]]]  # path, Extracted, chunks
    generated: list[tuple[str, str]]


def _file(root: Path, rel: str) -> Path:
    path = (root / rel).resolve()
    if not path.is_file():
        raise InvalidInput(
            _("the demo file {path} is missing; reinstall Inkbench").format(path=path)
        )
    return path


def _read_spec(root: Path) -> _Spec:
    try:
        raw = tomllib.loads((root / "demo.toml").read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as e:
        raise InvalidInput(
            _("cannot read the demo content in {root} ({e}); reinstall Inkbench").format(
                root=root, e=e
            )
        ) from None

    def text_of(rel: str) -> tuple[str, str]:
        path = _file(root, rel)
        return split_title(read_text(path), path.stem)

    articles = [(*text_of(a["file"]), a.get("status", "draft")) for a in raw["articles"]]
    chapters = [text_of(rel) for rel in raw["work"]["chapters"]]
    images = [_file(root, rel) for rel in raw["album"]["images"]]
    documents = []
    for rel in raw["knowledge_base"]["documents"]:
        path = _file(root, rel)
        extracted = extract(path)
        documents.append((path, extracted, chunk_blocks(extracted.blocks)))
    generated = [text_of(rel) for rel in raw["task"]["articles"]]
    if len(generated) > len(raw["distillation"]["topics"]):
        raise InvalidInput(
            _("the demo has more generated articles than topics; reinstall Inkbench")
        )
    return _Spec(raw, articles, chapters, images, documents, generated)


def _loaded(session: Session, marker: str) -> bool:
    return setting_name_taken(session, marker)


def _free_name(taken: Callable[[str], bool], name: str) -> str:
    """``name``, or ``name (demo)``, ``name (demo 2)`` … if it is taken."""
    candidate, n = name, 1
    while taken(candidate):
        candidate = f"{name} (demo{'' if n == 1 else f' {n}'})"
        n += 1
    return candidate


def load_demo(
    db: Database, *, root: Path = DEMO_DIR, progress: ProgressFn | None = None
) -> DemoReport:
    """Load the demo content into ``db`` unless it is there already."""
    spec = _read_spec(root)
    marker = spec.raw["marker"]["setting"]
    with db.read() as session:
        if _loaded(session, marker):
            return DemoReport(loaded=False)
    steps = len(spec.images) + len(spec.documents) + 1
    done = 0

    def step(label: str) -> None:
        nonlocal done
        done += 1
        if progress:
            progress(done, steps, label)

    # files first: the blob store takes them before any row points at them
    prepared = []
    for path in spec.images:
        try:
            prepared.append(prepare(path, db.blob_dir))
        except Refused as e:
            raise InvalidInput(
                _("demo image {name}: {e}; reinstall Inkbench").format(name=path.name, e=e)
            ) from None
        step(path.name)
    doc_blobs = []
    for path, _extracted, _chunks in spec.documents:
        doc_blobs.append(blobs.put_file(db.blob_dir, path))
        step(path.name)

    with db.write() as session:
        if _loaded(session, marker):  # another process got here first
            return DemoReport(loaded=False)
        added = _insert_all(session, spec, prepared, doc_blobs)
        added["publish_accounts"] = _insert_site(session, db.home / DEMO_SITE)
    step("database")
    return DemoReport(loaded=True, added=added)


def _insert_bible(session: Session, work_id: int, chapter_ids: list[int], w: dict) -> dict:
    """The novel's characters, relationships, world entries, scenes and tags
    (``[[work.*]]`` in ``demo.toml``), through the bible's own operations."""
    from inkbench.storage import bible, scenes, tags
    from inkbench.storage.models import Chapter

    people = {}
    for c in w.get("characters", []):
        attributes = {k: c[k] for k in bible.CHARACTER_ATTRIBUTES if k in c}
        people[c["name"]] = bible.create_character(
            session,
            work_id,
            c["name"],
            aliases=c.get("aliases", []),
            role=c.get("role", "supporting"),
            **attributes,
        ).id
    for r in w.get("relations", []):
        bible.relate(session, people[r["a"]], people[r["b"]], r["kind"], r.get("note", ""))
    places = {}
    for e in w.get("world", []):
        places[e["title"]] = bible.create_world_entry(
            session,
            work_id,
            e["title"],
            category=e.get("category", "other"),
            parent_id=places[e["parent"]] if "parent" in e else None,
            aliases=e.get("aliases", []),
            content=e.get("content", ""),
            character_ids=[people[n] for n in e.get("characters", [])],
        ).id
    tag_ids = {}
    for t in w.get("tags", []):
        tag = tags.create_tag(
            session,
            work_id,
            t["name"],
            color=t.get("color", ""),
            description=t.get("description", ""),
        )
        tag_ids[t["name"]] = tag.id
        for number in t.get("chapters", []):
            tags.tag_chapter(session, tag.id, chapter_ids[number - 1])
    for sc in w.get("scenes", []):
        chapter_id = chapter_ids[sc["chapter"] - 1]
        body = session.get(Chapter, chapter_id).body
        at = body.find(sc["starts"])
        if at < 0:
            raise InvalidInput(
                _(
                    "the demo scene {start!r} is not in chapter {chapter}; reinstall Inkbench"
                ).format(start=sc["starts"], chapter=sc["chapter"])
            )
        scene = scenes.add_scene(
            session,
            chapter_id,
            synopsis=sc.get("synopsis", ""),
            location_id=places[sc["location"]] if "location" in sc else None,
            time=sc.get("time", ""),
            mood=sc.get("mood", ""),
            character_ids=[people[n] for n in sc.get("characters", [])],
            at=at,
        )
        for name in sc.get("tags", []):
            tags.tag_scene(session, tag_ids[name], scene.id)
    return {
        "characters": len(people),
        "relationships": len(w.get("relations", [])),
        "world_entries": len(places),
        "scenes": len(w.get("scenes", [])),
        "tags": len(tag_ids),
    }


DEMO_SITE = "demo-site"  # a Hugo folder in the data home to try publishing on


def _insert_site(session: Session, folder: Path) -> int:
    """A folder account (Hugo) pointing into the data home, so `inkbench
    publish ID --to demo-site` works at once; 0 when the name is taken."""
    conn = session.connection().connection.driver_connection  # same transaction
    if find_account(conn, DEMO_SITE) is not None:
        return 0
    folder.mkdir(parents=True, exist_ok=True)
    add_account(conn, DEMO_SITE, "folder", path=str(folder), format="hugo")
    return 1


def _insert_all(session: Session, spec: _Spec, prepared, doc_blobs) -> dict[str, int]:
    raw = spec.raw
    conn = session.connection().connection.driver_connection  # same transaction
    now = utcnow()
    added: dict[str, int] = {}

    # articles, each with a first saved revision
    for title, body, status in spec.articles:
        article = create_article(session, title, body, status=status, origin="manual")
        revisions.snapshot(session, "article", article.id, "manual")
    added["articles"] = len(spec.articles)

    # the novel
    w = raw["work"]
    work = create_work(
        session,
        w["title"],
        genre=w.get("genre", ""),
        status=w.get("status", "drafting"),
        word_goal=int(w.get("word_goal", 0)),
        description=w.get("description", ""),
        chapter_naming=w.get("chapter_naming", ""),
    )
    chapter_ids = []
    for title, body in spec.chapters:
        chapter = create_chapter(session, work.id, title, body)
        revisions.snapshot(session, "chapter", chapter.id, "manual")
        chapter_ids.append(chapter.id)
    added["works"], added["chapters"] = 1, len(spec.chapters)
    added.update(_insert_bible(session, work.id, chapter_ids, w))

    # the album: images wait for OCR (`inkbench ocr run` or the TUI)
    session.flush()
    a = raw["album"]
    album_name = _free_name(lambda n: find_album_id(conn, n) is not None, a["name"])
    album_id = create_album(conn, album_name, a.get("description", ""))
    image_ids = []
    for p in prepared:
        blobs.register(conn, p.sha, p.size)
        blobs.register(conn, p.thumb_sha, p.thumb_size)
        image_ids.append(
            insert_image(
                conn,
                album_id,
                blob_sha=p.sha,
                thumb_sha=p.thumb_sha,
                original_name=p.name,
                size_bytes=p.size,
                width=p.width,
                height=p.height,
                format=p.format,
                taken_at=None,
                orientation=None,
                created_at=db_time(now),
            )
        )
    added["albums"], added["images"] = 1, len(prepared)

    # the knowledge base
    k = raw["knowledge_base"]

    kb = create_kb(
        session,
        _free_name(lambda n: kb_name_taken(session, n), k["name"]),
        k.get("description", ""),
    )
    session.flush()
    chunks = 0
    for (path, extracted, doc_chunks), (sha, size) in zip(spec.documents, doc_blobs, strict=True):
        blobs.register(conn, sha, size)
        doc = add_document(
            conn,
            kb.id,
            title=extracted.title,
            text=extracted.text,
            chunks=doc_chunks,
            source=f"demo:{path.name}",
            blob_sha=sha,
            fmt=extracted.format,
        )
        chunks += doc.chunks
    added["documents"], added["chunks"] = len(spec.documents), chunks

    # generation inputs
    d = raw["distillation"]
    distillation = create_distillation(session, d["keyword"], d["topics"], model=d.get("model", ""))
    setting = create_setting(
        session,
        raw["marker"]["setting"],
        **{key: raw["setting"][key] for key in raw["setting"]},
    )
    t = raw["target"]

    target = create_target(
        session,
        _free_name(lambda n: target_name_taken(session, n), t["name"]),
        **{key: t[key] for key in ("pitch", "site", "contact") if key in t},
    )
    added["distillations"], added["topics"] = 1, len(d["topics"])

    # a finished generation task: each item done, its article linked back
    task_spec = raw["task"]
    topics = list_topics(session, distillation.id)[: len(spec.generated)]
    task = create_task(
        session,
        distillation_id=distillation.id,
        setting_id=setting.id,
        count=len(topics),
        topic_ids=[topic.id for topic in topics],
        knowledge_base_id=kb.id,
        album_id=album_id,
        target_id=target.id,
        model=task_spec.get("model", ""),
        name=task_spec.get("name", ""),
    )
    session.flush()
    items = task_items(session, task.id)
    started = now - timedelta(minutes=20)
    # no AI was called: the usage log (ai_request) gets no rows, so quota and
    # stats count nothing for the demo; only how long each item took is shown
    durations = task_spec.get("durations_ms", [])
    for n, (item, topic, (title, body)) in enumerate(
        zip(items, topics, spec.generated, strict=True)
    ):
        item_start = started + timedelta(minutes=5 * n)
        ms = durations[n] if n < len(durations) else 0
        item_end = item_start + timedelta(milliseconds=ms)
        item.status, item.attempts = "done", 1
        item.started_at, item.finished_at = item_start, item_end
        session.add(item)
        article = create_article(
            session,
            title,
            body,
            status="ready",
            origin="generated",
            generation_item_id=item.id,
            topic_id=topic.id,
        )
        revisions.snapshot(session, "article", article.id, "ai")
        for position, chunk in enumerate(retrieve(conn, kb.id, topic.question, limit=2)):
            session.add(
                ArticleSource(
                    article_id=article.id,
                    chunk_id=chunk.chunk_id,
                    document_title=chunk.document_title,
                    position=position,
                )
            )
        session.add(
            ArticleImage(
                article_id=article.id,
                image_id=image_ids[n % len(image_ids)],
                position=0,
                caption=topic.question,
            )
        )
    task.status = "completed"
    task.done_count = len(items)
    task.started_at = started
    task.finished_at = started + timedelta(minutes=5 * len(items))
    task.updated_at = task.finished_at
    session.add(task)
    session.flush()
    added["generation_tasks"], added["generated_articles"] = 1, len(items)
    return added
