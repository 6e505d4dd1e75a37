"""Each screen and dialog at 80x24 and at 120x40: nothing cut off at the smallest size."""

import pytest

from cmconsole.tui.app import CmconsoleApp
from cmconsole.tui.dialogs.end_shift import EndShiftDialog
from cmconsole.tui.dialogs.prompt import PromptDialog
from cmconsole.tui.screens.alias_picker import AliasPickerScreen
from cmconsole.tui.screens.guide_edit import GuideEditScreen
from cmconsole.tui.screens.guide_versions import GuideVersionsScreen
from cmconsole.tui.screens.handover_read import HandoverReadScreen
from cmconsole.tui.screens.handover_write import HandoverWriteScreen
from cmconsole.tui.screens.onboarding import OnboardingScreen
from cmconsole.tui.screens.team import TeamScreen
from cmconsole.tui.screens.thread import ThreadScreen
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


async def _shown(pilot, screen_type):
    await until(pilot, lambda: isinstance(pilot.app.screen, screen_type), what=screen_type.__name__)
    await settle(pilot)
    pilot.app.clear_notifications()  # toasts fade on a timer: keep them out of snapshots
    await settle(pilot)


async def _on_alias(pilot, name, handle, **how):
    await sign_in(pilot, name, f"{name}-demo-pass" if name != "lea" else "lead-demo-pass")
    await open_alias(pilot, handle, **how)


@pytest.mark.parametrize("size", SIZES)
def test_sign_in(snap_compare, demo_app, size):
    async def shown(pilot):
        await until(pilot, lambda: pilot.app.focused is not None, what="the name field")

    assert snap_compare(demo_app, terminal_size=size, run_before=shown)


@pytest.mark.parametrize("size", SIZES)
def test_alias_picker(snap_compare, demo_app, size):
    async def shown(pilot):
        await sign_in(pilot, "anna", "anna-demo-pass")
        await _shown(pilot, AliasPickerScreen)

    assert snap_compare(demo_app, terminal_size=size, run_before=shown)


@pytest.mark.parametrize("size", SIZES)
def test_end_shift_dialog(snap_compare, demo_app, size):
    async def shown(pilot):
        await _on_alias(pilot, "anna", "@bellehelene")
        await pilot.press("escape")
        await _shown(pilot, EndShiftDialog)

    assert snap_compare(demo_app, terminal_size=size, run_before=shown)


@pytest.mark.parametrize("size", SIZES)
def test_follow_up_dialog(snap_compare, demo_app, size):
    async def shown(pilot):
        await _on_alias(pilot, "anna", "@bellehelene")
        # The thread under the inbox's cursor: at 80 columns the rows show too little to pick by.
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(pilot.app.screen, ThreadScreen), what="a thread")
        await settle(pilot)
        await pilot.press("ctrl+f")
        await _shown(pilot, PromptDialog)

    assert snap_compare(demo_app, terminal_size=size, run_before=shown)


@pytest.mark.parametrize("size", SIZES)
def test_guide_edit(snap_compare, demo_app, size):
    async def shown(pilot):
        await _on_alias(pilot, "lea", "@bellehelene")
        await pilot.press("g", "e")
        await _shown(pilot, GuideEditScreen)

    assert snap_compare(demo_app, terminal_size=size, run_before=shown)


@pytest.mark.parametrize("size", SIZES)
def test_guide_versions(snap_compare, demo_app, size):
    async def shown(pilot):
        await _on_alias(pilot, "lea", "@bellehelene")
        await pilot.press("g", "v")
        await _shown(pilot, GuideVersionsScreen)

    assert snap_compare(demo_app, terminal_size=size, run_before=shown)


@pytest.mark.parametrize("size", SIZES)
def test_handover_write(snap_compare, demo_app, size):
    async def shown(pilot):
        await _on_alias(pilot, "anna", "@bellehelene")
        await pilot.press("h")
        await _shown(pilot, HandoverWriteScreen)

    assert snap_compare(demo_app, terminal_size=size, run_before=shown)


@pytest.mark.parametrize("size", SIZES)
def test_handover_read(snap_compare, demo_app, size):
    async def shown(pilot):
        await _on_alias(pilot, "omar", "@bellehelene", read_handovers=False)
        await _shown(pilot, HandoverReadScreen)

    assert snap_compare(demo_app, terminal_size=size, run_before=shown)


@pytest.mark.parametrize("size", SIZES)
def test_onboarding(snap_compare, demo_app, size):
    async def shown(pilot):
        await _on_alias(pilot, "anna", "@bellehelene")
        await pilot.press("O")
        await _shown(pilot, OnboardingScreen)

    assert snap_compare(demo_app, terminal_size=size, run_before=shown)


@pytest.mark.parametrize("size", SIZES)
def test_team(snap_compare, demo_app, size):
    async def shown(pilot):
        await _on_alias(pilot, "lea", "@bellehelene")
        await pilot.press("m")
        await _shown(pilot, TeamScreen)

    assert snap_compare(demo_app, terminal_size=size, run_before=shown)
