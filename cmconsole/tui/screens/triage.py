"""The inbox's triage keys: select threads, close them without a reply, undo, hand one over."""

from textual.binding import Binding
from textual.message import Message
from textual.widgets import TabbedContent

from cmconsole.domain.model import Alias
from cmconsole.domain.triage import CloseReason
from cmconsole.services.guard import SignedIn
from cmconsole.services.triage import Colleague
from cmconsole.tui.dialogs.pick import PickDialog, Picked
from cmconsole.tui.screens.base import ConsoleScreen, service_work
from cmconsole.tui.widgets.tables import InboxTable

# The choice that hands the thread to whichever lead is on shift.
LEAD_ON_SHIFT = ""
_REASONS = [
    (
        "No reply needed (a thanks, a like, fans talking together)",
        CloseReason.NO_REPLY_NEEDED,
    ),
    ("Handled elsewhere (by email, by phone, in a shop)", CloseReason.HANDLED_ELSEWHERE),
    ("Spam (stays closed whatever the sender writes next)", CloseReason.SPAM),
]


class TriageKeys(ConsoleScreen[None]):
    """The alias screen's triage, kept apart from its desk: each key acts on the selected
    threads, or on the highlighted one when none is selected."""

    BINDINGS = [
        Binding("space", "select_thread", "Select", show=False),
        Binding("x", "close_threads", "Close", show=False),
        Binding("U", "reopen_threads", "Reopen", show=False),
        Binding("greater_than_sign", "hand_thread", "Hand to…", key_display=">", show=False),
    ]

    who: SignedIn
    alias: Alias

    class ColleaguesRead(Message):
        """Who the highlighted thread can be handed to, read for the picker."""

        def __init__(self, contact: str, colleagues: list[Colleague]) -> None:
            super().__init__()
            self.contact = contact
            self.colleagues = colleagues

    def desk_changed(self) -> None:
        """Read the desk again at once (the change counter would tell within moments)."""

    def _inbox(self) -> InboxTable | None:
        """The inbox's table when the inbox is the tab shown; the keys act on nothing else."""
        if self.query_one(TabbedContent).active != "inbox":
            return None
        return self.query_one(InboxTable)

    def action_select_thread(self) -> None:
        inbox = self._inbox()
        if inbox is not None:
            inbox.toggle_selected()

    def action_close_threads(self) -> None:
        inbox = self._inbox()
        contacts = inbox.chosen() if inbox is not None else []
        if not contacts:
            return
        which = contacts[0] if len(contacts) == 1 else f"{len(contacts)} threads"

        def picked(choice: Picked | None) -> None:
            if choice is not None:
                self._close(contacts, CloseReason(choice.value), choice.note)

        self.app.push_screen(
            PickDialog(
                f"Close {which} without replying",
                [(shown, reason.value) for shown, reason in _REASONS],
                "A note for the team (optional):",
            ),
            picked,
        )

    @service_work(group="triage")
    def _close(self, contacts: list[str], reason: CloseReason, note: str) -> None:
        closed = self.services.triage.close(self.who, self.alias.id, contacts, reason, note)
        self.app.call_from_thread(self._after_closing, len(closed), reason)

    def _after_closing(self, count: int, reason: CloseReason) -> None:
        self.query_one(InboxTable).selected.clear()
        threads = "1 thread" if count == 1 else f"{count} threads"
        self.notify(f"Closed {threads} ({reason.label}). U reopens them.", markup=False)
        self.desk_changed()

    def action_reopen_threads(self) -> None:
        inbox = self._inbox()
        if inbox is not None and inbox.chosen():
            self._reopen(inbox.chosen())

    @service_work(group="triage")
    def _reopen(self, contacts: list[str]) -> None:
        reopened = self.services.triage.reopen(self.who, self.alias.id, contacts)
        self.app.call_from_thread(self._after_reopening, len(reopened))

    def _after_reopening(self, count: int) -> None:
        self.query_one(InboxTable).selected.clear()
        if count:
            self.notify(f"Reopened {count} thread{'s' if count > 1 else ''}.", markup=False)
        else:
            self.notify("None of them was closed.", markup=False)
        self.desk_changed()

    def action_hand_thread(self) -> None:
        inbox = self._inbox()
        contact = inbox.highlighted_key if inbox is not None else None
        if contact is not None:
            self._read_colleagues(contact)

    @service_work(group="triage")
    def _read_colleagues(self, contact: str) -> None:
        colleagues = self.services.triage.colleagues(self.who, self.alias.id)
        self.post_message(self.ColleaguesRead(contact, colleagues))

    def on_triage_keys_colleagues_read(self, message: ColleaguesRead) -> None:
        contact = message.contact
        choices = [("The lead on shift", LEAD_ON_SHIFT)] + [
            (
                f"{c.name} ({c.display_name}, {c.role.value}"
                + (", on shift)" if c.on_shift else ")"),
                c.name,
            )
            for c in message.colleagues
        ]

        def picked(choice: Picked | None) -> None:
            if choice is not None:
                self._hand(contact, choice.value or None, choice.note)

        self.app.push_screen(
            PickDialog(
                f"Hand the thread with {contact} to a colleague",
                choices,
                "A note they read first (what the fan wants, what you tried):",
            ),
            picked,
        )

    @service_work(group="triage")
    def _hand(self, contact: str, to: str | None, note: str) -> None:
        handing = self.services.triage.hand(self.who, self.alias.id, contact, to, note)
        self.app.call_from_thread(
            self.notify, f"Handed {contact} to {handing.to_name}.", markup=False
        )
        self.app.call_from_thread(self.desk_changed)
