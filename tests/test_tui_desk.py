"""The desk on screen, live: the cursor stays on its fan, an open thread follows what arrives."""

from textual.widgets import DataTable

from cmconsole.tui.screens.thread import ThreadScreen
from tests.pilot import SIZE, cells, make_app, open_alias, settle, sign_in, until


def _alias(demo, handle):
    return next(a for a in demo.accounts.aliases() if a.handle == handle)


def _contacts(table):
    return [row[2].split(" ")[0] for row in cells(table)]


def _highlighted(table):
    return _contacts(table)[table.cursor_row]


async def test_the_highlight_stays_on_its_fan_when_someone_else_writes(demo, clock):
    alias = _alias(demo, "@acmehelp")
    async with make_app(demo, clock).run_test(size=SIZE) as pilot:
        await sign_in(pilot, "anna", "anna-demo-pass")
        await open_alias(pilot, "@acmehelp")
        table = pilot.app.screen.query_one("#inbox-table", DataTable)
        await until(pilot, lambda: "@kim_r" in _contacts(table), what="the inbox")
        table.move_cursor(row=_contacts(table).index("@kim_r"))
        assert _highlighted(table) == "@kim_r"

        # Someone else writes: their thread tops the inbox, above the highlighted one.
        clock.advance(minutes=1)
        demo.public.mention("@newfan", "@acmehelp Where is my parcel?")
        demo.inbox.sync(alias.id)
        await until(pilot, lambda: _contacts(table)[:1] == ["@newfan"], what="the new thread")
        assert _highlighted(table) == "@kim_r"

        await pilot.press("enter")
        await settle(pilot)
        thread = pilot.app.screen
        assert isinstance(thread, ThreadScreen)
        assert thread.contact == "@kim_r"
    omar = demo.accounts.sign_in("omar", "omar-demo-pass")
    assert demo.claims.state(omar, alias.id, "@newfan").claim is None
