"""``make bench``: run every ``bench/bench_*.py`` (each has ``main()``), or the
ones named: ``python -m bench search ocr``."""

from __future__ import annotations

import importlib
import sys
import time
from pathlib import Path


def main(argv: list[str]) -> int:
    here = Path(__file__).parent
    names = sorted(p.stem for p in here.glob("bench_*.py"))
    if argv:
        names = [n for n in names if any(a in n for a in argv)]
    failed = []
    for name in names:
        start = time.perf_counter()
        print(f"== {name}", flush=True)
        try:
            importlib.import_module(f"bench.{name}").main()
        except Exception as e:  # noqa: BLE001 - one broken bench must not hide the others
            print(f"{name} failed: {type(e).__name__}: {e}")
            failed.append(name)
        print(f"== {name} took {time.perf_counter() - start:.0f} s", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
