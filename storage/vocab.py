"""The enumerations and time format every layer shares. Standard library only,
so worker processes and the TUI's first screen can use them without loading
SQLAlchemy (``storage.models`` re-exports them)."""

from __future__ import annotations

from datetime import UTC, datetime

ARTICLE_STATUSES = ("draft", "ready", "published", "archived")
ARTICLE_ORIGINS = ("manual", "generated", "imported")
REVISION_KINDS = ("manual", "autosave", "ai", "restore")
OCR_STATUSES = ("pending", "running", "done", "no_text", "failed")
WORK_STATUSES = ("planning", "drafting", "revising", "complete", "abandoned")
CHAPTER_STATUSES = ("draft", "revised", "final")
TASK_STATUSES = ("queued", "running", "paused", "completed", "failed", "cancelled")
ACTIVE_TASK_STATUSES = ("queued", "running", "paused")
ITEM_STATUSES = ("pending", "running", "done", "failed")
CHAT_ROLES = ("user", "assistant")
# queued: waiting to be sent (offline, quota spent, logged out, or interrupted);
# done: answered (user) or complete (assistant); incomplete: a reply cut off
# mid-stream; error: the request failed for good (bad request)
CHAT_STATUSES = ("queued", "done", "incomplete", "error")
# publishing: queued → publishing → published | failed | cancelled
PUBLICATION_STATUSES = ("queued", "publishing", "published", "failed", "cancelled")
ACTIVE_PUBLICATION_STATUSES = ("queued", "publishing")
PUBLISH_KINDS = ("wordpress", "metaweblog", "folder", "webhook")
# what can be attached to a chat message as context (kb: a knowledge passage)
CHAT_ATTACHMENT_KINDS = ("chapter", "article", "character", "world", "kb")
CHARACTER_ROLES = ("protagonist", "antagonist", "supporting", "minor")
#: how `inkbench usage` groups AI requests (storage.ai_usage.GROUPS: their SQL)
USAGE_GROUPS = ("day", "model", "assistant", "purpose")
#: what a character records besides its name (all free text)
CHARACTER_ATTRIBUTES = (
    "description",
    "age",
    "gender",
    "appearance",
    "personality",
    "background",
    "motivation",
    "flaws",
    "strengths",
)
WORLD_CATEGORIES = (
    "geography",
    "history",
    "culture",
    "organisation",
    "magic",
    "technology",
    "item",
    "other",
)


def utcnow() -> datetime:
    return datetime.now(UTC)


def db_time(moment: datetime) -> str:
    """A time as stored in SQLite (UTC, no offset), for raw SQL comparisons."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
