"""Every entity Inkbench keeps, in one SQLite database with real foreign keys.

Conventions:
- ``id`` integer primary keys; times are aware UTC ``datetime`` (stored as UTC text).
- Trashable entities carry ``deleted_at``; a row with it set is in the Trash.
  Children of a trashed row stay as they are and come back with it.
- Every reference is a foreign key with the ON DELETE rule it needs: owned
  rows CASCADE; references from generation tasks SET NULL, and the task keeps
  the names it shows (``*_name`` columns) so it stays readable.
- Enumerations are stored as text and checked by CHECK constraints.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Text,
    UniqueConstraint,
    text,
)
from sqlmodel import Field, SQLModel

# re-exported: the vocabulary lives in storage.vocab (no ORM needed to use it)
from inkbench.storage.vocab import (
    ACTIVE_TASK_STATUSES,  # noqa: F401
    ARTICLE_ORIGINS,  # noqa: F401
    ARTICLE_STATUSES,  # noqa: F401
    CHAPTER_STATUSES,  # noqa: F401
    CHARACTER_ROLES,  # noqa: F401
    CHAT_ATTACHMENT_KINDS,  # noqa: F401
    CHAT_ROLES,  # noqa: F401
    CHAT_STATUSES,  # noqa: F401
    ITEM_STATUSES,  # noqa: F401
    OCR_STATUSES,  # noqa: F401
    PUBLICATION_STATUSES,  # noqa: F401
    PUBLISH_KINDS,  # noqa: F401
    REVISION_KINDS,  # noqa: F401
    TASK_STATUSES,  # noqa: F401
    WORK_STATUSES,  # noqa: F401
    WORLD_CATEGORIES,  # noqa: F401
    db_time,  # noqa: F401
    utcnow,  # noqa: F401
)

# Named constraints so that Alembic batch migrations can address them later.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata: MetaData = SQLModel.metadata


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def fk(target: str, ondelete: str, *, nullable: bool = True, index: bool = True) -> Column:
    """A foreign-key column: ``fk("album.id", "CASCADE", nullable=False)``."""
    return Column(Integer, ForeignKey(target, ondelete=ondelete), nullable=nullable, index=index)


def blob_fk(*, nullable: bool = True) -> Column:
    return Column(
        Text, ForeignKey("blob.sha256", ondelete="RESTRICT"), nullable=nullable, index=True
    )


class Blob(SQLModel, table=True):
    """A file in the content-addressed store (``blobs/ab/cdef…``)."""

    sha256: str = Field(primary_key=True, max_length=64)
    size: int
    created_at: datetime = Field(default_factory=utcnow)


# --- articles ------------------------------------------------------------------


class Article(SQLModel, table=True):
    __table_args__ = (
        CheckConstraint(_in("status", ARTICLE_STATUSES), name="status"),
        CheckConstraint(_in("origin", ARTICLE_ORIGINS), name="origin"),
        # one index per list order the Articles area offers (tui/sources.py)
        Index("ix_article_live_updated", "deleted_at", "updated_at"),
        Index("ix_article_live_title", "deleted_at", text("title COLLATE NOCASE"), "id"),
        Index("ix_article_live_words", "deleted_at", "word_count", "id"),
        Index("ix_article_live_status", "deleted_at", "status", text("id DESC")),
    )

    id: int | None = Field(default=None, primary_key=True)
    title: str
    body: str = ""
    status: str = "draft"
    word_count: int = 0
    origin: str = "manual"
    source_path: str | None = None
    generation_item_id: int | None = Field(
        default=None, sa_column=fk("generation_item.id", "SET NULL")
    )
    topic_id: int | None = Field(default=None, sa_column=fk("topic.id", "SET NULL"))
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    deleted_at: datetime | None = None


class ArticleRevision(SQLModel, table=True):
    __tablename__ = "article_revision"
    __table_args__ = (CheckConstraint(_in("kind", REVISION_KINDS), name="kind"),)

    id: int | None = Field(default=None, primary_key=True)
    article_id: int = Field(sa_column=fk("article.id", "CASCADE", nullable=False))
    kind: str
    title: str
    body: str
    word_count: int = 0
    # the AI request that wrote an ``ai`` revision
    ai_request_id: int | None = Field(default=None, sa_column=fk("ai_request.id", "SET NULL"))
    created_at: datetime = Field(default_factory=utcnow)


class ArticleImage(SQLModel, table=True):
    """An illustration used by an article, in order."""

    __tablename__ = "article_image"

    id: int | None = Field(default=None, primary_key=True)
    article_id: int = Field(sa_column=fk("article.id", "CASCADE", nullable=False))
    image_id: int = Field(sa_column=fk("image.id", "CASCADE", nullable=False))
    position: int = 0
    caption: str = ""


class ArticleSource(SQLModel, table=True):
    """A knowledge-base passage a generated article was grounded in."""

    __tablename__ = "article_source"

    id: int | None = Field(default=None, primary_key=True)
    article_id: int = Field(sa_column=fk("article.id", "CASCADE", nullable=False))
    chunk_id: int | None = Field(default=None, sa_column=fk("kb_chunk.id", "SET NULL"))
    document_title: str = ""
    position: int = 0


# --- albums and images -----------------------------------------------------------


class Album(SQLModel, table=True):
    __table_args__ = (
        Index("uq_album_live_name", "name", unique=True, sqlite_where=text("deleted_at IS NULL")),
    )

    id: int | None = Field(default=None, primary_key=True)
    name: str
    description: str = ""
    ocr_engine: str | None = None  # tesseract, ppocr or auto; None: config.toml's default
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    deleted_at: datetime | None = None


class Image(SQLModel, table=True):
    __table_args__ = (
        CheckConstraint(_in("ocr_status", OCR_STATUSES), name="ocr_status"),
        Index("uq_image_album_blob", "album_id", "blob_sha", unique=True),
        Index("ix_image_ocr_queue", "ocr_status", "ocr_next_attempt_at"),
        # per-album counts and OCR progress from the index alone
        Index("ix_image_album_live_ocr", "album_id", "deleted_at", "ocr_status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    album_id: int = Field(sa_column=fk("album.id", "CASCADE", nullable=False, index=False))
    blob_sha: str = Field(sa_column=blob_fk(nullable=False))
    thumb_sha: str | None = Field(default=None, sa_column=blob_fk())
    original_name: str
    size_bytes: int = 0
    width: int | None = None
    height: int | None = None
    format: str | None = None
    taken_at: datetime | None = None
    orientation: int | None = None
    ocr_status: str = "pending"
    ocr_text: str | None = None
    ocr_lang: str | None = None
    ocr_confidence: float | None = None
    ocr_error: str | None = None
    ocr_attempts: int = 0
    ocr_next_attempt_at: datetime | None = None
    ocr_lease_owner: str | None = None
    ocr_lease_expires_at: datetime | None = None
    ocr_started_at: datetime | None = None
    ocr_finished_at: datetime | None = None
    ocr_engine: str | None = None  # the engine that read the text (tesseract, ppocr)
    ocr_model: str | None = None  # its models and version
    ocr_boxes: str | None = None  # JSON: the lines in reading order with their boxes
    ocr_previous_text: str | None = None  # what an earlier read found (ocr run --again)
    created_at: datetime = Field(default_factory=utcnow)
    deleted_at: datetime | None = None


# --- knowledge bases ---------------------------------------------------------------


class KnowledgeBase(SQLModel, table=True):
    __tablename__ = "knowledge_base"
    __table_args__ = (
        Index(
            "uq_knowledge_base_live_name",
            "name",
            unique=True,
            sqlite_where=text("deleted_at IS NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    name: str
    description: str = ""
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    deleted_at: datetime | None = None


class KbDocument(SQLModel, table=True):
    __tablename__ = "kb_document"
    __table_args__ = (Index("uq_kb_document_kb_blob", "kb_id", "blob_sha", unique=True),)

    id: int | None = Field(default=None, primary_key=True)
    kb_id: int = Field(sa_column=fk("knowledge_base.id", "CASCADE", nullable=False, index=False))
    title: str
    source: str = ""
    blob_sha: str | None = Field(default=None, sa_column=blob_fk())
    format: str = "text"
    text: str = ""
    char_count: int = 0
    created_at: datetime = Field(default_factory=utcnow)
    deleted_at: datetime | None = None


class KbChunk(SQLModel, table=True):
    __tablename__ = "kb_chunk"
    __table_args__ = (Index("uq_kb_chunk_doc_position", "document_id", "position", unique=True),)

    id: int | None = Field(default=None, primary_key=True)
    document_id: int = Field(sa_column=fk("kb_document.id", "CASCADE", nullable=False, index=False))
    position: int
    heading: str = ""
    text: str
    char_count: int = 0


# --- novels ---------------------------------------------------------------------------


class Work(SQLModel, table=True):
    __table_args__ = (CheckConstraint(_in("status", WORK_STATUSES), name="status"),)

    id: int | None = Field(default=None, primary_key=True)
    title: str
    genre: str = ""
    status: str = "drafting"
    word_goal: int = 0
    description: str = ""
    # how new chapters are titled: "{n}" is their number ("第{n}章", "Chapter {n}")
    chapter_naming: str = ""
    # bumped on every change to a name or alias in the bible: mention matchers
    # built for an older version are stale
    bible_version: int = 0
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    deleted_at: datetime | None = None


class Chapter(SQLModel, table=True):
    __table_args__ = (
        CheckConstraint(_in("status", CHAPTER_STATUSES), name="status"),
        Index("ix_chapter_work_position", "work_id", "position"),
    )

    id: int | None = Field(default=None, primary_key=True)
    work_id: int = Field(sa_column=fk("work.id", "CASCADE", nullable=False, index=False))
    title: str
    body: str = ""
    position: int = 0
    word_count: int = 0
    status: str = "draft"
    synopsis: str = ""
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    deleted_at: datetime | None = None


class ChapterRevision(SQLModel, table=True):
    __tablename__ = "chapter_revision"
    __table_args__ = (CheckConstraint(_in("kind", REVISION_KINDS), name="kind"),)

    id: int | None = Field(default=None, primary_key=True)
    chapter_id: int = Field(sa_column=fk("chapter.id", "CASCADE", nullable=False))
    kind: str
    title: str
    body: str
    word_count: int = 0
    # the AI request that wrote an ``ai`` revision
    ai_request_id: int | None = Field(default=None, sa_column=fk("ai_request.id", "SET NULL"))
    created_at: datetime = Field(default_factory=utcnow)


# --- the story bible ---------------------------------------------------------------


def _one_of(a: str, b: str) -> str:
    return f"({a} IS NULL) <> ({b} IS NULL)"


class Character(SQLModel, table=True):
    """A person in a work. Its name and aliases live in ``bible_name``."""

    __table_args__ = (CheckConstraint(_in("role", CHARACTER_ROLES), name="role"),)

    id: int | None = Field(default=None, primary_key=True)
    work_id: int = Field(sa_column=fk("work.id", "CASCADE", nullable=False))
    name: str
    role: str = "supporting"
    description: str = ""
    age: str = ""
    gender: str = ""
    appearance: str = ""
    personality: str = ""
    background: str = ""
    motivation: str = ""
    flaws: str = ""
    strengths: str = ""
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    deleted_at: datetime | None = None


class CharacterRelation(SQLModel, table=True):
    """Two characters of one work and how they relate; listed from both sides."""

    __tablename__ = "character_relation"
    __table_args__ = (
        CheckConstraint("character_a_id <> character_b_id", name="distinct"),
        UniqueConstraint("character_a_id", "character_b_id", "kind", name="uq_character_relation"),
    )

    id: int | None = Field(default=None, primary_key=True)
    character_a_id: int = Field(sa_column=fk("character.id", "CASCADE", nullable=False))
    character_b_id: int = Field(sa_column=fk("character.id", "CASCADE", nullable=False))
    kind: str
    note: str = ""
    created_at: datetime = Field(default_factory=utcnow)


class WorldEntry(SQLModel, table=True):
    """A place, organisation, item … of a work's world; entries form a tree."""

    __tablename__ = "world_entry"
    __table_args__ = (CheckConstraint(_in("category", WORLD_CATEGORIES), name="category"),)

    id: int | None = Field(default=None, primary_key=True)
    work_id: int = Field(sa_column=fk("work.id", "CASCADE", nullable=False))
    parent_id: int | None = Field(default=None, sa_column=fk("world_entry.id", "SET NULL"))
    category: str = "other"
    title: str
    content: str = ""
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    deleted_at: datetime | None = None


class WorldEntryCharacter(SQLModel, table=True):
    """Characters linked to a world entry (members of an order, people of a city)."""

    __tablename__ = "world_entry_character"

    world_entry_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("world_entry.id", ondelete="CASCADE"), primary_key=True
        )
    )
    character_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("character.id", ondelete="CASCADE"), primary_key=True, index=True
        )
    )


class BibleName(SQLModel, table=True):
    """Every name and alias of a work's characters and world entries, unique
    within the work, so one name always means one entry."""

    __tablename__ = "bible_name"
    __table_args__ = (
        CheckConstraint(_one_of("character_id", "world_entry_id"), name="owner"),
        UniqueConstraint("work_id", "name", name="uq_bible_name_work_name"),
    )

    id: int | None = Field(default=None, primary_key=True)
    work_id: int = Field(sa_column=fk("work.id", "CASCADE", nullable=False, index=False))
    character_id: int | None = Field(default=None, sa_column=fk("character.id", "CASCADE"))
    world_entry_id: int | None = Field(default=None, sa_column=fk("world_entry.id", "CASCADE"))
    name: str
    is_alias: bool = False


class Scene(SQLModel, table=True):
    """A part of a chapter. Its place is a marker line in the chapter's text
    (``<!-- scene:ID -->``, see ``storage.scenes``), so it moves with the text
    around it; ``position`` caches the marker's order for lists."""

    id: int | None = Field(default=None, primary_key=True)
    chapter_id: int = Field(sa_column=fk("chapter.id", "CASCADE", nullable=False))
    position: int = 0
    synopsis: str = ""
    location_id: int | None = Field(default=None, sa_column=fk("world_entry.id", "SET NULL"))
    time: str = ""
    mood: str = ""
    # words of the scene's text (to the next marker), kept by sync_positions
    word_count: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class SceneCharacter(SQLModel, table=True):
    __tablename__ = "scene_character"

    scene_id: int = Field(
        sa_column=Column(Integer, ForeignKey("scene.id", ondelete="CASCADE"), primary_key=True)
    )
    character_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("character.id", ondelete="CASCADE"), primary_key=True, index=True
        )
    )


class Tag(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("work_id", "name", name="uq_tag_work_name"),)

    id: int | None = Field(default=None, primary_key=True)
    work_id: int = Field(sa_column=fk("work.id", "CASCADE", nullable=False, index=False))
    name: str
    color: str = ""
    description: str = ""
    created_at: datetime = Field(default_factory=utcnow)


class ChapterTag(SQLModel, table=True):
    __tablename__ = "chapter_tag"

    chapter_id: int = Field(
        sa_column=Column(Integer, ForeignKey("chapter.id", ondelete="CASCADE"), primary_key=True)
    )
    tag_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("tag.id", ondelete="CASCADE"), primary_key=True, index=True
        )
    )


class SceneTag(SQLModel, table=True):
    __tablename__ = "scene_tag"

    scene_id: int = Field(
        sa_column=Column(Integer, ForeignKey("scene.id", ondelete="CASCADE"), primary_key=True)
    )
    tag_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("tag.id", ondelete="CASCADE"), primary_key=True, index=True
        )
    )


class Mention(SQLModel, table=True):
    """Where the text names a bible entry: per chapter, how often and first
    where (a character offset into the chapter's text). Computed from the
    text on every save, never typed."""

    __table_args__ = (
        CheckConstraint(_one_of("character_id", "world_entry_id"), name="owner"),
        # covering: a chapter's names, and the outline's read of a whole work,
        # never visit the table (migration 0003)
        Index(
            "ix_mention_chapter_names",
            "chapter_id",
            text("count DESC"),
            "first_position",
            "character_id",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    chapter_id: int = Field(sa_column=fk("chapter.id", "CASCADE", nullable=False, index=False))
    character_id: int | None = Field(default=None, sa_column=fk("character.id", "CASCADE"))
    world_entry_id: int | None = Field(default=None, sa_column=fk("world_entry.id", "CASCADE"))
    count: int
    first_position: int


class WritingDay(SQLModel, table=True):
    """Words added to a work on one (local) day, from its saves."""

    __tablename__ = "writing_day"

    work_id: int = Field(
        sa_column=Column(Integer, ForeignKey("work.id", ondelete="CASCADE"), primary_key=True)
    )
    day: str = Field(sa_column=Column(Text, primary_key=True))  # YYYY-MM-DD
    words_added: int = 0


# --- generation inputs --------------------------------------------------------------


class Distillation(SQLModel, table=True):
    """A keyword and the reader questions (topics) derived from it."""

    id: int | None = Field(default=None, primary_key=True)
    keyword: str
    model: str = ""
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class Topic(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    distillation_id: int = Field(sa_column=fk("distillation.id", "CASCADE", nullable=False))
    question: str
    position: int = 0
    created_at: datetime = Field(default_factory=utcnow)


class ArticleSetting(SQLModel, table=True):
    """A named prompt template."""

    __tablename__ = "article_setting"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_column_kwargs={"unique": True})
    style: str = ""
    length: int = 800  # target length in words (CJK characters count one each)
    language: str = "zh"
    structure: str = ""
    extra_instructions: str = ""
    template: str = ""
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class ConversionTarget(SQLModel, table=True):
    """The company or product an article promotes in its call to action."""

    __tablename__ = "conversion_target"

    id: int | None = Field(default=None, primary_key=True)
    name: str
    pitch: str = ""
    site: str = ""
    contact: str = ""
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


# --- generation -------------------------------------------------------------------------


class GenerationTask(SQLModel, table=True):
    __tablename__ = "generation_task"
    __table_args__ = (CheckConstraint(_in("status", TASK_STATUSES), name="status"),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = ""
    distillation_id: int | None = Field(default=None, sa_column=fk("distillation.id", "SET NULL"))
    setting_id: int | None = Field(default=None, sa_column=fk("article_setting.id", "SET NULL"))
    album_id: int | None = Field(default=None, sa_column=fk("album.id", "SET NULL"))
    knowledge_base_id: int | None = Field(
        default=None, sa_column=fk("knowledge_base.id", "SET NULL")
    )
    target_id: int | None = Field(default=None, sa_column=fk("conversion_target.id", "SET NULL"))
    # names kept so a finished task stays readable after its inputs are deleted
    keyword: str = ""
    setting_name: str = ""
    album_name: str | None = None
    knowledge_base_name: str | None = None
    target_name: str | None = None
    model: str = ""
    article_count: int = 1
    status: str = "queued"
    pause_reason: str | None = None
    error: str | None = None
    done_count: int = 0
    failed_count: int = 0
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    started_at: datetime | None = None
    finished_at: datetime | None = None


class GenerationItem(SQLModel, table=True):
    """One article to write. The resulting article points back here."""

    __tablename__ = "generation_item"
    __table_args__ = (
        CheckConstraint(_in("status", ITEM_STATUSES), name="status"),
        Index("ix_generation_item_queue", "status", "next_attempt_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    task_id: int = Field(sa_column=fk("generation_task.id", "CASCADE", nullable=False))
    topic_id: int | None = Field(default=None, sa_column=fk("topic.id", "SET NULL"))
    topic_text: str = ""
    position: int = 0
    status: str = "pending"
    attempts: int = 0
    error: str | None = None
    partial_text: str = ""
    next_attempt_at: datetime | None = None
    lease_owner: str | None = None
    lease_expires_at: datetime | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)


class AiRequest(SQLModel, table=True):
    """Usage log: one row per AI call, linked to what it served."""

    __tablename__ = "ai_request"

    id: int | None = Field(default=None, primary_key=True)
    generation_item_id: int | None = Field(
        default=None, sa_column=fk("generation_item.id", "SET NULL")
    )
    work_id: int | None = Field(default=None, sa_column=fk("work.id", "SET NULL"))
    chapter_id: int | None = Field(default=None, sa_column=fk("chapter.id", "SET NULL"))
    article_id: int | None = Field(default=None, sa_column=fk("article.id", "SET NULL"))
    conversation_id: int | None = Field(default=None, sa_column=fk("conversation.id", "SET NULL"))
    assistant_id: int | None = Field(default=None, sa_column=fk("assistant.id", "SET NULL"))
    # what the request was for: continue, polish, …, chat, generate, distill
    request_type: str = "generate"
    purpose: str = "generate"  # how the server counts it: generate, distill, chat
    provider: str = ""  # server, direct
    model: str = ""
    prompt_tokens: int = 0
    completion_tokens: int = 0
    duration_ms: int = 0
    status: str = "ok"  # ok, error, incomplete, cancelled
    error: str | None = None
    idempotency_key: str | None = None
    partial_reply: str | None = None  # what arrived of a reply cut off mid-stream
    created_at: datetime = Field(default_factory=utcnow, index=True)


# --- assistants and chat -------------------------------------------------------------


class Assistant(SQLModel, table=True):
    """A persona with its own system prompt: built-ins come from
    ``assets/assistants/*.toml``; users add their own. ``name`` is how the
    command line and the keys address it."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_column=Column(Text, nullable=False, unique=True))
    title: str = ""
    title_zh: str = ""
    description: str = ""
    description_zh: str = ""
    system_prompt: str
    system_prompt_zh: str = ""
    temperature: float | None = None
    max_tokens: int | None = None
    model: str | None = None
    examples: str = "[]"  # JSON: [{"user": ..., "assistant": ...}, ...]
    builtin: bool = False
    uses: int = 0
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class Conversation(SQLModel, table=True):
    """A chat kept only in this database, optionally bound to what it is about."""

    id: int | None = Field(default=None, primary_key=True)
    title: str = ""
    work_id: int | None = Field(default=None, sa_column=fk("work.id", "SET NULL"))
    chapter_id: int | None = Field(default=None, sa_column=fk("chapter.id", "SET NULL"))
    article_id: int | None = Field(default=None, sa_column=fk("article.id", "SET NULL"))
    knowledge_base_id: int | None = Field(
        default=None, sa_column=fk("knowledge_base.id", "SET NULL")
    )
    assistant_id: int | None = Field(default=None, sa_column=fk("assistant.id", "SET NULL"))
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    # the system prompt to send instead of the assistant's (an assist request
    # queued offline keeps the context it was assembled with)
    system_prompt: str | None = None


class ChatMessage(SQLModel, table=True):
    """One message of a conversation. A user message waits as ``queued``
    (with the Idempotency-Key its reply is asked with) until its reply is
    stored; the reply is an ``assistant`` message."""

    __tablename__ = "chat_message"
    __table_args__ = (
        CheckConstraint(_in("role", CHAT_ROLES), name="role"),
        CheckConstraint(_in("status", CHAT_STATUSES), name="status"),
        Index("ix_chat_message_conversation", "conversation_id", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    conversation_id: int = Field(
        sa_column=fk("conversation.id", "CASCADE", nullable=False, index=False)
    )
    role: str
    content: str = ""
    status: str = "done"
    idempotency_key: str | None = None
    ai_request_id: int | None = Field(default=None, sa_column=fk("ai_request.id", "SET NULL"))
    error: str | None = None
    created_at: datetime = Field(default_factory=utcnow)
    # set when an edit or a regenerate replaced this message's branch: the
    # id of the user message sent instead (the message is kept, not shown as current)
    superseded_by: int | None = None


class ChatAttachment(SQLModel, table=True):
    """Context attached to a user message (a chapter, an article, a bible
    entry, a knowledge passage): its text as it was when attached, so a
    resend sends the same thing."""

    __tablename__ = "chat_attachment"
    __table_args__ = (
        CheckConstraint(_in("kind", CHAT_ATTACHMENT_KINDS), name="kind"),
        Index("ix_chat_attachment_message", "message_id", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    message_id: int = Field(sa_column=fk("chat_message.id", "CASCADE", nullable=False, index=False))
    kind: str
    ref_id: int
    title: str = ""
    content: str = ""
    cut: int = 0  # characters left out to keep it within the limit


# --- publishing ---------------------------------------------------------------------


class PublishAccount(SQLModel, table=True):
    """Where articles can be published. The secret (password, application
    password, webhook key) is in the keyring, never here. A paused account
    (its credentials were refused) takes no work until tested again."""

    __tablename__ = "publish_account"
    __table_args__ = (CheckConstraint(_in("kind", PUBLISH_KINDS), name="kind"),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_column=Column(Text, nullable=False, unique=True))
    kind: str
    url: str | None = None
    user: str | None = None
    format: str | None = None  # folder: hugo | hexo | jekyll; webhook: base64 | urls
    path: str | None = None  # folder: the site folder
    git_commit: bool = False
    paused: bool = False
    pause_reason: str | None = None
    created_at: datetime = Field(default_factory=utcnow)


class Publication(SQLModel, table=True):
    """One article to publish to one account, leased like generation items.

    ``marker`` is set when the row is made and stored on the remote post, so
    a retry after a crash finds the post it already made. The account name is
    kept so history stays readable after the account is removed."""

    __table_args__ = (
        CheckConstraint(_in("status", PUBLICATION_STATUSES), name="status"),
        Index("ix_publication_queue", "status", "next_attempt_at"),
        Index("ix_publication_article_account", "article_id", "account_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    article_id: int = Field(sa_column=fk("article.id", "CASCADE", nullable=False, index=False))
    account_id: int | None = Field(default=None, sa_column=fk("publish_account.id", "SET NULL"))
    account_name: str = ""
    status: str = "queued"
    draft: bool = False
    scheduled_at: datetime | None = None
    attempts: int = 0
    next_attempt_at: datetime | None = None
    last_error: str | None = None
    marker: str = Field(index=True)
    remote_id: str | None = None
    url: str | None = None
    published_revision_id: int | None = Field(
        default=None, sa_column=fk("article_revision.id", "SET NULL")
    )
    lease_owner: str | None = None
    lease_expires_at: datetime | None = None
    started_at: datetime | None = None
    published_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class PublishedMedia(SQLModel, table=True):
    """A stored file already uploaded to an account: its remote URL, so each
    image is uploaded once per account."""

    __tablename__ = "published_media"
    __table_args__ = (
        UniqueConstraint("account_id", "blob_sha", name="uq_published_media_account_blob"),
    )

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(
        sa_column=fk("publish_account.id", "CASCADE", nullable=False, index=False)
    )
    blob_sha: str = Field(
        sa_column=Column(
            Text, ForeignKey("blob.sha256", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    remote_url: str
    created_at: datetime = Field(default_factory=utcnow)


# Trashable entities: name -> model (CLI and TUI address them by these names).
TRASHABLE: dict[str, type[SQLModel]] = {
    "article": Article,
    "work": Work,
    "chapter": Chapter,
    "album": Album,
    "image": Image,
    "knowledge_base": KnowledgeBase,
    "kb_document": KbDocument,
    "character": Character,
    "world_entry": WorldEntry,
}
