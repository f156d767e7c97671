"""The real ``inkbench`` launcher to its first frame on a pseudo-terminal,
beside a bare Textual app with the same widgets (see
``bench_tui.bench_launcher``); ``python -m bench launcher`` runs it alone."""

from __future__ import annotations

from bench.bench_tui import bench_launcher, build


def main() -> None:
    build()
    bench_launcher()


if __name__ == "__main__":
    main()
