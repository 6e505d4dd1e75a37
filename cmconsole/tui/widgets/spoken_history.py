"""Who spoke when: everything published under the alias with its real author, and the numbers."""

from datetime import datetime, timedelta

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import DataTable, Input, Static

from cmconsole.services.audit import SpokenReport
from cmconsole.tui.safe import cell, content
from cmconsole.tui.widgets.handover_history import day


class SpokenHistory(Vertical):
    """Posts FiltersChanged when the filters change; is given the report to show."""

    class FiltersChanged(Message):
        def __init__(
            self, operator: str, since: datetime | None, until: datetime | None, text: str
        ) -> None:
            super().__init__()
            self.operator = operator
            self.since = since
            self.until = until
            self.text = text

    def compose(self) -> ComposeResult:
        with Horizontal(classes="filters"):
            yield Input(placeholder="operator (leads)", id="spoken-operator")
            yield Input(placeholder="from YYYY-MM-DD", id="spoken-since")
            yield Input(placeholder="to YYYY-MM-DD", id="spoken-until")
            yield Input(placeholder="text", id="spoken-text")
        yield Static("", id="spoken-stats", markup=False)
        table: DataTable[object] = DataTable(
            id="spoken-table", cursor_type="row", zebra_stripes=True
        )
        table.add_columns("published (UTC)", "written by", "approved by", "reply time", "post")
        yield table

    def show(self, report: SpokenReport) -> None:
        stats = ", ".join(
            f"{s.operator} {s.posts} post{'s' if s.posts != 1 else ''}"
            + (
                f" (replies in {_duration(s.mean_reply_seconds)} on average)"
                if s.mean_reply_seconds is not None
                else ""
            )
            for s in report.speakers
        )
        scope = "Your own posts" if report.only_own else "Everyone"
        self.query_one("#spoken-stats", Static).update(
            content(f"{scope}: {stats or 'nothing published in this selection'}")
        )
        table = self.query_one("#spoken-table", DataTable)
        table.clear()
        for spoken in report.posts:
            published = spoken.post.published_at
            table.add_row(
                cell(f"{published:%Y-%m-%d %H:%M}" if published else "-"),
                cell(spoken.author, 16),
                cell(spoken.approver or "-", 16),
                cell(_duration(spoken.reply_seconds)),
                cell(spoken.post.text, 70),
            )

    @on(Input.Changed)
    def _filters_changed(self, event: Input.Changed) -> None:
        if not (event.input.id or "").startswith("spoken-"):
            return
        event.stop()
        try:
            since = day(self.query_one("#spoken-since", Input).value)
            until = day(self.query_one("#spoken-until", Input).value)
            end = until + timedelta(days=1) if until else None
        except (ValueError, OverflowError):
            self.query_one("#spoken-stats", Static).update("Dates look like 2026-11-24.")
            return
        self.post_message(
            self.FiltersChanged(
                self.query_one("#spoken-operator", Input).value.strip(),
                since,
                end,
                self.query_one("#spoken-text", Input).value.strip(),
            )
        )


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    minutes = int(seconds // 60)
    return f"{minutes // 60}h{minutes % 60:02d}" if minutes >= 60 else f"{minutes} min"
