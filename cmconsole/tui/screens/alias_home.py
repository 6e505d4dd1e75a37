"""One alias on shift: its inbox, public timeline and audit, refreshed as the public writes."""

from dataclasses import dataclass

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable, Footer, Header, Static, TabbedContent, TabPane

from cmconsole.domain.errors import CmconsoleError
from cmconsole.domain.model import AuditEntry, InboundMessage, Membership, PublicPost
from cmconsole.services.guard import SignedIn
from cmconsole.tui.safe import content
from cmconsole.tui.screens.base import ConsoleScreen
from cmconsole.tui.screens.thread import ThreadScreen
from cmconsole.tui.widgets.tables import AuditTable, InboxTable, TimelineTable

POLL_SECONDS = 2.0


@dataclass(frozen=True)
class AliasSnapshot:
    messages: list[InboundMessage]
    timeline: list[PublicPost]
    audit: list[AuditEntry]
    on_shift: list[str]


class AliasScreen(ConsoleScreen):
    """The operator's desk for one alias."""

    BINDINGS = [
        Binding("escape", "leave", "End shift"),
        Binding("r", "refresh", "Refresh"),
        Binding("i", "tab('inbox')", "Inbox"),
        Binding("t", "tab('timeline')", "Public timeline"),
        Binding("a", "tab('audit')", "Audit"),
    ]

    class Refreshed(Message):
        def __init__(self, snapshot: AliasSnapshot) -> None:
            super().__init__()
            self.snapshot = snapshot

    class RefreshFailed(Message):
        def __init__(self, reason: str) -> None:
            super().__init__()
            self.reason = reason

    def __init__(self, who: SignedIn, membership: Membership) -> None:
        super().__init__()
        self.who = who
        self.membership = membership
        self.alias = membership.alias

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(
            content(
                f"{self.alias.display_name}  {self.alias.handle}  ·  you: {self.who.name} "
                f"({self.membership.role.value})"
            ),
            id="alias-banner",
        )
        yield Static("", id="on-shift", markup=False)
        with TabbedContent(initial="inbox"):
            with TabPane("Inbox", id="inbox"):
                yield InboxTable(id="inbox-table")
            with TabPane("Public timeline", id="timeline"):
                yield TimelineTable(id="timeline-table")
            with TabPane("Audit", id="audit"):
                yield AuditTable(id="audit-table")
        yield Static("", id="alias-error", classes="error", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.title = self.alias.display_name
        self.console.shift_started(self.who, self.alias.id)
        self.query_one(InboxTable).focus()
        self.action_refresh()
        self.set_interval(POLL_SECONDS, self.action_refresh)
        if self.console.public_every:
            self.set_interval(self.console.public_every, self._public_writes)

    def on_screen_resume(self) -> None:
        self.action_refresh()

    def action_refresh(self) -> None:
        self._load()

    def action_tab(self, tab: str) -> None:
        self.query_one(TabbedContent).active = tab

    def action_leave(self) -> None:
        self.console.end_open_shift()
        self.dismiss()

    @work(thread=True, exclusive=True, group="refresh")
    def _load(self) -> None:
        services, alias_id = self.services, self.alias.id
        try:
            services.inbox.sync(alias_id)
            snapshot = AliasSnapshot(
                services.inbox.messages(self.who, alias_id),
                services.timeline.public_posts(self.who, alias_id),
                services.audit.for_alias(self.who, alias_id),
                [operator.name for _, operator in services.shifts.on_shift(alias_id)],
            )
        except CmconsoleError as error:
            self.post_message(self.RefreshFailed(str(error)))
        else:
            self.post_message(self.Refreshed(snapshot))

    @work(thread=True, group="public")
    def _public_writes(self) -> None:
        self.services.public.send_next()

    def on_alias_screen_refreshed(self, message: Refreshed) -> None:
        snapshot, now = message.snapshot, self.console.clock()
        self.query_one(InboxTable).show(snapshot.messages, now)
        self.query_one(TimelineTable).show(snapshot.timeline, now)
        self.query_one(AuditTable).show(snapshot.audit)
        waiting = sum(not m.answered for m in snapshot.messages)
        self.query_one("#on-shift", Static).update(
            f"On shift now: {', '.join(snapshot.on_shift) or 'nobody'}  ·  {waiting} waiting"
        )
        self.query_one("#alias-error", Static).update("")

    def on_alias_screen_refresh_failed(self, message: RefreshFailed) -> None:
        self.query_one("#alias-error", Static).update(message.reason)

    @on(DataTable.RowSelected, "#inbox-table")
    def _open_thread(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value is not None:
            self.app.push_screen(ThreadScreen(self.who, self.membership, int(event.row_key.value)))
