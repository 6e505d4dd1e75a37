"""Pick one of a few choices and add an optional note: why a thread is closed, whom it goes to."""

from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from cmconsole.tui.safe import content


@dataclass(frozen=True)
class Picked:
    """The value of the choice made, and the note typed (possibly empty)."""

    value: str
    note: str


class PickDialog(ModalScreen[Picked | None]):
    """The note first (Enter moves on to the choices), then Enter on a choice confirms both;
    escape cancels."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, title: str, choices: list[tuple[str, str]], note_label: str) -> None:
        super().__init__()
        self._title = title
        self._choices = choices  # (what the list shows, the value returned)
        self._note_label = note_label

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide"):
            yield Label(content(self._title), classes="title")
            yield Label(content(self._note_label))
            yield Input(id="note", max_length=500)
            yield Label("Enter on one of these confirms:")
            yield OptionList(
                *[Option(content(shown), id=str(n)) for n, (shown, _) in enumerate(self._choices)],
                id="choices",
            )

    @on(Input.Submitted, "#note")
    def _to_the_choices(self) -> None:
        self.query_one(OptionList).focus()

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        value = self._choices[int(event.option_id or 0)][1]
        self.dismiss(Picked(value, self.query_one("#note", Input).value))

    def action_cancel(self) -> None:
        self.dismiss(None)
