"""On screen: the inbox sorted by a facet of the contact, and handovers that link people."""

from textual.widgets import DataTable, OptionList, Static

from cmconsole.domain.contacts import Facet
from cmconsole.tui.dialogs.end_shift import EndShiftDialog
from cmconsole.tui.dialogs.watch import WatchDialog
from cmconsole.tui.screens.handover_read import HandoverReadScreen
from cmconsole.tui.screens.handover_write import HandoverWriteScreen
from cmconsole.tui.widgets.handover_view import handover_text
from tests.pilot import SIZE, cells, make_app, open_alias, settle, sign_in, until


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


async def test_a_contact_picked_to_watch_is_read_by_the_next_person(demo, clock):
    belle = _alias(demo, "@bellehelene")
    anna = demo.accounts.sign_in("anna", "anna-demo-pass")
    demo.contact_tags.tag(anna, belle.id, "@camille_b", "VIP")
    async with make_app(demo, clock).run_test(size=SIZE) as pilot:
        await sign_in(pilot, "anna", "anna-demo-pass")
        await open_alias(pilot, "@bellehelene")
        await pilot.press("h")
        await until(pilot, lambda: isinstance(pilot.app.screen, HandoverWriteScreen), what="form")
        form = pilot.app.screen
        await pilot.press(*"Calme.")
        await pilot.press("ctrl+t")
        await until(pilot, lambda: isinstance(pilot.app.screen, WatchDialog), what="the contacts")
        dialog = pilot.app.screen
        choices = dialog.query_one("#choices", OptionList)
        await until(pilot, lambda: choices.option_count > 0, what="the first page")
        await pilot.press(*"elle attend les éclairs", "enter")
        shown = [str(choices.get_option_at_index(n).prompt) for n in range(choices.option_count)]
        choices.highlighted = next(n for n, s in enumerate(shown) if s.startswith("@camille_b"))
        await pilot.press("enter")
        await until(pilot, lambda: bool(form.query("#watched")), what="the contact picked")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: not form.is_attached, what="the handover saved")

        await pilot.press("escape")  # end the shift: the picker, then sign out
        await until(pilot, lambda: isinstance(pilot.app.screen, EndShiftDialog), what="end")
    omar = demo.accounts.sign_in("omar", "omar-demo-pass")
    [newest, *_] = demo.handovers.pending(omar, belle.id)[::-1]
    text = handover_text(newest)
    # The demo knows her as a journalist already; anna added VIP.
    assert "@camille_b (Camille Bernard) [VIP, journalist]: elle attend les éclairs" in text
    async with make_app(demo, clock).run_test(size=SIZE) as pilot:
        await sign_in(pilot, "omar", "omar-demo-pass")
        await open_alias(pilot, "@bellehelene", read_handovers=False)
        texts = []
        while isinstance(pilot.app.screen, HandoverReadScreen):
            texts.append(str(pilot.app.screen.query_one("#handover-text", Static).render()))
            await pilot.press("enter")
            await settle(pilot)
        assert any("Contacts to watch:" in t and "elle attend les éclairs" in t for t in texts)


async def test_the_handover_saved_lists_what_its_writer_read_not_what_came_after(demo, clock):
    belle = _alias(demo, "@bellehelene")
    async with make_app(demo, clock).run_test(size=SIZE) as pilot:
        await sign_in(pilot, "anna", "anna-demo-pass")
        await open_alias(pilot, "@bellehelene")
        await pilot.press("h")
        await until(pilot, lambda: isinstance(pilot.app.screen, HandoverWriteScreen), what="form")
        form = pilot.app.screen
        gathered = form.query_one("#gathered", Static)
        await until(pilot, lambda: "Threads still open" in str(gathered.render()), what="data")
        shown = str(gathered.render())
        demo.public.mention("@late_fan", "@bellehelene une question de dernière minute")
        demo.inbox.sync(belle.id)
        await pilot.press(*"Calme.", "ctrl+s")
        await until(pilot, lambda: not form.is_attached, what="the handover saved")
    omar = demo.accounts.sign_in("omar", "omar-demo-pass")
    newest = demo.handovers.pending(omar, belle.id)[-1]
    assert newest.summary == "Calme."
    assert "@late_fan" not in handover_text(newest) and "@late_fan" not in shown
    assert all(thread in shown for thread in newest.content.open_threads)
