"""``python -m tui.cli``: the same as the ``inkbench`` command."""

from tui.cli import run

run()
