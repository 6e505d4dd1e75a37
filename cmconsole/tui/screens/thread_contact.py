"""The thread screen's contact: their card beside the conversation (f4 folds it), a note about
them (f5), a tag (f7), their own screen to rate and correct notes (f6), and the warning before
replying to someone the alias does not engage with."""

from collections.abc import Callable

from textual.binding import Binding
from textual.message import Message

from cmconsole.domain.contacts import ContactCard
from cmconsole.domain.errors import NotFound
from cmconsole.tui.dialogs.confirm import ConfirmDialog
from cmconsole.tui.dialogs.note import NoteDialog, NoteDraft
from cmconsole.tui.panes.contact_card import SHOWN_FROM_WIDTH, ContactCardPane
from cmconsole.tui.safe import inert
from cmconsole.tui.screens.base import service_work
from cmconsole.tui.screens.contact import ContactScreen, ask_for_tag
from cmconsole.tui.screens.thread_follow_ups import ThreadFollowUps


class ThreadContact(ThreadFollowUps):
    """Card, notes and the do-not-engage warning; the thread screen provides `contact`."""

    # Merged with the thread screen's own keys; under `?`, as f4 and f5 are.
    BINDINGS = [
        # Function keys, with priority: they act while the reply box has the focus.
        Binding("f7", "tag_contact", "Tag the contact", priority=True, show=False),
        Binding(
            "f6",
            "open_contact",
            "The contact's screen: tag, rate, correct",
            priority=True,
            show=False,
        ),
    ]

    contact: str
    _reply_warning: str | None = None

    class ContactRead(Message):
        def __init__(self, card: ContactCard | None, missing: str, warning: str | None) -> None:
            super().__init__()
            self.card = card
            self.missing = missing
            self.warning = warning

    class NoteSaved(Message):
        pass

    class TagsRead(Message):
        """The alias's tag list, to offer beside those the contact has."""

        def __init__(self, tags: list[str]) -> None:
            super().__init__()
            self.tags = tags

    class TagChanged(Message):
        def __init__(self, tag: str, added: bool) -> None:
            super().__init__()
            self.tag = tag
            self.added = added

    def contact_card(self) -> ContactCardPane:
        return ContactCardPane(time_zone=self.alias.time_zone, id="contact-card")

    def fold_card_to_fit(self) -> None:
        """At 80 columns the conversation needs the room: the card starts folded there."""
        self.query_one(ContactCardPane).display = self.app.size.width >= SHOWN_FROM_WIDTH

    def read_contact(self) -> None:
        """From a worker: the card and the reply warning, posted to the screen."""
        warning = self.services.contact_tags.reply_warning(self.who, self.alias.id, self.contact)
        try:
            card = self.services.contacts.card(self.who, self.alias.id, self.contact)
        except NotFound as missing:
            self.post_message(self.ContactRead(None, f"No card yet: {missing}.", warning))
            return
        self.post_message(self.ContactRead(card, "", warning))

    def on_thread_contact_contact_read(self, message: ContactRead) -> None:
        self._reply_warning = message.warning
        self.query_one(ContactCardPane).show(message.card, self.console.clock(), message.missing)

    def tick_card(self) -> None:
        self.query_one(ContactCardPane).tick(self.console.clock())

    def action_toggle_card(self) -> None:
        card = self.query_one(ContactCardPane)
        card.display = not card.display

    def action_open_contact(self) -> None:
        """Their own screen, where notes are corrected and tags and ratings changed; the card
        beside the thread is read again on the way back."""
        self.app.push_screen(
            ContactScreen(self.who, self.alias, self.contact), lambda _: self._reread_contact()
        )

    @service_work(group="contact-card", exclusive=True)
    def _reread_contact(self) -> None:
        self.read_contact()

    def action_write_note(self) -> None:
        def written(draft: NoteDraft | None) -> None:
            if draft is not None:
                self._save_note(draft)

        self.app.push_screen(NoteDialog(self.contact, alias=self.alias), written)

    @service_work(group="contact-note")
    def _save_note(self, draft: NoteDraft) -> None:
        self.services.contacts.note(
            self.who, self.alias.id, self.contact, draft.text, pinned=draft.pinned
        )
        self.post_message(self.NoteSaved())
        self.read_contact()

    def on_thread_contact_note_saved(self, message: NoteSaved) -> None:
        self.notify(inert(f"Noted on {self.contact}'s card."), markup=False)

    # Tags: from the alias's list, as on the contact's screen; the reply warning follows.

    def action_tag_contact(self) -> None:
        card = self.query_one(ContactCardPane).card
        if card is None:
            self.show_problem(f"No card yet for {self.contact}: nothing to tag.")
            return
        self._read_tags()

    @service_work(group="contact-tags", exclusive=True)
    def _read_tags(self) -> None:
        self.post_message(
            self.TagsRead(self.services.contact_tags.tag_list(self.who, self.alias.id))
        )

    def on_thread_contact_tags_read(self, message: TagsRead) -> None:
        card = self.query_one(ContactCardPane).card
        has = set(card.tags) if card else set()
        ask_for_tag(self, self.alias, self.contact, message.tags, has, self._change_tag)

    @service_work(group="contact-tag")
    def _change_tag(self, tag: str, add: bool) -> None:
        tags = self.services.contact_tags
        change = tags.tag if add else tags.untag
        change(self.who, self.alias.id, self.contact, tag)
        self.post_message(self.TagChanged(tag, add))
        self.read_contact()

    def on_thread_contact_tag_changed(self, message: TagChanged) -> None:
        done = "Tagged" if message.added else "Untagged"
        self.notify(inert(f"{done} {self.contact} {message.tag}."), markup=False)

    def confirm_engagement(self, then: Callable[[], None]) -> None:
        """Before any reply: if the alias does not engage with the contact, ask first (escape
        sends nothing); otherwise go straight on."""
        warning = self._reply_warning
        if warning is None:
            then()
            return

        def answered(go_ahead: bool | None) -> None:
            if go_ahead:
                then()
            else:
                self._status("Not sent: the contact is tagged do-not-engage.", error=True)

        self.app.push_screen(
            ConfirmDialog("Reply to someone the alias does not engage with?", warning, "reply"),
            answered,
        )
