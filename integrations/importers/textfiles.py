"""Reading text files users hand us: UTF-8 only, never binary, never huge.

Every failure is an ``InvalidInput`` whose message names the file and says
what to do.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from inkbench.i18n import _
from inkbench.storage.errors import InvalidInput

MAX_TEXT_BYTES = 20 * 1024 * 1024
TEXT_SUFFIXES = (".md", ".markdown", ".txt", ".text")
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$")


def read_text(path: Path) -> str:
    """The text of a UTF-8 file (a BOM is fine); refuses binary and huge files."""
    try:
        size = path.stat().st_size
        if size > MAX_TEXT_BYTES:
            raise InvalidInput(
                _(
                    "{path}: {value} MB is too large for a text document "
                    "(limit {limit} MB); split it first"
                ).format(
                    path=path, value=size // (1024 * 1024), limit=MAX_TEXT_BYTES // (1024 * 1024)
                )
            )
        data = path.read_bytes()
    except FileNotFoundError:
        raise InvalidInput(_("{path}: no such file; check the path").format(path=path)) from None
    except IsADirectoryError:
        raise InvalidInput(_("{path}: is a directory").format(path=path)) from None
    except PermissionError:
        raise InvalidInput(
            _("{path}: permission denied; check the file's permissions").format(path=path)
        ) from None
    except OSError as e:
        raise InvalidInput(
            _("{path}: cannot be read ({strerror})").format(path=path, strerror=e.strerror)
        ) from None
    if b"\x00" in data[:8192]:
        raise InvalidInput(
            _("{path}: looks like a binary file, not text; give a .md or .txt file").format(
                path=path
            )
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise InvalidInput(
            _(
                "{path}: is not UTF-8 text (bad byte at offset {start}); convert it first, "
                "e.g. `iconv -f GB18030 -t UTF-8 {name} > {stem}.utf8{suffix}`"
            ).format(path=path, start=e.start, name=path.name, stem=path.stem, suffix=path.suffix)
        ) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def expand_paths(paths: Iterable[str | Path], suffixes: tuple[str, ...]) -> Iterator[Path]:
    """Files named, and files with ``suffixes`` under directories named."""
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            yield from sorted(
                p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in suffixes
            )
        elif not path.exists():
            raise InvalidInput(
                _("{path}: no such file or directory; check the path").format(path=path)
            )
        else:
            yield path


def split_title(text: str, fallback: str) -> tuple[str, str]:
    """(title, body): the first markdown heading, if the text starts with one
    (after blank lines), else ``fallback`` and the whole text."""
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if not line.strip():
            continue
        m = _HEADING.match(line)
        if m:
            body = "\n".join(lines[i + 1 :]).strip("\n")
            return m.group(1).strip(), body
        break
    return fallback, text.strip("\n")
