"""Ending a shift: offer to write the handover first."""

from typing import Literal

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label

EndShiftChoice = Literal["handover", "end", "stay"]


class EndShiftDialog(ModalScreen[EndShiftChoice]):
    BINDINGS = [
        Binding("h", "choose('handover')", "Write a handover"),
        Binding("e", "choose('end')", "End without one"),
        Binding("escape", "choose('stay')", "Stay on shift"),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("End your shift?", classes="title")
            yield Label("Whoever comes next reads your handover before they speak.")
            with Horizontal(classes="buttons"):
                yield Button("Write a handover (h)", variant="primary", id="handover")
                yield Button("End without one (e)", id="end")
                yield Button("Stay (esc)", id="stay")

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.action_choose(event.button.id or "stay")

    def action_choose(self, choice: str) -> None:
        self.dismiss("handover" if choice == "handover" else "end" if choice == "end" else "stay")
