"""Leads edit the guide's TOML; each save is a new version with a note, refused if malformed."""

from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import Footer, Header, Label, Static, TextArea
from textual.worker import Worker

from cmconsole.domain.model import Alias, GuideVersion
from cmconsole.services.guard import SignedIn
from cmconsole.tui.dialogs.prompt import Field, PromptDialog
from cmconsole.tui.safe import content, inert
from cmconsole.tui.screens.base import ConsoleScreen, service_work
from cmconsole.tui.widgets.speaker import Speaker

MAY_EDIT = "may-edit"  # the worker group of the permission check


class GuideEditScreen(ConsoleScreen[None]):
    BINDINGS = [
        Binding("ctrl+s", "save", "Save a version", priority=True),
        Binding("escape", "back", "Back"),
        Binding("f1", "app.toggle_help", "Keys", tooltip="(also ? where no text is typed)"),
    ]

    class GuideSaved(Message):
        def __init__(self, version: GuideVersion) -> None:
            super().__init__()
            self.version = version

    def __init__(self, who: SignedIn, alias: Alias, source: str) -> None:
        super().__init__()
        self.who = who
        self.alias = alias
        self._source = source
        self._refused: str | None = None
        self._check_failed = False  # the problem being shown is the permission check's

    def compose(self) -> ComposeResult:
        yield Header()
        yield Label(content(f"The guide of {self.alias.display_name} (TOML)"), classes="title")
        yield Speaker(self.alias, "The guide that checks", classes="padded")
        yield TextArea(self._source, id="guide-source", show_line_numbers=True)
        yield Static("ctrl+s saves a new version · esc leaves", id="guide-status", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#guide-source", TextArea).focus()
        self._check_may_edit()

    @service_work(exclusive=True, group=MAY_EDIT)
    def _check_may_edit(self) -> None:
        self.services.guides.check_may_edit(self.who, self.alias.id)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        # The task that failed says what its problem means: only the check's makes the editor
        # read only (a save can fail before the check answers, for a reason of its own).
        self._check_failed = event.worker.group == MAY_EDIT
        try:
            self.say_failure(event)
        finally:
            self._check_failed = False
        event.prevent_default()  # said: the base class's handler, called next, would say it again

    def show_problem(self, reason: str) -> None:
        status = self.query_one("#guide-status", Static)
        status.add_class("error")
        if not self._check_failed:
            # The previous version stays in force; the edit stays here to be corrected.
            status.update(content(f"Not saved: {reason}"))
            return
        # Told now, not after the edit: the guide stays here to read.
        self._refused = reason
        self.query_one("#guide-source", TextArea).read_only = True
        status.update(content(f"Read only: {reason} · esc leaves"))

    def action_save(self) -> None:
        if self._refused is not None:
            self.notify(inert(f"Not saved: {self._refused}"), severity="error", markup=False)
            return
        source = self.query_one("#guide-source", TextArea).text

        def noted(values: list[str] | None) -> None:
            if values is not None:
                self._save(source, values[0])

        self.app.push_screen(
            PromptDialog("Save a new version of the guide", [Field("What changed, and why?")]),
            noted,
        )

    @service_work(exclusive=True)
    def _save(self, source: str, note: str) -> None:
        version = self.services.guides.save(self.who, self.alias.id, source, note)
        self.post_message(self.GuideSaved(version))

    def on_guide_edit_screen_guide_saved(self, message: GuideSaved) -> None:
        self.notify(f"Guide version {message.version.version} is in force.")
        self.dismiss()

    def action_back(self) -> None:
        self.dismiss()
