"""Where Inkbench keeps its data: ``--home``, else ``INKBENCH_HOME``, else the
platform's user data directory."""

from __future__ import annotations

import os
from pathlib import Path

DB_NAME = "inkbench.db"
BLOB_DIR = "blobs"
CONFIG_NAME = "config.toml"


def resolve_home(home: str | os.PathLike[str] | None = None) -> Path:
    if home:
        return Path(home).expanduser()
    env = os.environ.get("INKBENCH_HOME")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("inkbench", appauthor=False))


def ensure_home(home: Path) -> Path:
    home.mkdir(parents=True, exist_ok=True, mode=0o700)
    (home / BLOB_DIR).mkdir(exist_ok=True, mode=0o700)
    return home
