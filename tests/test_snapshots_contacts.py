"""The contact card beside a thread and the contacts directory, at 80x24 and at 120x40."""

import pytest
from textual.widgets import DataTable

from cmconsole.tui.screens.contacts import ContactsScreen
from cmconsole.tui.screens.thread import ThreadScreen
from tests import test_snapshots_screens as screens
from tests.pilot import settle, until
from tests.test_snapshots_screens import SIZES, _on_alias, _shown

demo_app = screens.demo_app  # the same demo, seen 7 minutes after it was seeded


@pytest.mark.parametrize("size", SIZES)
def test_contact_card_beside_the_thread(snap_compare, demo_app, size):
    async def shown(pilot):
        await _on_alias(pilot, "anna", "@bellehelene")
        table = pilot.app.screen.query_one("#inbox-table", DataTable)
        rows = [str(table.get_row_at(row)) for row in range(table.row_count)]
        table.move_cursor(row=next(i for i, r in enumerate(rows) if "marie" in r))
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(pilot.app.screen, ThreadScreen), what="the thread")
        card = pilot.app.screen.query_one("#contact-card")
        if not card.display:  # folded at 80 columns: f4 shows it
            await pilot.press("f4")
        await until(pilot, lambda: "VIP" in str(pilot.app.screen.query_one("#card-text").render()))
        await _shown(pilot, ThreadScreen)

    assert snap_compare(demo_app, terminal_size=size, run_before=shown)


@pytest.mark.parametrize("size", SIZES)
def test_contacts_directory(snap_compare, demo_app, size):
    async def shown(pilot):
        await _on_alias(pilot, "lea", "@bellehelene")
        await pilot.press("c")
        await until(pilot, lambda: isinstance(pilot.app.screen, ContactsScreen), what="contacts")
        table = pilot.app.screen.query_one("#contacts-table", DataTable)
        await until(pilot, lambda: table.row_count > 0, what="the directory")
        # The table sizes its columns to their cells a moment after the rows arrive: once cut
        # to the headers' width, the snapshot was taken before that (seen under CI).
        first = next(iter(table.columns.values()))
        await until(pilot, lambda: first.content_width >= len("@marie.patisse"), what="widths")
        await settle(pilot)
        await _shown(pilot, ContactsScreen)

    assert snap_compare(demo_app, terminal_size=size, run_before=shown)
