"""Ask for a few lines of text on top of the current screen; escape cancels."""

from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label

from cmconsole.tui.safe import content


@dataclass(frozen=True)
class Field:
    label: str
    placeholder: str = ""
    value: str = ""


class PromptDialog(ModalScreen[list[str] | None]):
    """Returns the values typed, in order, or None if cancelled."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, title: str, fields: list[Field]) -> None:
        super().__init__()
        self._title = title
        self._fields = fields

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(content(self._title), classes="title")
            for index, field in enumerate(self._fields):
                yield Label(content(field.label))
                yield Input(value=field.value, placeholder=field.placeholder, id=f"field-{index}")
            yield Button("OK", variant="primary", id="ok")

    @on(Input.Submitted)
    def _next_or_done(self, event: Input.Submitted) -> None:
        inputs = list(self.query(Input))
        position = inputs.index(event.input)
        if position + 1 < len(inputs):
            inputs[position + 1].focus()
        else:
            self._done()

    @on(Button.Pressed, "#ok")
    def _done(self) -> None:
        self.dismiss([field.value for field in self.query(Input)])

    def action_cancel(self) -> None:
        self.dismiss(None)
