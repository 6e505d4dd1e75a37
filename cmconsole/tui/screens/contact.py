"""One contact's card with their whole history with the alias: f5 writes a note, t tags, r rates,
e corrects a note, g reads their reach from the channel (the services say who may)."""

from collections.abc import Callable
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Footer, Header, Static

from cmconsole.domain.contacts import RATING_MAX, RATING_MIN, Contact, ContactCard, Facet
from cmconsole.domain.display import one_line
from cmconsole.domain.model import Alias
from cmconsole.services.guard import SignedIn
from cmconsole.tui.dialogs.note import NoteDialog, NoteDraft
from cmconsole.tui.dialogs.options import OptionsDialog
from cmconsole.tui.dialogs.prompt import Field, PromptDialog
from cmconsole.tui.panes.contact_card import card_text
from cmconsole.tui.safe import content
from cmconsole.tui.screens.base import ConsoleScreen, service_work

KEYS = "f5 note · t tag · r rate · e correct a note · g reach · esc back"


def ask_for_tag(
    screen: ConsoleScreen[Any],
    alias: Alias,
    handle: str,
    tag_list: list[str],
    has: set[str],
    change: Callable[[str, bool], object],
) -> None:
    """Offer the alias's tags, those the contact has marked ✓ (choosing one takes it off; a tag
    since dropped from the list is still offered, to take it off); `change(tag, add)` the one
    chosen."""
    names = tag_list + [t for t in sorted(has) if t not in tag_list]
    if not names:
        screen.show_problem(f"{alias.handle} has no tags yet: a lead adds them.")
        return
    shown = [(f"✓ {t}: take it off" if t in has else f"  {t}", t) for t in names]

    def chosen(tag: str | None) -> None:
        if tag is not None:
            change(tag, tag not in has)

    screen.app.push_screen(
        OptionsDialog(f"Tag {handle}", shown, "Tags a lead chose for the alias"), chosen
    )


class ContactScreen(ConsoleScreen[None]):
    BINDINGS = [
        Binding("escape", "back", "Back"),
        # Short words, so that all of them and esc, ? and ^q fit the footer at 80 columns.
        Binding("f5", "write_note", "Note", tooltip="write one"),
        Binding("t", "tag", "Tag"),
        Binding("r", "rate", "Rate"),
        Binding("e", "correct_note", "Correct", tooltip="a note"),
        Binding("g", "read_reach", "Reach", tooltip="read the followers from the channel"),
    ]

    class CardRead(Message):
        def __init__(self, card: ContactCard) -> None:
            super().__init__()
            self.card = card

    class ReachRead(Message):
        """The contact as the channel's count left them: the card is read again."""

        def __init__(self, contact: Contact) -> None:
            super().__init__()
            self.contact = contact

    class TagsRead(Message):
        """The alias's tag list, to offer beside those the contact has."""

        def __init__(self, tags: list[str]) -> None:
            super().__init__()
            self.tags = tags

    def __init__(self, who: SignedIn, alias: Alias, handle: str) -> None:
        super().__init__()
        self.who = who
        self.alias = alias
        self.handle = handle
        self._card: ContactCard | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="contact-full"):
            yield Static(content(f"Reading {self.handle}'s card…"), id="contact-text")
        yield Static(KEYS, id="contact-status", markup=False)
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
        self._card = message.card
        now = self.console.clock()
        text = card_text(
            message.card, now, notes=None, history=None, time_zone=self.alias.time_zone
        )
        self.query_one("#contact-text", Static).update(content(text))
        self._status(KEYS)

    # Notes: anyone on the alias writes one; a correction is a new note naming the old one.

    def action_write_note(self) -> None:
        def written(draft: NoteDraft | None) -> None:
            if draft is not None:
                self._note(draft, None)

        self.app.push_screen(NoteDialog(self.handle, alias=self.alias), written)

    def action_correct_note(self) -> None:
        notes = [n for n in self._card.notes if not n.corrected] if self._card else []
        if not notes:
            self.show_problem("No note to correct yet: f5 writes one.")
            return
        shown = [(f"{n.author_name}: {one_line(n.text, 60)}", str(n.id)) for n in notes]

        def chosen(value: str | None) -> None:
            note = next((n for n in notes if str(n.id) == value), None)
            if note is None:
                return
            self.app.push_screen(
                NoteDialog(
                    self.handle,
                    alias=self.alias,
                    title=f"Correct {note.author_name}'s note: it stays, marked corrected.",
                    value=note.text,
                ),
                lambda draft: self._note(draft, note.id) if draft is not None else None,
            )

        self.app.push_screen(OptionsDialog("Which note does yours correct?", shown), chosen)

    @service_work(group="contact-note")
    def _note(self, draft: NoteDraft, corrects: int | None) -> None:
        self.services.contacts.note(
            self.who, self.alias.id, self.handle, draft.text, pinned=draft.pinned, corrects=corrects
        )
        self._read()

    # Tags: from the alias's list; choosing one the contact has takes it off.

    def action_tag(self) -> None:
        if self._card is not None:
            self._read_tags()

    @service_work(group="contact-tags", exclusive=True)
    def _read_tags(self) -> None:
        self.post_message(
            self.TagsRead(self.services.contact_tags.tag_list(self.who, self.alias.id))
        )

    def on_contact_screen_tags_read(self, message: TagsRead) -> None:
        has = set(self._card.tags) if self._card else set()
        ask_for_tag(self, self.alias, self.handle, message.tags, has, self._change_tag)

    @service_work(group="contact-tag")
    def _change_tag(self, tag: str, add: bool) -> None:
        tags = self.services.contact_tags
        change = tags.tag if add else tags.untag
        change(self.who, self.alias.id, self.handle, tag)
        self._read()

    # Reach: how many follow them, as the alias's channel counts (kept apart from the rating).

    def action_read_reach(self) -> None:
        self._status(f"Reading {self.handle}'s reach from {self.alias.channel}…")
        self._read_reach()

    @service_work(group="contact-reach", exclusive=True)
    def _read_reach(self) -> None:
        # A channel's failure ends the worker: the screen's one error path says it.
        read = self.services.contacts.read_reach(self.who, self.alias.id, self.handle)
        card = self.services.contacts.card(self.who, self.alias.id, self.handle)
        self.post_message(self.CardRead(card))
        self.post_message(self.ReachRead(read))  # after the card: its status line stays

    def on_contact_screen_reach_read(self, message: ReachRead) -> None:
        self._status(
            f"Read {self.handle}'s reach from {self.alias.channel}: "
            f"{message.contact.channel_reach or 0:,} followers."
        )

    # Ratings: a facet, a value and the reason; the history keeps each.

    def action_rate(self) -> None:
        if self._card is None:
            return
        now = {r.facet: r.value for r in self._card.ratings}
        shown = [
            (f"{f.value} (now {now[f]})" if f in now else f"{f.value} (not rated)", f.value)
            for f in Facet
        ]

        def chosen(value: str | None) -> None:
            if value is not None:
                self._ask_rating(Facet(value))

        self.app.push_screen(OptionsDialog(f"Rate {self.handle}: which facet?", shown), chosen)

    def _ask_rating(self, facet: Facet) -> None:
        def answered(values: list[str] | None) -> None:
            if values is None:
                return
            raw, reason = values[0].strip(), values[1]
            if not (raw.isdigit() and RATING_MIN <= int(raw) <= RATING_MAX):
                self.show_problem(
                    f"A rating is a whole number from {RATING_MIN} to {RATING_MAX}, not {raw!r}."
                )
                return
            self._rate(facet, int(raw), reason)

        self.app.push_screen(
            PromptDialog(
                f"Rate {self.handle}'s {facet.value}",
                [
                    Field(f"{facet.value} from {RATING_MIN} to {RATING_MAX}"),
                    Field("Why? (the team reads it)"),
                ],
            ),
            answered,
        )

    @service_work(group="contact-rate")
    def _rate(self, facet: Facet, value: int, reason: str) -> None:
        self.services.contacts.rate(self.who, self.alias.id, self.handle, facet, value, reason)
        self._read()

    def _status(self, text: str, *, error: bool = False) -> None:
        status = self.query_one("#contact-status", Static)
        status.update(content(text))
        status.set_class(error, "error")

    def show_problem(self, reason: str) -> None:
        self._status(reason, error=True)

    def action_back(self) -> None:
        self.dismiss(None)
