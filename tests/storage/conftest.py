"""Rows for tests that need albums, knowledge bases and generation tasks.

Their operations live in modules other areas own; these fixtures insert the
rows with plain SQL on a configured connection, so the schema's foreign
keys, search triggers and guard triggers all apply as they would in use.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import pytest

from inkbench.storage import blobs
from inkbench.storage.models import db_time, utcnow


@dataclass
class Rows:
    db: object

    def _now(self) -> str:
        return db_time(utcnow())

    def blob(self, conn, data: bytes) -> str:
        sha, size = blobs.put_bytes(self.db.blob_dir, data)
        blobs.register(conn, sha, size)
        return sha

    def album(self, name: str, images: dict[str, str]) -> tuple[int, list[int]]:
        """An album with one image per ``{file name: OCR text}``."""
        now = self._now()
        with self.db.raw() as conn:
            album_id = conn.execute(
                "INSERT INTO album (name, description, created_at, updated_at)"
                " VALUES (?, '', ?, ?)",
                (name, now, now),
            ).lastrowid
            ids = []
            for file_name, ocr in images.items():
                sha = self.blob(conn, f"{name}/{file_name}".encode())
                ids.append(
                    conn.execute(
                        "INSERT INTO image (album_id, blob_sha, original_name, size_bytes,"
                        " ocr_status, ocr_text, ocr_attempts, created_at)"
                        " VALUES (?, ?, ?, 1, 'done', ?, 1, ?)",
                        (album_id, sha, file_name, ocr, now),
                    ).lastrowid
                )
        return album_id, ids

    def kb(self, name: str, docs: dict[str, list[str]]) -> tuple[int, list[int]]:
        """A knowledge base with one document per ``{title: [chunk texts]}``."""
        now = self._now()
        with self.db.raw() as conn:
            kb_id = conn.execute(
                "INSERT INTO knowledge_base (name, description, created_at, updated_at)"
                " VALUES (?, '', ?, ?)",
                (name, now, now),
            ).lastrowid
            doc_ids = []
            for title, chunks in docs.items():
                text = "\n\n".join(chunks)
                sha = self.blob(conn, text.encode())
                doc_id = conn.execute(
                    "INSERT INTO kb_document (kb_id, title, source, blob_sha, format, text,"
                    " char_count, created_at) VALUES (?, ?, '', ?, 'text', ?, ?, ?)",
                    (kb_id, title, sha, text, len(text), now),
                ).lastrowid
                for i, chunk in enumerate(chunks):
                    conn.execute(
                        "INSERT INTO kb_chunk (document_id, position, heading, text, char_count)"
                        " VALUES (?, ?, '', ?, ?)",
                        (doc_id, i, chunk, len(chunk)),
                    )
                doc_ids.append(doc_id)
        return kb_id, doc_ids

    def task(
        self,
        name: str,
        status: str,
        *,
        album_id: int | None = None,
        kb_id: int | None = None,
        topics: tuple[str, ...] = ("why?",),
    ) -> int:
        """A generation task with its distillation, setting, target and items."""
        now = self._now()
        key = hashlib.sha256(name.encode()).hexdigest()[:8]
        with self.db.raw() as conn:
            dist = conn.execute(
                "INSERT INTO distillation (keyword, model, created_at, updated_at)"
                " VALUES (?, 'm', ?, ?)",
                (f"kw {name}", now, now),
            ).lastrowid
            topic_ids = [
                conn.execute(
                    "INSERT INTO topic (distillation_id, question, position, created_at)"
                    " VALUES (?, ?, ?, ?)",
                    (dist, q, i, now),
                ).lastrowid
                for i, q in enumerate(topics)
            ]
            setting = conn.execute(
                "INSERT INTO article_setting (name, style, length, language, structure,"
                " extra_instructions, template, created_at, updated_at)"
                " VALUES (?, '', 800, 'zh', '', '', '', ?, ?)",
                (f"setting {key}", now, now),
            ).lastrowid
            target = conn.execute(
                "INSERT INTO conversion_target (name, pitch, site, contact, created_at,"
                " updated_at) VALUES (?, '', '', '', ?, ?)",
                (f"target {key}", now, now),
            ).lastrowid
            names = {
                "album": conn.execute("SELECT name FROM album WHERE id = ?", (album_id,)),
                "kb": conn.execute("SELECT name FROM knowledge_base WHERE id = ?", (kb_id,)),
            }
            names = {k: (r.fetchone() or (None,))[0] for k, r in names.items()}
            task_id = conn.execute(
                "INSERT INTO generation_task (name, distillation_id, setting_id, album_id,"
                " knowledge_base_id, target_id, keyword, setting_name, album_name,"
                " knowledge_base_name, target_name, model, article_count, status, done_count,"
                " failed_count, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'm', ?, ?, 0, 0, ?, ?)",
                (
                    name,
                    dist,
                    setting,
                    album_id,
                    kb_id,
                    target,
                    f"kw {name}",
                    f"setting {key}",
                    names["album"],
                    names["kb"],
                    f"target {key}",
                    len(topics),
                    status,
                    now,
                    now,
                ),
            ).lastrowid
            for i, (topic_id, q) in enumerate(zip(topic_ids, topics, strict=True)):
                conn.execute(
                    "INSERT INTO generation_item (task_id, topic_id, topic_text, position,"
                    " status, attempts, partial_text, created_at)"
                    " VALUES (?, ?, ?, ?, 'pending', 0, '', ?)",
                    (task_id, topic_id, q, i, now),
                )
        return task_id


@pytest.fixture
def rows(db) -> Rows:
    return Rows(db)
