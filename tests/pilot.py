"""Helpers for driving the console through Pilot as a person would."""

from textual.widgets import DataTable, Input
from textual.worker import WorkerCancelled

from cmconsole.tui.app import CmconsoleApp
from cmconsole.tui.screens.alias_home import AliasScreen
from cmconsole.tui.screens.alias_picker import AliasPickerScreen
from cmconsole.tui.screens.handover_read import HandoverReadScreen
from cmconsole.tui.screens.onboarding import OnboardingScreen
from cmconsole.tui.screens.thread import ThreadScreen

SIZE = (100, 30)


def make_app(services, clock):
    return CmconsoleApp(services, demo=True, clock=clock, public_every=None)


async def settle(pilot):
    # A poll superseded by a newer one (exclusive workers) is cancelled: that is not a failure.
    for _ in range(20):
        try:
            await pilot.app.workers.wait_for_complete()
        except WorkerCancelled:
            continue
        break
    await pilot.pause()


async def sign_in(pilot, name, passphrase):
    pilot.app.screen.query_one("#name", Input).value = name
    pilot.app.screen.query_one("#passphrase", Input).value = passphrase
    await pilot.click("#sign-in-button")
    await settle(pilot)


async def open_alias(pilot, handle, *, read_handovers=True, onboarding=False):
    """Pick the alias; by default also acknowledge the handovers the console leads you through."""
    picker = pilot.app.screen
    assert isinstance(picker, AliasPickerScreen)
    # The home reads its rows in a worker, then again whenever they move: wait for them.
    await until(
        pilot,
        lambda: picker.query_one("#aliases").highlighted_option is not None,
        what="the home's rows",
    )
    for _ in range(5):
        if handle in str(picker.query_one("#aliases").highlighted_option.prompt):
            break
        await pilot.press("down")
    await pilot.press("enter")
    await settle(pilot)
    while read_handovers and isinstance(pilot.app.screen, HandoverReadScreen):
        await pilot.press("enter")
        await settle(pilot)
    if read_handovers and not onboarding:
        # A trainee is then shown their onboarding track: "later".
        await settle(pilot)
        if isinstance(pilot.app.screen, OnboardingScreen):
            await pilot.press("escape")
            await settle(pilot)
        assert isinstance(pilot.app.screen, AliasScreen)


async def open_message(pilot, containing):
    table = pilot.app.screen.query_one("#inbox-table", DataTable)
    for row in range(table.row_count):
        if containing in str(table.get_row_at(row)[-1]):
            table.move_cursor(row=row)
            break
    else:
        raise AssertionError(f"no message containing {containing!r}")
    await pilot.press("enter")
    await settle(pilot)
    assert isinstance(pilot.app.screen, ThreadScreen)


def of_type(recorded, name):
    """Each recorded message once (the hook sees a message at every node it bubbles through)."""
    return list({id(m): m for m in recorded if type(m).__name__ == name}.values())


def cells(table):
    return [[str(value) for value in table.get_row_at(row)] for row in range(table.row_count)]


async def until(pilot, condition, *, what="the condition", timeout=30.0):
    """Let the console run until `condition()` holds: never a fixed sleep, so a loaded machine
    only makes it slower. Fails, naming `what`, if it still does not hold after `timeout` s."""
    import asyncio

    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise AssertionError(f"waited {timeout:.0f} s for {what}")
        await pilot.pause(0.02)
