"""Inkbench: a keyboard-driven terminal workbench for writing and the AI work done on it.

Installed, the repository's folders are the subpackages of this one package:
``inkbench.cli`` (the command line), ``inkbench.tui`` (the Textual app),
``inkbench.integrations``, ``inkbench.storage``, ``inkbench.server`` and the
package data ``inkbench.assets`` (see ``setup.py``).
"""

__version__ = "0.2.0"
