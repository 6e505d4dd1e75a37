"""The cmconsole Textual app: shared by the CLI, the tests and the snapshot tests."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from functools import partial
from typing import TYPE_CHECKING, Any

from textual import work
from textual.app import SystemCommand
from textual.binding import Binding
from textual.content import Content
from textual.screen import Screen

from cmconsole.domain.errors import CmconsoleError
from cmconsole.tui.keys import KeysInOrder
from cmconsole.tui.safe import inert
from cmconsole.tui.screens.sign_in import SignInScreen

if TYPE_CHECKING:
    # Only for types: the services pull in the database layers, which the console opens after
    # its first screen is up (see CmconsoleApp.on_mount).
    from cmconsole.domain.model import Alias
    from cmconsole.services.bundle import Services
    from cmconsole.services.guard import SignedIn
    from cmconsole.services.ports import Clock

_log = logging.getLogger(__name__)

# Opens the workspace's services, or says why there is nothing to open (said as the app exits).
Opener = Callable[[], "Services | str"]


def _utc_now() -> datetime:
    return datetime.now(UTC)


class CmconsoleApp(KeysInOrder[str | None]):
    """Sign in, pick an alias, answer its public, see who spoke."""

    CSS_PATH = "cmconsole.tcss"
    TITLE = "cmconsole"
    BINDINGS = [
        # `?` (F1 too) shows the keys; ctrl+q offers the handover before quitting.
        Binding("question_mark", "toggle_help", "Keys", key_display="?", show=True),
        Binding("f1", "toggle_help", "Keys", show=False),
        Binding("ctrl+q", "quit_console", "Quit", show=True, priority=True),
    ]

    def __init__(
        self,
        services: Services | None = None,
        *,
        opener: Opener | None = None,
        demo: bool = False,
        clock: Clock = _utc_now,
        public_every: float | None = 20.0,
        dispatches: bool = True,
    ) -> None:
        """Give either the open `services`, or an `opener` to open them once the first screen
        shows (the command line's way: the database layers take a second to load)."""
        super().__init__()
        if (services is None) == (opener is None):
            raise ValueError("give the app its services or a way to open them, not both")
        self._services = services
        self._opener = opener
        self._opened = threading.Event()
        if services is not None:
            self._opened.set()
        self.demo = demo
        # On one machine the console fetches mentions and publishes; in a team whose channel
        # credentials live on one machine, `cmconsole dispatch` does it there instead.
        self.dispatches = dispatches
        self.clock = clock
        # In the demo the sandbox public writes to the alias every `public_every` seconds.
        self.public_every = public_every if demo else None
        # The shifts this console is on, by alias: (who, whether this console opened it). A
        # person may be on several aliases at once and switch between their desks.
        self.open_shifts: dict[int, tuple[SignedIn, bool]] = {}
        # Each alias's desk while its shift is open, kept alive (installed) between switches.
        self.desks: dict[int, Screen[Any]] = {}
        # What was typed and not sent, by (alias id, contact): a draft belongs to its alias and
        # thread, and survives leaving the thread and switching aliases.
        self.drafts: dict[tuple[int, str], str] = {}

    def format_title(self, title: str, sub_title: str) -> Content:
        # Titles carry alias names, which anyone setting up an alias may type.
        return super().format_title(inert(title), inert(sub_title))

    @property
    def services(self) -> Services:
        if self._services is None:
            raise RuntimeError("the workspace is not open yet")
        return self._services

    @property
    def opened_services(self) -> Services | None:
        """The services, if the workspace was opened: for whoever closes them after the app."""
        return self._services

    def wait_for_services(self) -> Services | None:
        """From a worker thread: the services once the workspace is open; None if it failed to
        open (the app is then on its way out, saying why)."""
        self._opened.wait()
        return self._services

    def on_mount(self) -> None:
        self.push_screen(SignInScreen())
        if self._services is not None:
            self._show_location()
        else:
            self.sub_title = "opening the workspace…"
            # Only once the sign-in screen is drawn: importing the database layers holds the GIL.
            self.call_after_refresh(self._open_workspace)

    def _show_location(self) -> None:
        self.sub_title = "demo workspace" if self.demo else self.services.location

    @work(thread=True, group="open")
    def _open_workspace(self) -> None:
        assert self._opener is not None
        try:
            opened = self._opener()
        except CmconsoleError as error:
            self._tell(self.exit, f"cmconsole: {error}", 1)
        except Exception as error:
            # Its message, or a traceback's locals, may hold the database URL and its password:
            # the log redacts it; the terminal is told only what kind of failure it was.
            _log.exception("the workspace could not be opened")
            kind = type(error).__name__
            self._tell(
                self.exit, f"cmconsole: the workspace could not be opened ({kind}); see the log", 1
            )
        else:
            if isinstance(opened, str):
                self._tell(self.exit, opened)
            else:
                self._services = opened  # closed by whoever ran the app, even if it has gone
                self._tell(self._show_location)
        finally:
            self._opened.set()

    def _tell(self, callback: Callable[..., object], *args: object) -> None:
        """From the opening thread: have the app do `callback`, unless it has closed already
        (someone quit while the workspace was opening)."""
        if not self._opened.is_set():  # set as the app unmounts
            self.call_from_thread(callback, *args)

    def shift_started(self, who: SignedIn, alias_id: int, *, owned: bool = True) -> None:
        self.open_shifts[alias_id] = (who, owned)

    @property
    def open_shift(self) -> tuple[SignedIn, int] | None:
        """The shift of the desk shown (or the first one open): (who, alias id)."""
        shown = getattr(self.screen, "alias", None)
        alias_id = getattr(shown, "id", None)
        if alias_id not in self.open_shifts:
            alias_id = next(iter(self.open_shifts), None)
        if alias_id is None:
            return None
        return self.open_shifts[alias_id][0], alias_id

    def desk_opened(self, alias_id: int, desk: Screen[Any]) -> None:
        """Keep the alias's desk alive while its shift is open: switching away keeps it."""
        self.desks[alias_id] = desk
        self.install_screen(desk, name=f"desk-{alias_id}-{id(desk)}")

    def end_shift(self, alias_id: int) -> None:
        """End the shift this console opened on the alias (one joined from another of the
        operator's consoles is left to it); the other aliases' shifts are untouched."""
        found = self.open_shifts.pop(alias_id, None)
        desk = self.desks.pop(alias_id, None)
        if desk is not None:
            # Once it has left the stack: an installed screen is only forgotten off it.
            self.call_later(self._forget_desk, alias_id, desk)
        if found is None:
            return
        who, owned = found
        for key in [key for key in self.drafts if key[0] == alias_id]:
            del self.drafts[key]
        if not owned:
            return
        try:
            self.services.shifts.end(who, alias_id)
        except CmconsoleError as error:
            self.notify(inert(str(error)), severity="error", markup=False)

    def _forget_desk(self, alias_id: int, desk: Screen[Any]) -> None:
        if desk in self.screen_stack:  # still leaving: look again once it has
            self.set_timer(0.05, partial(self._forget_desk, alias_id, desk))
            return
        if self.is_screen_installed(desk):
            self.uninstall_screen(desk)
            desk.remove()

    def end_open_shift(self) -> None:
        """End the shift of the desk shown (see open_shift)."""
        if self.open_shift is not None:
            self.end_shift(self.open_shift[1])

    def on_unmount(self) -> None:
        # A sign-in still waiting for the workspace gives up rather than hold the exit.
        self._opened.set()
        if self._services is not None:
            for alias_id in list(self.open_shifts):
                self.end_shift(alias_id)

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

    def action_quit_console(self) -> None:
        """Quit; each shift this console holds is first offered its handover, alias by alias
        (the desk shown last), as leaving the alias does. "Stay" on any cancels the quit and
        leaves the shifts not yet ended open. Asked again while offered, it quits."""
        from cmconsole.tui.dialogs.end_shift import EndShiftDialog
        from cmconsole.tui.screens.handover_write import HandoverWriteScreen

        if isinstance(self.screen, (EndShiftDialog, HandoverWriteScreen)):
            self.exit()
            return
        shown = self.open_shift
        held = [alias_id for alias_id, (_, owned) in self.open_shifts.items() if owned]
        if shown is not None and shown[1] in held:
            held.remove(shown[1])
            held.append(shown[1])
        if not held:  # none, or joined from other consoles, which still hold them
            self.exit()
            return
        by_id = {alias.id: alias for alias in self.services.accounts.aliases()}
        self._offer_ending([by_id[a] for a in held if a in by_id], 0)

    def _offer_ending(self, leaving: list[Alias], done: int) -> None:
        """Offer the handover on `leaving[done]`, then on the next; quit after the last."""
        from cmconsole.tui.dialogs.end_shift import EndShiftChoice, EndShiftDialog
        from cmconsole.tui.screens.handover_write import HandoverWriteScreen

        if done == len(leaving):
            self.exit()
            return
        alias = leaving[done]
        found = self.open_shifts.get(alias.id)
        if found is None:  # left meanwhile
            self._offer_ending(leaving, done + 1)
            return
        who = found[0]

        def ended() -> None:
            self.end_shift(alias.id)
            self._offer_ending(leaving, done + 1)

        def chosen(choice: EndShiftChoice | None) -> None:
            if choice == "end":
                ended()
            elif choice == "handover":
                self.push_screen(HandoverWriteScreen(who, alias, ending_shift=True), written)

        def written(saved: bool | None) -> None:
            if saved:
                ended()

        place = f"{done + 1} of {len(leaving)}" if len(leaving) > 1 else ""
        self.push_screen(EndShiftDialog(alias, place=place), chosen)

    def action_toggle_help(self) -> None:
        if self.screen.query("HelpPanel"):
            self.action_hide_help_panel()
        else:
            self.action_show_help_panel()


def run_console(opener: Opener, *, demo: bool = False, dispatches: bool = True) -> tuple[str, int]:
    """Run the console on the terminal; return what to say once it is gone, and the exit code.
    The workspace is opened by `opener` while the sign-in screen shows, and closed at the end."""
    app = CmconsoleApp(opener=opener, demo=demo, dispatches=dispatches)
    try:
        farewell = app.run()
    finally:
        if app.opened_services is not None:
            app.opened_services.close()
    return farewell or "", app.return_code or 0
