"""Search the alias's threads: type words, Enter; Enter on a result opens its thread there."""

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable, Footer, Header, Input, Label, Static

from cmconsole.domain.model import Alias
from cmconsole.domain.search import HitKind, SearchHit
from cmconsole.services.guard import SignedIn
from cmconsole.services.search import SearchPage
from cmconsole.tui.safe import cell, content, private_cell
from cmconsole.tui.screens.base import ConsoleScreen, service_work

_FIXED_WIDTH = 44  # the when, kind and contact columns, and the cells' padding


class SearchScreen(ConsoleScreen[SearchHit | None]):
    """Dismisses with the hit chosen (None: nothing chosen)."""

    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("f1", "app.toggle_help", "Keys", tooltip="(also ? where no text is typed)"),
        Binding("ctrl+n", "page(1)", "Next page"),
        Binding("ctrl+b", "page(-1)", "Previous page"),
        Binding("ctrl+l", "query", "New search", show=False),
    ]

    class PageFound(Message):
        def __init__(self, page: SearchPage) -> None:
            super().__init__()
            self.page = page

    def __init__(self, who: SignedIn, alias: Alias) -> None:
        super().__init__()
        self.who = who
        self.alias = alias
        self._page: SearchPage | None = None
        self._hits: dict[str, SearchHit] = {}

    def compose(self) -> ComposeResult:
        yield Header()
        yield Label(
            content(f"Search the threads of {self.alias.display_name} ({self.alias.handle})"),
            classes="title",
        )
        yield Input(placeholder="Words in messages and replies, then Enter", id="search-query")
        table: DataTable[object] = DataTable(id="search-results", cursor_type="row")
        table.add_columns("when (UTC)", "", "thread", "text")
        yield table
        yield Static(
            "Every word must be there; accents and endings do not matter.",
            id="search-status",
            markup=False,
        )
        yield Footer()

    def on_mount(self) -> None:
        self.title = self.alias.display_name
        self.query_one("#search-query", Input).focus()

    @on(Input.Submitted, "#search-query")
    def _submitted(self, event: Input.Submitted) -> None:
        self._status("Searching…")
        self._search(event.value, 0)

    def action_page(self, step: int) -> None:
        page = self._page
        if page is None or (step > 0 and not page.more) or page.page + step < 0:
            return
        self._search(page.query, page.page + step)

    def action_query(self) -> None:
        self.query_one("#search-query", Input).focus()

    @service_work(group="search", exclusive=True)
    def _search(self, query: str, page: int) -> None:
        found = self.services.search.search(self.who, self.alias.id, query, page)
        self.post_message(self.PageFound(found))

    def on_search_screen_page_found(self, message: PageFound) -> None:
        page = self._page = message.page
        table = self.query_one("#search-results", DataTable)
        table.clear()
        width = max(20, table.size.width - _FIXED_WIDTH)
        self._hits = {}
        for hit in page.hits:
            key = f"{hit.kind.value}-{hit.id}"
            self._hits[key] = hit
            kind = "message" if hit.kind is HitKind.MESSAGE else "↳ reply"
            table.add_row(
                f"{hit.at:%Y-%m-%d %H:%M}",
                kind,
                cell(hit.contact, 20),
                private_cell(hit.text, width, private=hit.private),
                key=key,
            )
        if not page.hits:
            self._status("Nothing found." if page.page == 0 else "No more results.")
            return
        more = " · ctrl+n next page" if page.more else ""
        back = " · ctrl+b previous" if page.page else ""
        self._status(f"Page {page.page + 1}, best first · Enter opens the thread there{more}{back}")
        table.focus()

    @on(DataTable.RowSelected, "#search-results")
    def _chosen(self, event: DataTable.RowSelected) -> None:
        hit = self._hits.get(str(event.row_key.value))
        if hit is not None:
            self.dismiss(hit)

    def _status(self, text: str, *, error: bool = False) -> None:
        status = self.query_one("#search-status", Static)
        status.update(content(text))
        status.set_class(error, "error")

    def show_problem(self, reason: str) -> None:
        self._status(reason, error=True)

    def action_back(self) -> None:
        self.dismiss(None)
