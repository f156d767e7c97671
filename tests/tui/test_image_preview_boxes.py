"""The Albums preview frames each piece of text OCR read, from the stored
boxes scaled to the preview."""

from __future__ import annotations

from PIL import Image

from inkbench.tui.widgets.image_preview import BOX_COLOUR, draw_boxes

BOXES = '[{"line":0,"text":"西湖龙井","box":[100,100,300,140],"confidence":99.7}]'


def test_boxes_are_framed_at_the_preview_scale() -> None:
    picture = Image.new("RGB", (400, 200), "white")  # a preview of an 800x400 image
    assert draw_boxes(picture, BOXES, 0.5) == 1
    # the frame sits just outside (50, 50)-(150, 70); the text inside stays as it was
    assert picture.getpixel((50 - 2, 60)) == BOX_COLOUR
    assert picture.getpixel((100, 70 + 2)) == BOX_COLOUR
    assert picture.getpixel((100, 60)) == (255, 255, 255)
    assert picture.getpixel((250, 150)) == (255, 255, 255)


def test_bad_boxes_draw_nothing() -> None:
    picture = Image.new("RGB", (40, 40), "white")
    for bad in ("not json", "[{}]", '[{"box": ["a", 1, 2, 3]}]', "null"):
        draw_boxes(picture, bad, 1.0)
    assert picture.getcolors() == [(1600, (255, 255, 255))]
