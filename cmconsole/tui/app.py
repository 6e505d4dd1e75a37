"""The cmconsole Textual app: shared by the CLI, the tests and the snapshot tests."""

from collections.abc import Iterable
from datetime import UTC, datetime
from functools import partial
from typing import Any

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.content import Content
from textual.screen import Screen

from cmconsole.domain.errors import CmconsoleError
from cmconsole.services.bundle import Services
from cmconsole.services.guard import SignedIn
from cmconsole.services.ports import Clock
from cmconsole.tui.safe import inert
from cmconsole.tui.screens.sign_in import SignInScreen


def _utc_now() -> datetime:
    return datetime.now(UTC)


class CmconsoleApp(App[None]):
    """Sign in, pick an alias, answer its public, see who spoke."""

    CSS_PATH = "cmconsole.tcss"
    TITLE = "cmconsole"
    BINDINGS = [
        Binding("f1", "toggle_help", "Keys", show=True),
        Binding("ctrl+q", "quit", "Quit", show=True, priority=True),
    ]

    def __init__(
        self,
        services: Services,
        *,
        demo: bool = False,
        clock: Clock = _utc_now,
        public_every: float | None = 20.0,
        dispatches: bool = True,
    ) -> None:
        super().__init__()
        self.services = services
        self.demo = demo
        # On one machine the console fetches mentions and publishes; in a team whose channel
        # credentials live on one machine, `cmconsole dispatch` does it there instead.
        self.dispatches = dispatches
        self.clock = clock
        # In the demo the sandbox public writes to the alias every `public_every` seconds.
        self.public_every = public_every if demo else None
        self.open_shift: tuple[SignedIn, int] | None = None
        self._owns_shift = False

    def format_title(self, title: str, sub_title: str) -> Content:
        # Titles carry alias names, which anyone setting up an alias may type.
        return super().format_title(inert(title), inert(sub_title))

    def on_mount(self) -> None:
        self.sub_title = "demo workspace" if self.demo else self.services.location
        self.push_screen(SignInScreen())

    def shift_started(self, who: SignedIn, alias_id: int, *, owned: bool = True) -> None:
        self.open_shift = (who, alias_id)
        self._owns_shift = owned

    def end_open_shift(self) -> None:
        """End the shift this console opened; closing the console ends it too."""
        if self.open_shift is None:
            return
        who, alias_id = self.open_shift
        self.open_shift = None
        if not self._owns_shift:
            return  # joined from another of the operator's consoles, which still holds it
        try:
            self.services.shifts.end(who, alias_id)
        except CmconsoleError as error:
            self.notify(inert(str(error)), severity="error", markup=False)

    def on_unmount(self) -> None:
        self.end_open_shift()

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """Every key of the screen is also a command in the palette (ctrl+p)."""
        yield from super().get_system_commands(screen)
        seen: set[str] = set()
        for active in screen.active_bindings.values():
            binding = active.binding
            if not active.enabled or not binding.description or binding.action in seen:
                continue
            seen.add(binding.action)
            yield SystemCommand(
                binding.description,
                f"{binding.key_display or binding.key}",
                partial(self.run_action, binding.action, active.node),
            )

    def action_toggle_help(self) -> None:
        if self.screen.query("HelpPanel"):
            self.action_hide_help_panel()
        else:
            self.action_show_help_panel()


def run_console(services: Services, *, demo: bool = False, dispatches: bool = True) -> None:
    CmconsoleApp(services, demo=demo, dispatches=dispatches).run()
