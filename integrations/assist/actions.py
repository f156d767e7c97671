"""What each assist action does with the text: which assistant it uses by
default, whether it needs a selection, and how its reply is applied."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Action:
    """One thing an assistant can be asked to do in the editor."""

    name: str
    assistant: str  # the built-in assistant used unless another is named
    apply: str  # "insert" at the cursor, "replace" the selection, "synopsis", "none"
    needs_selection: bool = False
    chapter_only: bool = False


ACTIONS: dict[str, Action] = {
    a.name: a
    for a in (
        Action("continue", "continue", "insert"),
        Action("polish", "polish", "replace", needs_selection=True),
        Action("expand", "expand", "replace", needs_selection=True),
        Action("shorten", "shorten", "replace", needs_selection=True),
        Action("rewrite", "rewrite", "replace", needs_selection=True),
        Action("review", "review", "none"),
        Action("names", "names", "none"),
        Action("worldbuilding", "worldbuilding", "none"),
        Action("summarise", "summarise", "synopsis", chapter_only=True),
    )
}

# The request put to the model after the context, by action and language.
# These are prompts (chosen by the text's language), not interface strings.
INSTRUCTIONS: dict[str, dict[str, str]] = {
    "en": {
        "continue": "Continue the text from where it stops.",
        "polish": "Polish the passage.",
        "expand": "Expand the passage.",
        "shorten": "Shorten the passage.",
        "rewrite": "Rewrite the passage.",
        "review": "Review the passage and list its problems.",
        "names": "Suggest names that fit this story.",
        "worldbuilding": "Advise on this story's world.",
        "summarise": "Summarise the chapter.",
    },
    "zh": {
        "continue": "请从文本停下的地方接着写。",
        "polish": "请润色这段文字。",
        "expand": "请扩写这段文字。",
        "shorten": "请缩写这段文字。",
        "rewrite": "请改写这段文字。",
        "review": "请审阅这段文字并列出问题。",
        "names": "请为这个故事起一些合适的名字。",
        "worldbuilding": "请就这个故事的设定给出建议。",
        "summarise": "请概括本章。",
    },
}

LABELS: dict[str, dict[str, str]] = {
    "en": {
        "notes": "Story notes",
        "characters": "Characters",
        "places": "World",
        "synopses": "Earlier chapters",
        "before": "Text before",
        "after": "Text after",
        "selection": "Passage",
        "text": "Text",
        "request": "Request",
        "title": "Title",
    },
    "zh": {
        "notes": "故事设定",
        "characters": "人物",
        "places": "世界设定",
        "synopses": "前情概要",
        "before": "前文",
        "after": "后文",
        "selection": "选段",
        "text": "正文",
        "request": "要求",
        "title": "标题",
    },
}
