"""Ask before doing something the team warned about: enter goes ahead, escape cancels."""

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from cmconsole.tui.safe import content


class ConfirmDialog(ModalScreen[bool]):
    """Returns True to go ahead, False if cancelled."""

    BINDINGS = [
        Binding("enter", "go_ahead", "Go ahead"),
        Binding("escape", "cancel", "Cancel"),
    ]

    def __init__(self, title: str, text: str, go_ahead: str) -> None:
        super().__init__()
        self._title = title
        self._text = text
        self._go_ahead = go_ahead

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(content(self._title), classes="title")
            yield Static(content(self._text), id="confirm-text")
            yield Label(content(f"enter: {self._go_ahead} · esc: cancel"))

    def action_go_ahead(self) -> None:
        self.dismiss(True)

    def action_cancel(self) -> None:
        self.dismiss(False)
