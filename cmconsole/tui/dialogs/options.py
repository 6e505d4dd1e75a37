"""Pick one of a few options (a tag, a facet, a note); Enter chooses, escape cancels."""

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from cmconsole.tui.safe import content


class OptionsDialog(ModalScreen[str | None]):
    """Returns the value of the option chosen, or None if cancelled. Options are (what the
    list shows, the value returned); what is shown is data, never markup."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, title: str, options: list[tuple[str, str]], hint: str = "") -> None:
        super().__init__()
        self._title = title
        self._options = options
        self._hint = hint

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(content(self._title), classes="title")
            if self._hint:
                yield Label(content(self._hint))
            yield OptionList(
                *[Option(content(shown), id=str(n)) for n, (shown, _) in enumerate(self._options)],
                id="options",
            )
            yield Label("enter: choose · esc: cancel", markup=False)

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self._options[int(event.option_id or 0)][1])

    def action_cancel(self) -> None:
        self.dismiss(None)
