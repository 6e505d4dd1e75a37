"""Pick a contact for the next person to watch, with a note: page through the alias's
contacts or search them by handle or name; or drop one picked before. Escape cancels."""

from collections.abc import Callable
from dataclasses import dataclass

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from cmconsole.domain.contacts import DirectoryPage
from cmconsole.domain.errors import CmconsoleError
from cmconsole.tui.safe import content
from cmconsole.tui.widgets.handover_view import watched_line

# Contacts shown at a time: the dialog, its note and its search fit 80x24 with them.
PICK_PAGE = 8

# Reads one page of the alias's contacts: (search, page from 0) -> the page. Runs in a thread.
FindContacts = Callable[[str, int], DirectoryPage]


@dataclass(frozen=True)
class WatchChoice:
    """The contact picked (with the note typed), or, if `drop`, the one to stop watching."""

    handle: str
    note: str
    drop: bool = False


class WatchDialog(ModalScreen[WatchChoice | None]):
    BINDINGS = [
        Binding("escape", "cancel", "Cancel"),
        Binding("ctrl+n", "page(1)", "Next page", priority=True),
        Binding("ctrl+b", "page(-1)", "Previous page", priority=True),
    ]

    class PageFound(Message):
        def __init__(self, page: DirectoryPage) -> None:
            super().__init__()
            self.page = page

    class FindFailed(Message):
        def __init__(self, reason: str) -> None:
            super().__init__()
            self.reason = reason

    def __init__(self, find: FindContacts, watched: list[str]) -> None:
        super().__init__()
        self._find = find
        self._watched = watched  # handles picked already, in order: offered to drop first
        self._choices: list[WatchChoice] = []
        self._search = ""
        self._page = 0
        self._more = False

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide", id="watch-dialog"):
            yield Label("People to watch: pick a contact for the next person", classes="title")
            yield Label("Why watch them? (a note for the next; Enter goes to the list)")
            yield Input(id="note", max_length=500)
            yield Input(placeholder="Search a handle or a name, then Enter", id="watch-search")
            yield OptionList(id="choices")
            yield Static("Reading the contacts…", id="watch-page", markup=False)

    def on_mount(self) -> None:
        self.query_one("#note", Input).focus()
        self._show()
        self._read(self._search, self._page)

    @work(thread=True, exclusive=True, group="watch-find", exit_on_error=False)
    def _read(self, search: str, page: int) -> None:
        try:
            self.post_message(self.PageFound(self._find(search, page)))
        except CmconsoleError as error:
            self.post_message(self.FindFailed(str(error)))
        except Exception as error:  # a bug: its text may hold a database URL
            self.post_message(
                self.FindFailed(f"The contacts could not be read ({type(error).__name__}).")
            )

    def on_watch_dialog_page_found(self, message: PageFound) -> None:
        page = message.page
        self._page, self._more = page.page, page.more
        self._show(page)
        parts = [f"page {page.page + 1}" + (f" of “{self._search}”" if self._search else "")]
        if not page.entries:
            parts.append("no contact matches")
        if page.more:
            parts.append("ctrl+n next page")
        if page.page:
            parts.append("ctrl+b previous")
        self._status(" · ".join(parts))

    def on_watch_dialog_find_failed(self, message: FindFailed) -> None:
        self._status(message.reason, error=True)

    def _show(self, page: DirectoryPage | None = None) -> None:
        self._choices = [WatchChoice(handle, "", drop=True) for handle in self._watched]
        shown = [f"✕ stop watching {handle}" for handle in self._watched]
        for entry in page.entries if page else ():
            contact = entry.contact
            self._choices.append(WatchChoice(contact.handles[0], ""))
            shown.append(watched_line(contact.handles[0], contact.display_name, entry.tags, ""))
        options = self.query_one("#choices", OptionList)
        options.clear_options()
        options.add_options([Option(content(text), id=str(n)) for n, text in enumerate(shown)])

    @on(Input.Submitted, "#note")
    def _to_the_choices(self) -> None:
        self.query_one("#choices", OptionList).focus()

    @on(Input.Submitted, "#watch-search")
    def _searched(self, event: Input.Submitted) -> None:
        self._search, self._page = event.value.strip(), 0
        self._status("Searching…")
        self._read(self._search, 0)

    def action_page(self, step: int) -> None:
        if (step > 0 and not self._more) or self._page + step < 0:
            return
        self._status("Reading the contacts…")
        self._read(self._search, self._page + step)

    @on(OptionList.OptionSelected, "#choices")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        choice = self._choices[int(event.option_id or 0)]
        note = "" if choice.drop else self.query_one("#note", Input).value.strip()
        self.dismiss(WatchChoice(choice.handle, note, choice.drop))

    def _status(self, text: str, *, error: bool = False) -> None:
        status = self.query_one("#watch-page", Static)
        status.update(content(text))
        status.set_class(error, "error")

    def action_cancel(self) -> None:
        self.dismiss(None)
