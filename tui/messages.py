"""App-wide messages. Post them from anywhere, including a thread worker
(``post_message`` is thread-safe): ``self.app.post_message(JobProgress(...))``.

The app handles each one and updates the status bar; nothing else is needed.

Status bar feed (any area, any worker):

- ``ConnectivityChanged(online, detail="")``  online/offline dot + reason
- ``AccountChanged(username, plan="", quota="")``  who is logged in and what is left
  (``username=None``: logged out)
- ``ServerWarning(message)``  the account server is plain http:// on another
  machine (``integrations.ai.plain_http``): one warning notice a session
- ``JobProgress(job_id, label, done, total=None)``  a background job's progress;
  ``total=None`` for "done so far" without a known end. Replaces older
  progress for the same job (``can_replace``), so post as often as you like.
- ``JobFinished(job_id, label, ok=True, message="")``  removes the job; a
  message (e.g. "12 images read") is shown as a notice, an error one as an
  error notice. Messages are shown literally, never parsed as markup.
- ``JobFailed(job_id, label, message)``  a job raised (``tui.jobs`` posts it
  after logging the traceback): one error notice.

Long jobs do not post these by hand: ``app.jobs.start(...)`` (``tui.jobs``)
posts them for the function it runs.

Documents (editors and autosave):

- ``DocumentSaved`` / ``DocumentSaveFailed``: the result of a save worker,
  routed by the app to the open editor of that document.
- ``OpenDocument(kind, id, line=None, column=None)``: open the article or
  chapter editor (from search, lists, the palette, other areas).
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message


class ConnectivityChanged(Message):
    def __init__(self, online: bool, detail: str = "") -> None:
        super().__init__()
        self.online = online
        self.detail = detail


class ServerWarning(Message):
    """A one-line warning about the account server (shown literally)."""

    def __init__(self, message: str) -> None:
        super().__init__()
        self.message = message


class AccountChanged(Message):
    def __init__(self, username: str | None, plan: str = "", quota: str = "") -> None:
        super().__init__()
        self.username = username
        self.plan = plan
        self.quota = quota


class JobProgress(Message):
    def __init__(self, job_id: str, label: str, done: float, total: float | None = None) -> None:
        super().__init__()
        self.job_id = job_id
        self.label = label
        self.done = done
        self.total = total

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, JobProgress) and message.job_id == self.job_id


class JobFinished(Message):
    def __init__(self, job_id: str, label: str, ok: bool = True, message: str = "") -> None:
        super().__init__()
        self.job_id = job_id
        self.label = label
        self.ok = ok
        self.message = message


class JobFailed(Message):
    """A job of ``tui.jobs`` raised: ``message`` says what failed and what to do."""

    def __init__(self, job_id: str, label: str, message: str) -> None:
        super().__init__()
        self.job_id = job_id
        self.label = label
        self.message = message


@dataclass(frozen=True)
class DocRef:
    """An article or a chapter."""

    kind: str  # "article" | "chapter"
    id: int


class DocumentSaved(Message, bubble=False):
    def __init__(self, doc: DocRef, version: int, revision_kind: str, word_count: int) -> None:
        super().__init__()
        self.doc = doc
        self.version = version
        self.revision_kind = revision_kind
        self.word_count = word_count


class DocumentSaveFailed(Message, bubble=False):
    def __init__(self, doc: DocRef, version: int, error: str) -> None:
        super().__init__()
        self.doc = doc
        self.version = version
        self.error = error


class OpenDocument(Message):
    def __init__(
        self, kind: str, doc_id: int, line: int | None = None, column: int | None = None
    ) -> None:
        super().__init__()
        self.doc = DocRef(kind, doc_id)
        self.line = line
        self.column = column


class DataChanged(Message):
    """Rows of ``kind`` changed (saved, trashed, restored): lists showing it reload."""

    def __init__(self, kind: str) -> None:
        super().__init__()
        self.kind = kind
