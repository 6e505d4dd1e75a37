"""Snapshots of the screens a new user meets first; README shows these SVGs."""

import pytest

from cmconsole.tui.app import CmconsoleApp
from cmconsole.wiring import open_demo
from tests.conftest import FakeClock
from tests.pilot import open_alias, open_message, settle, sign_in

SIZE = (100, 30)


@pytest.fixture
def demo_app(tmp_path):
    seeded_at = FakeClock()
    services, _ = open_demo(f"sqlite:///{tmp_path / 'demo.db'}", clock=seeded_at)
    later = FakeClock(seeded_at.now)
    later.advance(minutes=7)
    yield CmconsoleApp(services, demo=True, clock=later, public_every=None)
    services.close()


def test_sign_in_screen_of_the_demo(snap_compare, demo_app):
    assert snap_compare(demo_app, terminal_size=SIZE)


def test_inbox_of_an_alias_on_shift(snap_compare, demo_app):
    async def as_anna_on_belle_helene(pilot):
        await sign_in(pilot, "anna", "anna-demo-pass")
        await open_alias(pilot, "@bellehelene")
        await settle(pilot)
        pilot.app.clear_notifications()  # toasts fade on a timer: keep them out of snapshots
        await settle(pilot)

    assert snap_compare(demo_app, terminal_size=SIZE, run_before=as_anna_on_belle_helene)


def test_audit_tab_names_the_author(snap_compare, demo_app):
    async def audit_of_acme(pilot):
        await sign_in(pilot, "omar", "omar-demo-pass")
        await open_alias(pilot, "@acmehelp")
        await pilot.press("a")
        await settle(pilot)
        pilot.app.clear_notifications()
        await settle(pilot)

    assert snap_compare(demo_app, terminal_size=SIZE, run_before=audit_of_acme)


def test_handover_to_read_before_speaking(snap_compare, demo_app):
    async def omar_starts_on_belle_helene(pilot):
        await sign_in(pilot, "omar", "omar-demo-pass")
        await open_alias(pilot, "@bellehelene", read_handovers=False)
        await settle(pilot)

    assert snap_compare(demo_app, terminal_size=SIZE, run_before=omar_starts_on_belle_helene)


def test_compose_box_checks_the_draft_against_the_guide(snap_compare, demo_app):
    async def anna_writes_badly(pilot):
        await sign_in(pilot, "anna", "anna-demo-pass")
        await open_alias(pilot, "@bellehelene")
        await open_message(pilot, "éclairs au café")
        await pilot.press(*"Salut ! Tu les trouveras vendredi, pas cher !!!")
        pilot.app.clear_notifications()
        await settle(pilot)

    assert snap_compare(demo_app, terminal_size=SIZE, run_before=anna_writes_badly)
