"""The alias screen's panes and the thread screen at 80x24 and at 120x40."""

import pytest

from cmconsole.tui.screens.alias_home import AliasScreen
from cmconsole.tui.screens.thread import ThreadScreen
from tests import test_snapshots_screens as screens
from tests.pilot import settle, until
from tests.test_snapshots_screens import SIZES, _on_alias, _shown

demo_app = screens.demo_app  # the same demo, seen 7 minutes after it was seeded

# Each tab of the alias screen, by its key, as the lead sees it (leads see every tab).
TABS = [
    pytest.param("i", id="inbox"),
    pytest.param("o", id="outbox"),
    pytest.param("t", id="timeline"),
    pytest.param("p", id="approvals"),
    pytest.param("H", id="handovers"),
    pytest.param("g", id="guide"),
    pytest.param("w", id="who-spoke"),
    pytest.param("a", id="audit"),
]


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("key", TABS)
def test_alias_tab(snap_compare, demo_app, size, key):
    async def shown(pilot):
        await _on_alias(pilot, "lea", "@bellehelene")
        await _shown(pilot, AliasScreen)
        await pilot.press(key)
        await settle(pilot)
        pilot.app.clear_notifications()
        await settle(pilot)

    assert snap_compare(demo_app, terminal_size=size, run_before=shown)


@pytest.mark.parametrize("size", SIZES)
def test_thread(snap_compare, demo_app, size):
    async def shown(pilot):
        await _on_alias(pilot, "anna", "@bellehelene")
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(pilot.app.screen, ThreadScreen), what="a thread")
        await _shown(pilot, ThreadScreen)

    assert snap_compare(demo_app, terminal_size=size, run_before=shown)
