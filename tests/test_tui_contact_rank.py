"""On screen: the inbox sorted by a facet of the contact, and handovers that link people."""

from textual.widgets import DataTable, Static

from cmconsole.domain.contacts import Facet
from tests.pilot import SIZE, cells, make_app, open_alias, sign_in, until


def _alias(demo, handle):
    return next(a for a in demo.accounts.aliases() if a.handle == handle)


async def test_sorted_by_relevancy_the_journalists_thread_comes_first(demo, clock):
    alias = _alias(demo, "@acmehelp")
    anna = demo.accounts.sign_in("anna", "anna-demo-pass")
    listed = [t.thread.contact_handle for t in demo.inbox.threads(anna, alias.id)]
    journalist = listed[-1]  # the last by activity
    demo.contact_tags.tag(anna, alias.id, journalist, "journalist")
    demo.contacts.rate(anna, alias.id, journalist, Facet.RELEVANCY, 5, "writes for the press")
    demo.contacts.rate(anna, alias.id, listed[0], Facet.RELEVANCY, 1, "a regular")
    async with make_app(demo, clock).run_test(size=SIZE) as pilot:
        await sign_in(pilot, "anna", "anna-demo-pass")
        await open_alias(pilot, "@acmehelp")
        screen = pilot.app.screen
        table = screen.query_one("#inbox-table", DataTable)

        def first() -> str:
            rows = cells(table)
            return rows[0][2].split(" ")[0] if rows else ""

        await until(pilot, lambda: first() == listed[0], what="the inbox in activity order")
        shown = screen.query_one("#inbox-filter", Static)
        for _ in range(len(Facet)):
            if "relevancy" in str(shown.render()):
                break
            await pilot.press("s")
        assert "by relevancy first" in str(shown.render())
        await until(pilot, lambda: first() == journalist, what="the journalist first")
