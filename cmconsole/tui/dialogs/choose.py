"""Pick one of a few named texts (a saved reply, say); escape cancels."""

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from cmconsole.tui.safe import content


class ChooseDialog(ModalScreen[str | None]):
    """Returns the text of the chosen entry, or None if cancelled."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, title: str, entries: list[tuple[str, str]]) -> None:
        super().__init__()
        self._title = title
        self._entries = entries

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide"):
            yield Label(content(self._title), classes="title")
            yield OptionList(
                *[
                    Option(content(f"{name}: {text}"), id=str(index))
                    for index, (name, text) in enumerate(self._entries)
                ],
                id="choices",
            )

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self._entries[int(event.option_id or 0)][1])

    def action_cancel(self) -> None:
        self.dismiss(None)
