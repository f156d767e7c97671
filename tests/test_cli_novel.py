"""Novels from the command line: works, chapters, the story bible, scenes,
tags, statistics and manuscript export, and the bad input each refuses (one
line, exit 1 or 2, nothing changed)."""

from __future__ import annotations

import json
import sqlite3
import zipfile
from pathlib import Path

import pytest

from inkbench.cli import main


def run(capsys, home: Path, *args: str) -> tuple[int, str, str]:
    code = main(["--home", str(home), *args])
    out, err = capsys.readouterr()
    return code, out, err


def ok(capsys, home: Path, *args: str) -> str:
    code, out, err = run(capsys, home, *args)
    assert code == 0, err
    return out


def dump(home: Path) -> list[str]:
    conn = sqlite3.connect(home / "inkbench.db")
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


@pytest.fixture
def novel(home: Path, capsys, tmp_path: Path) -> Path:
    ok(capsys, home, "work", "add", "长夜", "--genre", "奇幻", "--goal", "1000")
    one = tmp_path / "one.txt"
    one.write_text("雨夜。林晚推开门，看见沈舟站在青云城下。\n", encoding="utf-8")
    two = tmp_path / "two.txt"
    two.write_text("沈舟没有说话。晚晚，他终于开口。林晚笑了。\n", encoding="utf-8")
    ok(capsys, home, "chapter", "add", "长夜", "--text-file", str(one))
    ok(capsys, home, "chapter", "add", "长夜", "--text-file", str(two))
    ok(capsys, home, "character", "add", "长夜", "林晚", "--alias", "晚晚", "--role", "protagonist")
    ok(capsys, home, "character", "add", "长夜", "沈舟")
    ok(capsys, home, "world", "add", "长夜", "大陆", "--category", "geography")
    ok(
        capsys,
        home,
        "world",
        "add",
        "长夜",
        "青云城",
        "--parent",
        "大陆",
        "--category",
        "geography",
    )
    return home


def test_chapters_take_the_naming_pattern_and_edits_are_revisions(home, capsys, tmp_path) -> None:
    ok(capsys, home, "work", "add", "Night", "--naming", "Chapter {n}")
    assert "Chapter 1" in ok(capsys, home, "chapter", "add", "Night")
    ok(capsys, home, "work", "edit", "Night", "--naming", "第{n}章", "--genre", "noir")
    ok(capsys, home, "work", "edit", "Night", "--status", "revising", "--description", "d")
    assert "第2章" in ok(capsys, home, "chapter", "add", "Night")
    shown = json.loads(ok(capsys, home, "work", "show", "Night", "--json"))
    assert (shown["genre"], shown["status"], shown["description"]) == ("noir", "revising", "d")
    text = tmp_path / "t.txt"
    text.write_text("New words here.\n", encoding="utf-8")
    ok(capsys, home, "chapter", "edit", "Chapter 1", "--text-file", str(text), "--synopsis", "s")
    ok(capsys, home, "chapter", "move", "Chapter 1", "--to", "2")
    listed = json.loads(ok(capsys, home, "chapter", "list", "Night", "--json"))
    assert [c["title"] for c in listed] == ["第2章", "Chapter 1"]
    chapter = json.loads(ok(capsys, home, "chapter", "show", "Chapter 1", "--json"))
    assert chapter["synopsis"] == "s" and chapter["body"] == "New words here.\n"
    conn = sqlite3.connect(home / "inkbench.db")
    kinds = [k for (k,) in conn.execute("SELECT kind FROM chapter_revision")]
    conn.close()
    assert kinds == ["manual"]
    stats = json.loads(ok(capsys, home, "work", "stats", "Night", "--json"))
    assert stats["words"] == 3 and stats["streak"] == 1 and stats["days"][-1]["words"] == 3


def test_character_show_knows_where_it_appears(novel, capsys) -> None:
    home = novel
    ok(capsys, home, "character", "relate", "林晚", "沈舟", "--kind", "friend", "--note", "旧识")
    data = json.loads(ok(capsys, home, "character", "show", "晚晚", "--json"))
    assert data["name"] == "林晚" and data["aliases"] == ["晚晚"]
    assert data["appearances"] == 3
    assert data["first_appearance"]["chapter_title"] == "第1章"
    assert data["first_appearance"]["position"] == "雨夜。林晚推开门".index("林晚")
    assert [c["count"] for c in data["chapters"]] == [1, 2]
    other = json.loads(ok(capsys, home, "character", "show", "沈舟", "--json"))
    assert [(r["other_name"], r["kind"]) for r in other["relationships"]] == [("林晚", "friend")]
    world = json.loads(ok(capsys, home, "world", "show", "青云城", "--json"))
    assert world["parent"]["title"] == "大陆" and world["appearances"] == 1
    listed = ok(capsys, home, "world", "list", "长夜")
    assert listed.index("大陆") < listed.index("  青云城")


def test_scenes_and_tags(novel, capsys) -> None:
    home = novel
    out = ok(
        capsys,
        home,
        "scene",
        "add",
        "第1章",
        "--synopsis",
        "相遇",
        "--location",
        "青云城",
        "--character",
        "林晚",
        "--json",
    )
    first = json.loads(out)["id"]
    second = json.loads(ok(capsys, home, "scene", "add", "第1章", "--synopsis", "离别", "--json"))[
        "id"
    ]
    ok(capsys, home, "scene", "move", str(second), "--to", "1")
    scenes = json.loads(ok(capsys, home, "scene", "list", "第1章", "--json"))
    assert [s["id"] for s in scenes] == [second, first]
    assert scenes[1]["location"]["title"] == "青云城"
    ok(capsys, home, "scene", "edit", str(first), "--mood", "紧张", "--no-location")
    ok(capsys, home, "tag", "add", "长夜", "伏笔", "--color", "red")
    ok(capsys, home, "tag", "apply", "伏笔", "--chapter", "第1章")
    ok(capsys, home, "tag", "apply", "伏笔", "--scene", str(first))
    tags = json.loads(ok(capsys, home, "tag", "list", "长夜", "--json"))
    assert [(t["name"], t["chapter_count"], t["scene_count"]) for t in tags] == [("伏笔", 1, 1)]
    ok(capsys, home, "tag", "remove", "伏笔", "--scene", str(first))
    scenes = json.loads(ok(capsys, home, "scene", "list", "第1章", "--json"))
    assert scenes[1]["mood"] == "紧张" and scenes[1]["location"] is None
    assert scenes[1]["tags"] == []


BAD = [
    (["character", "add", "长夜", "林晚"], "林晚", 1),
    (["character", "add", "长夜", "林晚晴", "--alias", "沈舟"], "沈舟", 1),
    (["world", "add", "长夜", "晚晚"], "晚晚", 1),
    (["world", "edit", "大陆", "--parent", "青云城"], "青云城", 1),
    (["character", "relate", "林晚", "晚晚", "--kind", "friend"], "itself", 1),
    (["work", "show", "没有这部"], "没有这部", 1),
    (["chapter", "show", "999"], "999", 1),
    (["chapter", "add", "没有这部"], "没有这部", 1),
    (["character", "add", "长夜", "x", "--role", "hero"], "invalid choice", 2),
    (["tag", "apply", "伏笔"], "required", 2),
    (["work", "edit", "长夜", "--naming", "第{x}章"], "{n}", 1),
    (["chapter", "move", "第1章", "--to", "0"], "--to", 1),
]


@pytest.mark.parametrize(("args", "says", "exit_code"), BAD)
def test_bad_input_is_one_line_and_changes_nothing(novel, capsys, args, says, exit_code) -> None:
    home = novel
    before = dump(home)
    code, _out, err = run(capsys, home, *args) if exit_code == 1 else _usage(capsys, home, args)
    assert code == exit_code
    lines = err.strip().splitlines()
    assert says in err and "Traceback" not in err
    assert len(lines) == 1 or exit_code == 2
    assert dump(home) == before


def _usage(capsys, home, args):
    with pytest.raises(SystemExit) as e:
        main(["--home", str(home), *args])
    out, err = capsys.readouterr()
    return e.value.code, out, err


def test_trashing_a_character_in_a_scene_keeps_the_scene(novel, capsys) -> None:
    from inkbench.storage import trash
    from inkbench.storage.engine import open_database

    home = novel
    sid = json.loads(ok(capsys, home, "scene", "add", "第1章", "--character", "林晚", "--json"))[
        "id"
    ]
    ok(capsys, home, "character", "trash", "林晚")
    scenes = json.loads(ok(capsys, home, "scene", "list", "第1章", "--json"))
    assert [s["id"] for s in scenes] == [sid] and scenes[0]["characters"] == []
    db = open_database(home)
    with db.write() as s:
        trash.restore(s, "character", 1)
    db.dispose()
    scenes = json.loads(ok(capsys, home, "scene", "list", "第1章", "--json"))
    assert [c["name"] for c in scenes[0]["characters"]] == ["林晚"]


def test_export_of_an_empty_work_is_refused(home, capsys, tmp_path) -> None:
    ok(capsys, home, "work", "add", "空")
    ok(capsys, home, "chapter", "add", "空")
    out = tmp_path / "b.epub"
    code, _out, err = run(
        capsys, home, "work", "export", "空", "--format", "epub", "--out", str(out)
    )
    assert code == 1 and len(err.strip().splitlines()) == 1 and "空" in err
    assert not out.exists()


def test_manuscript_export_epub_docx_md(novel, capsys, tmp_path) -> None:
    import docx
    from ebooklib import epub

    home = novel
    ok(capsys, home, "scene", "add", "第2章", "--synopsis", "尾声")
    (tmp_path / "s.txt").write_text("第一场。\n<!-- scene:1 -->\n第二场。\n", encoding="utf-8")
    ok(
        capsys,
        home,
        "chapter",
        "edit",
        "第2章",
        "--text-file",
        str(tmp_path / "s.txt"),
        "--synopsis",
        "两人重逢",
    )
    book = tmp_path / "book.epub"
    ok(capsys, home, "work", "export", "长夜", "--format", "epub", "--out", str(book), "--synopsis")
    with zipfile.ZipFile(book) as z:
        names = z.namelist()
        assert names[0] == "mimetype" and z.read("mimetype") == b"application/epub+zip"
        assert "META-INF/container.xml" in names
        assert z.getinfo("mimetype").compress_type == zipfile.ZIP_STORED
        everything = "".join(z.read(n).decode("utf-8", "replace") for n in names)
    assert "scene:" not in everything
    read = epub.read_epub(str(book))
    assert read.get_metadata("DC", "title")[0][0] == "长夜"
    assert read.get_metadata("DC", "language")[0][0] == "zh"
    assert [t.title for t in read.toc] == ["第1章", "第2章"]
    nav = [i for i in read.get_items() if isinstance(i, epub.EpubNav)]
    assert nav
    spine = [read.get_item_with_id(i).get_name() for i, _ in read.spine if i != "nav"]
    bodies = [read.get_item_with_href(n).get_content().decode() for n in spine]
    assert "第1章" in bodies[1] and "第2章" in bodies[2]
    assert "两人重逢" in bodies[2] and bodies[2].index("第一场") < bodies[2].index("* * *")
    assert bodies[2].index("* * *") < bodies[2].index("第二场")

    word = tmp_path / "book.docx"
    ok(
        capsys,
        home,
        "work",
        "export",
        "长夜",
        "--format",
        "docx",
        "--out",
        str(word),
        "--chapters",
        "2",
    )
    texts = [p.text for p in docx.Document(str(word)).paragraphs]
    assert "长夜" in texts and "第2章" in texts and "第1章" not in texts
    assert "* * *" in texts and not any("scene:" in t for t in texts)

    md = tmp_path / "book.md"
    ok(capsys, home, "work", "export", "长夜", "--format", "md", "--out", str(md))
    text = md.read_text(encoding="utf-8")
    assert text.index("## 第1章") < text.index("## 第2章") and "<!--" not in text


def test_db_vacuum_thins_old_autosaves_and_says_so(novel, capsys) -> None:
    home = novel
    conn = sqlite3.connect(home / "inkbench.db")
    with conn:
        for when, kind in [
            ("2020-01-01 08:00:00.000000", "autosave"),
            ("2020-01-01 09:00:00.000000", "autosave"),
            ("2020-01-01 10:00:00.000000", "manual"),
        ]:
            conn.execute(
                "INSERT INTO chapter_revision (chapter_id, kind, title, body, word_count, "
                "created_at) VALUES (1, ?, 't', 'b', 1, ?)",
                (kind, when),
            )
    conn.close()
    out = ok(capsys, home, "db", "vacuum", "--keep-autosaves-days", "30")
    assert "removed 1 old autosave revision(s) (0 of articles, 1 of chapters" in out
    conn = sqlite3.connect(home / "inkbench.db")
    kinds = sorted(k for (k,) in conn.execute("SELECT kind FROM chapter_revision"))
    conn.close()
    assert kinds == ["autosave", "manual"]
    code, _out, err = run(capsys, home, "db", "vacuum", "--keep-autosaves-days", "-1")
    assert code == 1 and len(err.strip().splitlines()) == 1


def test_work_outline(novel, capsys) -> None:
    home = novel
    ok(capsys, home, "scene", "add", "第1章", "--synopsis", "相遇", "--character", "沈舟")
    data = json.loads(ok(capsys, home, "work", "outline", "长夜", "--json"))
    assert [c["title"] for c in data] == ["第1章", "第2章"]
    assert data[0]["scenes"][0]["synopsis"] == "相遇"
    assert [p["name"] for p in data[0]["scenes"][0]["characters"]] == ["沈舟"]
    assert "相遇" in ok(capsys, home, "work", "outline", "长夜")


def test_novel_settings_name_the_author_and_keep_autosaves(novel, capsys, tmp_path) -> None:
    """``[novel] author`` goes on the manuscript; ``[novel] revision_retention_days``
    is what ``db vacuum`` keeps when no option says otherwise."""
    from ebooklib import epub

    home = novel
    (home / "config.toml").write_text(
        '[novel]\nauthor = "沈墨"\nrevision_retention_days = 100000\n', encoding="utf-8"
    )
    book = tmp_path / "book.epub"
    ok(capsys, home, "work", "export", "长夜", "--format", "epub", "--out", str(book))
    assert epub.read_epub(str(book)).get_metadata("DC", "creator")[0][0] == "沈墨"

    conn = sqlite3.connect(home / "inkbench.db")
    with conn:
        for when in ("2020-01-01 08:00:00.000000", "2020-01-01 09:00:00.000000"):
            conn.execute(
                "INSERT INTO chapter_revision (chapter_id, kind, title, body, word_count, "
                "created_at) VALUES (1, 'autosave', 't', 'b', 1, ?)",
                (when,),
            )
    conn.close()

    def autosaves() -> int:
        c = sqlite3.connect(home / "inkbench.db")
        try:
            return c.execute(
                "SELECT count(*) FROM chapter_revision WHERE kind = 'autosave'"
            ).fetchone()[0]
        finally:
            c.close()

    before = autosaves()
    ok(capsys, home, "db", "vacuum")  # 2020 is within 100,000 days: nothing thinned
    assert autosaves() == before
    (home / "config.toml").write_text("[novel]\nrevision_retention_days = 30\n", encoding="utf-8")
    ok(capsys, home, "db", "vacuum")
    assert autosaves() == before - 1
