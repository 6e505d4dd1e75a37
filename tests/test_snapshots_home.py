"""The home screen of a lead (every alias she leads, and those nobody is on) at 80x24 and 120x40."""

import pytest
from textual.widgets import OptionList

from cmconsole.tui.app import CmconsoleApp
from cmconsole.tui.screens.home import HomeScreen
from cmconsole.wiring import open_demo
from tests.conftest import FakeClock
from tests.pilot import settle, sign_in, until

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]


@pytest.fixture
def demo_app(tmp_path):
    """The demo seeded at one time and seen 7 minutes later (the fans have waited that long)."""
    clock = FakeClock()
    services, _ = open_demo(f"sqlite:///{tmp_path / 'demo.db'}", clock=clock)
    clock.advance(minutes=7)
    yield CmconsoleApp(services, demo=True, clock=clock, public_every=None)
    services.close()


@pytest.mark.parametrize("size", SIZES)
def test_home_of_a_lead(snap_compare, demo_app, size):
    async def shown(pilot):
        await sign_in(pilot, "lea", "lead-demo-pass")
        await until(pilot, lambda: isinstance(pilot.app.screen, HomeScreen), what="home")
        options = pilot.app.screen.query_one("#aliases", OptionList)
        await until(pilot, lambda: options.option_count == 2, what="the aliases' rows")
        await settle(pilot)

    assert snap_compare(demo_app, terminal_size=size, run_before=shown)
