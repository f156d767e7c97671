from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import docx

from inkbench.integrations.kb_import import Block, chunk_blocks, extract, import_documents
from inkbench.storage.knowledge import list_chunks, list_documents, retrieve
from inkbench.storage.text import word_count


def make_pdf(lines: list[str]) -> bytes:
    """A one-page PDF with Helvetica text lines (enough for pypdf to extract)."""
    content = "BT /F1 12 Tf 72 720 Td 14 TL " + " ".join(f"({ln}) '" for ln in lines) + " ET"
    objs = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
        " /Resources << /Font << /F1 5 0 R >> >> >>",
        f"<< /Length {len(content)} >>\nstream\n{content}\nendstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for i, o in enumerate(objs, 1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n{o}\nendobj\n".encode()
    xref = len(out)
    out += f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n".encode()
    for off in offsets:
        out += f"{off:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objs) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return out


def make_docx(path: Path) -> None:
    d = docx.Document()
    d.add_heading("Heat pumps", level=1)
    d.add_paragraph("A heat pump moves heat instead of making it.")
    d.add_heading("Costs", level=2)
    d.add_paragraph("Installation costs depend on the house.")
    d.save(path)


def sample_files(tmp: Path) -> dict[str, Path]:
    files = {
        "md": tmp / "guide.md",
        "txt": tmp / "notes.txt",
        "html": tmp / "page.html",
        "pdf": tmp / "sheet.pdf",
        "docx": tmp / "pumps.docx",
    }
    files["md"].write_text(
        "# Solar guide\n\nIntro paragraph about panels.\n\n## Inverters\n\n"
        "An inverter turns DC into AC.\n\n```\n# not a heading\n```\n\n"
        "## 电池\n\n家用电池可以储存白天的电。\n",
        encoding="utf-8",
    )
    files["txt"].write_text("First paragraph.\n\nSecond paragraph.\n", encoding="utf-8")
    files["html"].write_text(
        "<html><head><title>Wind [b]power[/b]</title><style>p{color:red}</style>"
        "<script>var x = 'nope';</script></head><body><h1>Wind</h1><p>Turbines &amp; "
        "blades.</p><ul><li>one</li><li>two</li></ul></body></html>",
        encoding="utf-8",
    )
    files["pdf"].write_bytes(make_pdf(["Geothermal energy uses heat", "from the ground."]))
    make_docx(files["docx"])
    return files


def test_every_format_is_extracted_with_headings(tmp_path: Path) -> None:
    files = sample_files(tmp_path)
    md = extract(files["md"])
    assert md.title == "Solar guide"
    assert [b.text for b in md.blocks if b.level] == ["Solar guide", "Inverters", "电池"]
    assert any("# not a heading" in b.text and b.level == 0 for b in md.blocks)
    html = extract(files["html"])
    assert html.title == "Wind [b]power[/b]"
    assert "nope" not in html.text and "color" not in html.text
    assert [b.text for b in html.blocks] == ["Wind", "Turbines & blades.", "one", "two"]
    pdf = extract(files["pdf"])
    assert "Geothermal energy uses heat from the ground." in pdf.text
    dx = extract(files["docx"])
    assert [(b.text, b.level) for b in dx.blocks][:2] == [
        ("Heat pumps", 1),
        ("A heat pump moves heat instead of making it.", 0),
    ]
    assert extract(files["txt"]).title == "notes"


def test_chunks_respect_headings_and_cjk_lengths() -> None:
    zh = "这是一个很长的句子。" * 200  # 1800 CJK characters, no spaces
    blocks = [
        Block("Top", 1),
        Block("short one"),
        Block("short two"),
        Block("Sub", 2),
        Block(zh),
        Block("Other", 1),
        Block("tail"),
    ]
    chunks = chunk_blocks(blocks, target=350, max_words=600)
    assert chunks[0] == ("Top", "short one\n\nshort two")
    cjk = [t for h, t in chunks if h == "Top › Sub"]
    assert len(cjk) >= 3 and all(word_count(t) <= 600 for t in cjk)
    assert "".join(cjk) == zh  # nothing lost or repeated
    assert chunks[-1] == ("Other", "tail")


def test_import_refuses_bad_files_one_line_each_and_continues(db, tmp_path: Path) -> None:
    files = sample_files(tmp_path)
    bad_pdf = tmp_path / "broken.pdf"
    bad_pdf.write_bytes(b"%PDF-1.4\n garbage garbage")
    fake_docx = tmp_path / "fake.docx"
    fake_docx.write_bytes(b"not a zip at all")
    gbk = tmp_path / "gbk.txt"
    gbk.write_bytes("中文内容".encode("gbk"))
    binary = tmp_path / "blob.md"
    binary.write_bytes(b"\x00\x01\x02" * 100)
    odd = tmp_path / "odd [name] (1).txt"
    odd.write_text("odd path works", encoding="utf-8")
    paths = [*files.values(), bad_pdf, fake_docx, gbk, binary, odd, tmp_path / "missing.md"]
    report = import_documents(db, "Energy", paths)
    assert len(report.imported) == 6
    assert len(report.refused) == 5
    for line in report.refused:
        assert "\n" not in line and line.strip()
    assert any("missing.md" in r for r in report.refused)
    assert any("not UTF-8" in r for r in report.refused)
    with db.read() as s:
        docs = list_documents(s, report.kb_id)
        assert len(docs) == 6
        md = next(d for d in docs if d.format == "markdown")
        chunks = list_chunks(s, md.id)
        assert [c.position for c in chunks] == list(range(len(chunks)))
        assert {c.heading for c in chunks} >= {"Solar guide › Inverters", "Solar guide › 电池"}
    # the file is kept as a blob
    with db.raw(write=False) as conn:
        shas = [r[0] for r in conn.execute("SELECT blob_sha FROM kb_document")]
        assert all((db.blob_dir / s[:2] / s[2:]).exists() for s in shas)
        assert retrieve(conn, report.kb_id, "家用电池")[0].heading == "Solar guide › 电池"


def test_reimport_does_not_duplicate(db, tmp_path: Path) -> None:
    files = sample_files(tmp_path)
    first = import_documents(db, "kb", [tmp_path])
    again = import_documents(db, "kb", [tmp_path])
    assert len(first.imported) == 5 and again.imported == [] and len(again.duplicates) == 5
    with db.raw(write=False) as conn:
        assert conn.execute("SELECT count(*) FROM kb_document").fetchone()[0] == 5
        before = conn.execute("SELECT count(*) FROM kb_chunk").fetchone()[0]
    import_documents(db, "kb", [files["md"]])
    with db.raw(write=False) as conn:
        assert conn.execute("SELECT count(*) FROM kb_chunk").fetchone()[0] == before
    # another base may hold the same file
    other = import_documents(db, "other", [files["md"]])
    assert len(other.imported) == 1


def test_cli_kb_import_and_list(home: Path, tmp_path: Path) -> None:
    files = sample_files(tmp_path)
    bad = tmp_path / "bad.docx"
    bad.write_bytes(b"nope")
    inkbench = [str(Path(sys.executable).with_name("inkbench")), "--home", str(home)]
    run = subprocess.run(
        [*inkbench, "kb", "import", "Energy", str(files["md"]), str(bad)],
        capture_output=True,
        text=True,
        cwd=Path(__file__).parents[2],
    )
    assert run.returncode == 1  # one file refused
    assert "bad.docx" in run.stderr and "Traceback" not in run.stderr
    assert "1 document imported into Energy, 1 refused" in run.stdout
    listed = subprocess.run(
        [*inkbench, "kb", "list"], capture_output=True, text=True, cwd=Path(__file__).parents[2]
    )
    assert listed.returncode == 0 and "Energy" in listed.stdout
    chunks = subprocess.run([*inkbench, "kb", "chunks", "1"], capture_output=True, text=True)
    assert chunks.returncode == 0 and "[2] · Solar guide › Inverters" in chunks.stdout
