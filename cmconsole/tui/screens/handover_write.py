"""Write a handover: the data gathers itself; the writer adds the summary and what matters."""

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Footer, Header, Input, Label, Static, TextArea

from cmconsole.domain.contacts import DirectoryPage
from cmconsole.domain.errors import CmconsoleError
from cmconsole.domain.model import Alias, Handover, HandoverContent
from cmconsole.services.guard import SignedIn
from cmconsole.tui.dialogs.watch import PICK_PAGE, WatchChoice, WatchDialog
from cmconsole.tui.safe import content
from cmconsole.tui.screens.base import ConsoleScreen, service_work
from cmconsole.tui.widgets.handover_view import content_lines
from cmconsole.tui.widgets.speaker import Speaker


class HandoverWriteScreen(ConsoleScreen[bool]):
    """Dismissed with True once the handover is written, False if abandoned."""

    BINDINGS = [
        Binding("ctrl+s", "save", "Save the handover", priority=True),
        Binding("escape", "abandon", "Cancel"),
        # Under `?`: the footer and the form stay as they were for those who type names.
        Binding(
            "ctrl+t", "watch_contact", "Pick or drop a contact to watch", show=False, priority=True
        ),
    ]

    class DraftLoaded(Message):
        def __init__(self, draft: HandoverContent) -> None:
            super().__init__()
            self.draft = draft

    class HandoverWritten(Message):
        def __init__(self, handover: Handover) -> None:
            super().__init__()
            self.handover = handover

    class WriteRefused(Message):
        def __init__(self, reason: str) -> None:
            super().__init__()
            self.reason = reason

    def __init__(self, who: SignedIn, alias: Alias, *, ending_shift: bool = False) -> None:
        super().__init__()
        self.who = who
        self.alias = alias
        self.ending_shift = ending_shift
        self._saving = False
        self._watched: dict[str, str] = {}  # handle: note, in the order picked
        self._previewed: HandoverContent | None = None  # the gathered data shown, once read

    def compose(self) -> ComposeResult:
        yield Header()
        verb = "End your shift: hand over" if self.ending_shift else "Hand over"
        yield Label(content(f"{verb} on {self.alias.display_name}"), classes="title")
        yield Speaker(self.alias, "Written for", classes="padded")
        with VerticalScroll(id="handover-form"):
            yield Label("Summary: what must the next person know? (required)")
            yield TextArea(id="summary", soft_wrap=True, show_line_numbers=False)
            yield Label("People to watch")
            yield Input(id="watch", placeholder="@handle: why")
            yield Label("Promises made")
            yield Input(id="promises", placeholder="what we said we would do, and when")
            yield Label("Mood of the community")
            yield Input(id="mood", placeholder="calm, tense, delighted…")
            yield Label("From the data (added for you):", classes="subtitle")
            yield Static("Gathering…", id="gathered", markup=False)
        yield Static("ctrl+s saves · esc cancels", id="handover-status", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#summary", TextArea).focus()
        self._load_draft()

    @service_work(exclusive=True, group="draft")
    def _load_draft(self) -> None:
        try:
            self.post_message(
                self.DraftLoaded(self.services.handovers.draft(self.who, self.alias.id))
            )
        except CmconsoleError as error:
            self.post_message(self.WriteRefused(str(error)))

    def on_handover_write_screen_draft_loaded(self, message: DraftLoaded) -> None:
        # What is saved is what the writer read: a fan who writes meanwhile is for the next one.
        self._previewed = message.draft
        lines = content_lines(message.draft)
        self.query_one("#gathered", Static).update(
            content(
                "\n".join(lines).strip() or "Nothing open: no waiting threads, drafts or failures."
            )
        )

    def action_watch_contact(self) -> None:
        self.app.push_screen(WatchDialog(self._find_contacts, list(self._watched)), self._picked)

    def _find_contacts(self, search: str, page: int) -> DirectoryPage:
        """For the picker, in its worker: one page of the alias's contacts."""
        return self.services.contacts.directory(
            self.who, self.alias.id, search=search, page=page, size=PICK_PAGE
        )

    def _picked(self, picked: WatchChoice | None) -> None:
        if picked is None:
            return
        if picked.drop:
            self._watched.pop(picked.handle, None)
        else:
            self._watched[picked.handle] = picked.note
        shown = "\n".join(f"  • {handle}: {note}" for handle, note in self._watched.items())
        found = self.query("#watched")
        if found:
            found.first(Static).update(content(shown or "  (nobody picked: ctrl+t picks)"))
        else:
            after = self.query_one("#watch", Input)
            self.query_one("#handover-form").mount(
                Static(content(shown), id="watched", markup=False), after=after
            )

    def action_save(self) -> None:
        if self._saving:
            return  # a second ctrl+s must not write the handover twice
        summary = self.query_one("#summary", TextArea).text
        if not summary.strip():
            self._status("A handover needs a summary.", error=True)
            return
        self._saving = True
        self._status("Saving…")
        self._write(
            summary,
            self.query_one("#watch", Input).value,
            self.query_one("#promises", Input).value,
            self.query_one("#mood", Input).value,
        )

    @service_work(group="write")
    def _write(self, summary: str, watch: str, promises: str, mood: str) -> None:
        try:
            handover = self.services.handovers.write(
                self.who,
                self.alias.id,
                summary,
                people_to_watch=watch,
                promises=promises,
                mood=mood,
                watched=list(self._watched.items()),
                previewed=self._previewed,
            )
        except CmconsoleError as error:
            self.post_message(self.WriteRefused(str(error)))
        else:
            self.post_message(self.HandoverWritten(handover))

    def on_handover_write_screen_handover_written(self, message: HandoverWritten) -> None:
        self.notify(f"Handover {message.handover.id} written.")
        self.dismiss(True)

    def on_handover_write_screen_write_refused(self, message: WriteRefused) -> None:
        self._saving = False
        self._status(message.reason, error=True)

    def _status(self, text: str, *, error: bool = False) -> None:
        status = self.query_one("#handover-status", Static)
        status.update(content(text))
        status.set_class(error, "error")

    def action_abandon(self) -> None:
        self.dismiss(False)
