"""Issue 12, "Data": vacuum against a concurrent import, a knowledge-base
import that brings nothing in, and a .docx zip bomb."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import docx

from inkbench.integrations.kb_import import import_documents
from inkbench.storage import blobs
from inkbench.storage.knowledge import add_document, get_or_create_kb

INKBENCH = str(Path(sys.executable).with_name("inkbench"))


def _inkbench(home: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [INKBENCH, "--home", str(home), *args], capture_output=True, text=True, timeout=120
    )


def test_vacuum_spares_a_file_an_import_just_found_stored(db, tmp_path: Path) -> None:
    """The race, one step at a time: a file is stored (a killed import left
    it, hours ago, with no row); a new import of the same content finds it
    stored (a dedup hit); `db vacuum` runs in another process before the
    import commits; then the import commits its row. The row must not
    point at a deleted file."""
    source = tmp_path / "guide.md"
    source.write_text("# Guide\n\nHeat pumps move heat.\n", encoding="utf-8")
    sha, _size = blobs.put_file(db.blob_dir, source)
    stored = blobs.blob_path(db.blob_dir, sha)
    hours_ago = time.time() - 3 * 3600
    os.utime(stored, (hours_ago, hours_ago))

    sha2, size = blobs.put_file(db.blob_dir, source)  # the import: a dedup hit
    assert sha2 == sha
    vacuum = _inkbench(db.home, "db", "vacuum")  # another process, before the commit
    assert vacuum.returncode == 0, vacuum.stderr
    with db.write() as session:
        kb, _created = get_or_create_kb(session, "Guides")
    with db.raw() as conn:  # the import commits
        blobs.register(conn, sha, size)
        add_document(
            conn,
            kb.id,
            title="Guide",
            text="Heat pumps move heat.",
            chunks=[("", "Heat pumps")],
            source=str(source),
            blob_sha=sha,
            fmt="markdown",
        )
    assert stored.is_file()
    check = _inkbench(db.home, "db", "check")
    assert check.returncode == 0, check.stdout + check.stderr


def test_vacuum_still_removes_an_old_orphan(db, tmp_path: Path) -> None:
    sha, _size = blobs.put_bytes(db.blob_dir, b"left behind by a killed import")
    stored = blobs.blob_path(db.blob_dir, sha)
    hours_ago = time.time() - 3 * 3600
    os.utime(stored, (hours_ago, hours_ago))
    with db.raw() as conn:
        assert blobs.sweep(conn, db.blob_dir) == 1
    assert not stored.exists()
    assert not list(stored.parent.iterdir())  # nothing renamed left behind


def test_kb_import_whose_every_file_is_refused_leaves_no_knowledge_base(db, tmp_path: Path) -> None:
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"not a pdf at all")
    empty = tmp_path / "empty.md"
    empty.write_text("", encoding="utf-8")
    report = import_documents(db, "Never made", [bad, empty])
    assert report.refused and not report.imported
    assert report.kb_dropped
    assert "Never made" in report.summary()
    with db.raw(write=False) as conn:
        assert conn.execute("SELECT count(*) FROM knowledge_base").fetchone()[0] == 0

    # an existing base is kept even when nothing new comes in
    good = tmp_path / "good.md"
    good.write_text("# Good\n\nSomething to keep.\n", encoding="utf-8")
    first = import_documents(db, "Kept", [good])
    assert first.imported
    again = import_documents(db, "Kept", [bad])
    assert not again.kb_dropped
    with db.raw(write=False) as conn:
        names = [r[0] for r in conn.execute("SELECT name FROM knowledge_base")]
    assert names == ["Kept"]


def test_kb_import_cli_every_file_refused(home: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"not a pdf at all")
    done = _inkbench(home, "kb", "import", "Ghost", str(bad))
    assert done.returncode == 1
    listed = _inkbench(home, "kb", "list", "--json")
    assert "Ghost" not in listed.stdout


def _zip_bomb_docx(path: Path) -> None:
    """A real .docx with one extra part of 300 MB of zeros (a few hundred KB packed)."""
    plain = io.BytesIO()
    d = docx.Document()
    d.add_paragraph("Looks harmless.")
    d.save(plain)
    plain.seek(0)
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for item in src.infolist():
            out.writestr(item, src.read(item.filename))
        with out.open("word/media/zeros.bin", "w", force_zip64=True) as f:
            block = bytes(1 << 20)
            for _ in range(300):
                f.write(block)


def test_docx_zip_bomb_is_refused_in_one_line(home: Path, tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.docx"
    _zip_bomb_docx(bomb)
    assert bomb.stat().st_size < 2 * 1024 * 1024
    done = _inkbench(home, "kb", "import", "Docs", str(bomb))
    assert done.returncode == 1
    lines = [ln for ln in done.stderr.splitlines() if ln.startswith("inkbench:")]
    assert len(lines) == 1, done.stderr  # (beside the progress line)
    assert "bomb.docx" in lines[0] and "zip bomb" in lines[0]
    assert "Traceback" not in done.stderr

    fine = tmp_path / "fine.docx"
    d = docx.Document()
    d.add_paragraph("An ordinary document.")
    d.save(fine)
    ok = _inkbench(home, "kb", "import", "Docs", str(fine))
    assert ok.returncode == 0, ok.stderr
