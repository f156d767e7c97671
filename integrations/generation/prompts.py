"""Rendering prompts: the chat messages for one article (the system rules and
the setting's template filled with the keyword, topic, sources and call to
action), the preview the UI and CLI show, and the prompt text assets in
``assets/prompts`` (``system.md``, ``template.md``, ``distill.md``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from sqlmodel import Session

from inkbench.storage.article_settings import LANGUAGES, get_setting
from inkbench.storage.assets import asset_path
from inkbench.storage.models import ArticleSetting, ConversionTarget
from inkbench.storage.targets import get_target

_PLACEHOLDER = re.compile(r"\{\{\s*(\w+)\s*\}\}")
SOURCE_CHARS = 1200  # per passage, in the prompt


def prompt_asset(name: str) -> str:
    """A text asset from ``assets/prompts`` (``system.md``, ``template.md`` …)."""
    return asset_path("prompts", name).read_text(encoding="utf-8").strip()


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
    """The passages as numbered, titled blocks for the prompt (``(none)`` if empty)."""
    if not sources:
        return "(none)"
    lines = []
    for n, s in enumerate(sources, 1):
        where = s.document_title + (f" › {s.heading}" if s.heading else "")
        body = s.text if len(s.text) <= SOURCE_CHARS else s.text[:SOURCE_CHARS] + "…"
        lines.append(f"[{n}] {where}\n{body}")
    return "\n\n".join(lines)


def call_to_action_text(target: ConversionTarget | None, language: str) -> str:
    """The instruction to end with a call to action for ``target`` (empty without one)."""
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
