"""Something to read and acknowledge: enter says "read and understood", escape says "later"."""

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from cmconsole.tui.safe import content


class AcknowledgeDialog(ModalScreen[bool]):
    BINDINGS = [
        Binding("enter", "acknowledge", "Read and understood"),
        Binding("escape", "later", "Later"),
    ]

    def __init__(self, title: str, text: str) -> None:
        super().__init__()
        self._title = title
        self._text = text

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog wide"):
            yield Label(content(self._title), classes="title")
            yield Static(content(self._text), id="acknowledge-text")
            yield Label("enter: read and understood · esc: later", markup=False)

    def action_acknowledge(self) -> None:
        self.dismiss(True)

    def action_later(self) -> None:
        self.dismiss(False)
