"""Pilot walks of the inbox's tag filter, the handover's contact picker (pages, search,
removal) and follow-ups shown on the alias's clock."""

from textual.widgets import DataTable, Input, OptionList, Static

from cmconsole.tui.dialogs.options import OptionsDialog
from cmconsole.tui.dialogs.watch import WatchDialog
from cmconsole.tui.screens.handover_write import HandoverWriteScreen
from cmconsole.tui.screens.thread import ThreadScreen
from cmconsole.tui.widgets.handover_view import handover_text
from tests.pilot import SIZE, cells, make_app, open_alias, open_message, settle, sign_in, until
from tests.test_tui_contact_edit import choose, prompts


def _alias(demo, handle):
    return next(a for a in demo.accounts.aliases() if a.handle == handle)


def shown(screen, selector):
    return str(screen.query_one(selector, Static).render())


async def test_the_inbox_shows_only_the_threads_of_contacts_with_a_tag_until_cleared(demo, clock):
    async with make_app(demo, clock).run_test(size=SIZE) as pilot:
        await sign_in(pilot, "anna", "anna-demo-pass")
        await open_alias(pilot, "@bellehelene")
        screen = pilot.app.screen
        table = screen.query_one("#inbox-table", DataTable)
        await until(pilot, lambda: table.row_count >= 3, what="the inbox")
        every = table.row_count

        await pilot.press("T")
        await until(pilot, lambda: isinstance(pilot.app.screen, OptionsDialog), what="the tags")
        assert "VIP" in prompts(pilot.app.screen) and "journalist" in prompts(pilot.app.screen)
        await choose(pilot, "journalist")
        await until(
            pilot,
            lambda: [r[2].split(" ")[0] for r in cells(table)] == ["@camille_b"],
            what="only the journalist's thread",
        )
        assert "tagged journalist" in shown(screen, "#inbox-filter")

        await pilot.press("T")
        await choose(pilot, "every tag")
        await until(pilot, lambda: table.row_count == every, what="every thread again")
        assert "tagged" not in shown(screen, "#inbox-filter")


def _watch_options(dialog):
    options = dialog.query_one("#choices", OptionList)
    return [str(options.get_option_at_index(n).prompt) for n in range(options.option_count)]


async def test_the_handover_picker_pages_searches_and_drops_a_contact(demo, clock):
    belle = _alias(demo, "@bellehelene")
    for n in range(12):  # more fans than one page of the picker holds
        demo.public.mention(f"@fan{n:02d}", f"@bellehelene question {n}")
    demo.inbox.sync(belle.id)
    async with make_app(demo, clock).run_test(size=SIZE) as pilot:
        await sign_in(pilot, "anna", "anna-demo-pass")
        await open_alias(pilot, "@bellehelene")
        await pilot.press("h")
        await until(pilot, lambda: isinstance(pilot.app.screen, HandoverWriteScreen), what="form")
        form = pilot.app.screen
        await pilot.press(*"Calme.")

        await pilot.press("ctrl+t")
        await until(pilot, lambda: isinstance(pilot.app.screen, WatchDialog), what="the picker")
        dialog = pilot.app.screen
        await until(pilot, lambda: bool(_watch_options(dialog)), what="the first page")
        first = _watch_options(dialog)
        assert "page 1" in shown(dialog, "#watch-page") and "ctrl+n" in shown(dialog, "#watch-page")
        await pilot.press("ctrl+n")
        await until(pilot, lambda: "page 2" in shown(dialog, "#watch-page"), what="page 2")
        await until(pilot, lambda: _watch_options(dialog) != first, what="the next contacts")
        second = _watch_options(dialog)
        assert not set(first) & set(second)

        # The search finds her wherever she is; the note goes with the contact chosen.
        dialog.query_one("#watch-search", Input).value = "Camille"
        dialog.query_one("#watch-search", Input).focus()
        await pilot.press("enter")
        await until(
            pilot,
            lambda: [p.split(" ")[0] for p in _watch_options(dialog)] == ["@camille_b"],
            what="the search",
        )
        dialog.query_one("#note", Input).value = "elle prépare un article"
        dialog.query_one("#choices", OptionList).focus()
        dialog.query_one("#choices", OptionList).highlighted = 0
        await pilot.press("enter")
        await until(pilot, lambda: bool(form.query("#watched")), what="camille picked")

        await pilot.press("ctrl+t")  # a second one, from the first page
        await until(pilot, lambda: isinstance(pilot.app.screen, WatchDialog), what="the picker")
        dialog = pilot.app.screen
        await until(pilot, lambda: any("@fan" in p for p in _watch_options(dialog)), what="fans")
        options = dialog.query_one("#choices", OptionList)
        options.focus()
        fan = next(n for n, p in enumerate(_watch_options(dialog)) if p.startswith("@fan"))
        picked_fan = _watch_options(dialog)[fan].split(" ")[0]
        options.highlighted = fan
        await pilot.press("enter")
        await until(pilot, lambda: picked_fan in shown(form, "#watched"), what="the fan picked")

        await pilot.press("ctrl+t")  # changed our mind: picked ones come first, to drop
        await until(pilot, lambda: isinstance(pilot.app.screen, WatchDialog), what="the picker")
        dialog = pilot.app.screen
        await until(pilot, lambda: bool(_watch_options(dialog)), what="the choices")
        assert _watch_options(dialog)[:2] == [
            "✕ stop watching @camille_b",
            f"✕ stop watching {picked_fan}",
        ]
        options = dialog.query_one("#choices", OptionList)
        options.focus()
        options.highlighted = 1
        await pilot.press("enter")
        await until(pilot, lambda: picked_fan not in shown(form, "#watched"), what="dropped")
        assert "@camille_b: elle prépare un article" in shown(form, "#watched")

        await pilot.press("ctrl+s")
        await until(pilot, lambda: not form.is_attached, what="the handover saved")
    omar = demo.accounts.sign_in("omar", "omar-demo-pass")
    newest = demo.handovers.pending(omar, belle.id)[-1]
    text = handover_text(newest)
    assert "@camille_b (Camille Bernard) [journalist]: elle prépare un article" in text
    assert [w.handle for w in newest.content.watched] == ["@camille_b"]


async def test_follow_ups_are_due_on_the_alias_clock_in_the_thread_and_on_the_card(demo, clock):
    # The demo starts at 09:00 UTC on 2 November 2026: 10:00 in Paris (winter time).
    async with make_app(demo, clock).run_test(size=(120, 40)) as pilot:
        await sign_in(pilot, "anna", "anna-demo-pass")
        await open_alias(pilot, "@bellehelene")
        await open_message(pilot, "éclairs")
        thread = pilot.app.screen
        assert isinstance(thread, ThreadScreen)
        await pilot.press("ctrl+f")
        await until(pilot, lambda: pilot.app.screen is not thread, what="the promise dialog")
        dialog = pilot.app.screen
        dialog.query_one("#field-0").value = "Dire si les éclairs reviennent"
        dialog.query_one("#field-1").value = "6"
        await pilot.press("enter", "enter")
        await until(
            pilot,
            lambda: "due 2026-11-02 16:00 (Europe/Paris)" in shown(thread, "#follow-ups"),
            what="the follow-up on Paris time",
        )
        assert "UTC" not in shown(thread, "#follow-ups")
        await settle(pilot)
        await until(
            pilot,
            lambda: "due 2026-11-02 16:00 (Europe/Paris)" in shown(thread, "#card-text"),
            what="the promise on the card, on Paris time",
        )
