"""A trainee's track on an alias: read the guide, the handovers and the best replies, practise."""

from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable, Footer, Header, Label, Static

from cmconsole.domain.guide import Guide
from cmconsole.domain.model import Alias, Handover
from cmconsole.domain.onboarding import RULES_SECTION, Step, StepKind
from cmconsole.services.guard import SignedIn
from cmconsole.services.onboarding import StudyMaterial, TrackState
from cmconsole.tui.dialogs.acknowledge import AcknowledgeDialog
from cmconsole.tui.safe import cell, content
from cmconsole.tui.screens.base import ConsoleScreen, service_work
from cmconsole.tui.screens.practice import PracticeScreen
from cmconsole.tui.widgets.handover_view import handover_text

RECENT_HANDOVERS = 3


@dataclass(frozen=True)
class Course:
    """Everything the track shows, loaded at once."""

    state: TrackState
    guide: Guide | None
    handovers: list[Handover]
    study: StudyMaterial


class OnboardingScreen(ConsoleScreen[None]):
    BINDINGS = [Binding("escape", "back", "Back")]

    class CourseLoaded(Message):
        def __init__(self, course: Course) -> None:
            super().__init__()
            self.course = course

    def __init__(self, who: SignedIn, alias: Alias) -> None:
        super().__init__()
        self.who = who
        self.alias = alias
        self._course: Course | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Label(
            f"Learning to speak as {self.alias.display_name} ({self.alias.handle})",
            classes="title",
            markup=False,
        )
        yield Static("", id="onboarding-progress", markup=False)
        table: DataTable[object] = DataTable(
            id="onboarding-table", cursor_type="row", zebra_stripes=True
        )
        table.add_columns("step", "done")
        yield table
        yield Static(
            "enter opens a step (reading ones are acknowledged there) · esc goes back",
            markup=False,
        )
        yield Static("", id="onboarding-error", classes="error", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self._load()

    def on_screen_resume(self) -> None:
        self._load()

    @service_work(exclusive=True, group="onboarding")
    def _load(self) -> None:
        services, alias_id = self.services, self.alias.id
        course = Course(
            services.onboarding.track(self.who, alias_id),
            services.guides.for_checking(self.who, alias_id),
            [
                record.handover
                for record in services.handovers.history(self.who, alias_id, limit=RECENT_HANDOVERS)
            ],
            services.onboarding.study(self.who, alias_id),
        )
        self.post_message(self.CourseLoaded(course))

    def on_onboarding_screen_course_loaded(self, message: CourseLoaded) -> None:
        self._course = course = message.course
        progress = course.state.progress
        self.query_one("#onboarding-progress", Static).update(
            content(f"{progress.summary} · {course.state.graduation.describe()}")
        )
        table = self.query_one("#onboarding-table", DataTable)
        keep = table.cursor_row
        table.clear()
        for step, done_at in progress.steps:
            if step.kind is StepKind.PRACTICE:
                status = f"{progress.practised}/{progress.practice_needed}"
            else:
                status = f"{done_at:%Y-%m-%d}" if done_at else ""
            table.add_row(cell(step.title, 60), cell(status), key=step.key)
        table.move_cursor(row=min(keep, table.row_count - 1))
        table.focus()

    def show_problem(self, reason: str) -> None:
        self.query_one("#onboarding-error", Static).update(content(reason))

    @on(DataTable.RowSelected, "#onboarding-table")
    def _open(self, event: DataTable.RowSelected) -> None:
        course = self._course
        if course is None:
            return
        steps = {step.key: step for step, _ in course.state.progress.steps}
        step = steps.get(str(event.row_key.value))
        if step is None:
            return
        if step.kind is StepKind.PRACTICE:
            self.app.push_screen(PracticeScreen(self.who, self.alias))
            return

        def read(understood: bool | None) -> None:
            if understood:
                self._complete(step.key)

        self.app.push_screen(AcknowledgeDialog(step.title, _reading(step, course)), read)

    @service_work(exclusive=True, group="change")
    def _complete(self, step_key: str) -> None:
        self.services.onboarding.complete_step(self.who, self.alias.id, step_key)
        self.app.call_from_thread(self._load)

    def action_back(self) -> None:
        self.dismiss()


def _reading(step: Step, course: Course) -> str:
    """What a reading step shows."""
    guide = course.guide
    if step.kind is StepKind.GUIDE and guide is not None:
        section = step.key.removeprefix("guide:")
        if section == RULES_SECTION:
            lines = [f"[{rule.severity.value}] {rule.id}: {rule.message}" for rule in guide.rules]
            return "\n".join(lines) or "This guide has no rules yet."
        return guide.prose.get(section, "").strip()
    if step.kind is StepKind.HANDOVERS:
        texts = [handover_text(handover) for handover in course.handovers]
        return "\n\n――――\n\n".join(texts) or "No handovers on this alias yet."
    lines = ["Golden examples, from the guide:"]
    for example in course.study.examples:
        lines += [f"  They said: {example.context}", f"  We said:  {example.reply}", ""]
    lines.append("The alias's best recent replies (published as written):")
    for message, post in course.study.best_replies:
        lines += [f"  {message.author_handle}: {message.text}", f"  We said:  {post.text}", ""]
    return "\n".join(lines).rstrip()
