"""Parsing AI replies: topic lists from distillation, titles from articles."""

from __future__ import annotations

import json
import re

_NUMBERED = re.compile(
    r"^\s*(?:[-*•·](?=\s)|\(?\d{1,3}[.)、:：）]|（\d{1,3}）|[一二三四五六七八九十]{1,3}[、.．]|Q\d+[.:：])\s*"
)
_FENCE = re.compile(r"```(?:json)?\s*(.*?)```", re.S)
MAX_TOPIC_CHARS = 300


def _clean(q: str) -> str:
    q = re.sub(r"\*\*|__", "", q).strip()
    q = q.strip(" \t\"'“”‘’「」")
    q = re.sub(r"\s+", " ", q)
    return q[:MAX_TOPIC_CHARS]


def _from_json(value) -> list[str] | None:
    if isinstance(value, dict):
        for key in ("questions", "topics", "items", "data"):
            if isinstance(value.get(key), list):
                return _from_json(value[key])
        return None
    if not isinstance(value, list):
        return None
    out = []
    for item in value:
        if isinstance(item, str):
            out.append(item)
        elif isinstance(item, dict):
            for key in ("question", "topic", "title", "text"):
                if isinstance(item.get(key), str):
                    out.append(item[key])
                    break
    return out


def parse_questions(reply: str, *, limit: int = 50) -> list[str]:
    """Reader questions from a reply: a JSON array (possibly fenced or with
    text around it, strings or objects), else a numbered or bulleted list,
    else one question per line. Cleaned, de-duplicated, in order."""
    candidates: list[str] | None = None
    texts = [m.group(1) for m in _FENCE.finditer(reply)] + [reply]
    for t in texts:
        for opener, closer in (("[", "]"), ("{", "}")):
            start, end = t.find(opener), t.rfind(closer)
            if start != -1 and end > start:
                try:
                    candidates = _from_json(json.loads(t[start : end + 1]))
                except ValueError:
                    candidates = None
                if candidates:
                    break
        if candidates:
            break
    if not candidates:
        lines = [ln for ln in reply.splitlines() if ln.strip() and not ln.strip().startswith("```")]
        listed = [_NUMBERED.sub("", ln, count=1) for ln in lines if _NUMBERED.match(ln)]
        candidates = listed if len(listed) >= 2 else lines
        # a lead-in line such as "Here are some questions:" is not a question
        candidates = [c for c in candidates if not re.search(r"[:：]\s*$", c.strip())]
    out: list[str] = []
    seen: set[str] = set()
    for c in candidates:
        q = _clean(_NUMBERED.sub("", c, count=1))
        if len(q) < 2 or q.lower() in seen:
            continue
        seen.add(q.lower())
        out.append(q)
    return out[:limit]


def split_article(reply: str, fallback_title: str) -> tuple[str, str]:
    """(title, body) of a generated article: the first ``# `` heading (or a
    first short line) is the title."""
    text = reply.strip()
    text = re.sub(r"^```(?:markdown|md)?\s*\n(.*)\n```\s*$", r"\1", text, flags=re.S).strip()
    lines = text.split("\n")
    if lines:
        first = lines[0].strip()
        m = re.match(r"^#{1,2}\s+(.+?)\s*#*$", first)
        if m:
            return _title(m.group(1)), "\n".join(lines[1:]).strip() + "\n"
        bold = re.fullmatch(r"\*\*(.+)\*\*", first)
        if bold and len(bold.group(1)) <= 120:
            return _title(bold.group(1)), "\n".join(lines[1:]).strip() + "\n"
    return _title(fallback_title), text + "\n"


def _title(t: str) -> str:
    t = re.sub(r"^(标题|title)\s*[:：]\s*", "", t.strip(), flags=re.I)
    return t.strip(" \"'“”「」*")[:200] or "untitled"
