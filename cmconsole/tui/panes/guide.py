"""The guide pane: the alias's guide in force, and what changed since the reader's last shift."""

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from cmconsole.services.desk_model import DeskModel
from cmconsole.tui.safe import content
from cmconsole.tui.widgets.guide_view import guide_text


class GuidePane(VerticalScroll):
    def compose(self) -> ComposeResult:
        yield Static("No guide yet.", id="guide-text", markup=False)

    def show(self, model: DeskModel) -> None:
        if model.guide is None:
            text = "No guide yet. A lead imports one: cmconsole guide import HANDLE FILE"
        else:
            text = guide_text(model.guide.guide, model.guide.version)
            keys = "e edits · v lists versions" if model.may_edit_guide else "v lists versions"
            text += f"\n\n{keys} and what each changed"
        if model.guide_changes:
            changes = "; ".join(f"v{v.version}: {v.change_note}" for v in model.guide_changes)
            text = f"Changed since your last shift: {changes}\n\n{text}"
        self.query_one("#guide-text", Static).update(content(text))
