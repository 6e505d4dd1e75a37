"""Ending a shift: offer to write the handover first, naming the alias that is being left."""

from typing import Literal

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label

from cmconsole.domain.model import Alias
from cmconsole.tui.safe import content
from cmconsole.tui.widgets.speaker import Speaker

EndShiftChoice = Literal["handover", "end", "stay"]


class EndShiftDialog(ModalScreen[EndShiftChoice]):
    BINDINGS = [
        Binding("h", "choose('handover')", "Write a handover"),
        Binding("e", "choose('end')", "End without one"),
        Binding("escape", "choose('stay')", "Stay on shift"),
    ]

    def __init__(self, alias: Alias | None = None, *, place: str = "") -> None:
        """`alias`: the one being left, named with its colour so that nobody writes one
        brand's handover thinking it is another's; `place`: "1 of 2" when quitting several."""
        super().__init__()
        self.alias = alias
        self.place = place

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            if self.alias is None:
                yield Label("End your shift?", classes="title")
            else:
                where = f" ({self.place})" if self.place else ""
                title = f"End your shift on {self.alias.display_name}?{where}"
                yield Label(content(title), classes="title")
                yield Speaker(self.alias, "Leaving")
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
