"""One handover in full, with who acknowledged it and when."""

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from cmconsole.services.handover import HandoverRecord
from cmconsole.tui.safe import content
from cmconsole.tui.widgets.handover_view import handover_text


class HandoverDetailDialog(ModalScreen[None]):
    BINDINGS = [Binding("escape", "dismiss", "Close"), Binding("enter", "dismiss", "Close")]

    def __init__(self, record: HandoverRecord) -> None:
        super().__init__()
        self._record = record

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog wide"):
            text = handover_text(self._record.handover, self._record.acknowledgements)
            yield Static(
                content(f"Handover {self._record.handover.id}\n\n{text}"), id="handover-detail"
            )
