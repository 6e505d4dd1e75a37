"""Notifications: told as toasts (and the bell, for who wants it) as they come, listed on `n`."""

from datetime import datetime
from typing import cast

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.notifications import SeverityLevel
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import DataTable, Footer, Header, Label, Static
from textual.worker import Worker

from cmconsole.domain.model import Membership
from cmconsole.services.guard import SignedIn
from cmconsole.services.notifications import Notification, NotificationKind
from cmconsole.tui.clock import ago
from cmconsole.tui.safe import cell, content, inert
from cmconsole.tui.screens.base import ConsoleScreen, service_work
from cmconsole.tui.screens.thread import ThreadScreen

# Time alone makes some news (a promise falling due), with no write to wake the desk.
CHECK_EVERY_SECONDS = 30.0
TOAST_SECONDS = 10.0

TITLES = {
    NotificationKind.SENT_BACK: "Reply sent back",
    NotificationKind.TAKEN_OVER: "Thread taken over",
    NotificationKind.HANDED: "Thread handed to you",
    NotificationKind.NEW_MESSAGE: "New message",
    NotificationKind.AWAITING_APPROVAL: "Waiting for approval",
    NotificationKind.FOLLOW_UP_DUE: "Promise due",
}
SEVERITIES: dict[NotificationKind, SeverityLevel] = {
    NotificationKind.SENT_BACK: "warning",
    NotificationKind.TAKEN_OVER: "warning",
}


class Notices(Widget):
    """Watches one operator's notifications on an alias for its screen (mounted there, unseen):
    each new one is told once, as a toast, with the bell if they turned it on. What concerned
    them since their previous shift is told once, as the screen opens; what happened before the
    screen opened is not told one by one (it is in the list, `n`). After that a notice is new by
    its key, never by comparing clocks, which two consoles may not agree on."""

    DEFAULT_CSS = "Notices { display: none; }"

    def __init__(self, who: SignedIn, alias_id: int) -> None:
        super().__init__()
        self._who = who
        self._alias_id = alias_id
        self._opened_at: datetime | None = None  # when the first look was asked for
        self._seen: set[str] | None = None
        self._timer: Timer | None = None

    @property
    def _screen(self) -> ConsoleScreen[None]:
        return cast(ConsoleScreen[None], self.screen)

    def check(self) -> None:
        """Look for news now, on a worker (the desk moved, or time passed)."""
        if self._timer is None:
            self._opened_at = self._screen.console.clock()
            self._timer = self.set_interval(CHECK_EVERY_SECONDS, self.check)
        self._read(first=self._seen is None)

    @service_work(group="notifications", exclusive=True)
    def _read(self, first: bool) -> None:
        """Fetch what to tell, and tell it on the console's thread."""
        services = self._screen.services
        found = services.notifications.recent(self._who, self._alias_id)
        away = services.notifications.while_away(self._who, self._alias_id) if first else []
        bell = services.notifications.bell(self._who)
        self.app.call_from_thread(self._tell, found, away, bell)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        # Worker.StateChanged does not bubble: the screen, which says what failed, is handed it.
        self._screen.say_failure(event)

    def _tell(self, found: list[Notification], away: list[Notification], bell: bool) -> None:
        keys = {notice.key for notice in found}
        if self._seen is None:
            opened = self._opened_at
            self._seen = {n.key for n in found if opened is None or n.when <= opened}
            self._seen |= {notice.key for notice in away}
            if away:
                self._toast_away(away)
        news = [notice for notice in found if notice.key not in self._seen]
        self._seen |= keys
        for notice in reversed(news):  # oldest first: the newest ends on top
            self._toast(notice.text, TITLES[notice.kind], SEVERITIES.get(notice.kind))
        if (news or away) and bell:
            self.app.bell()

    def _toast_away(self, away: list[Notification]) -> None:
        if len(away) == 1:
            [notice] = away
            title = f"{TITLES[notice.kind]} while you were away"
            self._toast(notice.text, title, SEVERITIES.get(notice.kind))
            return
        newest = away[0]
        self._toast(
            f"{len(away)} things concerned you while you were away; the newest: {newest.text}\n"
            "n lists them.",
            "While you were away",
            "warning",
        )

    def _toast(self, text: str, title: str, severity: SeverityLevel | None) -> None:
        self.notify(
            inert(text),
            title=title,
            severity=severity or "information",
            timeout=TOAST_SECONDS,
            markup=False,
        )


class NotificationsScreen(ConsoleScreen[None]):
    """The operator's recent notifications on the alias; Enter opens the thread of one."""

    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("b", "toggle_bell", "Bell on/off"),
        Binding("r", "refresh", "Refresh"),
    ]

    class Loaded(Message):
        """The notifications and the bell setting were read."""

        def __init__(self, found: list[Notification], bell: bool, now: datetime) -> None:
            super().__init__()
            self.found = found
            self.bell = bell
            self.now = now

    def __init__(self, who: SignedIn, membership: Membership) -> None:
        super().__init__()
        self.who = who
        self.membership = membership
        self.alias = membership.alias
        self._contacts: dict[str, str] = {}
        self._texts: dict[str, str] = {}
        self._bell = False

    def compose(self) -> ComposeResult:
        yield Header()
        yield Label(
            f"Notifications on {self.alias.display_name} ({self.alias.handle})",
            classes="title",
            markup=False,
        )
        table: DataTable[object] = DataTable(id="notifications", cursor_type="row")
        table.add_columns("when", "what", "")
        yield table
        yield Static("", id="notification-text", markup=False)
        yield Static("", id="bell-state", markup=False)
        yield Static("", id="notifications-error", classes="error", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self._load()

    def action_refresh(self) -> None:
        self._load()

    @service_work(group="notifications-list", exclusive=True)
    def _load(self) -> None:
        found = self.services.notifications.recent(self.who, self.alias.id)
        bell = self.services.notifications.bell(self.who)
        self.post_message(self.Loaded(found, bell, self.console.clock()))

    def on_notifications_screen_loaded(self, message: Loaded) -> None:
        table = self.query_one("#notifications", DataTable)
        table.clear()
        self._contacts = {}
        self._texts = {notice.key: notice.text for notice in message.found}
        width = max(20, self.size.width - 34)
        for notice in message.found:
            table.add_row(
                cell(ago(notice.when, message.now)),
                cell(TITLES[notice.kind], 22),
                cell(notice.text, width),
                key=notice.key,
            )
            if notice.contact:
                self._contacts[notice.key] = notice.contact
        if not message.found:
            table.add_row(cell(""), cell("Nothing yet"), cell(""), key="")
        self._show_bell(message.bell)
        table.focus()

    @on(DataTable.RowHighlighted, "#notifications")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        """The row shows the start of a notice: the whole of it is shown below the list."""
        text = self._texts.get(str(event.row_key.value), "")
        self.query_one("#notification-text", Static).update(content(text))

    def _show_bell(self, bell: bool) -> None:
        self._bell = bell
        state = "on" if bell else "off"
        self.query_one("#bell-state", Static).update(
            f"Bell: {state} (b turns it {'off' if bell else 'on'}, on every console you use). "
            "Enter opens the thread."
        )

    def action_toggle_bell(self) -> None:
        self._set_bell(not self._bell)

    @service_work(group="bell", exclusive=True)
    def _set_bell(self, on: bool) -> None:
        now_on = self.services.notifications.set_bell(self.who, on)
        self.app.call_from_thread(self._show_bell, now_on)

    @on(DataTable.RowSelected, "#notifications")
    def _open(self, event: DataTable.RowSelected) -> None:
        contact = self._contacts.get(str(event.row_key.value))
        if contact is not None:
            thread = ThreadScreen(self.who, self.membership, contact)
            self.app.push_screen(thread, self._thread_left)

    def _thread_left(self, contact: str | None) -> None:
        if contact is not None:
            self._release(contact)

    @service_work(group="claims")
    def _release(self, contact: str) -> None:
        self.services.claims.release(self.who, self.alias.id, contact)

    def show_problem(self, reason: str) -> None:
        self.query_one("#notifications-error", Static).update(content(reason))

    def action_back(self) -> None:
        self.dismiss()
