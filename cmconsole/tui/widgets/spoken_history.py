"""Who spoke when: everything published under the alias with its real author, and the numbers;
a page at a time, the next one loaded as the cursor reaches the end."""

from datetime import datetime, timedelta

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import DataTable, Input, Static

from cmconsole.services.audit import SpeakersReport, Spoken, SpokenPage
from cmconsole.tui.safe import cell, content
from cmconsole.tui.widgets.handover_history import day


class SpokenHistory(Vertical):
    """Posts FiltersChanged when the filters change and MoreWanted when the cursor reaches the
    last row of an unfinished list; is given the pages and the numbers to show."""

    class FiltersChanged(Message):
        def __init__(
            self, operator: str, since: datetime | None, until: datetime | None, text: str
        ) -> None:
            super().__init__()
            self.operator = operator
            self.since = since
            self.until = until
            self.text = text

    class MoreWanted(Message):
        def __init__(self, after: Spoken) -> None:
            super().__init__()
            self.after = after

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._shown: list[Spoken] = []
        self._complete = True
        self._asked_after: Spoken | None = None

    @property
    def rows(self) -> int:
        return len(self._shown)

    @property
    def newest(self) -> int | None:
        """The id of the first post shown (the newest), if any."""
        return self._shown[0].post.id if self._shown else None

    @property
    def last(self) -> int | None:
        """The id of the last post shown (the oldest read so far), if any."""
        return self._shown[-1].post.id if self._shown else None

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

    def show_speakers(self, report: SpeakersReport) -> None:
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
        self.show_problem(f"{scope}: {stats or 'nothing published in this selection'}")

    def show_problem(self, text: str) -> None:
        self.query_one("#spoken-stats", Static).update(content(text))

    def show_page(self, page: SpokenPage, *, appended: bool, keep_cursor: bool = False) -> None:
        """Show a first page (replacing what is shown) or the next one (after it); a page read
        again with `keep_cursor` leaves the cursor on the post it was on, if still listed."""
        table = self.query_one("#spoken-table", DataTable)
        at = self._shown[table.cursor_row] if keep_cursor and self._shown else None
        row, scrolled = table.cursor_row, table.scroll_y
        if not appended:
            table.clear()
            self._shown = []
        self._shown.extend(page.posts)
        self._complete = page.complete
        self._asked_after = None
        for spoken in page.posts:
            published = spoken.post.published_at
            table.add_row(
                cell(f"{published:%Y-%m-%d %H:%M}" if published else "-"),
                cell(spoken.author, 16),
                cell(spoken.approver or "-", 16),
                cell(_duration(spoken.reply_seconds)),
                cell(spoken.post.text, 70),
                key=str(spoken.post.id),
            )
        if at is not None and self._shown:
            # Newer posts arrive above: the post read stays under the cursor, where it was.
            ids = [spoken.post.id for spoken in self._shown]
            moved = ids.index(at.post.id) - row if at.post.id in ids else 0
            table.call_after_refresh(table.scroll_to, y=scrolled + moved, animate=False)
            table.move_cursor(row=min(row + moved, len(ids) - 1), animate=False)

    @on(DataTable.RowHighlighted, "#spoken-table")
    def _near_the_end(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        last = self._shown[-1] if self._shown else None
        at_end = event.cursor_row >= len(self._shown) - 1
        if at_end and last is not None and not self._complete and self._asked_after is not last:
            self._asked_after = last
            self.post_message(self.MoreWanted(last))

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
            self.show_problem("Dates look like 2026-11-24.")
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
