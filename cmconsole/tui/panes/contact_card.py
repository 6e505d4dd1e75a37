"""The contact's card beside their thread: who they are, what the team noted, rated, promised."""

from datetime import datetime

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from cmconsole.domain.contacts import ContactCard, ContactNote, HistoryItem, HistoryKind
from cmconsole.domain.display import marked
from cmconsole.tui.clock import ago, on_clock
from cmconsole.tui.safe import content

# Beside a thread the card is a reminder, not the file: its full history is on the card screen.
NOTES_SHOWN = 5
HISTORY_SHOWN = 4
# Narrower than this, the card starts folded away so the conversation keeps the room.
SHOWN_FROM_WIDTH = 110

_HISTORY_WORDS = {
    HistoryKind.MESSAGE: "wrote",
    HistoryKind.REPLY: "reply",
    HistoryKind.FOLLOW_UP: "promise",
    HistoryKind.HANDOVER: "handover",
    HistoryKind.CLOSED: "closed",
    HistoryKind.REOPENED: "reopened",
    HistoryKind.HANDED: "handed",
    HistoryKind.TAKEN_OVER: "taken over",
}


def note_line(note: ContactNote, now: datetime) -> str:
    marks = ("📌 " if note.pinned and not note.corrected else "") + (
        "(trainee) " if note.by_trainee else ""
    )
    corrected = " [corrected]" if note.corrected else ""
    return f"{marks}{note.author_name}, {ago(note.written_at, now)} ago{corrected}: {note.text}"


def history_line(item: HistoryItem, now: datetime) -> str:
    by = f" {item.by}" if item.by else ""
    # As in the inbox: a direct message is never quoted in public by mistake.
    said = f"{_HISTORY_WORDS.get(item.kind, item.kind)}{by}: {marked(item.text, item.private)}"
    return f"{ago(item.at, now)} ago · {said}"


def card_text(
    card: ContactCard,
    now: datetime,
    *,
    notes: int | None = NOTES_SHOWN,
    history: int | None = HISTORY_SHOWN,
    time_zone: str = "UTC",
) -> str:
    """The card as plain text (every part of it is data: shown through `content`, never markup);
    promises fall due on the alias's clock (`time_zone`)."""
    contact = card.contact
    lines = [contact.display_name or contact.handles[0], " ".join(contact.handles)]
    lines.append(f"language: {contact.language or 'unknown'}")
    if card.do_not_engage:
        lines.append("⚠ do not engage: read the notes, or leave it to a lead")
    lines.append("tags: " + (", ".join(card.tags) if card.tags else "none"))
    lines.append("")
    lines.append("Notes:" if card.notes else "Notes: none yet (f5 writes one)")
    lines += [f"  {note_line(n, now)}" for n in card.notes[:notes]]
    if notes is not None and len(card.notes) > notes:
        lines.append(f"  … {len(card.notes) - notes} more on the contact's card")
    followers, read_at = contact.channel_reach, contact.channel_reach_at
    if card.ratings or followers is not None:
        lines.append("")
    if card.ratings:
        lines.append("Ratings: " + ", ".join(f"{r.facet.value} {r.value}" for r in card.ratings))
    if followers is not None and read_at is not None:
        # What the channel counted, apart from the operators' reach rating.
        lines.append(f"Followers: {followers:,} (read from the channel {ago(read_at, now)} ago)")
    if card.open_promises:
        lines.append("")
        lines.append("Open promises:")
        lines += [f"  due {on_clock(f.due_at, time_zone)}: {f.promise}" for f in card.open_promises]
    shown = card.history if history is None else card.history[-history:]
    if shown:
        lines.append("")
        lines.append("Recent:" if history is not None else "History (oldest first):")
        lines += [f"  {history_line(item, now)}" for item in shown]
    return "\n".join(lines)


class ContactCardPane(VerticalScroll):
    """The card as last read; f4 folds it away, f5 writes a note, f7 tags."""

    def __init__(self, *, time_zone: str = "UTC", id: str | None = None) -> None:
        super().__init__(id=id)
        self.time_zone = time_zone  # the alias's: when promises fall due
        self._card: ContactCard | None = None
        self._missing: str | None = None

    def compose(self) -> ComposeResult:
        yield Static("Card (f4 hides, f5 notes, f7 tags)", classes="card-title", markup=False)
        yield Static("Reading the card…", id="card-text", markup=False)

    @property
    def card(self) -> ContactCard | None:
        return self._card

    def show(self, card: ContactCard | None, now: datetime, missing: str = "") -> None:
        self._card, self._missing = card, missing
        self.tick(now)

    def tick(self, now: datetime) -> None:
        card = self._card
        text = card_text(card, now, time_zone=self.time_zone) if card else self._missing or ""
        self.query_one("#card-text", Static).update(content(text))
