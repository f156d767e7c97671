"""``python -m inkbench``: the same as the ``inkbench`` command."""

from inkbench.cli import run

run()
