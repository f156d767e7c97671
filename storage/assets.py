"""Where the shipped assets are: ``inkbench.assets``, found through
``importlib.resources``, so a source checkout, an editable install and a wheel
all read the same files."""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def asset_path(*parts: str) -> Path:
    """A file or folder under ``assets/`` as a file-system path.

    Wheels install unzipped, so ``as_file`` hands back the installed path
    itself; nothing is copied."""
    ref = resources.files("inkbench.assets").joinpath(*parts)
    with resources.as_file(ref) as path:
        return Path(path)
