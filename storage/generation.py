"""Generation inputs and tasks: distillations and topics, article settings
(prompt templates), conversion targets, and generation tasks with their items.

Task states: ``queued → running → completed | failed | cancelled`` and
``paused`` (with ``pause_reason``: ``user``, ``quota_exceeded``, ``offline``,
``login_required``); progress is the count of items done. Items:
``pending → running → done | failed``. The runner
(``integrations.generation.runner``) claims items with ``storage.leases``;
the functions here are the transitions it and the UI share.

Rule 2: what an active task uses cannot be deleted (``storage.usage`` names
the task; triggers in the schema enforce it too). A task keeps the names of
what it used, so it stays readable after they are deleted.
"""

from __future__ import annotations

import re
import sqlite3
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, text
from sqlmodel import Session, select

from inkbench.storage.assets import asset_path
from inkbench.storage.errors import InvalidInput, NotFound
from inkbench.storage.models import (
    ACTIVE_TASK_STATUSES,
    Album,
    ArticleSetting,
    ConversionTarget,
    Distillation,
    GenerationItem,
    GenerationTask,
    KnowledgeBase,
    Topic,
    db_time,
    utcnow,
)
from inkbench.storage.usage import refuse_if_in_use

PROMPTS_DIR = asset_path("prompts")
PAUSE_REASONS = ("user", "quota_exceeded", "offline", "login_required")
MAX_ARTICLES_PER_TASK = 1000


def _need(value: str | None, what: str) -> str:
    value = (value or "").strip()
    if not value:
        raise InvalidInput(f"{what} cannot be empty")
    return value


# --- distillations and topics ------------------------------------------------------------


@dataclass(frozen=True)
class DistillationSummary:
    id: int
    keyword: str
    model: str
    topics: int
    created_at: datetime


def create_distillation(
    session: Session, keyword: str, questions: Iterable[str] = (), *, model: str = ""
) -> Distillation:
    now = utcnow()
    d = Distillation(
        keyword=_need(keyword, "the keyword"), model=model, created_at=now, updated_at=now
    )
    session.add(d)
    session.flush()
    for q in questions:
        if q and q.strip():
            add_topic(session, d.id, q)
    return d


def get_distillation(session: Session, distillation_id: int) -> Distillation:
    d = session.get(Distillation, distillation_id)
    if d is None:
        raise NotFound(
            f"no distillation with id {distillation_id}; `inkbench distillation list` shows them"
        )
    return d


def list_distillations(
    session: Session, *, offset: int = 0, limit: int = 100
) -> list[DistillationSummary]:
    rows = session.connection().execute(
        text(
            "SELECT d.id, d.keyword, d.model, (SELECT count(*) FROM topic t"
            " WHERE t.distillation_id = d.id), d.created_at FROM distillation d"
            " ORDER BY d.id DESC LIMIT :limit OFFSET :offset"
        ),
        {"limit": limit, "offset": offset},
    )
    return [DistillationSummary(r[0], r[1], r[2], r[3], _time(r[4])) for r in rows.all()]


def count_distillations(session: Session) -> int:
    return session.exec(select(func.count()).select_from(Distillation)).one()


def rename_distillation(session: Session, distillation_id: int, keyword: str) -> Distillation:
    d = get_distillation(session, distillation_id)
    d.keyword = _need(keyword, "the keyword")
    d.updated_at = utcnow()
    session.add(d)
    session.flush()
    return d


def delete_distillation(session: Session, distillation_id: int) -> None:
    """Delete it and its topics (refused while an active task uses it)."""
    d = get_distillation(session, distillation_id)
    refuse_if_in_use(session, "distillation", d.id, f'"{d.keyword}"')
    for t in list_topics(session, d.id):
        refuse_if_in_use(session, "topic", t.id, f'"{t.question}"')
    session.delete(d)
    session.flush()


def list_topics(session: Session, distillation_id: int) -> list[Topic]:
    return list(
        session.exec(
            select(Topic)
            .where(Topic.distillation_id == distillation_id)
            .order_by(Topic.position, Topic.id)
        ).all()
    )


def get_topic(session: Session, topic_id: int) -> Topic:
    t = session.get(Topic, topic_id)
    if t is None:
        raise NotFound(f"no topic with id {topic_id}")
    return t


def add_topic(
    session: Session, distillation_id: int, question: str, *, position: int | None = None
) -> Topic:
    """A topic at the end (or at ``position``, moving the later ones down)."""
    get_distillation(session, distillation_id)
    topics = list_topics(session, distillation_id)
    t = Topic(distillation_id=distillation_id, question=_need(question, "a topic"))
    if position is None or position >= len(topics):
        topics.append(t)
    else:
        topics.insert(max(0, position), t)
    session.add(t)
    _renumber(session, topics)
    return t


def edit_topic(session: Session, topic_id: int, question: str) -> Topic:
    t = get_topic(session, topic_id)
    t.question = _need(question, "a topic")
    session.add(t)
    session.flush()
    return t


def delete_topic(session: Session, topic_id: int) -> None:
    t = get_topic(session, topic_id)
    refuse_if_in_use(session, "topic", t.id, f'"{t.question}"')
    did = t.distillation_id
    session.delete(t)
    session.flush()
    _renumber(session, list_topics(session, did))


def reorder_topics(session: Session, distillation_id: int, topic_ids: Sequence[int]) -> None:
    """Put the topics in the order given (every topic exactly once)."""
    topics = {t.id: t for t in list_topics(session, distillation_id)}
    if sorted(topic_ids) != sorted(topics):
        raise InvalidInput("the new order must list each topic of the distillation once")
    _renumber(session, [topics[i] for i in topic_ids])


def move_topic(session: Session, topic_id: int, delta: int) -> None:
    """Move a topic up (negative) or down by ``delta`` places."""
    t = get_topic(session, topic_id)
    topics = list_topics(session, t.distillation_id)
    i = next(n for n, x in enumerate(topics) if x.id == t.id)
    j = max(0, min(len(topics) - 1, i + delta))
    topics.insert(j, topics.pop(i))
    _renumber(session, topics)


def _renumber(session: Session, topics: list[Topic]) -> None:
    for n, t in enumerate(topics):
        t.position = n
        session.add(t)
    session.flush()


# --- article settings ---------------------------------------------------------------------

SETTING_FIELDS = ("style", "length", "language", "structure", "extra_instructions", "template")
LANGUAGES = {"zh": "简体中文 (Simplified Chinese)", "en": "English"}


def default_settings() -> list[dict]:
    """The settings shipped in ``assets/prompts/*.toml``."""
    out = []
    for path in sorted(PROMPTS_DIR.glob("*.toml")):
        with path.open("rb") as f:
            data = tomllib.load(f)
        if data.get("name"):
            out.append(
                {
                    k: v.strip() if isinstance(v, str) else v
                    for k, v in data.items()
                    if k in ("name", *SETTING_FIELDS)
                }
            )
    return out


def prompt_asset(name: str) -> str:
    """A text asset from ``assets/prompts`` (``system.md``, ``template.md`` …)."""
    return (PROMPTS_DIR / name).read_text(encoding="utf-8").strip()


def ensure_default_settings(session: Session) -> int:
    """Add the shipped settings missing by name; returns how many were added."""
    have = set(session.exec(select(ArticleSetting.name)).all())
    n = 0
    for d in default_settings():
        if d["name"] not in have:
            create_setting(session, **d)
            n += 1
    return n


def _check_setting(values: dict) -> None:
    if "length" in values and values["length"] is not None:
        try:
            values["length"] = int(values["length"])
        except (TypeError, ValueError):
            raise InvalidInput("length must be a number of words") from None
        if not 50 <= values["length"] <= 20000:
            raise InvalidInput("length must be between 50 and 20000 words")


def create_setting(session: Session, name: str, **fields) -> ArticleSetting:
    name = _need(name, "a setting's name")
    unknown = set(fields) - set(SETTING_FIELDS)
    if unknown:
        raise InvalidInput(f"unknown setting field(s): {', '.join(sorted(unknown))}")
    if session.exec(select(ArticleSetting).where(ArticleSetting.name == name)).first():
        raise InvalidInput(f'an article setting named "{name}" exists; choose another name')
    _check_setting(fields)
    now = utcnow()
    s = ArticleSetting(
        name=name,
        created_at=now,
        updated_at=now,
        **{k: v for k, v in fields.items() if v is not None},
    )
    session.add(s)
    session.flush()
    return s


def get_setting(session: Session, setting_id: int) -> ArticleSetting:
    s = session.get(ArticleSetting, setting_id)
    if s is None:
        raise NotFound(f"no article setting with id {setting_id}; `inkbench setting list`")
    return s


def find_setting(session: Session, name_or_id: str | int) -> ArticleSetting:
    if isinstance(name_or_id, int) or str(name_or_id).isdigit():
        s = session.get(ArticleSetting, int(name_or_id))
        if s is not None:
            return s
    s = session.exec(
        select(ArticleSetting).where(ArticleSetting.name == str(name_or_id).strip())
    ).first()
    if s is None:
        raise NotFound(f'no article setting "{name_or_id}"; `inkbench setting list` shows them')
    return s


def update_setting(session: Session, setting_id: int, **fields) -> ArticleSetting:
    s = get_setting(session, setting_id)
    unknown = set(fields) - {"name", *SETTING_FIELDS}
    if unknown:
        raise InvalidInput(f"unknown setting field(s): {', '.join(sorted(unknown))}")
    _check_setting(fields)
    if "name" in fields:
        name = _need(fields["name"], "a setting's name")
        other = session.exec(select(ArticleSetting).where(ArticleSetting.name == name)).first()
        if other is not None and other.id != s.id:
            raise InvalidInput(f'an article setting named "{name}" exists; choose another name')
        fields["name"] = name
    for k, v in fields.items():
        if v is not None:
            setattr(s, k, v)
    s.updated_at = utcnow()
    session.add(s)
    session.flush()
    return s


def list_settings(session: Session, *, offset: int = 0, limit: int = 200) -> list[ArticleSetting]:
    return list(
        session.exec(
            select(ArticleSetting).order_by(ArticleSetting.name).offset(offset).limit(limit)
        ).all()
    )


def delete_setting(session: Session, setting_id: int) -> None:
    s = get_setting(session, setting_id)
    refuse_if_in_use(session, "article_setting", s.id, f'"{s.name}"')
    session.delete(s)
    session.flush()


# --- conversion targets -----------------------------------------------------------------------

TARGET_FIELDS = ("pitch", "site", "contact")


def create_target(session: Session, name: str, **fields) -> ConversionTarget:
    name = _need(name, "a target's name")
    unknown = set(fields) - set(TARGET_FIELDS)
    if unknown:
        raise InvalidInput(f"unknown target field(s): {', '.join(sorted(unknown))}")
    if session.exec(select(ConversionTarget).where(ConversionTarget.name == name)).first():
        raise InvalidInput(f'a conversion target named "{name}" exists; choose another name')
    now = utcnow()
    t = ConversionTarget(
        name=name,
        created_at=now,
        updated_at=now,
        **{k: (v or "").strip() for k, v in fields.items()},
    )
    session.add(t)
    session.flush()
    return t


def get_target(session: Session, target_id: int) -> ConversionTarget:
    t = session.get(ConversionTarget, target_id)
    if t is None:
        raise NotFound(f"no conversion target with id {target_id}; `inkbench target list`")
    return t


def find_target(session: Session, name_or_id: str | int) -> ConversionTarget:
    if isinstance(name_or_id, int) or str(name_or_id).isdigit():
        t = session.get(ConversionTarget, int(name_or_id))
        if t is not None:
            return t
    t = session.exec(
        select(ConversionTarget).where(ConversionTarget.name == str(name_or_id).strip())
    ).first()
    if t is None:
        raise NotFound(f'no conversion target "{name_or_id}"; `inkbench target list` shows them')
    return t


def update_target(session: Session, target_id: int, **fields) -> ConversionTarget:
    t = get_target(session, target_id)
    unknown = set(fields) - {"name", *TARGET_FIELDS}
    if unknown:
        raise InvalidInput(f"unknown target field(s): {', '.join(sorted(unknown))}")
    if "name" in fields:
        fields["name"] = _need(fields["name"], "a target's name")
        other = session.exec(
            select(ConversionTarget).where(ConversionTarget.name == fields["name"])
        ).first()
        if other is not None and other.id != t.id:
            raise InvalidInput(f'a conversion target named "{fields["name"]}" exists')
    for k, v in fields.items():
        if v is not None:
            setattr(t, k, v.strip())
    t.updated_at = utcnow()
    session.add(t)
    session.flush()
    return t


def list_targets(session: Session, *, offset: int = 0, limit: int = 200) -> list[ConversionTarget]:
    return list(
        session.exec(
            select(ConversionTarget).order_by(ConversionTarget.name).offset(offset).limit(limit)
        ).all()
    )


def delete_target(session: Session, target_id: int) -> None:
    t = get_target(session, target_id)
    refuse_if_in_use(session, "conversion_target", t.id, f'"{t.name}"')
    session.delete(t)
    session.flush()


# --- prompts ----------------------------------------------------------------------------------

_PLACEHOLDER = re.compile(r"\{\{\s*(\w+)\s*\}\}")
SOURCE_CHARS = 1200  # per passage, in the prompt


@dataclass(frozen=True)
class PromptSource:
    """A passage put in the prompt (``storage.knowledge.RetrievedChunk`` fits)."""

    document_title: str
    heading: str
    text: str


def fill(template: str, values: dict[str, str]) -> str:
    """Replace ``{{name}}`` placeholders; unknown ones are left as they are, and
    nothing in the values is expanded again (user text stays literal)."""
    return _PLACEHOLDER.sub(lambda m: str(values.get(m.group(1), m.group(0))), template)


def sources_text(sources: Sequence) -> str:
    if not sources:
        return "(none)"
    lines = []
    for n, s in enumerate(sources, 1):
        where = s.document_title + (f" › {s.heading}" if s.heading else "")
        body = s.text if len(s.text) <= SOURCE_CHARS else s.text[:SOURCE_CHARS] + "…"
        lines.append(f"[{n}] {where}\n{body}")
    return "\n\n".join(lines)


def call_to_action_text(target: ConversionTarget | None, language: str) -> str:
    if target is None:
        return ""
    parts = [target.name]
    if target.pitch:
        parts.append(target.pitch)
    contact = "; ".join(x for x in (target.site, target.contact) if x)
    if language == "zh":
        cta = f"文章最后用一小段自然地引出「{target.name}」作为行动号召"
        detail = f"（介绍：{target.pitch}）" if target.pitch else ""
        where = f"，并给出联系方式：{contact}" if contact else ""
        return cta + detail + where + "。"
    detail = f" ({target.pitch})" if target.pitch else ""
    where = f", with where to find them: {contact}" if contact else ""
    return f"End with a short, natural call to action for {target.name}{detail}{where}."


def build_messages(
    setting: ArticleSetting,
    *,
    keyword: str,
    topic: str,
    sources: Sequence = (),
    target: ConversionTarget | None = None,
) -> list[dict[str, str]]:
    """The chat messages for one article: system rules + the filled template."""
    template = setting.template.strip() or prompt_asset("template.md")
    values = {
        "keyword": keyword,
        "topic": topic,
        "style": setting.style or "clear and engaging",
        "length": str(setting.length),
        "language": LANGUAGES.get(setting.language, setting.language),
        "structure": setting.structure or "free",
        "extra_instructions": setting.extra_instructions,
        "sources": sources_text(sources),
        "call_to_action": call_to_action_text(target, setting.language),
    }
    user = re.sub(r"\n{3,}", "\n\n", fill(template, values)).strip()
    return [
        {"role": "system", "content": prompt_asset("system.md")},
        {"role": "user", "content": user},
    ]


def preview_prompt(
    session: Session,
    setting_id: int,
    *,
    keyword: str = "(keyword)",
    topic: str = "(a reader's question)",
    target_id: int | None = None,
    sources: Sequence = (),
) -> str:
    """The final prompt as the AI would receive it, for the UI and CLI."""
    setting = get_setting(session, setting_id)
    target = get_target(session, target_id) if target_id else None
    msgs = build_messages(setting, keyword=keyword, topic=topic, sources=sources, target=target)
    return "\n\n".join(f"[{m['role']}]\n{m['content']}" for m in msgs)


# --- tasks --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TaskSummary:
    id: int
    name: str
    keyword: str
    setting_name: str
    status: str
    pause_reason: str | None
    error: str | None
    article_count: int
    done_count: int
    failed_count: int
    model: str
    created_at: datetime
    knowledge_base_name: str | None = None
    album_name: str | None = None
    target_name: str | None = None


def _time(value) -> datetime:
    return datetime.fromisoformat(value) if isinstance(value, str) else value


def _summary(t: GenerationTask) -> TaskSummary:
    return TaskSummary(
        t.id,
        t.name,
        t.keyword,
        t.setting_name,
        t.status,
        t.pause_reason,
        t.error,
        t.article_count,
        t.done_count,
        t.failed_count,
        t.model,
        t.created_at,
        t.knowledge_base_name,
        t.album_name,
        t.target_name,
    )


def create_task(
    session: Session,
    *,
    distillation_id: int,
    setting_id: int,
    count: int,
    topic_ids: Sequence[int] | None = None,
    knowledge_base_id: int | None = None,
    album_id: int | None = None,
    target_id: int | None = None,
    model: str = "",
    name: str = "",
) -> GenerationTask:
    """A queued task with one item per article: the chosen topics (all by
    default) in order, cycling when ``count`` is larger."""
    if not 1 <= int(count) <= MAX_ARTICLES_PER_TASK:
        raise InvalidInput(f"the article count must be 1 to {MAX_ARTICLES_PER_TASK}")
    d = get_distillation(session, distillation_id)
    setting = get_setting(session, setting_id)
    topics = list_topics(session, d.id)
    if topic_ids:
        by_id = {t.id: t for t in topics}
        missing = [i for i in topic_ids if i not in by_id]
        if missing:
            raise InvalidInput(
                f"topic(s) {', '.join(map(str, missing))} are not in distillation {d.id}"
            )
        topics = [by_id[i] for i in dict.fromkeys(topic_ids)]
    if not topics:
        raise InvalidInput(f'distillation "{d.keyword}" has no topics; add some first')
    kb = album = target = None
    if knowledge_base_id is not None:
        kb = session.get(KnowledgeBase, knowledge_base_id)
        if kb is None or kb.deleted_at is not None:
            raise NotFound(f"no knowledge base with id {knowledge_base_id}")
    if album_id is not None:
        album = session.get(Album, album_id)
        if album is None or album.deleted_at is not None:
            raise NotFound(f"no album with id {album_id}")
    if target_id is not None:
        target = get_target(session, target_id)
    now = utcnow()
    task = GenerationTask(
        name=(name or "").strip() or f"{d.keyword} × {count}",
        distillation_id=d.id,
        setting_id=setting.id,
        album_id=album.id if album else None,
        knowledge_base_id=kb.id if kb else None,
        target_id=target.id if target else None,
        keyword=d.keyword,
        setting_name=setting.name,
        album_name=album.name if album else None,
        knowledge_base_name=kb.name if kb else None,
        target_name=target.name if target else None,
        model=model or "",
        article_count=int(count),
        status="queued",
        created_at=now,
        updated_at=now,
    )
    session.add(task)
    session.flush()
    for n in range(int(count)):
        topic = topics[n % len(topics)]
        session.add(
            GenerationItem(
                task_id=task.id,
                topic_id=topic.id,
                topic_text=topic.question,
                position=n,
                created_at=now,
            )
        )
    session.flush()
    return task


def get_task(session: Session, task_id: int) -> GenerationTask:
    t = session.get(GenerationTask, task_id)
    if t is None:
        raise NotFound(f"no generation task with id {task_id}; `inkbench task list` shows them")
    return t


def list_tasks(
    session: Session, *, offset: int = 0, limit: int = 100, status: str | None = None
) -> list[TaskSummary]:
    stmt = select(GenerationTask)
    if status:
        stmt = stmt.where(GenerationTask.status == status)
    stmt = stmt.order_by(GenerationTask.id.desc()).offset(offset).limit(limit)
    return [_summary(t) for t in session.exec(stmt).all()]


def count_tasks(session: Session, *, status: str | None = None) -> int:
    stmt = select(func.count()).select_from(GenerationTask)
    if status:
        stmt = stmt.where(GenerationTask.status == status)
    return session.exec(stmt).one()


def task_items(session: Session, task_id: int) -> list[GenerationItem]:
    return list(
        session.exec(
            select(GenerationItem)
            .where(GenerationItem.task_id == task_id)
            .order_by(GenerationItem.position)
        ).all()
    )


def item_articles(session: Session, task_id: int) -> dict[int, int]:
    """item id -> article id for the task's written items."""
    rows = session.connection().execute(
        text(
            "SELECT a.generation_item_id, a.id FROM article a JOIN generation_item i"
            " ON i.id = a.generation_item_id WHERE i.task_id = :t"
        ),
        {"t": task_id},
    )
    return {r[0]: r[1] for r in rows}


def _set_status(session: Session, task: GenerationTask, status: str, **fields) -> GenerationTask:
    task.status = status
    for k, v in fields.items():
        setattr(task, k, v)
    task.updated_at = utcnow()
    session.add(task)
    session.flush()
    return task


def pause_task(
    session: Session, task_id: int, reason: str = "user", error: str | None = None
) -> GenerationTask:
    if reason not in PAUSE_REASONS:
        raise InvalidInput(f"unknown pause reason {reason!r}")
    task = get_task(session, task_id)
    if task.status == "paused":
        if reason != "user" and task.pause_reason != "user":
            return _set_status(session, task, "paused", pause_reason=reason, error=error)
        return task
    if task.status not in ("queued", "running"):
        raise InvalidInput(f"task {task.id} is {task.status}; only a queued or running task pauses")
    return _set_status(session, task, "paused", pause_reason=reason, error=error)


def resume_task(session: Session, task_id: int) -> GenerationTask:
    task = get_task(session, task_id)
    if task.status != "paused":
        raise InvalidInput(f"task {task.id} is {task.status}, not paused")
    # items waiting out a backoff may start at once
    session.connection().execute(
        text(
            "UPDATE generation_item SET next_attempt_at = NULL"
            " WHERE task_id = :t AND status = 'pending'"
        ),
        {"t": task.id},
    )
    return _set_status(session, task, "queued", pause_reason=None, error=None)


def cancel_task(session: Session, task_id: int) -> GenerationTask:
    task = get_task(session, task_id)
    if task.status not in ACTIVE_TASK_STATUSES:
        raise InvalidInput(f"task {task.id} is already {task.status}")
    return _set_status(session, task, "cancelled", finished_at=utcnow())


def retry_failed_items(session: Session, task_id: int) -> int:
    """Failed items back to pending for one more try each, the task queued
    again. Attempts are kept, so the retry sends a new Idempotency-Key."""
    task = get_task(session, task_id)
    if task.status == "cancelled":
        raise InvalidInput(f"task {task.id} was cancelled; create a new one")
    n = (
        session.connection()
        .execute(
            text(
                "UPDATE generation_item SET status = 'pending', error = NULL,"
                " next_attempt_at = NULL WHERE task_id = :t AND status = 'failed'"
            ),
            {"t": task.id},
        )
        .rowcount
    )
    if n:
        _set_status(
            session,
            task,
            "queued",
            failed_count=max(0, task.failed_count - n),
            finished_at=None,
            error=None,
            pause_reason=None,
        )
    return n


def delete_task(session: Session, task_id: int) -> None:
    """Delete a finished task and its items (its articles stay)."""
    task = get_task(session, task_id)
    if task.status in ACTIVE_TASK_STATUSES:
        raise InvalidInput(f'task #{task.id} "{task.name}" is {task.status}; cancel it first')
    session.delete(task)
    session.flush()


# --- item transitions used by the runner (raw connection, caller's transaction) --------------


def mark_task_running(conn: sqlite3.Connection, task_id: int) -> None:
    now = db_time(utcnow())
    conn.execute(
        "UPDATE generation_task SET status = 'running', started_at = COALESCE(started_at, ?),"
        " updated_at = ? WHERE id = ? AND status = 'queued'",
        (now, now, task_id),
    )


def finish_task_if_done(conn: sqlite3.Connection, task_id: int) -> str | None:
    """Complete (or fail) the task when no item is left to do; its new status."""
    left = conn.execute(
        "SELECT count(*) FROM generation_item WHERE task_id = ?"
        " AND status IN ('pending', 'running')",
        (task_id,),
    ).fetchone()[0]
    if left:
        return None
    done, failed = conn.execute(
        "SELECT sum(status = 'done'), sum(status = 'failed') FROM generation_item"
        " WHERE task_id = ?",
        (task_id,),
    ).fetchone()
    status = "completed" if (done or 0) > 0 or not failed else "failed"
    error = None if status == "completed" else "every article failed; see the items' errors"
    now = db_time(utcnow())
    cur = conn.execute(
        "UPDATE generation_task SET status = ?, error = COALESCE(?, error), finished_at = ?,"
        " updated_at = ? WHERE id = ? AND status IN ('queued', 'running')",
        (status, error, now, now, task_id),
    )
    return status if cur.rowcount else None


def item_done(conn: sqlite3.Connection, item_id: int, task_id: int) -> None:
    now = db_time(utcnow())
    conn.execute(
        "UPDATE generation_item SET status = 'done', error = NULL, partial_text = '',"
        " lease_owner = NULL, lease_expires_at = NULL, finished_at = ? WHERE id = ?",
        (now, item_id),
    )
    conn.execute(
        "UPDATE generation_task SET done_count = (SELECT count(*) FROM generation_item"
        " WHERE task_id = ? AND status = 'done'), updated_at = ? WHERE id = ?",
        (task_id, now, task_id),
    )


def item_retry_or_fail(
    conn: sqlite3.Connection,
    item_id: int,
    task_id: int,
    error: str,
    *,
    max_attempts: int,
    backoff_s: float,
) -> bool:
    """After a failed attempt: pending again after ``backoff_s`` while attempts
    remain (True), else failed (False). The partial text stays."""
    attempts = conn.execute(
        "SELECT attempts FROM generation_item WHERE id = ?", (item_id,)
    ).fetchone()[0]
    now = utcnow()
    error = error.splitlines()[0][:500] if error else "failed"
    if attempts < max_attempts:
        conn.execute(
            "UPDATE generation_item SET status = 'pending', error = ?, lease_owner = NULL,"
            " lease_expires_at = NULL, next_attempt_at = ? WHERE id = ?",
            (error, db_time(now + timedelta(seconds=backoff_s)), item_id),
        )
        return True
    conn.execute(
        "UPDATE generation_item SET status = 'failed', error = ?, lease_owner = NULL,"
        " lease_expires_at = NULL, finished_at = ? WHERE id = ?",
        (error, db_time(now), item_id),
    )
    conn.execute(
        "UPDATE generation_task SET failed_count = failed_count + 1, updated_at = ? WHERE id = ?",
        (db_time(now), task_id),
    )
    return False


def item_release(conn: sqlite3.Connection, item_id: int, *, error: str | None = None) -> None:
    """Hand an item back untried (paused, cancelled, offline): the attempt
    does not count."""
    conn.execute(
        "UPDATE generation_item SET status = 'pending', lease_owner = NULL,"
        " lease_expires_at = NULL, attempts = MAX(attempts - 1, 0), error = COALESCE(?, error)"
        " WHERE id = ? AND status = 'running'",
        (error, item_id),
    )


def requeue_if_idle(conn: sqlite3.Connection, task_id: int | None = None) -> int:
    """A ``running`` task with no item running (its runner stopped) is
    ``queued`` again, so the list does not claim work is under way."""
    where = "" if task_id is None else " AND t.id = :task"
    cur = conn.execute(
        "UPDATE generation_task AS t SET status = 'queued', updated_at = :now"
        " WHERE t.status = 'running' AND NOT EXISTS (SELECT 1 FROM generation_item i"
        f" WHERE i.task_id = t.id AND i.status = 'running'){where}",
        {"now": db_time(utcnow()), "task": task_id},
    )
    return cur.rowcount


def save_partial(conn: sqlite3.Connection, item_id: int, owner: str, partial: str) -> bool:
    cur = conn.execute(
        "UPDATE generation_item SET partial_text = ? WHERE id = ? AND lease_owner = ?"
        " AND status = 'running'",
        (partial, item_id, owner),
    )
    return cur.rowcount == 1


# --- provenance ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Provenance:
    """Where a generated article came from (names kept even when the rows are gone)."""

    article_id: int
    origin: str
    task_id: int | None
    task_name: str | None
    keyword: str | None
    item_id: int | None
    topic: str | None
    sources: list[dict]  # position, chunk_id (None if deleted), document_title, heading
    images: list[dict]  # position, image_id, name, album, caption


def article_provenance(conn: sqlite3.Connection, article_id: int) -> Provenance:
    row = conn.execute(
        "SELECT a.origin, a.generation_item_id, t.id, t.name, t.keyword,"
        " coalesce(tp.question, i.topic_text) FROM article a"
        " LEFT JOIN generation_item i ON i.id = a.generation_item_id"
        " LEFT JOIN generation_task t ON t.id = i.task_id"
        " LEFT JOIN topic tp ON tp.id = a.topic_id WHERE a.id = ?",
        (article_id,),
    ).fetchone()
    if row is None:
        raise NotFound(f"no article with id {article_id}; `inkbench article list` shows them")
    origin, item_id, task_id, task_name, keyword, topic = row
    sources = [
        {"position": p, "chunk_id": c, "document_title": d, "heading": h or ""}
        for p, c, d, h in conn.execute(
            "SELECT s.position, s.chunk_id, s.document_title, k.heading FROM article_source s"
            " LEFT JOIN kb_chunk k ON k.id = s.chunk_id WHERE s.article_id = ?"
            " ORDER BY s.position",
            (article_id,),
        )
    ]
    images = [
        {"position": p, "image_id": i, "name": n, "album": al, "caption": c}
        for p, i, n, al, c in conn.execute(
            "SELECT ai.position, im.id, im.original_name, al.name, ai.caption"
            " FROM article_image ai JOIN image im ON im.id = ai.image_id"
            " JOIN album al ON al.id = im.album_id WHERE ai.article_id = ?"
            " ORDER BY ai.position",
            (article_id,),
        )
    ]
    return Provenance(
        article_id, origin, task_id, task_name, keyword, item_id, topic, sources, images
    )
