"""Each screen and dialog at 80x24 and at 120x40: nothing cut off at the smallest size."""

import pytest
from textual.widgets import DataTable

from cmconsole.tui.app import CmconsoleApp
from cmconsole.tui.dialogs.acknowledge import AcknowledgeDialog
from cmconsole.tui.dialogs.choose import ChooseDialog
from cmconsole.tui.dialogs.end_shift import EndShiftDialog
from cmconsole.tui.dialogs.prompt import PromptDialog
from cmconsole.tui.dialogs.text import TextDialog
from cmconsole.tui.screens.alias_home import AliasScreen
from cmconsole.tui.screens.alias_picker import AliasPickerScreen
from cmconsole.tui.screens.guide_edit import GuideEditScreen
from cmconsole.tui.screens.guide_versions import GuideVersionsScreen
from cmconsole.tui.screens.handover_read import HandoverReadScreen
from cmconsole.tui.screens.handover_write import HandoverWriteScreen
from cmconsole.tui.screens.onboarding import OnboardingScreen
from cmconsole.tui.screens.practice import PracticeScreen
from cmconsole.tui.screens.review import ReviewScreen
from cmconsole.tui.screens.team import TeamScreen
from cmconsole.tui.screens.thread import ThreadScreen
from cmconsole.wiring import open_demo
from tests.conftest import FakeClock
from tests.pilot import open_alias, settle, sign_in, until

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]


def _console(tmp_path, prepare=None):
    """The demo, seeded (then `prepare`d) at one time and seen 7 minutes later."""
    seeded_at = FakeClock()
    services, _ = open_demo(f"sqlite:///{tmp_path / 'demo.db'}", clock=seeded_at)
    if prepare is not None:
        prepare(services)
    later = FakeClock(seeded_at.now)
    later.advance(minutes=7)
    yield CmconsoleApp(services, demo=True, clock=later, public_every=None)
    services.close()


@pytest.fixture
def demo_app(tmp_path):
    yield from _console(tmp_path)


def _trainee_replied(services):
    """Théo, the demo's trainee, answers the damaged order on @bellehelene: it awaits approval."""
    theo = services.accounts.sign_in("theo", "theo-demo-pass")
    alias = next(a for a in services.accounts.aliases() if a.handle == "@bellehelene")
    services.shifts.start(theo, alias.id)
    for handover in services.handovers.pending(theo, alias.id):
        services.handovers.acknowledge(theo, handover.id)
    guide = services.guides.current(theo, alias.id)
    services.guides.acknowledge(theo, alias.id, guide.version.version)
    damaged = next(m for m in services.inbox.messages(theo, alias.id) if "abîmée" in m.text)
    services.posting.reply(theo, damaged.id, "Nous sommes désolés : nous vous renvoyons une boîte.")
    services.shifts.end(theo, alias.id)


@pytest.fixture
def awaiting_app(tmp_path):
    """The demo with one trainee's reply awaiting a lead's approval."""
    yield from _console(tmp_path, _trainee_replied)


async def _shown(pilot, screen_type):
    await until(pilot, lambda: isinstance(pilot.app.screen, screen_type), what=screen_type.__name__)
    await settle(pilot)
    pilot.app.clear_notifications()  # toasts fade on a timer: keep them out of snapshots
    await settle(pilot)


async def _on_alias(pilot, name, handle, **how):
    await sign_in(pilot, name, f"{name}-demo-pass" if name != "lea" else "lead-demo-pass")
    await open_alias(pilot, handle, **how)
    # "All read" is toasted as the alias opens: a dialog opened later would leave it in view.
    pilot.app.clear_notifications()
    await settle(pilot)


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
        options = pilot.app.screen.query_one("#aliases")
        await until(pilot, lambda: options.option_count == 2, what="the aliases' rows")

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
        await _shown(pilot, ThreadScreen)  # its toasts cleared: a dialog leaves them in view
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
        # Its rows come in a message after the worker: on a loaded machine, after the settle.
        table = pilot.app.screen.query_one("#team-table", DataTable)
        await until(pilot, lambda: table.row_count > 0, what="the team's rows")
        await settle(pilot)

    assert snap_compare(demo_app, terminal_size=size, run_before=shown)


async def _onboarding_row(pilot, starting):
    """Théo's onboarding track on @bellehelene, its cursor on the step whose title starts so."""
    await _on_alias(pilot, "theo", "@bellehelene", onboarding=True)
    await _shown(pilot, OnboardingScreen)
    table = pilot.app.screen.query_one("#onboarding-table", DataTable)
    await until(pilot, lambda: table.row_count > 0, what="the onboarding steps")
    while not str(table.get_row_at(table.cursor_row)[0]).startswith(starting):
        assert table.cursor_row < table.row_count - 1, f"no step starting {starting!r}"
        await pilot.press("down")


@pytest.mark.parametrize("size", SIZES)
def test_practice(snap_compare, demo_app, size):
    async def shown(pilot):
        await _onboarding_row(pilot, "Practise")
        await pilot.press("enter")
        await _shown(pilot, PracticeScreen)

    assert snap_compare(demo_app, terminal_size=size, run_before=shown)


@pytest.mark.parametrize("size", SIZES)
def test_acknowledge_dialog(snap_compare, demo_app, size):
    async def shown(pilot):
        await _onboarding_row(pilot, "Read the recent handovers")
        await pilot.press("enter")
        await _shown(pilot, AcknowledgeDialog)

    assert snap_compare(demo_app, terminal_size=size, run_before=shown)


@pytest.mark.parametrize("size", SIZES)
def test_review(snap_compare, awaiting_app, size):
    async def shown(pilot):
        await _on_alias(pilot, "lea", "@bellehelene")
        await pilot.press("p")
        table = pilot.app.screen.query_one("#approval-table", DataTable)
        await until(pilot, lambda: table.row_count == 1, what="the trainee's reply to approve")
        await pilot.press("enter")
        await _shown(pilot, ReviewScreen)

    assert snap_compare(awaiting_app, terminal_size=size, run_before=shown)


@pytest.mark.parametrize("size", SIZES)
def test_choose_dialog(snap_compare, demo_app, size):
    async def shown(pilot):
        await _on_alias(pilot, "anna", "@bellehelene")
        await pilot.press("enter")
        await _shown(pilot, ThreadScreen)  # its toasts cleared: a dialog leaves them in view
        await pilot.press("ctrl+r")
        await _shown(pilot, ChooseDialog)

    assert snap_compare(demo_app, terminal_size=size, run_before=shown)


@pytest.mark.parametrize("size", SIZES)
def test_text_dialog(snap_compare, demo_app, size):
    async def shown(pilot):
        await _on_alias(pilot, "lea", "@bellehelene")
        await _shown(pilot, AliasScreen)  # its toasts cleared: a dialog leaves them in view
        await pilot.press("H")
        table = pilot.app.screen.query_one("#handover-table", DataTable)
        await until(pilot, lambda: table.row_count > 0, what="the handovers")
        await pilot.press("enter")
        await _shown(pilot, TextDialog)

    assert snap_compare(demo_app, terminal_size=size, run_before=shown)
