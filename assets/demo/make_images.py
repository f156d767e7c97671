"""Draw the demo album's text images (run once; the PNGs are committed).

    .venv/bin/python assets/demo/make_images.py

English text uses DejaVu Sans, Chinese the Noto Sans CJK font; both are large
and dark on a light background so that OCR reads them well.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

HERE = Path(__file__).parent / "images"
LATIN = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
CJK = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"

IMAGES = {
    "receipt-en.png": (
        LATIN,
        [
            "Corner Bakery",
            "Receipt 2041",
            "2 x Sourdough loaf   9.00",
            "1 x Green tea        3.50",
            "Total               12.50",
            "Thank you, come again!",
        ],
    ),
    "whiteboard-en.png": (
        LATIN,
        [
            "Launch checklist",
            "1. Finish the tea guide",
            "2. Photograph the packaging",
            "3. Review the customer FAQ",
        ],
    ),
    "meeting-notes-zh.png": (
        CJK,
        [
            "会议纪要",
            "时间：三月十二日下午",
            "议题：春茶上市推广方案",
            "结论：四月前完成图文素材",
        ],
    ),
    "poster-zh.png": (
        CJK,
        [
            "西湖龙井 明前新茶",
            "产地直发 限量两百份",
            "品鉴热线 0571-8888-6666",
        ],
    ),
    "menu-mixed.png": (
        CJK,
        [
            "茶饮菜单 Tea Menu",
            "龙井 Longjing 28元",
            "普洱 Pu-erh 32元",
            "茉莉花茶 Jasmine 22元",
        ],
    ),
}


def draw(font_path: str, lines: list[str], size: int = 40) -> Image.Image:
    # the collection's face 2 draws Simplified Chinese (0 is Japanese glyph forms)
    font = ImageFont.truetype(font_path, size, index=2 if font_path == CJK else 0)
    line_h = int(size * 1.6)
    width = max(int(font.getlength(line)) for line in lines) + 2 * 60
    im = Image.new("L", (max(width, 640), line_h * len(lines) + 2 * 50), 250)
    d = ImageDraw.Draw(im)
    for i, line in enumerate(lines):
        d.text((60, 50 + i * line_h), line, font=font, fill=20)
    return im


def main() -> None:
    HERE.mkdir(exist_ok=True)
    for name, (font, lines) in IMAGES.items():
        draw(font, lines).save(HERE / name, optimize=True)
        print(name)


if __name__ == "__main__":
    main()
