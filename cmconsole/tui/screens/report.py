"""The alias's report for its leads (others see their own numbers): tables, and charts where a
picture beats a table (reply time by hour of day, backlog over time, volume by day)."""

from datetime import date, timedelta
from zoneinfo import ZoneInfo

from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable, Footer, Header, Label, Static, TabbedContent, TabPane
from textual_plotext import PlotextPlot

from cmconsole.domain.model import Alias
from cmconsole.services.guard import SignedIn
from cmconsole.services.report_model import Report, duration, share
from cmconsole.tui.safe import cell, content
from cmconsole.tui.screens.base import ConsoleScreen, service_work

PERIODS = {"7": 7, "3": 30, "9": 90}
NUMBERS: tuple[str, ...] = (
    "who",
    "recv",
    "replies",
    "threads",
    "closed",
    "median",
    "p90",
    "in target",
)
NUMBERS += ("sent back", "overrides")


class ReportScreen(ConsoleScreen[None]):
    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("7", "period('7')", "7 days"),
        Binding("3", "period('3')", "30 days"),
        Binding("9", "period('9')", "90 days"),
        Binding("left_square_bracket", "shift(-1)", "Earlier", show=False),
        Binding("right_square_bracket", "shift(1)", "Later", show=False),
    ]

    class ReportLoaded(Message):
        def __init__(self, report: Report) -> None:
            super().__init__()
            self.report = report

    def __init__(self, who: SignedIn, alias: Alias) -> None:
        super().__init__()
        self.who = who
        self.alias = alias
        self._days = 30
        self._until = (
            date.min
        )  # today in the alias's time zone, by the console's clock, once mounted
        self.report: Report | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Label(
            content(f"Report of {self.alias.handle}: reading…"), id="report-title", classes="title"
        )
        yield Label("", id="report-terms")
        with TabbedContent(initial="report-numbers"):
            with TabPane("Numbers", id="report-numbers"):
                yield _table("report-table", *NUMBERS)
            with TabPane("By hour", id="report-hours"):
                yield PlotextPlot(id="report-hour-chart")
            with TabPane("Backlog", id="report-backlog"):
                yield PlotextPlot(id="report-backlog-chart")
            with TabPane("Volume", id="report-volume"):
                yield PlotextPlot(id="report-volume-chart")
            with TabPane("Days", id="report-days"):
                yield _table("report-days-table", "day", "received", "replies", "backlog")
            with TabPane("Shifts", id="report-shifts"):
                yield _table(
                    "report-shifts-table",
                    "who",
                    "started",
                    "ended",
                    "recv",
                    "replies",
                    "median",
                    "sent back",
                )
            with TabPane("Voice", id="report-voice"):
                yield _table("report-voice-table", "who", "week of", "replies", "drifts")
        yield Static("", id="report-error", classes="error", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        zone = ZoneInfo(self.alias.time_zone or "UTC")
        self._until = self.console.clock().astimezone(zone).date()
        self._load()

    @service_work(exclusive=True, group="report")
    def _load(self) -> None:
        since = self._until - timedelta(days=self._days - 1)
        made = self.services.reports.report(self.who, self.alias.id, since, self._until)
        self.post_message(self.ReportLoaded(made))

    def on_report_screen_report_loaded(self, message: ReportLoaded) -> None:
        made = self.report = message.report
        whose = "the team" if made.team else f"{made.scope}'s own numbers"
        target = f"target {made.target_minutes} min" if made.target_minutes else "no target"
        self.query_one("#report-title", Label).update(
            content(f"{made.alias} {made.since} to {made.until} · {whose}")
        )
        self.query_one("#report-terms", Label).update(
            content(f"{made.time_zone} · staffed {made.business_hours} · {target}")
        )
        table = self.query_one("#report-table", DataTable)
        table.clear()
        for row in ([made.team] if made.team else []) + made.operators:
            table.add_row(
                cell(row.name),
                cell("" if row.received is None else str(row.received)),
                cell(str(row.replies)),
                cell(str(row.threads_answered)),
                cell(str(row.closed_without_reply)),
                cell(duration(row.median_seconds)),
                cell(duration(row.p90_seconds)),
                cell(share(row.within_target)),
                cell(str(row.sent_back)),
                cell(_overrides(row.overrides, row.override_rules), 40),
            )
        days = self.query_one("#report-days-table", DataTable)
        days.clear()
        for day in made.days:
            days.add_row(
                cell(str(day.day)),
                cell(str(day.received)),
                cell(str(day.replies)),
                cell(str(day.backlog)),
            )
        shifts = self.query_one("#report-shifts-table", DataTable)
        shifts.clear()
        for shift in made.shifts:
            shifts.add_row(
                cell(shift.operator),
                cell(f"{shift.started_at:%Y-%m-%d %H:%M}"),
                cell(f"{shift.ended_at:%Y-%m-%d %H:%M}" if shift.ended_at else "open"),
                cell(str(shift.figures.received)),
                cell(str(shift.figures.replies)),
                cell(duration(shift.figures.median_seconds)),
                cell(str(shift.figures.sent_back)),
            )
        voice = self.query_one("#report-voice-table", DataTable)
        voice.clear()
        for week in made.voice:
            drifts = ", ".join(d.replace("_", " ") for d in week.drifts) or "in voice"
            voice.add_row(
                cell(week.operator), cell(str(week.week)), cell(str(week.replies)), cell(drifts, 50)
            )
        self._draw(made)
        table.focus()

    def _draw(self, made: Report) -> None:
        hours = self.query_one("#report-hour-chart", PlotextPlot)
        plt = hours.plt
        plt.clear_data()
        plt.clear_figure()
        plt.bar(
            [float(hour.hour) for hour in made.hours],
            [(hour.median_seconds or 0) / 60 for hour in made.hours],
        )
        plt.title("Median first reply (minutes) by hour the message came")
        plt.xticks([float(h) for h in range(0, 24, 3)], [f"{h:02d}h" for h in range(0, 24, 3)])
        hours.refresh()
        numbered = [float(n) for n in range(len(made.days))]
        step = max(1, len(made.days) // 6)
        ticks = numbered[::step]
        labels = [f"{made.days[int(n)].day:%m-%d}" for n in ticks]
        backlog = self.query_one("#report-backlog-chart", PlotextPlot)
        plt = backlog.plt
        plt.clear_data()
        plt.clear_figure()
        plt.plot(numbered, [day.backlog for day in made.days], marker="braille")
        plt.title("Contacts waiting at the end of each day")
        plt.xticks(ticks, labels)
        backlog.refresh()
        volume = self.query_one("#report-volume-chart", PlotextPlot)
        plt = volume.plt
        plt.clear_data()
        plt.clear_figure()
        plt.bar(numbered, [float(day.received) for day in made.days], label="received")
        plt.plot(numbered, [float(day.replies) for day in made.days], label="replies")
        plt.title("Messages received and replies sent per day")
        plt.xticks(ticks, labels)
        volume.refresh()

    def show_problem(self, reason: str) -> None:
        self.query_one("#report-error", Static).update(content(reason))

    def action_period(self, key: str) -> None:
        self._days = PERIODS[key]
        self._load()

    def action_shift(self, direction: int) -> None:
        self._until += timedelta(days=direction * self._days)
        self._load()

    def action_back(self) -> None:
        self.dismiss()


def _table(table_id: str, *columns: str) -> DataTable[object]:
    table: DataTable[object] = DataTable(id=table_id, cursor_type="row", zebra_stripes=True)
    table.add_columns(*columns)
    return table


def _overrides(count: int, rules: dict[str, int]) -> str:
    if not rules:
        return str(count)
    return f"{count}: " + ", ".join(f"{rule} {times}" for rule, times in rules.items())
