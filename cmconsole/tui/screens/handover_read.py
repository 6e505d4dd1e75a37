"""Read and acknowledge what others left (oldest first), then the guide, before speaking."""

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Footer, Header, Label, Static

from cmconsole.domain.model import Alias, Handover
from cmconsole.services.guard import SignedIn
from cmconsole.services.guides import CurrentGuide
from cmconsole.tui.safe import content, inert
from cmconsole.tui.screens.base import ConsoleScreen, service_work
from cmconsole.tui.widgets.guide_view import guide_text
from cmconsole.tui.widgets.handover_view import handover_text


class HandoverReadScreen(ConsoleScreen[None]):
    """One handover at a time; acknowledging moves to the next; done when none is left."""

    BINDINGS = [
        Binding("enter", "acknowledge", "I have read it", priority=True),
        Binding("escape", "later", "Later (you cannot speak yet)"),
    ]

    class PendingLoaded(Message):
        def __init__(self, pending: list[Handover], guide: CurrentGuide | None) -> None:
            super().__init__()
            self.pending = pending
            self.guide = guide

    def __init__(self, who: SignedIn, alias: Alias) -> None:
        super().__init__()
        self.who = who
        self.alias = alias
        self._pending: list[Handover] = []
        self._guide: CurrentGuide | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Label("", id="handover-progress", markup=False, classes="title")
        with VerticalScroll(id="handover-body"):
            yield Static("Loading…", id="handover-text", markup=False)
        yield Static("", id="handover-error", classes="error", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self._load()

    @service_work(exclusive=True)
    def _load(self) -> None:
        self._post_pending()

    def _post_pending(self) -> None:
        pending = self.services.handovers.pending(self.who, self.alias.id)
        guide = self.services.guides.unread(self.who, self.alias.id)
        self.post_message(self.PendingLoaded(pending, guide))

    def on_handover_read_screen_pending_loaded(self, message: PendingLoaded) -> None:
        self._pending, self._guide = message.pending, message.guide
        left = len(self._pending) + (self._guide is not None)
        if not left:
            self.notify(
                inert(f"All read: you may speak for {self.alias.display_name}."), markup=False
            )
            self.dismiss()
            return
        progress = f"Before you speak for {self.alias.display_name}: {left} left to read · "
        if self._pending:
            current = self._pending[0]
            progress += f"handover {current.id}"
            text = handover_text(current)
        else:
            assert self._guide is not None
            progress += "the alias's guide"
            text = guide_text(self._guide.guide, self._guide.version)
        self.query_one("#handover-progress", Label).update(content(progress))
        self.query_one("#handover-text", Static).update(content(text))
        self.query_one("#handover-body").scroll_home(animate=False)

    def show_problem(self, reason: str) -> None:
        self.query_one("#handover-error", Static).update(content(reason))

    def action_acknowledge(self) -> None:
        if self._pending:
            self._acknowledge(self._pending[0].id, None)
        elif self._guide is not None:
            self._acknowledge(None, self._guide.version.version)

    @service_work(exclusive=True)
    def _acknowledge(self, handover_id: int | None, guide_version: int | None) -> None:
        if handover_id is not None:
            self.services.handovers.acknowledge(self.who, handover_id)
        if guide_version is not None:
            self.services.guides.acknowledge(self.who, self.alias.id, guide_version)
        self._post_pending()

    def action_later(self) -> None:
        self.dismiss()
