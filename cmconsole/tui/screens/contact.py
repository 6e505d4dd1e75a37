"""One contact's card with their whole history with the alias; f5 writes a note."""

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Footer, Header, Static

from cmconsole.domain.contacts import ContactCard
from cmconsole.domain.model import Alias
from cmconsole.services.guard import SignedIn
from cmconsole.tui.dialogs.note import NoteDialog, NoteDraft
from cmconsole.tui.panes.contact_card import card_text
from cmconsole.tui.safe import content, inert
from cmconsole.tui.screens.base import ConsoleScreen, service_work


class ContactScreen(ConsoleScreen[None]):
    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("f5", "write_note", "Write a note"),
    ]

    class CardRead(Message):
        def __init__(self, card: ContactCard) -> None:
            super().__init__()
            self.card = card

    def __init__(self, who: SignedIn, alias: Alias, handle: str) -> None:
        super().__init__()
        self.who = who
        self.alias = alias
        self.handle = handle

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="contact-full"):
            yield Static(content(f"Reading {self.handle}'s card…"), id="contact-text")
        yield Footer()

    def on_mount(self) -> None:
        self.title = self.alias.display_name
        self._read()

    @service_work(group="contact", exclusive=True)
    def _read(self) -> None:
        self.post_message(
            self.CardRead(self.services.contacts.card(self.who, self.alias.id, self.handle))
        )

    def on_contact_screen_card_read(self, message: CardRead) -> None:
        text = card_text(message.card, self.console.clock(), notes=None, history=None)
        self.query_one("#contact-text", Static).update(content(text))

    def action_write_note(self) -> None:
        def written(draft: NoteDraft | None) -> None:
            if draft is not None:
                self._note(draft)

        self.app.push_screen(NoteDialog(self.handle), written)

    @service_work(group="contact-note")
    def _note(self, draft: NoteDraft) -> None:
        self.services.contacts.note(
            self.who, self.alias.id, self.handle, draft.text, pinned=draft.pinned
        )
        self._read()

    def show_problem(self, reason: str) -> None:
        self.notify(inert(reason), severity="error", markup=False)

    def action_back(self) -> None:
        self.dismiss(None)
