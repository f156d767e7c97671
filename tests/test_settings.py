"""The one settings model: what config.toml may hold, what a bad file does,
where each value came from; and the README documents exactly that model."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from inkbench.settings import (
    KEYRING_PASSWORD_ENV,
    Settings,
    entries,
    file_sections,
    is_secret,
    load_settings,
    set_ai_provider,
)

README = Path(__file__).resolve().parents[1] / "README.md"


def readme_toml_blocks() -> list[str]:
    blocks = re.findall(r"```toml\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    assert len(blocks) >= 4, "the README documents config.toml in toml blocks"
    return blocks


def merge(into: dict, data: dict) -> dict:
    for key, value in data.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            merge(into[key], value)
        else:
            into[key] = value
    return into


def to_toml(data: dict[str, Any], prefix: tuple[str, ...] = ()) -> str:
    """Enough of a TOML writer for the README's settings (strings, numbers, tables)."""
    scalars = {k: v for k, v in data.items() if not isinstance(v, dict)}
    tables = {k: v for k, v in data.items() if isinstance(v, dict)}
    lines = []
    if prefix and (scalars or not tables):
        lines.append("[" + ".".join(json.dumps(p) for p in prefix) + "]")
    lines += [f"{json.dumps(k)} = {json.dumps(v)}" for k, v in scalars.items()]
    text = "\n".join(lines) + "\n" if lines else ""
    for key, value in tables.items():
        text += to_toml(value, (*prefix, key))
    return text


def readme_config() -> str:
    """Every toml block of the README in one file (later blocks win)."""
    import tomllib

    merged: dict = {}
    for block in readme_toml_blocks():
        merge(merged, tomllib.loads(block))
    return to_toml(merged)


def write(home: Path, text: str) -> Path:
    home.mkdir(parents=True, exist_ok=True)
    path = home / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("n", range(len(readme_toml_blocks())))
def test_each_documented_block_has_no_problem(tmp_path: Path, n: int) -> None:
    write(tmp_path, readme_toml_blocks()[n])
    settings = load_settings(tmp_path, environ={})
    assert settings.problems == ()
    assert any(source == "file" for source in settings.sources.values())


def test_the_documented_blocks_together_have_no_problem(tmp_path: Path) -> None:
    write(tmp_path, readme_config())
    settings = load_settings(tmp_path, environ={})
    assert settings.problems == ()
    assert settings.account.user == "alice" and settings.ai.provider == "direct"


def test_the_readme_table_lists_every_key_and_no_other() -> None:
    text = README.read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| `(\[[^`]+)` \|", text, re.M))
    expected = set()
    for name, annotation in file_sections().items():
        if not isinstance(annotation, type):  # a table of entries: [keymap]
            expected.add(f'[{name}] "<binding id>"')
            continue
        for key, field in annotation.model_fields.items():
            if is_secret(field):
                continue  # from the environment only, never the file
            if getattr(field.annotation, "__origin__", None) is dict:
                expected.add(f'[{name}.{key}] "<model>"')
            else:
                expected.add(f"[{name}] {key}")
    assert documented == expected


def test_no_file_is_all_defaults(tmp_path: Path) -> None:
    settings = load_settings(tmp_path, environ={})
    assert settings.problems == ()
    assert settings.path == tmp_path / "config.toml" and settings.home == tmp_path
    assert set(settings.sources.values()) == {"default"}
    assert settings.account.server == "http://127.0.0.1:8765" and settings.ai.timeout == 60


def test_unknown_key_is_reported_once_with_file_and_key(tmp_path: Path) -> None:
    path = write(tmp_path, '[ai]\nmodle = "x"\nmodel = "m"\n[nosuch]\na = 1\n')
    settings = load_settings(tmp_path, environ={})
    assert settings.ai.model == "m"
    assert len(settings.problems) == 2
    modle, nosuch = sorted(settings.problems, key=lambda p: "nosuch" in p)
    assert str(path) in modle and "ai.modle" in modle and "unknown" in modle
    assert str(path) in nosuch and "nosuch" in nosuch


def test_bad_value_keeps_its_default_and_names_what_is_allowed(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        '[ai]\nprovider = "drect"\ntimeout = -3\nmodel = "kept"\n'
        '[ui]\nlanguage = "fr"\n[account]\nkeyring = "post-it"\nuser = "bo"\n',
    )
    settings = load_settings(tmp_path, environ={})
    assert settings.ai.provider == "server" and settings.ai.timeout == 60
    assert settings.ui.language is None and settings.account.keyring == "system"
    assert settings.ai.model == "kept" and settings.account.user == "bo"  # the rest applies
    by_key = {p.split(": ")[1]: p for p in settings.problems}
    assert set(by_key) == {"ai.provider", "ai.timeout", "ui.language", "account.keyring"}
    assert all(p.startswith(str(path)) and "\n" not in p for p in settings.problems)
    assert "'server' or 'direct'" in by_key["ai.provider"] and '"server"' in by_key["ai.provider"]
    assert "greater than 0" in by_key["ai.timeout"]
    assert "'zh' or 'en'" in by_key["ui.language"]
    assert "'system' or 'file'" in by_key["account.keyring"]
    assert settings.sources["ai.provider"] == "default" and settings.sources["ai.model"] == "file"


def test_prices_are_validated_per_model(tmp_path: Path) -> None:
    write(
        tmp_path,
        "[ai.prices]\n"
        '"good" = { input = 1, output = 2.5 }\n'
        '"negative" = { input = -1, output = 2 }\n'
        '"half" = { input = 1 }\n'
        '"text" = { input = "cheap", output = 1 }\n',
    )
    settings = load_settings(tmp_path, environ={})
    assert set(settings.ai.prices) == {"good"}
    assert settings.ai.prices["good"].output == 2.5
    assert len(settings.problems) == 3
    assert all("entry ai.prices." in p for p in settings.problems)


def test_keymap_entries(tmp_path: Path) -> None:
    write(tmp_path, '[keymap]\n"app.search" = ["ctrl+k", "f3"]\n"area.works" = ""\n"x.y" = 5\n')
    settings = load_settings(tmp_path, environ={})
    assert settings.keymap == {"app.search": "ctrl+k,f3"}
    assert len(settings.problems) == 2
    assert settings.sources['keymap."app.search"'] == "file"


@pytest.mark.parametrize(
    "text",
    ["[keymap\n", "\ufffe\xff not utf-8", "[ai]\nmodel = 1\nmodel = 2\n"],
)
def test_an_unreadable_file_is_one_line_and_all_defaults(tmp_path: Path, text: str) -> None:
    path = tmp_path / "config.toml"
    path.write_bytes(text.encode("latin-1", "replace") if "utf-8" in text else text.encode())
    settings = load_settings(tmp_path, environ={})
    [problem] = settings.problems
    assert str(path) in problem and "\n" not in problem and "defaults" in problem
    assert settings.model_dump() == Settings().model_dump()


def test_a_section_that_is_not_a_table(tmp_path: Path) -> None:
    write(tmp_path, 'ui = "dark"\nkeymap = 3\n[ai]\nmodel = "m"\n')
    settings = load_settings(tmp_path, environ={})
    assert settings.ai.model == "m" and settings.keymap == {}
    assert len(settings.problems) == 2


def test_secrets_in_the_file_are_refused_unseen(tmp_path: Path) -> None:
    write(
        tmp_path,
        '[ai]\napi_key = "sk-live-123"\n[account]\nkeyring_password = "hunter2"\n'
        'password = "pw-456"\ntoken = "tok-789"\n',
    )
    settings = load_settings(tmp_path, environ={})
    assert len(settings.problems) == 4
    shown = " ".join(settings.problems) + repr(settings) + json.dumps(settings.sources)
    for secret in ("sk-live-123", "hunter2", "pw-456", "tok-789"):
        assert secret not in shown
    assert settings.account.keyring_password is None
    assert all("secret" in p and "not allowed" in p for p in settings.problems)


def test_the_environment_overrides_and_says_so(tmp_path: Path) -> None:
    write(tmp_path, '[account]\nkeyring = "file"\n')
    settings = load_settings(tmp_path, environ={KEYRING_PASSWORD_ENV: "s3cret"})
    assert settings.problems == ()
    assert settings.account.keyring_password.get_secret_value() == "s3cret"
    assert settings.sources["account.keyring_password"] == f"env:{KEYRING_PASSWORD_ENV}"
    assert settings.sources["account.keyring"] == "file"
    rows = {e.key: e for e in entries(settings)}
    assert rows["account.keyring_password"].secret
    assert rows["account.keyring_password"].value is None
    assert "s3cret" not in repr(settings) and "s3cret" not in repr(entries(settings))
    unset = load_settings(tmp_path, environ={})
    assert unset.sources["account.keyring_password"] == "default"


def test_set_ai_provider_then_read_it(tmp_path: Path) -> None:
    write(tmp_path, '[ai.prices]\n"m" = { input = 1, output = 2 }\n')
    set_ai_provider(tmp_path, "direct")
    settings = load_settings(tmp_path, environ={})
    assert settings.problems == () and settings.ai.provider == "direct"
    assert settings.ai.prices["m"].input == 1


def test_a_declared_key_is_never_taken_for_a_secret(tmp_path: Path) -> None:
    write(tmp_path, "[ai]\nmax_tokens = 5\n")  # not declared (yet): unknown, not a secret
    [problem] = load_settings(tmp_path, environ={}).problems
    assert "unknown key ai.max_tokens" in problem


def test_the_module_imports_no_other_layer() -> None:
    import subprocess
    import sys

    code = "import sys, inkbench.settings; print(' '.join(sys.modules))"
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    bad = [m for m in loaded if m.split(".")[:2] in (["inkbench", "cli"], ["inkbench", "tui"])]
    bad += [m for m in loaded if m.startswith(("inkbench.integrations", "textual", "httpx"))]
    assert not bad
