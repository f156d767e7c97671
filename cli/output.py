"""Printing for the CLI: JSON for scripts, a progress line on a terminal and
plain lines otherwise. No Rich here: user text is printed as it is."""

from __future__ import annotations

import json
import sys
import time
from typing import Any


def print_json(data: Any) -> None:
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2, default=str)
    sys.stdout.write("\n")


def warn(message: str) -> None:
    print(f"inkbench: {message}", file=sys.stderr)


class Progress:
    """``progress(done, total, label)``: a redrawn bar on a terminal, a plain
    line every few seconds (and at the end) when output is not a terminal."""

    def __init__(self, what: str, *, stream=None) -> None:
        self.what = what
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self._last = 0.0

    def __call__(self, done: int, total: int, label: str = "") -> None:
        now = time.monotonic()
        final = done >= total
        if self.tty:
            width = 30
            filled = int(width * done / total) if total else width
            bar = "#" * filled + "-" * (width - filled)
            text = f"\r{self.what} [{bar}] {done}/{total} {label[:40]:<40}"
            self.stream.write(text)
            if final:
                self.stream.write("\n")
            self.stream.flush()
        elif final or now - self._last >= 2:
            self.stream.write(f"{self.what}: {done}/{total}\n")
            self.stream.flush()
            self._last = now
