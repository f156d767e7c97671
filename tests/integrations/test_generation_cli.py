"""The generation CLI in-process (``cli.main``), on a real database."""

from __future__ import annotations

from pathlib import Path

from inkbench.cli import main
from inkbench.storage.distillations import create_distillation, list_topics
from inkbench.storage.engine import open_database


def run(capsys, home: Path, *argv: str) -> tuple[int, str, str]:
    code = main(["--home", str(home), *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_settings_targets_topics_and_task_lifecycle(home: Path, capsys) -> None:
    db = open_database(home)
    with db.write() as s:
        d = create_distillation(s, "tea [b]", ["Green or black?", "How hot [/]?"])
        topic_ids = [t.id for t in list_topics(s, d.id)]
    db.dispose()

    code, out, _ = run(capsys, home, "setting", "list")
    assert code == 0 and "Blog post" in out and "博客文章" in out
    code, out, _ = run(
        capsys, home, "setting", "preview", "Blog post", "--keyword", "tea", "--topic", "Why [b]?"
    )
    assert code == 0 and "Why [b]?" in out and "[system]" in out
    code, out, _ = run(capsys, home, "target", "add", "TeaCo", "--pitch", "fresh leaves")
    assert code == 0
    code, out, _ = run(capsys, home, "target", "list")
    assert "TeaCo" in out and "fresh leaves" in out

    code, out, _ = run(capsys, home, "topic", "add", str(d.id), "Is matcha tea?")
    assert code == 0
    code, out, _ = run(capsys, home, "topic", "edit", str(topic_ids[0]), "Green, black or oolong?")
    assert code == 0
    code, out, _ = run(capsys, home, "distillation", "show", str(d.id))
    assert "Green, black or oolong?" in out and "How hot [/]?" in out and "Is matcha" in out

    code, out, _ = run(
        capsys,
        home,
        "task",
        "create",
        "--distillation",
        str(d.id),
        "--setting",
        "Blog post",
        "--count",
        "3",
        "--topics",
        f"{topic_ids[0]},{topic_ids[1]}",
        "--target",
        "TeaCo",
        "--name",
        "spring",
    )
    assert code == 0 and "task 1 queued" in out
    code, out, err = run(capsys, home, "distillation", "delete", str(d.id))
    assert code == 1 and 'generation task #1 "spring" (queued)' in err
    assert len(err.strip().splitlines()) == 1
    code, out, err = run(capsys, home, "target", "delete", "TeaCo")
    assert code == 1 and '"spring"' in err
    code, out, _ = run(capsys, home, "task", "pause", "1")
    assert code == 0 and "paused (user)" in out
    code, out, _ = run(capsys, home, "task", "list")
    assert "paused (user)" in out and "0/3" in out
    code, out, _ = run(capsys, home, "task", "resume", "1")
    assert "queued" in out
    code, out, _ = run(capsys, home, "task", "show", "1")
    assert "target: TeaCo" in out and out.count("pending") == 3
    code, out, _ = run(capsys, home, "task", "cancel", "1")
    assert "cancelled" in out
    code, out, err = run(capsys, home, "task", "resume", "1")
    assert code == 1 and "not paused" in err
    # finished: its inputs may go now, and the task still reads well
    code, _, err = run(capsys, home, "distillation", "delete", str(d.id))
    assert code == 0, err
    code, out, _ = run(capsys, home, "task", "show", "1")
    assert "keyword: tea [b]" in out and "How hot [/]?" in out


def test_bad_references_are_one_line_errors(home: Path, capsys) -> None:
    code, _, err = run(
        capsys,
        home,
        "task",
        "create",
        "--distillation",
        "9",
        "--setting",
        "Blog post",
        "--count",
        "1",
    )
    assert code == 1 and "no distillation with id 9" in err
    db = open_database(home)
    with db.write() as s:
        d = create_distillation(s, "k", ["q?"])
    db.dispose()
    code, _, err = run(
        capsys,
        home,
        "task",
        "create",
        "--distillation",
        str(d.id),
        "--setting",
        "nope",
        "--count",
        "1",
    )
    assert code == 1 and 'no article setting "nope"' in err
    code, _, err = run(
        capsys,
        home,
        "task",
        "create",
        "--distillation",
        str(d.id),
        "--setting",
        "Blog post",
        "--count",
        "1",
        "--kb",
        "missing",
    )
    assert code == 1 and 'no knowledge base "missing"' in err
    code, _, err = run(capsys, home, "article", "export", "--out", "x")
    assert code == 1 and "--all" in err
