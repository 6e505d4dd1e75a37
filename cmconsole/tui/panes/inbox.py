"""The inbox pane: which threads it lists (filter, facet sort, contacts' tag), and the threads,
keyed by contact."""

from datetime import datetime

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from cmconsole.domain.contacts import Facet
from cmconsole.services.desk_model import DeskModel
from cmconsole.services.inbox import InboxFilter
from cmconsole.tui.widgets.tables import InboxTable

FILTER_CYCLE = [
    InboxFilter.ALL,
    InboxFilter.UNANSWERED,
    InboxFilter.MINE,
    InboxFilter.CLAIMED,
    InboxFilter.APPROVAL,
    InboxFilter.CLOSED,
    InboxFilter.SPAM,
]
_SHOWN = {
    InboxFilter.ALL: "all threads but spam",
    InboxFilter.UNANSWERED: "unanswered: the fan waits",
    InboxFilter.MINE: "yours (claimed or handed to you)",
    InboxFilter.CLAIMED: "threads someone is answering",
    InboxFilter.APPROVAL: "replies awaiting approval",
    InboxFilter.CLOSED: "closed without a reply",
    InboxFilter.SPAM: "spam",
}


SORT_CYCLE: list[Facet | None] = [None, *Facet]


def next_sort(current: Facet | None) -> Facet | None:
    return SORT_CYCLE[(SORT_CYCLE.index(current) + 1) % len(SORT_CYCLE)]


def next_filter(current: InboxFilter) -> InboxFilter:
    return FILTER_CYCLE[(FILTER_CYCLE.index(current) + 1) % len(FILTER_CYCLE)]


class InboxPane(Vertical):
    def compose(self) -> ComposeResult:
        yield Static("", id="inbox-filter", markup=False)
        yield InboxTable(id="inbox-table")

    def show(self, model: DeskModel, now: datetime, me: int) -> None:
        self.query_one(InboxTable).show(model.threads, now, me, len(model.channels) > 1)

    def show_filter(
        self,
        which: InboxFilter,
        sort: Facet | None = None,
        tag: str | None = None,
        channel: str | None = None,
    ) -> None:
        shown = (
            _SHOWN[which].capitalize()
            + (f", on {channel} only (C: next)" if channel else "")
            + (f", tagged {tag} (T: another)" if tag else "")
            + (f", by {sort.value} first" if sort else "")
        )
        self.query_one("#inbox-filter", Static).update(
            f"{shown} · f: filter · space: select · x: close · >: hand"
        )


def next_channel(current: str | None, channels: list[str]) -> str | None:
    """The inbox's channel filter after `current`: every channel, then each in turn."""
    cycle: list[str | None] = [None, *channels]
    at = cycle.index(current) if current in cycle else 0
    return cycle[(at + 1) % len(cycle)]


def tag_options(tags: list[str], current: str | None) -> list[tuple[str, str]]:
    """What the inbox's tag picker offers: every tag (no filter), then the alias's tags; the
    one in force is marked. The value "" clears the filter."""
    every = ("✓ every tag" if current is None else "every tag: clear the filter", "")
    return [every, *[(f"✓ {t}" if t == current else t, t) for t in tags]]
