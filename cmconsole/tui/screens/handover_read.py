"""Read and acknowledge, oldest first, the handovers others left before speaking for the alias."""

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Footer, Header, Label, Static

from cmconsole.domain.errors import CmconsoleError
from cmconsole.domain.model import Alias, Handover
from cmconsole.services.guard import SignedIn
from cmconsole.tui.safe import content
from cmconsole.tui.screens.base import ConsoleScreen
from cmconsole.tui.widgets.handover_view import handover_text


class HandoverReadScreen(ConsoleScreen[None]):
    """One handover at a time; acknowledging moves to the next; done when none is left."""

    BINDINGS = [
        Binding("enter", "acknowledge", "I have read it", priority=True),
        Binding("escape", "later", "Later (you cannot speak yet)"),
    ]

    class PendingLoaded(Message):
        def __init__(self, pending: list[Handover]) -> None:
            super().__init__()
            self.pending = pending

    class ActionFailed(Message):
        def __init__(self, reason: str) -> None:
            super().__init__()
            self.reason = reason

    def __init__(self, who: SignedIn, alias: Alias) -> None:
        super().__init__()
        self.who = who
        self.alias = alias
        self._pending: list[Handover] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Label("", id="handover-progress", markup=False, classes="title")
        with VerticalScroll(id="handover-body"):
            yield Static("Loading…", id="handover-text", markup=False)
        yield Static("", id="handover-error", classes="error", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self._load()

    @work(thread=True, exclusive=True)
    def _load(self) -> None:
        try:
            pending = self.services.handovers.pending(self.who, self.alias.id)
        except CmconsoleError as error:
            self.post_message(self.ActionFailed(str(error)))
        else:
            self.post_message(self.PendingLoaded(pending))

    def on_handover_read_screen_pending_loaded(self, message: PendingLoaded) -> None:
        self._pending = message.pending
        if not self._pending:
            self.notify(f"All handovers read: you may speak for {self.alias.display_name}.")
            self.dismiss()
            return
        current = self._pending[0]
        self.query_one("#handover-progress", Label).update(
            f"Before you speak for {self.alias.display_name}: handover {current.id}, "
            f"{len(self._pending)} left to read"
        )
        self.query_one("#handover-text", Static).update(content(handover_text(current)))
        self.query_one("#handover-body").scroll_home(animate=False)

    def on_handover_read_screen_action_failed(self, message: ActionFailed) -> None:
        self.query_one("#handover-error", Static).update(message.reason)

    def action_acknowledge(self) -> None:
        if self._pending:
            self._acknowledge(self._pending[0].id)

    @work(thread=True, exclusive=True)
    def _acknowledge(self, handover_id: int) -> None:
        try:
            self.services.handovers.acknowledge(self.who, handover_id)
            pending = self.services.handovers.pending(self.who, self.alias.id)
        except CmconsoleError as error:
            self.post_message(self.ActionFailed(str(error)))
        else:
            self.post_message(self.PendingLoaded(pending))

    def action_later(self) -> None:
        self.dismiss()
