from __future__ import annotations

import io
import re
import subprocess
import sys
from pathlib import Path

import docx
from PIL import Image as PILImage

from inkbench.integrations.export import export_articles
from inkbench.integrations.generation.images import image_ref
from inkbench.storage import blobs
from inkbench.storage.articles import create_article
from inkbench.storage.models import ArticleImage, db_time, utcnow


def png_bytes(color: str, size=(64, 48)) -> bytes:
    buf = io.BytesIO()
    PILImage.new("RGB", size, color).save(buf, "PNG")
    return buf.getvalue()


def add_album(db, name: str, images: list[tuple[str, str, bytes]]) -> tuple[int, list[int]]:
    """An album with images ``(file name, OCR text, bytes)``, stored as blobs."""
    now = db_time(utcnow())
    ids = []
    with db.raw() as conn:
        album_id = conn.execute(
            "INSERT INTO album (name, description, created_at, updated_at) VALUES (?, '', ?, ?)",
            (name, now, now),
        ).lastrowid
        for file_name, ocr, data in images:
            sha, size = blobs.put_bytes(db.blob_dir, data)
            blobs.register(conn, sha, size)
            ids.append(
                conn.execute(
                    "INSERT INTO image (album_id, blob_sha, original_name, size_bytes, ocr_status,"
                    " ocr_text, ocr_attempts, created_at) VALUES (?, ?, ?, ?, 'done', ?, 0, ?)",
                    (album_id, sha, file_name, size, ocr, now),
                ).lastrowid
            )
    return album_id, ids


def _article_with_images(db) -> tuple[int, int]:
    _album, (red, blue) = add_album(
        db,
        "pics",
        [("red [1].png", "red roof", png_bytes("red")), ("blue.png", "", png_bytes("blue"))],
    )
    body = (
        "Intro with <script>alert(1)</script> and [b]markup[/b].\n\n"
        f"{image_ref(red, 'A red roof')}\n\n## Section\n\n- point **one**\n- point two\n"
    )
    with db.write() as s:
        a = create_article(s, "Roofs & <Tiles>", body)
        s.add(ArticleImage(article_id=a.id, image_id=red, position=0, caption="A red roof"))
        s.add(ArticleImage(article_id=a.id, image_id=blue, position=1, caption="blue"))
        plain = create_article(s, "纯文本文章", "没有图片。")
    return a.id, plain.id


def test_markdown_and_html_reference_copied_images(db, tmp_path: Path) -> None:
    art, plain = _article_with_images(db)
    out = tmp_path / "out"
    md = export_articles(db, [art, plain], "md", out)
    text = Path(md[0].path).read_text(encoding="utf-8")
    refs = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", text)
    assert len(refs) == 2  # the inline one, and the unreferenced one appended
    for ref in refs:
        assert (out / ref).is_file()
    assert "inkbench-image:" not in text
    assert Path(md[1].path).name.endswith("纯文本文章.md")
    html_out = export_articles(db, [art], "html", tmp_path / "html")
    page = Path(html_out[0].path).read_text(encoding="utf-8")
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "<title>Roofs &amp; &lt;Tiles&gt;</title>" in page
    srcs = re.findall(r'<img src="([^"]+)"', page)
    assert len(srcs) == 2 and all((tmp_path / "html" / s).is_file() for s in srcs)


def test_docx_embeds_images_and_reads_back(db, tmp_path: Path) -> None:
    art, _plain = _article_with_images(db)
    done = export_articles(db, [art], "docx", tmp_path)
    assert done[0].images == 2
    d = docx.Document(done[0].path)
    texts = [p.text for p in d.paragraphs]
    assert texts[0] == "Roofs & <Tiles>"
    assert "Section" in texts and "point one" in texts
    assert len(d.inline_shapes) == 2


def test_cli_export_all_and_bad_ids(db, home: Path, tmp_path: Path) -> None:
    _article_with_images(db)
    exe = str(Path(sys.executable).with_name("inkbench"))
    ok = subprocess.run(
        [
            exe,
            "--home",
            str(home),
            "article",
            "export",
            "--all",
            "--format",
            "docx",
            "--out",
            str(tmp_path / "x"),
        ],
        capture_output=True,
        text=True,
    )
    assert ok.returncode == 0, ok.stderr
    assert len(list((tmp_path / "x").glob("*.docx"))) == 2
    bad = subprocess.run(
        [exe, "--home", str(home), "article", "export", "999", "--out", str(tmp_path / "y")],
        capture_output=True,
        text=True,
    )
    assert bad.returncode == 1 and "no article with id 999" in bad.stderr
    assert len(bad.stderr.strip().splitlines()) == 1
