"""The notifications list at both sizes, as a trainee finds it; README shows the 80x24 SVG."""

from datetime import timedelta

import pytest
from textual.widgets import DataTable, Static

from cmconsole.tui.app import CmconsoleApp
from cmconsole.tui.screens.notifications import NotificationsScreen
from cmconsole.wiring import open_demo
from tests.conftest import FakeClock
from tests.pilot import open_alias, settle, sign_in, until
from tests.test_snapshots_screens import SIZES


def _ready(services, who, alias):
    services.shifts.start(who, alias.id)
    for handover in services.handovers.pending(who, alias.id):
        services.handovers.acknowledge(who, handover.id)
    guide = services.guides.current(who, alias.id)
    services.guides.acknowledge(who, alias.id, guide.version.version)


def _theos_morning(services, clock):
    """Théo's reply is sent back, Anna takes over a thread he held, a fan writes again in the
    one he still holds, and the promise he made falls due."""
    alias = next(a for a in services.accounts.aliases() if a.handle == "@bellehelene")
    theo = services.accounts.sign_in("theo", "theo-demo-pass")
    lea = services.accounts.sign_in("lea", "lead-demo-pass")
    anna = services.accounts.sign_in("anna", "anna-demo-pass")
    for who in (theo, lea, anna):
        _ready(services, who, alias)
    messages = services.inbox.messages(theo, alias.id)
    damaged = next(m for m in messages if "abîmée" in m.text)
    others = [m for m in messages if m.author_handle != damaged.author_handle]
    post = services.posting.reply(theo, damaged.id, "Désolés, on regarde ça.")
    services.follow_ups.promise(
        theo, damaged.id, "Confirmer l'envoi de la nouvelle boîte", clock.now + timedelta(minutes=3)
    )
    clock.advance(minutes=1)
    services.posting.reject(lea, post.id, "Vouvoiement, et propose un échange.")
    services.claims.claim(theo, alias.id, others[0].author_handle)
    services.claims.claim(theo, alias.id, damaged.author_handle)
    clock.advance(minutes=1)
    services.claims.take_over(anna, alias.id, others[0].author_handle)
    clock.advance(minutes=1)
    services.public.mention(damaged.author_handle, "@bellehelene Toujours rien reçu ?")
    services.inbox.sync(alias.id)
    clock.advance(minutes=2)


@pytest.fixture
def morning_app(tmp_path):
    clock = FakeClock()
    services, _ = open_demo(f"sqlite:///{tmp_path / 'demo.db'}", clock=clock)
    _theos_morning(services, clock)
    yield CmconsoleApp(services, demo=True, clock=clock, public_every=None, dispatches=False)
    services.close()


@pytest.mark.parametrize("size", SIZES)
def test_notifications_list(snap_compare, morning_app, size):
    async def shown(pilot):
        await sign_in(pilot, "theo", "theo-demo-pass")
        await open_alias(pilot, "@bellehelene")
        await pilot.press("n")
        await until(pilot, lambda: isinstance(pilot.app.screen, NotificationsScreen))
        # Read in a worker: wait for the rows and the bell's line, not only for the screen.
        table = pilot.app.screen.query_one("#notifications", DataTable)
        bell = pilot.app.screen.query_one("#bell-state", Static)
        await until(pilot, lambda: table.row_count > 0 and "Bell:" in str(bell.render()))
        await settle(pilot)
        pilot.app.clear_notifications()
        await settle(pilot)

    assert snap_compare(morning_app, terminal_size=size, run_before=shown)
