"""The inbox pane: which threads it lists, and the threads, keyed by contact."""

from datetime import datetime

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from cmconsole.services.desk_model import DeskModel
from cmconsole.services.inbox import InboxFilter
from cmconsole.tui.widgets.tables import InboxTable

FILTER_CYCLE = [InboxFilter.ALL, InboxFilter.UNANSWERED, InboxFilter.MINE, InboxFilter.CLAIMED]
_SHOWN = {
    InboxFilter.ALL: "all threads",
    InboxFilter.UNANSWERED: "unanswered threads",
    InboxFilter.MINE: "threads you are answering",
    InboxFilter.CLAIMED: "threads someone is answering",
}


def next_filter(current: InboxFilter) -> InboxFilter:
    return FILTER_CYCLE[(FILTER_CYCLE.index(current) + 1) % len(FILTER_CYCLE)]


class InboxPane(Vertical):
    def compose(self) -> ComposeResult:
        yield Static("", id="inbox-filter", markup=False)
        yield InboxTable(id="inbox-table")

    def show(self, model: DeskModel, now: datetime, me: int) -> None:
        self.query_one(InboxTable).show(model.threads, now, me)

    def show_filter(self, which: InboxFilter) -> None:
        self.query_one("#inbox-filter", Static).update(
            f"Showing {_SHOWN[which]} · f: all / unanswered / mine / claimed · Enter opens, claims"
        )
