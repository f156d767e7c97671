"""The enumerations and time format every layer shares, and their names in the
interface's language. Standard library (and ``inkbench.i18n``) only,
so worker processes and the TUI's first screen can use them without loading
SQLAlchemy (``storage.models`` re-exports them)."""

from __future__ import annotations

from datetime import UTC, datetime

from inkbench.i18n import pgettext

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


def status_name(status: str) -> str:
    """A stored status (``draft``, ``no_text``, ``paused``…) as the user reads it."""
    names = {
        "draft": pgettext("status", "draft"),
        "ready": pgettext("status", "ready"),
        "published": pgettext("status", "published"),
        "archived": pgettext("status", "archived"),
        "pending": pgettext("status", "pending"),
        "running": pgettext("status", "running"),
        "done": pgettext("status", "done"),
        "no_text": pgettext("status", "no text"),
        "no text": pgettext("status", "no text"),
        "failed": pgettext("status", "failed"),
        "planning": pgettext("status", "planning"),
        "drafting": pgettext("status", "drafting"),
        "revising": pgettext("status", "revising"),
        "complete": pgettext("status", "complete"),
        "abandoned": pgettext("status", "abandoned"),
        "revised": pgettext("status", "revised"),
        "final": pgettext("status", "final"),
        "queued": pgettext("status", "queued"),
        "paused": pgettext("status", "paused"),
        "completed": pgettext("status", "completed"),
        "cancelled": pgettext("status", "cancelled"),
        "incomplete": pgettext("status", "incomplete"),
        "error": pgettext("status", "error"),
        "publishing": pgettext("status", "publishing"),
        "retry": pgettext("status", "retry"),
        "lost": pgettext("status", "left to another worker"),
    }
    word, paren, rest = status.partition(" (")
    if word in names:
        return names[word] + paren + rest
    return names.get(status, status)


def origin_name(origin: str) -> str:
    """Where an article came from (``manual``, ``generated``, ``imported``) as the user reads it."""
    names = {
        "manual": pgettext("origin", "written by hand"),
        "generated": pgettext("origin", "generated"),
        "imported": pgettext("origin", "imported"),
    }
    return names.get(origin, origin)


def document_format_name(fmt: str) -> str:
    """A knowledge document's stored format (``markdown``, ``text``, ``pdf``…) as
    the user reads it: names of formats as written, plain text in words."""
    names = {
        "markdown": "Markdown",
        "text": pgettext("format", "text"),
        "html": "HTML",
        "pdf": "PDF",
        "docx": "Word",
    }
    return names.get(fmt, fmt)


def account_kind_name(kind: str) -> str:
    """A publishing account's kind (``wordpress``, ``folder``…) as the user
    reads it: the names of blog systems as written, the rest in words."""
    names = {
        "wordpress": "WordPress",
        "metaweblog": "MetaWeblog",
        "folder": pgettext("kind", "site folder"),
        "webhook": "Webhook",
    }
    return names.get(kind, kind)


def purpose_name(purpose: str) -> str:
    """What an AI request was for (``chat``, ``distill``, ``generate``), as the
    usage report groups it."""
    names = {
        "chat": pgettext("purpose", "chat"),
        "distill": pgettext("purpose", "distilling topics"),
        "generate": pgettext("purpose", "generating articles"),
    }
    return names.get(purpose, purpose)
