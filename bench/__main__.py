"""``make bench``: run every ``bench/bench_*.py`` (each has ``main()``), or the
ones named: ``python -m bench search ocr``.

Each benchmark runs in a fresh interpreter, so none measures memory, imports
or threads another left behind (the TUI's resident-memory figure read 270 MB
instead of ~110 MB after the storage corpus build in the same process)."""

from __future__ import annotations

import subprocess
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
        code = f"import bench.{name} as b; b.main()"
        if subprocess.run([sys.executable, "-c", code], cwd=here.parent).returncode != 0:
            print(f"{name} failed (see above)")  # one broken bench must not hide the others
            failed.append(name)
        print(f"== {name} took {time.perf_counter() - start:.0f} s", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
