"""Every version of the guide, who saved it and why, and what each one changed."""

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import DataTable, Footer, Header, Label, Static

from cmconsole.domain.model import Alias, GuideVersion
from cmconsole.services.guard import SignedIn
from cmconsole.tui.safe import cell, content
from cmconsole.tui.screens.base import ConsoleScreen, service_work


class GuideVersionsScreen(ConsoleScreen[None]):
    BINDINGS = [Binding("escape", "back", "Back")]

    class VersionsLoaded(Message):
        def __init__(self, versions: list[GuideVersion]) -> None:
            super().__init__()
            self.versions = versions

    class DiffLoaded(Message):
        def __init__(self, diff: str) -> None:
            super().__init__()
            self.diff = diff

    def __init__(self, who: SignedIn, alias: Alias) -> None:
        super().__init__()
        self.who = who
        self.alias = alias

    def compose(self) -> ComposeResult:
        yield Header()
        yield Label(
            f"Versions of the guide of {self.alias.display_name}", classes="title", markup=False
        )
        table: DataTable[object] = DataTable(id="versions", cursor_type="row")
        table.add_columns("version", "saved (UTC)", "by", "what changed")
        yield table
        with VerticalScroll(id="diff-box"):
            yield Static("Enter shows what a version changed.", id="diff", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self._load()

    @service_work(exclusive=True, group="versions")
    def _load(self) -> None:
        versions = self.services.guides.versions(self.who, self.alias.id)
        self.post_message(self.VersionsLoaded(versions))

    def on_guide_versions_screen_versions_loaded(self, message: VersionsLoaded) -> None:
        table = self.query_one("#versions", DataTable)
        for version in message.versions:
            table.add_row(
                cell(f"v{version.version}"),
                cell(f"{version.created_at:%Y-%m-%d %H:%M}"),
                cell(version.author_name or "administrator"),
                cell(version.change_note, 60),
                key=str(version.version),
            )
        table.focus()

    @on(DataTable.RowSelected, "#versions")
    def _chosen(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value is not None:
            self._diff(int(event.row_key.value))

    @service_work(exclusive=True, group="diff")
    def _diff(self, version: int) -> None:
        diff = self.services.guides.diff(self.who, self.alias.id, version)
        self.post_message(self.DiffLoaded(diff or "No difference."))

    def on_guide_versions_screen_diff_loaded(self, message: DiffLoaded) -> None:
        self.query_one("#diff", Static).update(content(message.diff))

    def show_problem(self, reason: str) -> None:
        # Where the diff would be: the one place on this screen that says things.
        self.query_one("#diff", Static).update(content(reason))

    def action_back(self) -> None:
        self.dismiss()
