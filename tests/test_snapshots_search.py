"""The search screen at 80x24 and at 120x40, with the hits of a search on the demo."""

import pytest
from textual.widgets import DataTable

from cmconsole.tui.app import CmconsoleApp
from cmconsole.tui.screens.search import SearchScreen
from cmconsole.wiring import open_demo
from tests.conftest import FakeClock
from tests.pilot import open_alias, settle, sign_in, until

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]


@pytest.fixture
def demo_app(tmp_path):
    seeded_at = FakeClock()
    services, _ = open_demo(f"sqlite:///{tmp_path / 'demo.db'}", clock=seeded_at)
    later = FakeClock(seeded_at.now)
    later.advance(minutes=7)
    yield CmconsoleApp(services, demo=True, clock=later, public_every=None)
    services.close()


@pytest.mark.parametrize("size", SIZES)
def test_search(snap_compare, demo_app, size):
    async def shown(pilot):
        await sign_in(pilot, "lea", "lead-demo-pass")
        await open_alias(pilot, "@acmehelp")
        await pilot.press("slash")
        await until(pilot, lambda: isinstance(pilot.app.screen, SearchScreen), what="search")
        await pilot.press(*"api", "enter")
        table = pilot.app.screen.query_one("#search-results", DataTable)
        await until(pilot, lambda: table.row_count == 3, what="the hits")
        await settle(pilot)
        pilot.app.clear_notifications()
        await settle(pilot)

    assert snap_compare(demo_app, terminal_size=size, run_before=shown)
