"""The alias's handover history: filters by author and dates, and who acknowledged each note."""

from datetime import UTC, datetime, timedelta

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import DataTable, Input, Static

from cmconsole.services.handover import HandoverRecord
from cmconsole.tui.safe import cell


class HandoverHistory(Vertical):
    """Posts FiltersChanged when the filters change; is given the records to show."""

    class FiltersChanged(Message):
        def __init__(self, author: str, since: datetime | None, until: datetime | None) -> None:
            super().__init__()
            self.author = author
            self.since = since
            self.until = until

    class HandoverChosen(Message):
        def __init__(self, record: HandoverRecord) -> None:
            super().__init__()
            self.record = record

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._records: dict[str, HandoverRecord] = {}

    def compose(self) -> ComposeResult:
        with Horizontal(id="handover-filters"):
            yield Input(placeholder="author (login)", id="filter-author")
            yield Input(placeholder="from YYYY-MM-DD", id="filter-since")
            yield Input(placeholder="to YYYY-MM-DD", id="filter-until")
        yield Static("", id="filter-error", classes="error", markup=False)
        table: DataTable[object] = DataTable(
            id="handover-table", cursor_type="row", zebra_stripes=True
        )
        table.add_columns("written (UTC)", "by", "summary", "read by")
        yield table

    def show(self, records: list[HandoverRecord]) -> None:
        table = self.query_one("#handover-table", DataTable)
        keep = table.cursor_row
        table.clear()
        self._records = {str(r.handover.id): r for r in records}
        for record in records:
            handover = record.handover
            table.add_row(
                cell(f"{handover.written_at:%Y-%m-%d %H:%M}"),
                cell(handover.author_name + (" (auto)" if handover.automatic else ""), 18),
                cell(handover.summary, 60),
                cell(", ".join(a.operator_name for a in record.acknowledgements) or "-", 30),
                key=str(handover.id),
            )
        if records:
            table.move_cursor(row=min(keep, len(records) - 1))

    @on(Input.Changed)
    def _filters_changed(self) -> None:
        author = self.query_one("#filter-author", Input).value.strip()
        try:
            since = day(self.query_one("#filter-since", Input).value)
            until = day(self.query_one("#filter-until", Input).value)
        except (ValueError, OverflowError):
            self.query_one("#filter-error", Static).update("Dates look like 2026-11-24.")
            return
        self.query_one("#filter-error", Static).update("")
        try:
            end = until + timedelta(days=1) if until else None
        except OverflowError:
            end = None
        self.post_message(self.FiltersChanged(author, since, end))

    @on(DataTable.RowSelected, "#handover-table")
    def _chosen(self, event: DataTable.RowSelected) -> None:
        event.stop()
        record = self._records.get(str(event.row_key.value))
        if record is not None:
            self.post_message(self.HandoverChosen(record))


def day(text: str) -> datetime | None:
    text = text.strip()
    if not text:
        return None
    return datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=UTC)
