from __future__ import annotations

import pytest

from inkbench.integrations.generation.images import IMAGE_REF, PickedImage, place_images
from inkbench.integrations.generation.replies import parse_questions, split_article


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        (
            '["Are heat pumps noisy?", "What do they cost?"]',
            ["Are heat pumps noisy?", "What do they cost?"],
        ),
        (
            'Sure! Here you go:\n```json\n[{"question": "A?"}, {"question": "B?"}]\n```',
            ["A?", "B?"],
        ),
        (
            '{"questions": ["热泵冬天好用吗？", "热泵多少钱？"]}',
            ["热泵冬天好用吗？", "热泵多少钱？"],
        ),
        (
            "Here are some questions:\n1. First?\n2) Second?\n3、Third?\n",
            ["First?", "Second?", "Third?"],
        ),
        ("一、热泵是什么？\n二、热泵怎么选？", ["热泵是什么？", "热泵怎么选？"]),
        ("- **Bold one?**\n- plain two?\n- plain two?", ["Bold one?", "plain two?"]),
        ('["broken", ', ['["broken",']),
    ],
)
def test_parse_questions(reply: str, expected: list[str]) -> None:
    assert parse_questions(reply) == expected


def test_split_article_title() -> None:
    assert split_article("# Title here\n\nBody.", "fallback") == ("Title here", "Body.\n")
    assert split_article("```markdown\n# T\nB\n```", "f") == ("T", "B\n")
    assert split_article("No heading here.", "The topic?") == ("The topic?", "No heading here.\n")


def test_images_spread_between_paragraphs_never_inside_code() -> None:
    body = "P1\n\n```\ncode\n\nmore code\n```\n\nP2\n\nP3"
    out = place_images(body, [PickedImage(7, "seven", True), PickedImage(9, "nine [x]", False)])
    refs = [m.group(2) for m in IMAGE_REF.finditer(out)]
    assert refs == ["7", "9"]
    assert "code\n\n![" not in out and not out.startswith("![")
    blocks = out.strip().split("\n\n")
    assert blocks[0] == "P1"
    assert place_images("P", []) == "P"
