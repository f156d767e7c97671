"""`inkbench config show | path`, run as the user runs them (a subprocess)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

SECRETS = ("sk-live-123", "hunter2", "pw-from-env")


def inkbench(home: Path, *args: str, env: dict[str, str] | None = None):
    clean = {k: v for k, v in os.environ.items() if not k.startswith("INKBENCH_")}
    return subprocess.run(
        [sys.executable, "-m", "inkbench", "--home", str(home), *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**clean, **(env or {})},
    )


def test_config_path(tmp_path: Path) -> None:
    done = inkbench(tmp_path, "config", "path")
    assert done.returncode == 0 and done.stdout == f"{tmp_path / 'config.toml'}\n"
    assert done.stderr == ""


def test_show_lists_every_setting_with_its_source(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text(
        '[ai]\nmodel = "llama3.2"\n[ai.prices]\n"llama3.2" = { input = 0, output = 0.5 }\n'
        '[keymap]\n"app.search" = "ctrl+k"\n'
    )
    done = inkbench(tmp_path, "config", "show", env={"INKBENCH_KEYRING_PASSWORD": "pw-from-env"})
    assert done.returncode == 0 and done.stderr == ""
    rows = {line.split()[0]: line.split() for line in done.stdout.splitlines()[1:]}
    assert rows["ai.model"][1:] == ['"llama3.2"', "file"]
    assert rows["ai.provider"][1:] == ['"server"', "default"]
    assert rows['ai.prices."llama3.2".output'][1:] == ["0.5", "file"]
    assert rows['keymap."app.search"'][1:] == ['"ctrl+k"', "file"]
    assert rows["account.keyring_password"][-1] == "env:INKBENCH_KEYRING_PASSWORD"
    assert "hidden" in " ".join(rows["account.keyring_password"])
    assert "pw-from-env" not in done.stdout


def test_show_json(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text('[ui]\ntheme = "nord"\n')
    done = inkbench(
        tmp_path, "config", "show", "--json", env={"INKBENCH_KEYRING_PASSWORD": "pw-from-env"}
    )
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["path"] == str(tmp_path / "config.toml") and data["problems"] == []
    assert data["settings"]["ui.theme"] == {"value": "nord", "source": "file"}
    assert data["settings"]["ai.timeout"] == {"value": 60.0, "source": "default"}
    password = data["settings"]["account.keyring_password"]
    assert password == {
        "value": None,
        "source": "env:INKBENCH_KEYRING_PASSWORD",
        "secret": True,
        "set": True,
    }
    assert "pw-from-env" not in done.stdout


def test_show_never_echoes_a_secret_put_in_the_file(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text(
        '[ai]\napi_key = "sk-live-123"\nmodle = "x"\n[account]\nkeyring_password = "hunter2"\n'
    )
    for args in (("config", "show"), ("config", "show", "--json")):
        done = inkbench(tmp_path, *args)
        assert done.returncode == 0
        for secret in SECRETS:
            assert secret not in done.stdout + done.stderr
        said = done.stderr if len(args) == 2 else done.stdout
        assert said.count("ai.api_key") == 1 and said.count("account.keyring_password ") == 1
        assert said.count("ai.modle") == 1 and str(tmp_path / "config.toml") in said
    assert (
        "api_key"
        not in inkbench(tmp_path, "config", "show", "--json").stdout.split('"settings"')[1]
    )


def test_commands_report_a_bad_value_once_and_go_on(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text('[account]\nkeyring = "post-it"\n')
    done = inkbench(tmp_path, "config", "show")
    assert done.returncode == 0
    [line] = done.stderr.splitlines()
    assert line.startswith("inkbench: ") and "account.keyring" in line
    assert "'system' or 'file'" in line and "default" in line
    rows = {line.split()[0]: line.split()[1:] for line in done.stdout.splitlines()[1:]}
    assert rows["account.keyring"] == ['"system"', "default"]
