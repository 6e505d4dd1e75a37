"""Pilot walks of the report screen: `R` on an alias opens it; a lead sees the team, an
operator only their own numbers, the same the service counts."""

from datetime import timedelta

from textual.widgets import DataTable, Label, TabbedContent
from textual_plotext import PlotextPlot

from cmconsole.tui.screens.alias_home import AliasScreen
from cmconsole.tui.screens.report import ReportScreen
from tests.pilot import SIZE, cells, make_app, open_alias, settle, sign_in, until


def alias_named(services, handle):
    return next(a for a in services.accounts.aliases() if a.handle == handle)


async def open_report(pilot):
    await pilot.press("R")
    await until(pilot, lambda: isinstance(pilot.app.screen, ReportScreen), what="the report")
    table = pilot.app.screen.query_one("#report-table", DataTable)
    await until(pilot, lambda: table.row_count > 0, what="the report's rows")
    return table


async def test_a_lead_sees_the_team_then_each_operator_as_the_service_counts(demo, clock):
    async with make_app(demo, clock).run_test(size=SIZE) as pilot:
        await sign_in(pilot, "lea", "lead-demo-pass")
        await open_alias(pilot, "@bellehelene")
        table = await open_report(pilot)
        lea = demo.accounts.sign_in("lea", "lead-demo-pass")
        today = clock().date()
        expected = demo.reports.report(
            lea, alias_named(demo, "@bellehelene").id, today - timedelta(days=29), today
        )
        rows = cells(table)
        assert rows[0][:3] == [
            "@bellehelene",
            str(expected.team.received),
            str(expected.team.replies),
        ]
        assert [row[0] for row in rows[1:]] == [person.name for person in expected.operators]
        title = str(pilot.app.screen.query_one("#report-title", Label).render())
        assert "the team" in title
        days = pilot.app.screen.query_one("#report-days-table", DataTable)
        assert days.row_count == 30
        await pilot.press("7")
        await until(pilot, lambda: days.row_count == 7, what="a week's days")
        pilot.app.screen.query_one(TabbedContent).active = "report-volume"
        await settle(pilot)
        assert pilot.app.screen.query_one("#report-volume-chart", PlotextPlot).display
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(pilot.app.screen, AliasScreen)


async def test_an_operator_sees_only_their_own_row(demo, clock):
    async with make_app(demo, clock).run_test(size=SIZE) as pilot:
        await sign_in(pilot, "anna", "anna-demo-pass")
        await open_alias(pilot, "@bellehelene")
        table = await open_report(pilot)
        assert [row[0] for row in cells(table)] == ["anna"]
        title = str(pilot.app.screen.query_one("#report-title", Label).render())
        assert "anna's own numbers" in title
