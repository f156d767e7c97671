"""The base of every modal dialog: centred, one bordered ``Vertical`` with a
bold ``.dialog-title``. ``FormDialog`` is the narrow one with a button row
(ask, confirm, forms); ``PageDialog`` the large one around a ``TextArea``."""

from __future__ import annotations

from typing import TypeVar

from textual.screen import ModalScreen

from inkbench.i18n import N_

ResultT = TypeVar("ResultT")


class Dialog(ModalScreen[ResultT]):
    """A centred modal box. Subclasses compose one ``Vertical`` whose first
    child carries ``classes="dialog-title"``, and size it in their CSS."""

    HELP_SECTION = N_("Dialogs")

    DEFAULT_CSS = """
    Dialog { align: center middle; }
    Dialog > Vertical { border: thick $primary 60%; background: $surface; }
    Dialog .dialog-title { text-style: bold; }
    """


class FormDialog(Dialog[ResultT]):
    """A 70-column box sized to its content, buttons on the right."""

    DEFAULT_CSS = """
    FormDialog > Vertical { width: 70; height: auto; max-height: 90%; padding: 1 2; }
    FormDialog .dialog-title { margin-bottom: 1; }
    FormDialog Horizontal { height: auto; align-horizontal: right; margin-top: 1; }
    FormDialog Button { margin-left: 1; }
    """


class PageDialog(Dialog[ResultT]):
    """A box of most of the screen, for reading or editing long text."""

    DEFAULT_CSS = """
    PageDialog > Vertical { width: 90%; height: 85%; }
    PageDialog .dialog-title { padding: 0 1; }
    PageDialog TextArea { height: 1fr; }
    """
