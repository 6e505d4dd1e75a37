"""The alias's contacts: search, filter by tag, sort; Enter opens a contact's card."""

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable, Footer, Header, Input, Label, Static

from cmconsole.domain.contacts import DirectoryPage, DirectorySort
from cmconsole.domain.model import Alias
from cmconsole.services.guard import SignedIn
from cmconsole.tui.safe import cell, content
from cmconsole.tui.screens.base import ConsoleScreen, service_work
from cmconsole.tui.screens.contact import ContactScreen

SORT_WORDS = {
    DirectorySort.LAST_CONTACT: "last contact",
    DirectorySort.OPEN_PROMISES: "open promises",
    DirectorySort.GET_TO_KNOW: "who to get to know",
}


class ContactsScreen(ConsoleScreen[None]):
    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("f1", "app.toggle_help", "Keys", tooltip="(also ? where no text is typed)"),
        Binding("ctrl+t", "cycle_tag", "Tag filter"),
        Binding("ctrl+o", "cycle_sort", "Sort"),
        Binding("ctrl+n", "page(1)", "Next page"),
        Binding("ctrl+b", "page(-1)", "Previous page"),
        Binding("ctrl+l", "query", "Search", show=False),
    ]

    class PageFound(Message):
        def __init__(self, page: DirectoryPage, tags: list[str]) -> None:
            super().__init__()
            self.page = page
            self.tags = tags

    def __init__(self, who: SignedIn, alias: Alias) -> None:
        super().__init__()
        self.who = who
        self.alias = alias
        self._search = ""
        self._tag: str | None = None
        self._tags: list[str] = []
        self._sort = DirectorySort.LAST_CONTACT
        self._page = 0
        self._more = False

    def compose(self) -> ComposeResult:
        yield Header()
        yield Label(
            content(f"Contacts of {self.alias.display_name} ({self.alias.handle})"),
            classes="title",
        )
        yield Input(placeholder="Search a handle or a name, then Enter", id="contacts-search")
        yield Static("", id="contacts-filter", markup=False)
        table: DataTable[object] = DataTable(id="contacts-table", cursor_type="row")
        table.add_columns("contact", "name", "tags", "promises", "last contact (UTC)")
        yield table
        yield Static("", id="contacts-status", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.title = self.alias.display_name
        self.query_one("#contacts-search", Input).focus()
        self._read()

    @on(Input.Submitted, "#contacts-search")
    def _submitted(self, event: Input.Submitted) -> None:
        self._search, self._page = event.value, 0
        self._read()

    def action_cycle_tag(self) -> None:
        choices: list[str | None] = [None, *self._tags]
        self._tag = choices[(choices.index(self._tag) + 1) % len(choices)]
        self._page = 0
        self._read()

    def action_cycle_sort(self) -> None:
        order = list(DirectorySort)
        self._sort = order[(order.index(self._sort) + 1) % len(order)]
        self._page = 0
        self._read()

    def action_page(self, step: int) -> None:
        if (step > 0 and not self._more) or self._page + step < 0:
            return
        self._page += step
        self._read()

    def action_query(self) -> None:
        self.query_one("#contacts-search", Input).focus()

    def _read(self) -> None:
        tag = f"tag {self._tag}" if self._tag else "every tag (ctrl+t filters)"
        self.query_one("#contacts-filter", Static).update(
            content(f"Showing {tag} · sorted by {SORT_WORDS[self._sort]} (ctrl+o sorts)")
        )
        self._load(self._search, self._tag, self._sort, self._page)

    @service_work(group="contacts", exclusive=True)
    def _load(self, search: str, tag: str | None, sort: DirectorySort, page: int) -> None:
        found = self.services.contacts.directory(
            self.who, self.alias.id, search=search, tag=tag, sort=sort, page=page
        )
        tags = self.services.contact_tags.tag_list(self.who, self.alias.id)
        self.post_message(self.PageFound(found, tags))

    def on_contacts_screen_page_found(self, message: PageFound) -> None:
        page, self._tags, self._more = message.page, message.tags, message.page.more
        table = self.query_one("#contacts-table", DataTable)
        table.clear()
        for entry in page.entries:
            contact = entry.contact
            table.add_row(
                cell(" ".join(contact.handles), 24),
                cell(contact.display_name, 20),
                cell(", ".join(entry.tags), 24),
                str(entry.open_promises),
                f"{contact.last_contact_at:%Y-%m-%d %H:%M}",
                key=contact.handles[0],
            )
        more = " · ctrl+n next page" if page.more else ""
        back = " · ctrl+b previous" if page.page else ""
        words = "No contact matches." if not page.entries else "Enter opens the contact's card"
        self._status(f"Page {page.page + 1} · {words}{more}{back}")

    @on(DataTable.RowSelected, "#contacts-table")
    def _chosen(self, event: DataTable.RowSelected) -> None:
        handle = str(event.row_key.value)
        self.app.push_screen(ContactScreen(self.who, self.alias, handle))

    def _status(self, text: str, *, error: bool = False) -> None:
        status = self.query_one("#contacts-status", Static)
        status.update(content(text))
        status.set_class(error, "error")

    def show_problem(self, reason: str) -> None:
        self._status(reason, error=True)

    def action_back(self) -> None:
        self.dismiss(None)
