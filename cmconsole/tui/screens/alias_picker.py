"""Pick the alias to speak as; choosing one starts a shift on it."""

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import Footer, Header, Label, OptionList, Static
from textual.widgets.option_list import Option

from cmconsole.domain.model import Membership
from cmconsole.services.guard import SignedIn
from cmconsole.tui.safe import content
from cmconsole.tui.screens.alias_home import AliasScreen
from cmconsole.tui.screens.base import ConsoleScreen, service_work


class AliasPickerScreen(ConsoleScreen[None]):
    """The aliases the signed-in operator has a role on."""

    BINDINGS = [Binding("escape", "sign_out", "Sign out")]

    class MembershipsLoaded(Message):
        def __init__(self, memberships: list[Membership]) -> None:
            super().__init__()
            self.memberships = memberships

    class ShiftStarted(Message):
        def __init__(self, membership: Membership, opened: bool) -> None:
            super().__init__()
            self.membership = membership
            self.opened = opened

    def __init__(self, who: SignedIn) -> None:
        super().__init__()
        self.who = who
        self._memberships: list[Membership] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Label(content(f"Signed in as {self.who.name}. Speak as:"), classes="title")
        yield OptionList(id="aliases")
        yield Static("", id="picker-error", classes="error", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self._load()

    @service_work(exclusive=True)
    def _load(self) -> None:
        self.post_message(self.MembershipsLoaded(self.services.accounts.memberships(self.who)))

    def on_alias_picker_screen_memberships_loaded(self, message: MembershipsLoaded) -> None:
        self._memberships = message.memberships
        options = self.query_one("#aliases", OptionList)
        options.clear_options()
        for membership in message.memberships:
            alias = membership.alias
            options.add_option(
                Option(content(f"{alias.display_name}  {alias.handle}  ({membership.role.value})"))
            )
        if message.memberships:
            options.highlighted = 0
        else:
            self._show_error("You have no role on any alias yet: ask a lead to grant you one.")
        options.focus()

    @on(OptionList.OptionSelected, "#aliases")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self._start_shift(self._memberships[event.option_index])

    @service_work(exclusive=True)
    def _start_shift(self, membership: Membership) -> None:
        _, opened = self.services.shifts.begin(self.who, membership.alias.id)
        self.post_message(self.ShiftStarted(membership, opened))

    def on_alias_picker_screen_shift_started(self, message: ShiftStarted) -> None:
        self.app.push_screen(AliasScreen(self.who, message.membership, message.opened))

    def show_problem(self, reason: str) -> None:
        self._show_error(reason)

    def _show_error(self, reason: str) -> None:
        self.query_one("#picker-error", Static).update(content(reason))

    def action_sign_out(self) -> None:
        self.dismiss()
