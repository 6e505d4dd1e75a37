"""The contact screen and its tag picker, the inbox filtered by a tag, and the handover's
contact picker, at 80x24 and at 120x40."""

import pytest
from textual.widgets import DataTable, OptionList

from cmconsole.tui.dialogs.options import OptionsDialog
from cmconsole.tui.dialogs.watch import WatchDialog
from cmconsole.tui.screens.alias_home import AliasScreen
from cmconsole.tui.screens.contact import ContactScreen
from cmconsole.tui.screens.contacts import ContactsScreen
from cmconsole.tui.screens.handover_write import HandoverWriteScreen
from tests import test_snapshots_screens as screens
from tests.pilot import settle, until
from tests.test_snapshots_screens import SIZES, _on_alias, _shown

demo_app = screens.demo_app  # the same demo, seen 7 minutes after it was seeded


async def _marie(pilot):
    await _on_alias(pilot, "anna", "@bellehelene")
    await pilot.press("c")
    await until(pilot, lambda: isinstance(pilot.app.screen, ContactsScreen), what="contacts")
    table = pilot.app.screen.query_one("#contacts-table", DataTable)
    await until(pilot, lambda: table.row_count > 1, what="the directory")
    table.move_cursor(row=table.get_row_index("@marie.patisse"))
    table.focus()
    await pilot.press("enter")
    await until(pilot, lambda: isinstance(pilot.app.screen, ContactScreen), what="the card")
    text = pilot.app.screen.query_one("#contact-text")
    await until(pilot, lambda: "History" in str(text.render()), what="the card read")
    # Before any dialog: the screen under a modal shows as last drawn, toasts included.
    pilot.app.clear_notifications()
    await settle(pilot)


@pytest.mark.parametrize("size", SIZES)
def test_contact_screen(snap_compare, demo_app, size):
    async def shown(pilot):
        await _marie(pilot)
        await _shown(pilot, ContactScreen)

    assert snap_compare(demo_app, terminal_size=size, run_before=shown)


@pytest.mark.parametrize("size", SIZES)
def test_contact_tag_picker(snap_compare, demo_app, size):
    async def shown(pilot):
        await _marie(pilot)
        await pilot.press("t")
        await _shown(pilot, OptionsDialog)

    assert snap_compare(demo_app, terminal_size=size, run_before=shown)


@pytest.mark.parametrize("size", SIZES)
def test_inbox_filtered_by_a_tag(snap_compare, demo_app, size):
    async def shown(pilot):
        await _on_alias(pilot, "anna", "@bellehelene")
        table = pilot.app.screen.query_one("#inbox-table", DataTable)
        await until(pilot, lambda: table.row_count > 1, what="the inbox")
        await pilot.press("T")
        await until(pilot, lambda: isinstance(pilot.app.screen, OptionsDialog), what="tags")
        await pilot.press("down", "enter")  # VIP
        await until(pilot, lambda: table.row_count == 1, what="the VIP's thread")
        await _shown(pilot, AliasScreen)

    assert snap_compare(demo_app, terminal_size=size, run_before=shown)


@pytest.mark.parametrize("size", SIZES)
def test_handover_contact_picker(snap_compare, demo_app, size):
    async def shown(pilot):
        await _on_alias(pilot, "anna", "@bellehelene")
        await pilot.press("h")
        await until(pilot, lambda: isinstance(pilot.app.screen, HandoverWriteScreen), what="form")
        await pilot.press("ctrl+t")
        await until(pilot, lambda: isinstance(pilot.app.screen, WatchDialog), what="picker")
        choices = pilot.app.screen.query_one("#choices", OptionList)
        await until(pilot, lambda: choices.option_count > 0, what="the contacts")
        await _shown(pilot, WatchDialog)

    assert snap_compare(demo_app, terminal_size=size, run_before=shown)
