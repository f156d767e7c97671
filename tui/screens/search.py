"""Global search (ctrl+f from anywhere): results as you type from articles,
chapters, knowledge chunks, OCR text, the story bible (characters and world
entries: Enter opens the entry's page), chat messages (Enter opens the
conversation in the Chat area) and works, albums and knowledge bases by name
or pinyin (Enter opens their area, filtered to them). Snippet highlights are styled spans
built from the hit's offsets, never markup. Enter opens the hit at its place."""

from __future__ import annotations

from rich.cells import cell_len
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from inkbench.i18n import N_, _, format_number, pgettext
from inkbench.storage.lists import flat
from inkbench.storage.reads import hit_text
from inkbench.tui.cells import pad
from inkbench.tui.messages import OpenDocument


def kind_label(kind: str) -> str:
    """What a hit is, in a few cells."""
    return _kind_labels().get(kind, kind)


def kind_width() -> int:
    """Cells for the kind column: the widest label in the current language
    and a space ("knowledge base" is 14 cells, 知识库 6)."""
    return max(cell_len(label) for label in _kind_labels().values()) + 1


def _kind_labels() -> dict[str, str]:
    return {
        "article": pgettext("kind", "article"),
        "chapter": pgettext("kind", "chapter"),
        "chunk": pgettext("kind", "knowledge base"),
        "image": pgettext("kind", "image"),
        "character": pgettext("kind", "character"),
        "world_entry": pgettext("kind", "world"),
        "message": pgettext("kind", "chat"),
        "work": pgettext("kind", "work"),
        "album": pgettext("kind", "album"),
        "knowledge_base": pgettext("kind", "knowledge base"),
    }


HIGHLIGHT = "bold reverse $text-accent"


def _mark(content: Content, terms: tuple[str, ...]) -> Content:
    from inkbench.storage.text import find_spans  # folded: 鳳凰 is found by 凤凰

    for start, end in find_spans(content.plain, terms):
        content = content.stylize(HIGHLIGHT, start, end)
    return content


def hit_content(hit, width: int = 0, terms: tuple[str, ...] = ()) -> Content:
    """Two lines: kind, title (and parent), then the snippet with its matches
    highlighted from the offsets storage computed (cut to ``width`` cells)."""
    indent = kind_width()
    head = Content.assemble(
        (pad(kind_label(hit.kind), indent), "$text-muted"),
        _mark(Content.styled(flat(hit.title) or _("(untitled)"), "bold"), terms),
        (
            _("  in {parent_title}").format(parent_title=flat(hit.parent_title))
            if hit.parent_title
            else "",
            "$text-muted",
        ),
    )
    text = flat(hit.snippet.text)
    spans = list(hit.snippet.highlights)
    if width > 20 and spans:
        # wide (CJK) text: start the line near the first match so it is seen
        first = spans[0][0]
        if cell_len(text[:first]) > (width - indent) // 2:
            cut = first
            while cut > 0 and cell_len(text[cut - 1 : first]) < (width - indent) // 4:
                cut -= 1
            text = "…" + text[cut:]
            spans = [(a - cut + 1, b - cut + 1) for a, b in spans if a >= cut]
    snippet = Content(text)
    for start, end in spans:
        snippet = snippet.stylize(HIGHLIGHT, start, end)
    if width > 20:
        head = head.truncate(width, ellipsis=True)
        snippet = snippet.truncate(width - indent, ellipsis=True)
    return Content("\n").join([head, Content(" " * indent) + snippet])


def locate(text: str, terms: tuple[str, ...]) -> tuple[int, int]:
    """(line, column) of the first match of any term in ``text``, else (0, 0)."""
    from inkbench.storage.text import find_spans

    spans = find_spans(text, terms)
    if not spans:
        return 0, 0
    start = spans[0][0]
    line = text.count("\n", 0, start)
    column = start - (text.rfind("\n", 0, start) + 1)
    return line, column


class SearchScreen(ModalScreen[None]):
    HELP_SECTION = N_("Search")
    DEFAULT_CSS = """
    SearchScreen { align: center top; }
    SearchScreen > Vertical {
        width: 90%; height: 80%; margin-top: 2;
        border: thick $primary 60%; background: $surface;
    }
    SearchScreen #query { border: none; height: 1; background: $boost; padding: 0 1; }
    SearchScreen #search-info { height: 1; color: $text-muted; padding: 0 1; }
    SearchScreen OptionList { height: 1fr; border: none; }
    """
    BINDINGS = [
        Binding("escape", "close", N_("Close"), id="search.close"),
        Binding("down", "results", N_("Results"), show=False, id="search.results"),
    ]
    AUTO_FOCUS = "#query"

    class Results(Message):
        def __init__(self, query: str, hits: list) -> None:
            super().__init__()
            self.query = query
            self.hits = hits

    def __init__(self, query: str = "") -> None:
        super().__init__()
        self.initial = query
        self.hits: list = []
        self.query_text = ""

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Input(
                self.initial,
                placeholder=_('search everything: words, 中文, "a phrase"'),
                id="query",
                compact=True,
            )
            yield Static(Content(_("Type to search.")), id="search-info")
            yield OptionList(id="hits")

    def on_mount(self) -> None:
        if self.initial:
            self._search(self.initial)

    @on(Input.Changed, "#query")
    def _changed(self, event: Input.Changed) -> None:
        self._search(event.value)

    @on(Input.Submitted, "#query")
    def _submitted(self) -> None:
        if self.hits:
            self.open(0)

    @work(thread=True, exclusive=True, group="search", exit_on_error=False)
    def _search(self, text: str) -> None:
        from inkbench.storage.search import ALL_KINDS, search

        store = self.app.store  # type: ignore[attr-defined]
        if not text.strip():
            hits = []
        else:
            with store.reader() as conn:
                hits = search(conn, text, limit=30, kinds=ALL_KINDS)
        if not get_current_worker().is_cancelled:
            self.post_message(self.Results(text, hits))

    @on(Results)
    def _results(self, event: Results) -> None:
        if event.query != self.query_one("#query", Input).value:
            return  # typing went on; a newer search is coming
        self.hits = event.hits
        self.query_text = event.query
        options = self.query_one(OptionList)
        options.clear_options()
        width = options.scrollable_content_region.width - 2
        from inkbench.storage.text import parse_query

        terms = parse_query(event.query).terms
        options.add_options(
            Option(hit_content(h, width, terms), id=str(i)) for i, h in enumerate(event.hits)
        )
        if event.hits:
            options.highlighted = 0
            info = _("{n} best matches · Enter opens the first · ↓ to pick").format(
                n=format_number(len(event.hits))
            )
        elif event.query.strip():
            info = _("No matches.")
        else:
            info = _("Type to search.")
        self.query_one("#search-info", Static).update(Content(info))

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self.open(event.option_index)

    def on_worker_state_changed(self, event) -> None:
        self.app.worker_failed(event)  # type: ignore[attr-defined]

    def action_results(self) -> None:
        if self.hits:
            self.query_one(OptionList).focus()

    def action_close(self) -> None:
        self.dismiss(None)

    async def _open_conversation(self, conversation_id: int | None) -> None:
        """Switch to the Chat area with that conversation shown (``ChatArea.show``)."""
        app = self.app
        pane = app.show_area("chat")  # type: ignore[attr-defined]
        mounting = app._mounting.get("chat")  # type: ignore[attr-defined]
        if mounting is not None:
            await mounting
        if conversation_id is not None and hasattr(pane, "show"):
            pane.show(conversation_id)

    async def _open_in_area(self, area_id: str, title: str) -> None:
        """Switch to the area listing works, albums or knowledge bases, its
        list filtered to the hit's name."""
        from inkbench.tui.widgets.list_pane import ListPane

        app = self.app
        pane = app.show_area(area_id)  # type: ignore[attr-defined]
        mounting = app._mounting.get(area_id)  # type: ignore[attr-defined]
        if mounting is not None:
            await mounting
        lists = pane.query(ListPane)
        if lists:
            lists.first().show_filtered(title)

    def open(self, index: int) -> None:
        from inkbench.storage.text import parse_query

        hit = self.hits[index]
        if hit.kind in ("character", "world_entry"):
            from inkbench.tui.screens.entry import EntryScreen

            self.dismiss(None)
            self.app.push_screen(EntryScreen(hit.kind, hit.id))
            return
        if hit.kind == "message":
            self.dismiss(None)
            self.app.call_later(self._open_conversation, hit.parent_id)
            return
        areas = {"work": "works", "album": "albums", "knowledge_base": "knowledge"}
        if hit.kind in areas:
            self.dismiss(None)
            self.app.call_later(self._open_in_area, areas[hit.kind], hit.title)
            return
        terms = parse_query(self.query_text).terms
        conn = self.app.store.ui_conn  # type: ignore[attr-defined]
        text = hit_text(conn, hit.kind, hit.id)
        if hit.kind in ("article", "chapter"):
            line, column = locate(text, terms)
            self.dismiss(None)
            self.app.post_message(OpenDocument(hit.kind, hit.id, line, column))
            return
        from inkbench.tui.dialogs.show_text import ShowText

        if hit.kind == "chunk":
            where = (
                _("Knowledge base {name}: ").format(name=hit.parent_title)
                if hit.parent_title
                else ""
            )
        else:
            where = (
                _("OCR text of an image in album {name}: ").format(name=hit.parent_title)
                if hit.parent_title
                else ""
            )
        line, _column = locate(text, terms)
        self.dismiss(None)
        self.app.push_screen(ShowText(where + hit.title, text, line))
