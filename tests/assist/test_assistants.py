"""Assistants: the built-ins load on first use; add, edit, export and import
through the command line; bad files and taken names refused in one line with
nothing changed."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from inkbench.cli import main
from inkbench.storage.assistants import builtin_specs

BUILTINS = {
    "continue": "续写",
    "polish": "润色",
    "expand": "扩写",
    "shorten": "缩写",
    "rewrite": "改写",
    "review": "审稿",
    "names": "起名",
    "worldbuilding": "设定顾问",
}


def run(capsys, home: Path, *args: str) -> tuple[int, str, str]:
    code = main(["--home", str(home), *args])
    out, err = capsys.readouterr()
    return code, out, err


def assistants(home: Path) -> list[tuple]:
    conn = sqlite3.connect(home / "inkbench.db")
    try:
        return conn.execute(
            "SELECT name, system_prompt, temperature, uses FROM assistant ORDER BY name"
        ).fetchall()
    finally:
        conn.close()


def test_builtins_ship_in_both_languages() -> None:
    specs = {s.name: s for s in builtin_specs()}
    for name, zh in BUILTINS.items():
        assert specs[name].title_zh == zh
        assert specs[name].system_prompt and specs[name].system_prompt_zh


def test_list_loads_builtins_once(capsys, home: Path) -> None:
    code, out, _err = run(capsys, home, "assistant", "list", "--json")
    assert code == 0
    rows = json.loads(out)
    assert set(BUILTINS) <= {r["name"] for r in rows}
    assert all(r["builtin"] and r["uses"] == 0 for r in rows)
    run(capsys, home, "assistant", "list")
    assert len(assistants(home)) == len(rows)


def test_add_edit_export_import_round_trip(capsys, home: Path, tmp_path: Path) -> None:
    code, _out, err = run(
        capsys,
        home,
        "assistant",
        "add",
        "noir",
        "--prompt",
        "Write like Chandler.",
        "--temperature",
        "0.9",
        "--title",
        "Noir",
    )
    assert code == 0, err
    code, _out, err = run(capsys, home, "assistant", "edit", "noir", "--max-tokens", "300")
    assert code == 0, err
    out_file = tmp_path / "noir.toml"
    code, _out, err = run(capsys, home, "assistant", "export", "noir", "--out", str(out_file))
    assert code == 0, err
    text = out_file.read_text(encoding="utf-8")
    assert 'system_prompt = "Write like Chandler."' in text and "max_tokens = 300" in text
    # the same name again is refused; under a new name it imports
    before = assistants(home)
    code, _out, err = run(capsys, home, "assistant", "import", str(out_file))
    assert code == 1 and "exists already" in err and len(err.strip().splitlines()) == 1
    assert assistants(home) == before
    out_file.write_text(text.replace('name = "noir"', 'name = "noir2"'), encoding="utf-8")
    code, _out, err = run(capsys, home, "assistant", "import", str(out_file))
    assert code == 0, err
    code, out, _err = run(capsys, home, "assistant", "show", "noir2", "--json")
    shown = json.loads(out)
    assert shown["system_prompt"] == "Write like Chandler."
    assert shown["temperature"] == 0.9 and shown["max_tokens"] == 300


def test_bad_files_are_refused_in_one_line(capsys, home: Path, tmp_path: Path) -> None:
    run(capsys, home, "assistant", "list")
    before = assistants(home)
    cases = {
        "unknown.toml": ('name = "x"\nsystem_prompt = "p"\ncolour = "red"\n', "unknown key colour"),
        "noprompt.toml": ('name = "x"\ntitle = "X"\n', "system_prompt is missing"),
        "broken.toml": ('name = "x\n', "not a readable TOML file"),
        "hot.toml": ('name = "x"\nsystem_prompt = "p"\ntemperature = 9\n', "temperature"),
    }
    for file, (text, says) in cases.items():
        path = tmp_path / file
        path.write_text(text, encoding="utf-8")
        code, _out, err = run(capsys, home, "assistant", "import", str(path))
        assert code == 1, file
        assert says in err and len(err.strip().splitlines()) == 1, err
    code, _out, err = run(capsys, home, "assistant", "import", str(tmp_path / "missing.toml"))
    assert code == 1 and "no such file" in err
    code, _out, err = run(capsys, home, "assistant", "show", "nobody")
    assert code == 1 and "assistant list" in err
    assert assistants(home) == before
