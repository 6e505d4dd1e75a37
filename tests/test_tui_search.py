"""Search on screen: `/` from the desk, words, Enter; Enter on a hit opens its thread there."""

from textual.widgets import DataTable, Input, Static

from cmconsole.tui.screens.alias_home import AliasScreen
from cmconsole.tui.screens.search import SearchScreen
from cmconsole.tui.screens.thread import ThreadScreen
from tests.pilot import SIZE, cells, make_app, open_alias, settle, sign_in, until


def _long_thread(demo, clock):
    """@dev_sam wrote once about Zanzibar, then sixty more times about other things."""
    alias = next(a for a in demo.accounts.aliases() if a.handle == "@acmehelp")
    demo.public.mention("@dev_sam", "@acmehelp will my parcel reach Zanzibar before June?")
    for number in range(60):
        clock.advance(minutes=1)
        demo.public.mention("@dev_sam", f"@acmehelp update number {number} on my order")
    demo.inbox.sync(alias.id)
    lea = demo.accounts.sign_in("lea", "lead-demo-pass")
    [found] = [m for m in demo.inbox.messages(lea, alias.id) if "Zanzibar" in m.text]
    return found


async def test_a_search_opens_the_thread_at_an_old_message(demo, clock):
    old = _long_thread(demo, clock)
    async with make_app(demo, clock).run_test(size=SIZE) as pilot:
        await sign_in(pilot, "anna", "anna-demo-pass")
        await open_alias(pilot, "@acmehelp")
        await pilot.press("slash")
        await until(pilot, lambda: isinstance(pilot.app.screen, SearchScreen), what="search")
        search = pilot.app.screen
        assert search.query_one("#search-query", Input).has_focus
        await pilot.press(*"zanzibar", "enter")
        table = search.query_one("#search-results", DataTable)
        await until(pilot, lambda: table.row_count == 1, what="the hit")
        [row] = cells(table)
        assert row[1:3] == ["message", "@dev_sam"] and "Zanzibar" in row[3]
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(pilot.app.screen, ThreadScreen), what="thread")
        thread = pilot.app.screen
        found = thread.query_one("#found", Static)
        await until(pilot, lambda: "Zanzibar" in str(found.render()), what="the message found")
        await settle(pilot)
        assert thread.at == old.id
        pane = thread.query_one("#thread")
        assert pane.scroll_y > 0  # scrolled to it: neither the top nor the bottom
        assert pane.region.overlaps(found.region)
        assert "update number 59" not in str(thread.query_one("#conversation").render())
        # A reply from here answers the message found, and says so (f3 picks another).
        answering = str(thread.query_one("#answering", Static).render())
        assert "you picked" in answering and "Zanzibar" in answering
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(pilot.app.screen, AliasScreen), what="the desk")


async def test_a_query_without_words_says_so_on_the_search_screen(demo, clock):
    async with make_app(demo, clock).run_test(size=SIZE) as pilot:
        await sign_in(pilot, "anna", "anna-demo-pass")
        await open_alias(pilot, "@acmehelp")
        await pilot.press("slash")
        await until(pilot, lambda: isinstance(pilot.app.screen, SearchScreen), what="search")
        status = pilot.app.screen.query_one("#search-status", Static)
        await pilot.press(*'"*', "enter")
        await until(pilot, lambda: "at least one word" in str(status.render()), what="refusal")
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(pilot.app.screen, AliasScreen), what="the desk")
