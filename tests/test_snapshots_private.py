"""A private message on screen at 80x24 and at 120x40: its inbox row and its thread."""

import pytest

from cmconsole.tui.screens.alias_home import AliasScreen
from cmconsole.tui.screens.thread import ThreadScreen
from tests.pilot import until
from tests.test_snapshots_screens import SIZES, _console, _on_alias, _shown


def _private_message(services):
    """A fan writes to @bellehelene in private, the newest message of the demo."""
    alias = next(a for a in services.accounts.aliases() if a.handle == "@bellehelene")
    services.public.mention("@discrete", "@bellehelene mon adresse : 3 rue X", private=True)
    services.inbox.sync(alias.id)


@pytest.fixture
def private_app(tmp_path):
    yield from _console(tmp_path, _private_message)


@pytest.mark.parametrize("size", SIZES)
def test_private_inbox_row(snap_compare, private_app, size):
    async def shown(pilot):
        await _on_alias(pilot, "anna", "@bellehelene")
        await _shown(pilot, AliasScreen)

    assert snap_compare(private_app, terminal_size=size, run_before=shown)


@pytest.mark.parametrize("size", SIZES)
def test_private_thread(snap_compare, private_app, size):
    async def shown(pilot):
        await _on_alias(pilot, "anna", "@bellehelene")
        await pilot.press("enter")  # the newest thread, the private one, is under the cursor
        await until(pilot, lambda: isinstance(pilot.app.screen, ThreadScreen), what="a thread")
        await _shown(pilot, ThreadScreen)

    assert snap_compare(private_app, terminal_size=size, run_before=shown)
