"""The alias's team for its leads: roles, who is on shift, trainees' progress, and leaving."""

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable, Footer, Header, Label, Static

from cmconsole.domain.model import Alias, Role, TeamMember
from cmconsole.domain.voice import MIN_REPLIES
from cmconsole.services.guard import SignedIn
from cmconsole.services.onboarding import TrackState
from cmconsole.services.voice import OperatorVoice
from cmconsole.tui.dialogs.prompt import Field, PromptDialog
from cmconsole.tui.dialogs.text import TextDialog
from cmconsole.tui.safe import cell, content
from cmconsole.tui.screens.base import ConsoleScreen, service_work


class TeamScreen(ConsoleScreen[None]):
    """Everyone may look; the services refuse changes from anyone but a lead."""

    BINDINGS = [
        Binding("l", "role('lead')", "Lead"),
        Binding("o", "role('operator')", "Operator"),
        Binding("t", "role('trainee')", "Trainee"),
        Binding("plus,a", "add", "Add"),
        Binding("d", "deactivate", "Deactivate"),
        Binding("P", "promote", "Promote"),
        Binding("x", "extend", "Extend a training", show=False),
        Binding("escape", "back", "Back"),
    ]

    class MembersLoaded(Message):
        def __init__(
            self,
            members: list[TeamMember],
            voices: dict[str, OperatorVoice],
            tracks: dict[str, TrackState],
        ) -> None:
            super().__init__()
            self.members = members
            self.voices = voices
            self.tracks = tracks

    def __init__(self, who: SignedIn, alias: Alias) -> None:
        super().__init__()
        self.who = who
        self.alias = alias
        self._members: list[TeamMember] = []
        self._voices: dict[str, OperatorVoice] = {}

    def compose(self) -> ComposeResult:
        yield Header()
        yield Label(
            f"Team of {self.alias.display_name} ({self.alias.handle})",
            classes="title",
            markup=False,
        )
        table: DataTable[object] = DataTable(id="team-table", cursor_type="row", zebra_stripes=True)
        table.add_columns(
            "login", "name", "role", "on shift", "status", "onboarding", "voice (enter: details)"
        )
        yield table
        yield Static("", id="team-error", classes="error", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self._load()

    @service_work(exclusive=True, group="team")
    def _load(self) -> None:
        members = self.services.team.members(self.who, self.alias.id)
        report = self.services.voice.report(self.who, self.alias.id)
        voices = {voice.operator: voice for voice in report.operators}
        tracks = {
            state.operator.name: state
            for state in self.services.onboarding.everyone(self.who, self.alias.id)
        }
        self.post_message(self.MembersLoaded(members, voices, tracks))

    def on_team_screen_members_loaded(self, message: MembersLoaded) -> None:
        self._members, self._voices = message.members, message.voices
        table = self.query_one("#team-table", DataTable)
        keep = table.cursor_row
        table.clear()
        for member in message.members:
            person = member.operator
            table.add_row(
                cell(person.name),
                cell(person.display_name, 30),
                cell(member.role.value),
                cell("yes" if member.on_shift else ""),
                cell("active" if person.active else "deactivated"),
                _onboarding(message.tracks.get(person.name)),
                cell(_voice(message.voices.get(person.name)), 40),
            )
        if message.members:
            table.move_cursor(row=min(keep, len(message.members) - 1))
        table.focus()

    def show_problem(self, reason: str) -> None:
        self.query_one("#team-error", Static).update(content(reason))

    @on(DataTable.RowSelected, "#team-table")
    def _show_voice(self) -> None:
        member = self._selected()
        voice = self._voices.get(member.operator.name) if member else None
        if voice is None:
            return
        lines = [f"{voice.operator}: {voice.replies} recent replies compared with the others'"]
        for found in voice.drifts:
            lines += ["", found.describe(), *(f"  • {text}" for text in found.examples)]
        if not voice.drifts:
            lines.append("Sounds like the alias." if voice.replies else "Nothing published yet.")
        self.app.push_screen(TextDialog("\n".join(lines)))

    def _selected(self) -> TeamMember | None:
        row = self.query_one("#team-table", DataTable).cursor_row
        return self._members[row] if 0 <= row < len(self._members) else None

    def action_role(self, role: str) -> None:
        if (member := self._selected()) is not None:
            self._set_role(member.operator.name, Role(role))

    def action_add(self) -> None:
        def added(values: list[str] | None) -> None:
            if values:
                name, role = values[0], values[1].strip().lower() or "trainee"
                if role not in {r.value for r in Role}:
                    self.query_one("#team-error", Static).update(content(f"no such role: {role}"))
                    return
                self._set_role(name, Role(role))

        self.app.push_screen(
            PromptDialog(
                f"Add someone to {self.alias.handle}",
                [Field("Operator login"), Field("Role (lead, operator, trainee)", value="trainee")],
            ),
            added,
        )

    @service_work(exclusive=True, group="change")
    def _set_role(self, name: str, role: Role) -> None:
        self.services.team.set_role(self.who, name, self.alias.id, role)
        self.app.call_from_thread(self._load)

    def action_deactivate(self) -> None:
        member = self._selected()
        if member is None:
            return
        name = member.operator.name

        def confirmed(values: list[str] | None) -> None:
            if values is not None:
                self._deactivate(name, values[0])

        self.app.push_screen(
            PromptDialog(
                f"Deactivate {name}? They can no longer sign in; their history stays theirs.",
                [Field("Why (kept in the audit)", placeholder="left the agency")],
            ),
            confirmed,
        )

    @service_work(exclusive=True, group="change")
    def _deactivate(self, name: str, reason: str) -> None:
        self.services.team.deactivate(self.who, name, reason)
        self.app.call_from_thread(self._load)

    def action_promote(self) -> None:
        member = self._selected()
        if member is None or member.role is not Role.TRAINEE:
            self.query_one("#team-error", Static).update("Pick a trainee to promote.")
            return
        name = member.operator.name

        def confirmed(values: list[str] | None) -> None:
            if values is not None:
                self._graduate(name, values[0], promote=True)

        self.app.push_screen(
            PromptDialog(
                f"Promote {name} to operator? Their replies will no longer wait for approval.",
                [Field("Why (needed if the alias's rule is not met; kept in the audit)")],
            ),
            confirmed,
        )

    def action_extend(self) -> None:
        member = self._selected()
        if member is None or member.role is not Role.TRAINEE:
            self.query_one("#team-error", Static).update("Pick a trainee whose training goes on.")
            return
        name = member.operator.name

        def confirmed(values: list[str] | None) -> None:
            if values is not None:
                self._graduate(name, values[0], promote=False)

        self.app.push_screen(
            PromptDialog(
                f"Keep {name} in training? They must meet the rule afresh.",
                [Field("Why (kept in the audit)")],
            ),
            confirmed,
        )

    @service_work(exclusive=True, group="change")
    def _graduate(self, name: str, reason: str, *, promote: bool) -> None:
        if promote:
            self.services.onboarding.promote(self.who, self.alias.id, name, reason)
        else:
            self.services.onboarding.extend(self.who, self.alias.id, name, reason)
        self.app.call_from_thread(self._load)

    def action_back(self) -> None:
        self.dismiss()


def _onboarding(state: TrackState | None) -> Text:
    if state is None:
        return cell("")
    if state.graduation.met:
        return cell("READY to promote (P)", style="bold green")
    return cell(f"{state.progress.summary}; {state.graduation.clean_in_a_row} clean", 56)


def _voice(voice: OperatorVoice | None) -> str:
    if voice is None:
        return ""
    if voice.replies < MIN_REPLIES:
        return f"{voice.replies} repl{'y' if voice.replies == 1 else 'ies'}: too few to judge"
    return ", ".join(d.dimension.replace("_", " ") for d in voice.drifts) or "in voice"
