"""Home, after sign-in: every alias the person works, what waits there, live; Enter opens one."""

import time
from datetime import datetime

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import Footer, Header, Label, OptionList, Static
from textual.widgets.option_list import Option, OptionDoesNotExist
from textual.worker import Worker, WorkerState, get_current_worker

from cmconsole.domain.display import one_line
from cmconsole.domain.model import Membership
from cmconsole.services.guard import SignedIn
from cmconsole.services.home_model import AliasHome, HomeModel, age, counted
from cmconsole.tui.safe import content
from cmconsole.tui.screens.alias_home import AliasScreen
from cmconsole.tui.screens.base import ConsoleScreen, service_work
from cmconsole.tui.widgets.speaker import swatch

# One wait on the change signal of the person's aliases lasts this long at most, then the next
# begins: the home is read again only when the signal moved (PostgreSQL: LISTEN/NOTIFY, no query
# while idle; SQLite: a cheap poll of the counters).
LIVE_WAIT_SECONDS = 0.5
# A role granted on another alias moves no signal the home waits on: it looks this often.
ROLES_EVERY_SECONDS = 30.0


def row_prompt(row: AliasHome, now: datetime) -> Text:
    """Two lines: who speaks (colour, handle, name, channel, role), then what waits."""
    alias = row.alias
    prompt = swatch(alias.colour)
    prompt.append(one_line(alias.handle, 20), style="bold")
    prompt.append(f"  {one_line(alias.display_name, 30)}  {alias.channel} · {row.role.value}")
    if row.mine:
        prompt.append("  · on shift", style="bold")
    prompt.append("\n   " + waits_text(row, now))
    return prompt


def waits_text(row: AliasHome, now: datetime) -> str:
    parts = [f"{counted(row.unanswered)} waiting"]
    if row.oldest_wait is not None:
        parts[0] += f" (oldest {age(row.oldest_wait, now)})"
    if row.awaiting:
        parts.append(f"{counted(row.awaiting)} to approve")
    if row.failed:
        parts.append(f"{counted(row.failed)} failed")
    if row.promises_due:
        late = f", {row.promises_overdue} late" if row.promises_overdue else ""
        parts.append(f"{row.promises_due} promised{late}")
    parts.append("on shift: " + (", ".join(one_line(n, 20) for n in row.on_shift) or "nobody"))
    to_read = []
    if row.handovers_unread:
        count = row.handovers_unread
        to_read.append(f"{count} handover{'s' if count > 1 else ''}")
    if row.guide_unread:
        to_read.append("the guide")
    elif row.guide_changes:
        to_read.append("guide changes")
    if to_read:
        parts.append("read: " + ", ".join(to_read))
    return " · ".join(parts)


def overview_text(model: HomeModel) -> str:
    """The lead's line: the aliases nobody is on while fans wait."""
    if not model.led:
        return ""
    if not model.unattended:
        return "Every alias you lead with fans waiting has someone on shift."
    listed = ", ".join(
        f"{one_line(row.alias.handle, 20)} ({counted(row.unanswered)} waiting)"
        for row in model.unattended
    )
    return f"Nobody on shift on {listed}."


class HomeScreen(ConsoleScreen[None]):
    """The aliases the signed-in person works, most urgent first."""

    BINDINGS = [
        Binding("escape", "sign_out", "Sign out"),
        Binding("r", "refresh", "Refresh"),
    ]

    class HomeRead(Message):
        def __init__(self, model: HomeModel) -> None:
            super().__init__()
            self.model = model

    class ShiftStarted(Message):
        def __init__(self, membership: Membership, opened: bool) -> None:
            super().__init__()
            self.membership = membership
            self.opened = opened

    def __init__(self, who: SignedIn) -> None:
        super().__init__()
        self.who = who
        self._model: HomeModel | None = None
        # The signal of the aliases shown, as last seen: (aliases, signal).
        self._signalled: tuple[list[int], int] | None = None
        self._roles_looked = time.monotonic()

    def compose(self) -> ComposeResult:
        yield Header()
        yield Label(content(f"Signed in as {self.who.name}. Speak as:"), classes="title")
        yield OptionList(id="aliases")
        yield Static("", id="home-overview", markup=False)
        yield Static("", id="picker-error", classes="error", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self._read()
        self._wait_for_change()

    def on_screen_resume(self) -> None:
        self._read()

    def action_refresh(self) -> None:
        self._read()

    @service_work(group="home-read", exclusive=True)
    def _read(self) -> None:
        self.post_message(self.HomeRead(self.services.home.read(self.who)))

    @service_work(group="home-wait", exclusive=True)
    def _wait_for_change(self) -> None:
        """One wait on the change signal of the aliases shown; the home is read only once it
        moved. Hidden under an alias, it does not read: coming back reads it (on_screen_resume)."""
        home, model = self.services.home, self._model
        if model is None or not self.is_current:
            time.sleep(LIVE_WAIT_SECONDS)  # the first read is on its way, or hidden: no query
            return
        ids = model.alias_ids
        signalled = self._signalled
        if signalled is not None and signalled[0] == ids:
            since = signalled[1]
        else:
            # The signal is taken after the model was read: whatever moved in between is read.
            since = home.signal(ids)
            if home.version(self.who, ids) != model.version:
                self._signalled = (ids, since)
                self.post_message(self.HomeRead(home.read(self.who)))
                return
        moved = home.wait_for_change(ids, since, LIVE_WAIT_SECONDS)
        self._signalled = (ids, moved)
        if get_current_worker().is_cancelled or not self.is_current:
            return
        if moved == since:
            if time.monotonic() - self._roles_looked < ROLES_EVERY_SECONDS:
                return
            self._roles_looked = time.monotonic()
            if home.version(self.who, ids) == model.version:
                return
        self.post_message(self.HomeRead(home.read(self.who)))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group == "home-wait" and event.worker.is_finished and self.is_attached:
            if event.state is WorkerState.ERROR:
                self.set_timer(10 * LIVE_WAIT_SECONDS, self._wait_for_change)  # unreachable
            else:
                self._wait_for_change()

    def on_home_screen_home_read(self, message: HomeRead) -> None:
        model = message.model
        if self._model is not None and model.version < self._model.version:
            return  # a slower read of an older state
        self._model = model
        options = self.query_one("#aliases", OptionList)
        highlighted = options.highlighted_option
        kept = highlighted.id if highlighted is not None else None
        options.clear_options()
        options.add_options(
            Option(row_prompt(row, model.read_at), id=f"alias-{row.alias.id}")
            for row in model.aliases
        )
        if model.aliases:
            # The highlight stays on the alias it was on, wherever urgency moved it.
            try:
                options.highlighted = options.get_option_index(kept) if kept else 0
            except OptionDoesNotExist:  # the alias is no longer the person's
                options.highlighted = 0
        else:
            self._show_error("You have no role on any alias yet: ask a lead to grant you one.")
        self.query_one("#home-overview", Static).update(content(overview_text(model)))
        if self.app.focused is None or self.is_current:
            options.focus()

    @on(OptionList.OptionSelected, "#aliases")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        if self._model is None or event.option.id is None:
            return
        row = self._model.row(int(event.option.id.removeprefix("alias-")))
        if row is None:
            return
        desk = self.console.desks.get(row.alias.id)
        if desk is not None:
            self.app.push_screen(desk)  # back to its desk, as it was left: the shift is open
        else:
            self._start_shift(Membership(row.alias, row.role))

    @service_work(exclusive=True)
    def _start_shift(self, membership: Membership) -> None:
        _, opened = self.services.shifts.begin(self.who, membership.alias.id)
        self.post_message(self.ShiftStarted(membership, opened))

    def on_home_screen_shift_started(self, message: ShiftStarted) -> None:
        desk = AliasScreen(self.who, message.membership, message.opened)
        self.console.desk_opened(message.membership.alias.id, desk)
        self.app.push_screen(desk)

    def show_problem(self, reason: str) -> None:
        self._show_error(reason)

    def _show_error(self, reason: str) -> None:
        self.query_one("#picker-error", Static).update(content(reason))

    def action_sign_out(self) -> None:
        if self.console.open_shifts:
            open_on = ", ".join(
                row.alias.handle for row in (self._model.aliases if self._model else []) if row.mine
            )
            self._show_error(
                f"You are on shift ({open_on or 'open an alias'}): leave each alias first "
                "(open it, Esc), with its handover."
            )
            return
        self.dismiss()
