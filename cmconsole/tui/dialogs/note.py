"""Write a note about a contact for the whole team, pinned or not; escape cancels."""

from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label

from cmconsole.domain.model import Alias
from cmconsole.tui.safe import content
from cmconsole.tui.widgets.speaker import Speaker


@dataclass(frozen=True)
class NoteDraft:
    text: str
    pinned: bool


class NoteDialog(ModalScreen[NoteDraft | None]):
    """Returns the note written, or None if cancelled."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(
        self, handle: str, *, alias: Alias | None = None, title: str = "", value: str = ""
    ) -> None:
        """`alias`: whose directory the note goes to, named with its colour."""
        super().__init__()
        self.alias = alias
        self._title = title or f"A note about {handle}: every operator reads it."
        self._value = value  # a correction starts from the text it corrects

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(content(self._title))
            if self.alias is not None:
                yield Speaker(self.alias, "Noted on")
            yield Input(self._value, placeholder="What the team should know", id="note-text")
            yield Checkbox("Pin it (shown first on the card)", id="note-pinned")
            yield Button("Save the note", variant="primary", id="ok")

    @on(Input.Submitted)
    @on(Button.Pressed, "#ok")
    def _done(self) -> None:
        self.dismiss(
            NoteDraft(
                self.query_one("#note-text", Input).value,
                self.query_one("#note-pinned", Checkbox).value,
            )
        )

    def action_cancel(self) -> None:
        self.dismiss(None)
