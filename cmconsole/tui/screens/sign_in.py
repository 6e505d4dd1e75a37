"""Sign in: a name and a passphrase; in the demo, the accounts to try."""

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Button, Footer, Header, Input, Label, Static
from textual.worker import get_current_worker

from cmconsole.services import demo_data
from cmconsole.services.guard import SignedIn
from cmconsole.tui.safe import content
from cmconsole.tui.screens.base import ConsoleScreen, service_work


class SignInScreen(ConsoleScreen[None]):
    """The first screen: who is at the keyboard."""

    class Authenticated(Message):
        def __init__(self, who: SignedIn) -> None:
            super().__init__()
            self.who = who

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="sign-in"):
            yield Label("Sign in", classes="title")
            yield Input(placeholder="operator name", id="name")
            yield Input(placeholder="passphrase", password=True, id="passphrase")
            yield Button("Sign in", variant="primary", id="sign-in-button")
            yield Static("", id="sign-in-error", classes="error", markup=False)
        if self.console.demo:
            yield Static(self._demo_text(), id="demo-accounts", markup=False)
        yield Footer()

    def on_screen_resume(self) -> None:
        # Back from the alias picker (signed out): the next person starts from an empty form.
        if any(field.value for field in self.query(Input)):
            for field in self.query(Input):
                field.value = ""
            self.query_one("#sign-in-error", Static).update("")
        self.query_one("#name", Input).focus()

    def _demo_text(self) -> str:
        # Short enough for 80x24 next to the form: what each alias is shows in the picker.
        aliases = ", ".join(f"{a.display_name} ({a.handle})" for a in demo_data.ALIASES)
        accounts = "\n".join(
            f"  {a.name:<6} {a.passphrase:<16} {a.role.value:<9} {a.display_name}"
            for a in demo_data.ACCOUNTS
        )
        return f"Demo aliases: {aliases}\nDemo accounts (name, passphrase, role)\n{accounts}"

    @on(Input.Submitted, "#name")
    def _next_field(self) -> None:
        self.query_one("#passphrase", Input).focus()

    @on(Input.Submitted, "#passphrase")
    @on(Button.Pressed, "#sign-in-button")
    def _submit(self) -> None:
        name = self.query_one("#name", Input).value
        if not name.strip():
            self._show_error("type your operator name")
            self.query_one("#name", Input).focus()
            return
        self.query_one("#sign-in-error", Static).update("Checking…")
        self._sign_in(name, self.query_one("#passphrase", Input).value)

    @service_work(exclusive=True)
    def _sign_in(self, name: str, passphrase: str) -> None:
        # Someone quick may sign in while the workspace is still opening: wait for it.
        services = self.console.wait_for_services()
        if services is None:
            return  # it failed to open: the app is closing with the reason
        if get_current_worker().is_cancelled:
            return  # submitted again while it waited: the later submission signs in
        who = services.accounts.sign_in(name, passphrase)
        self.post_message(self.Authenticated(who))

    def on_sign_in_screen_authenticated(self, message: Authenticated) -> None:
        # Imported here: the rest of the console loads while the sign-in screen shows.
        from cmconsole.tui.screens.alias_picker import AliasPickerScreen

        if any(isinstance(screen, AliasPickerScreen) for screen in self.app.screen_stack):
            return  # a sign-in already got through
        self.query_one("#passphrase", Input).value = ""
        self.query_one("#sign-in-error", Static).update("")
        self.app.push_screen(AliasPickerScreen(message.who))

    def show_problem(self, reason: str) -> None:
        self._show_error(reason)
        passphrase = self.query_one("#passphrase", Input)
        passphrase.value = ""
        passphrase.focus()

    def _show_error(self, reason: str) -> None:
        self.query_one("#sign-in-error", Static).update(content(reason))
