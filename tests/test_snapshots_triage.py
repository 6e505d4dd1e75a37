"""Triage on screen, for the README: thread states in the inbox, closing, handing over."""

import pytest

from cmconsole.domain.triage import CloseReason
from cmconsole.tui.dialogs.pick import PickDialog
from cmconsole.tui.screens.alias_home import AliasScreen
from tests.pilot import settle
from tests.test_snapshots_screens import SIZES, _console, _on_alias, _shown


def _triaged(services):
    """Léa, the demo's lead, closes one thread of @bellehelene and hands another to anna."""
    lea = services.accounts.sign_in("lea", "lead-demo-pass")
    alias = next(a for a in services.accounts.aliases() if a.handle == "@bellehelene")
    services.shifts.start(lea, alias.id)
    waiting = sorted(
        t.thread.contact_handle for t in services.inbox.threads(lea, alias.id) if t.thread.waiting
    )
    services.triage.close(
        lea, alias.id, [waiting[0]], CloseReason.HANDLED_ELSEWHERE, "answered by email"
    )
    services.triage.hand(lea, alias.id, waiting[1], "anna", "a regular: she prefers French")
    services.shifts.end(lea, alias.id)


@pytest.fixture
def triaged_app(tmp_path):
    yield from _console(tmp_path, _triaged)


@pytest.mark.parametrize("size", SIZES)
def test_inbox_with_thread_states(snap_compare, triaged_app, size):
    async def shown(pilot):
        await _on_alias(pilot, "anna", "@bellehelene")
        await _shown(pilot, AliasScreen)
        await pilot.press("space")
        await settle(pilot)

    assert snap_compare(triaged_app, terminal_size=size, run_before=shown)


@pytest.mark.parametrize("size", SIZES)
def test_close_threads_dialog(snap_compare, triaged_app, size):
    async def shown(pilot):
        await _on_alias(pilot, "anna", "@bellehelene")
        await _shown(pilot, AliasScreen)
        await pilot.press("space", "down", "space", "x")
        await _shown(pilot, PickDialog)

    assert snap_compare(triaged_app, terminal_size=size, run_before=shown)


@pytest.mark.parametrize("size", SIZES)
def test_hand_thread_dialog(snap_compare, triaged_app, size):
    async def shown(pilot):
        await _on_alias(pilot, "anna", "@bellehelene")
        await _shown(pilot, AliasScreen)
        await pilot.press(">")
        await _shown(pilot, PickDialog)

    assert snap_compare(triaged_app, terminal_size=size, run_before=shown)
