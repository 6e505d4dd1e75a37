"""The announcement screen at 80x24 and at 120x40: the draft checked, its time, and what is
scheduled below it."""

from datetime import timedelta

import pytest
from textual.widgets import DataTable

from cmconsole.tui.screens.announce import AnnounceScreen
from tests.conftest import FakeClock
from tests.pilot import until
from tests.test_snapshots_screens import SIZES, _console, _on_alias, _shown


def _scheduled(services):
    """Anna schedules the Epiphany galette on @bellehelene for the next day, at 10:00 UTC."""
    anna = services.accounts.sign_in("anna", "anna-demo-pass")
    alias = next(a for a in services.accounts.aliases() if a.handle == "@bellehelene")
    at = FakeClock().now + timedelta(days=1)  # the day after the demo's seeding
    services.announcements.announce(anna, alias.id, "La galette des rois arrive demain !", at)


@pytest.fixture
def scheduled_app(tmp_path):
    yield from _console(tmp_path, _scheduled)


@pytest.mark.parametrize("size", SIZES)
def test_announce(snap_compare, scheduled_app, size):
    async def shown(pilot):
        await _on_alias(pilot, "anna", "@bellehelene")
        await pilot.press("A")
        await _shown(pilot, AnnounceScreen)
        table = pilot.app.screen.query_one("#scheduled-table", DataTable)
        await until(pilot, lambda: table.row_count == 1, what="the scheduled post")
        await pilot.press(*"Nos éclairs sont pas cher cette semaine")
        length = pilot.app.screen.query_one("#draft-length")
        await until(pilot, lambda: "/280" in str(length.render()), what="the draft checked")

    assert snap_compare(scheduled_app, terminal_size=size, run_before=shown)
