"""The report screen at 80x24 and 120x40: its numbers, and a chart (the README shows it)."""

import pytest
from textual.widgets import DataTable, TabbedContent

from cmconsole.tui.screens.report import ReportScreen
from tests.pilot import open_alias, settle, sign_in, until
from tests.test_snapshots_screens import SIZES, _console


@pytest.fixture
def demo_app(tmp_path):
    yield from _console(tmp_path)


async def _report(pilot, tab=None):
    await sign_in(pilot, "lea", "lead-demo-pass")
    await open_alias(pilot, "@bellehelene")
    await pilot.press("R")
    await until(pilot, lambda: isinstance(pilot.app.screen, ReportScreen), what="the report")
    table = pilot.app.screen.query_one("#report-table", DataTable)
    # Its rows come in a message after the worker: wait for them, not for a fixed time.
    await until(pilot, lambda: table.row_count > 0, what="the report's rows")
    if tab is not None:
        pilot.app.screen.query_one(TabbedContent).active = tab
    await settle(pilot)
    pilot.app.clear_notifications()
    await settle(pilot)


@pytest.mark.parametrize("size", SIZES)
def test_report_numbers(snap_compare, demo_app, size):
    async def shown(pilot):
        await _report(pilot)

    assert snap_compare(demo_app, terminal_size=size, run_before=shown)


@pytest.mark.parametrize("size", SIZES)
def test_report_chart(snap_compare, demo_app, size):
    async def shown(pilot):
        await _report(pilot, "report-volume")

    assert snap_compare(demo_app, terminal_size=size, run_before=shown)
