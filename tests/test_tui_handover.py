"""Pilot walks of the shift end, the handover and the next operator's acknowledgement."""

import threading

from textual.widgets import DataTable, Input, Static, TextArea

from cmconsole.services.audit import SPOKEN_PAGE
from cmconsole.tui.dialogs.end_shift import EndShiftDialog
from cmconsole.tui.screens.alias_home import AliasScreen
from cmconsole.tui.screens.alias_picker import AliasPickerScreen
from cmconsole.tui.screens.handover_read import HandoverReadScreen
from cmconsole.tui.screens.handover_write import HandoverWriteScreen
from cmconsole.tui.screens.team import TeamScreen
from cmconsole.tui.screens.thread import ThreadScreen
from tests.conftest import receive
from tests.pilot import (
    SIZE,
    cells,
    make_app,
    open_alias,
    open_message,
    settle,
    sign_in,
    until,
)


def alias_named(services, handle):
    return next(a for a in services.accounts.aliases() if a.handle == handle)


async def test_the_demo_leads_the_first_operator_through_a_waiting_handover(demo, clock):
    belle = alias_named(demo, "@bellehelene")
    async with make_app(demo, clock).run_test(size=SIZE) as pilot:
        await sign_in(pilot, "omar", "omar-demo-pass")
        await open_alias(pilot, "@bellehelene", read_handovers=False)
        screen = pilot.app.screen
        assert isinstance(screen, HandoverReadScreen)
        first = str(screen.query_one("#handover-text", Static).render())
        assert first.startswith("anna, ")
        assert "@jules75" in first
        await pilot.press("enter")
        await settle(pilot)
        second = str(pilot.app.screen.query_one("#handover-text", Static).render())
        assert second.startswith("lea, ") and "petit prix" in second
        await pilot.press("enter")
        await settle(pilot)
        guide = str(pilot.app.screen.query_one("#handover-text", Static).render())
        assert guide.startswith("Belle Hélène: guide version 1")
        assert "Qui nous sommes" in guide
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(pilot.app.screen, AliasScreen)
    omar = demo.accounts.sign_in("omar", "omar-demo-pass")
    assert demo.handovers.pending(omar, belle.id) == []
    acknowledged = [
        e for e in demo.audit.for_alias(omar, belle.id) if e.event.kind == "handover.acknowledged"
    ]
    assert [e.actor_name for e in acknowledged] == ["omar", "omar"]
    assert demo.guides.unread(omar, belle.id) is None


async def test_sending_before_reading_leads_back_to_the_handovers(demo, clock):
    async with make_app(demo, clock).run_test(size=SIZE) as pilot:
        await sign_in(pilot, "theo", "theo-demo-pass")
        await open_alias(pilot, "@acmehelp", read_handovers=False)
        await pilot.press("escape")  # "later"
        await settle(pilot)
        assert isinstance(pilot.app.screen, AliasScreen)
        banner = str(pilot.app.screen.query_one("#on-shift", Static).render())
        assert "2 to read before you speak" in banner  # omar's handover and the guide
        await open_message(pilot, "502s")
        await pilot.press(*"We are looking into it")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(pilot.app.screen, HandoverReadScreen)
        await pilot.press("enter", "enter")
        await settle(pilot)
        thread = pilot.app.screen
        assert isinstance(thread, ThreadScreen)
        status = str(thread.query_one("#compose-status").render())
        assert "acknowledge the 1 handover left on @acmehelp and the guide of @acmehelp" in status
        assert thread.query_one("#reply", TextArea).text == "We are looking into it"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(pilot.app.screen, AliasScreen)


async def test_ending_a_shift_with_a_handover_that_the_next_operator_reads(demo, clock):
    belle = alias_named(demo, "@bellehelene")
    async with make_app(demo, clock).run_test(size=SIZE) as pilot:
        await sign_in(pilot, "anna", "anna-demo-pass")
        await open_alias(pilot, "@bellehelene")
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(pilot.app.screen, EndShiftDialog)
        await pilot.press("h")
        await settle(pilot)
        form = pilot.app.screen
        assert isinstance(form, HandoverWriteScreen)
        gathered = str(form.query_one("#gathered", Static).render())
        assert "Threads still open:" in gathered and "@camille_b" in gathered
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "needs a summary" in str(form.query_one("#handover-status").render())
        await pilot.press(*"Camille attend une réponse sur les éclairs.")
        form.query_one("#watch", Input).value = "@camille_b"
        form.query_one("#mood", Input).value = "curieuse"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(pilot.app.screen, AliasPickerScreen)
        assert demo.shifts.on_shift(belle.id) == []

        await pilot.press("escape")  # sign out
        await settle(pilot)
        clock.advance(minutes=10)
        await sign_in(pilot, "omar", "omar-demo-pass")
        await open_alias(pilot, "@bellehelene", read_handovers=False)
        texts = []
        while isinstance(pilot.app.screen, HandoverReadScreen):
            texts.append(str(pilot.app.screen.query_one("#handover-text", Static).render()))
            await pilot.press("enter")
            await settle(pilot)
        assert texts[-1].startswith("Belle Hélène: guide version 1")  # the guide comes last
        assert "Camille attend une réponse sur les éclairs." in texts[-2]
        assert "People to watch: @camille_b" in texts[-2]

        await pilot.press("H")
        history = pilot.app.screen.query_one("#handover-history")
        history.query_one("#filter-author", Input).value = "anna"
        table = history.query_one("#handover-table", DataTable)
        await until(
            pilot, lambda: {row[1] for row in cells(table)} == {"anna"}, what="anna's handovers"
        )
        await settle(pilot)
        rows = cells(table)
        assert [row[1] for row in rows] == ["anna", "anna"]
        assert rows[0][2].startswith("Camille attend")
        assert rows[0][3] == "omar"


async def test_a_lead_deactivates_someone_who_left(demo, clock):
    async with make_app(demo, clock).run_test(size=SIZE) as pilot:
        await sign_in(pilot, "lea", "lead-demo-pass")
        await open_alias(pilot, "@acmehelp")
        await pilot.press("m")
        await settle(pilot)
        team = pilot.app.screen
        assert isinstance(team, TeamScreen)
        table = team.query_one("#team-table", DataTable)
        names = [row[0] for row in cells(table)]
        table.move_cursor(row=names.index("theo"))
        await pilot.press("d")
        await settle(pilot)
        await pilot.press(*"internship ended", "enter")
        await settle(pilot)
        row = cells(table)[names.index("theo")]
        assert row[4] == "deactivated"
        await pilot.press("escape", "escape", "e")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        await sign_in(pilot, "theo", "theo-demo-pass")
        error = str(pilot.app.screen.query_one("#sign-in-error", Static).render())
        assert error == "theo has been deactivated: ask a lead"


async def test_an_operator_cannot_change_roles(demo, clock):
    async with make_app(demo, clock).run_test(size=SIZE) as pilot:
        await sign_in(pilot, "anna", "anna-demo-pass")
        await open_alias(pilot, "@acmehelp")
        await pilot.press("m")
        await settle(pilot)
        await pilot.press("l")
        await settle(pilot)
        error = str(pilot.app.screen.query_one("#team-error", Static).render())
        assert error == "only a lead of @acmehelp may do this"


async def test_a_promise_made_in_a_thread_becomes_a_follow_up(demo, clock):
    async with make_app(demo, clock).run_test(size=SIZE) as pilot:
        await sign_in(pilot, "anna", "anna-demo-pass")
        await open_alias(pilot, "@acmehelp")
        await open_message(pilot, "#4411")
        await pilot.press("ctrl+f")
        await settle(pilot)
        await pilot.press(*"Check with billing", "enter", "enter")
        await settle(pilot)
        shown = str(pilot.app.screen.query_one("#follow-ups", Static).render())
        assert "Check with billing" in shown and "due 2026-11-03 09:00 (Europe/London)" in shown
        await pilot.press("escape")
        await settle(pilot)
        banner = str(pilot.app.screen.query_one("#on-shift", Static).render())
        assert "1 follow-ups due within a day" in banner


async def test_every_key_of_a_screen_is_also_in_the_command_palette(demo, clock):
    async with make_app(demo, clock).run_test(size=SIZE) as pilot:
        await sign_in(pilot, "anna", "anna-demo-pass")
        await open_alias(pilot, "@acmehelp")
        await pilot.press("ctrl+p")
        await settle(pilot)
        await pilot.press(*"Hand over")
        await until(pilot, lambda: _palette_offers(pilot, "Hand over"), what="the command found")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(pilot.app.screen, HandoverWriteScreen)


async def test_a_lead_sees_who_spoke_and_an_operator_only_their_own(demo, clock):
    async with make_app(demo, clock).run_test(size=SIZE) as pilot:
        await sign_in(pilot, "lea", "lead-demo-pass")
        await open_alias(pilot, "@acmehelp")
        await pilot.press("w")
        await settle(pilot)
        stats = str(pilot.app.screen.query_one("#spoken-stats", Static).render())
        assert stats.startswith("Everyone: omar 4 posts")  # the demo's history on Acme
        rows = cells(pilot.app.screen.query_one("#spoken-table", DataTable))
        assert [row[1] for row in rows] == ["omar"] * 4
        history = pilot.app.screen.query_one("#spoken-history")
        history.query_one("#spoken-text", Input).value = "nothing like this"
        stats_shown = pilot.app.screen.query_one("#spoken-stats", Static)
        await until(
            pilot,
            lambda: str(stats_shown.render()) == "Everyone: nothing published in this selection",
            what="the empty selection said",
        )
    async with make_app(demo, clock).run_test(size=SIZE) as pilot:
        await sign_in(pilot, "anna", "anna-demo-pass")
        await open_alias(pilot, "@acmehelp")
        await pilot.press("w")
        await settle(pilot)
        stats = str(pilot.app.screen.query_one("#spoken-stats", Static).render())
        assert stats == "Your own posts: nothing published in this selection"


def trainee_drafts(services, handle, containing, text):
    """Théo, the demo's trainee, answers a message; his reply waits for review."""
    theo = services.accounts.sign_in("theo", "theo-demo-pass")
    alias = alias_named(services, handle)
    services.shifts.start(theo, alias.id)
    for handover in services.handovers.pending(theo, alias.id):
        services.handovers.acknowledge(theo, handover.id)
    services.guides.acknowledge(
        theo, alias.id, services.guides.unread(theo, alias.id).version.version
    )
    message = next(m for m in services.inbox.messages(theo, alias.id) if containing in m.text)
    return services.posting.reply(theo, message.id, text)


async def test_a_reviewer_edits_and_approves_a_trainees_reply(demo, clock):
    draft = trainee_drafts(demo, "@acmehelp", "502s", "We are looking at it.")
    async with make_app(demo, clock).run_test(size=SIZE) as pilot:
        await sign_in(pilot, "omar", "omar-demo-pass")
        await open_alias(pilot, "@acmehelp")
        banner = str(pilot.app.screen.query_one("#on-shift", Static).render())
        assert "1 awaiting approval" in banner
        await pilot.press("p")
        await pilot.press("enter")
        await settle(pilot)
        review = pilot.app.screen
        assert "502s" in str(review.query_one("#review-asked", Static).render())
        review.query_one("#review-draft").load_text("We are looking at it and will update you.")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(pilot.app.screen, AliasScreen)
        await pilot.press("r")
        await settle(pilot)
    omar = demo.accounts.sign_in("omar", "omar-demo-pass")
    acme = alias_named(demo, "@acmehelp")
    published = next(p for p in demo.posting.posts(omar, acme.id) if p.id == draft.id)
    assert (published.status.value, published.text) == (
        "published",
        "We are looking at it and will update you.",
    )
    assert published.approver_id == omar.operator_id


async def test_a_reviewer_sends_a_reply_back_with_a_comment_the_trainee_reads(demo, clock):
    draft = trainee_drafts(demo, "@bellehelene", "abîmée", "Oups, désolés.")
    async with make_app(demo, clock).run_test(size=SIZE) as pilot:
        await sign_in(pilot, "lea", "lead-demo-pass")
        await open_alias(pilot, "@bellehelene")
        await pilot.press("p", "enter")
        await settle(pilot)
        await pilot.press("ctrl+r")
        await settle(pilot)
        await pilot.press(*"Proposez un geste commercial.", "enter")
        await settle(pilot)
        assert isinstance(pilot.app.screen, AliasScreen)
    theo = demo.accounts.sign_in("theo", "theo-demo-pass")
    thread = demo.inbox.thread(theo, draft.in_reply_to_id)
    assert [(p.status.value, p.review_comment) for p in thread.replies] == [
        ("rejected", "Proposez un geste commercial."),
    ]


async def test_the_team_screen_shows_each_operators_voice(demo, clock):
    async with make_app(demo, clock).run_test(size=SIZE) as pilot:
        await sign_in(pilot, "lea", "lead-demo-pass")
        await open_alias(pilot, "@acmehelp")
        await pilot.press("m")
        await settle(pilot)
        table = pilot.app.screen.query_one("#team-table", DataTable)
        rows = {row[0]: row[6] for row in cells(table)}
        assert rows["omar"] == "4 replies: too few to judge"
        assert rows["theo"] == "0 replies: too few to judge"
        table.move_cursor(row=list(rows).index("omar"))
        await pilot.press("enter")
        await settle(pilot)
        shown = str(pilot.app.screen.query_one("#dialog-text", Static).render())
        assert shown.startswith("omar: 4 recent replies compared with the others'")


def _published_many(services, name, passphrase, handle, count):
    """`count` more replies published under the alias by `name`, one per fan."""
    who = services.accounts.sign_in(name, passphrase)
    alias = alias_named(services, handle)
    for handover in services.handovers.pending(who, alias.id):
        services.handovers.acknowledge(who, handover.id)
    if (guide := services.guides.unread(who, alias.id)) is not None:
        services.guides.acknowledge(who, alias.id, guide.version.version)
    services.shifts.start(who, alias.id)
    for n in range(count):
        message_id = receive(services, alias, f"@fan{n}", f"{handle} where is order {n}?")
        services.posting.reply(who, message_id, f"Order {n} left the warehouse today.")
    services.dispatcher.dispatch_pending(limit=count)
    services.shifts.end(who, alias.id)


async def test_who_spoke_reads_the_next_page_when_the_cursor_reaches_the_end(demo, clock):
    _published_many(demo, "omar", "omar-demo-pass", "@acmehelp", SPOKEN_PAGE + 10)
    total = SPOKEN_PAGE + 10 + 4  # and the demo's own four
    async with make_app(demo, clock).run_test(size=SIZE) as pilot:
        await sign_in(pilot, "lea", "lead-demo-pass")
        await open_alias(pilot, "@acmehelp")
        await pilot.press("w")
        await settle(pilot)
        table = pilot.app.screen.query_one("#spoken-table", DataTable)
        assert table.row_count == SPOKEN_PAGE
        stats = str(pilot.app.screen.query_one("#spoken-stats", Static).render())
        assert stats.startswith(f"Everyone: omar {total} posts")
        table.focus()
        await pilot.press("ctrl+end")
        await settle(pilot)
        assert table.row_count == total
        texts = [row[4] for row in cells(table)]
        assert texts[0] == f"Order {SPOKEN_PAGE + 9} left the warehouse today."
        assert texts[SPOKEN_PAGE + 9] == "Order 0 left the warehouse today."
        # A refresh keeps every row read so far.
        await pilot.press("r")
        await settle(pilot)
        assert table.row_count == total


async def test_a_refresh_of_who_spoke_keeps_the_cursor_on_the_post_read(demo, clock):
    _published_many(demo, "omar", "omar-demo-pass", "@acmehelp", SPOKEN_PAGE + 10)
    async with make_app(demo, clock).run_test(size=SIZE) as pilot:
        await sign_in(pilot, "lea", "lead-demo-pass")
        await open_alias(pilot, "@acmehelp")
        await pilot.press("w")
        await settle(pilot)
        table = pilot.app.screen.query_one("#spoken-table", DataTable)
        table.focus()
        table.move_cursor(row=10)
        await pilot.pause()
        read = cells(table)[10]
        # Nothing new: the rows stay as they are, the cursor where the reader left it.
        await pilot.press("r")
        await settle(pilot)
        assert (table.cursor_row, table.row_count) == (10, SPOKEN_PAGE)
        # A new post comes first: the one read moves down a row, the cursor with it.
        _published_many(demo, "omar", "omar-demo-pass", "@acmehelp", 1)
        await pilot.press("r")
        await settle(pilot)
        rows = cells(table)
        assert rows[0][4] == "Order 0 left the warehouse today."
        assert rows[11] == read
        assert table.cursor_row == 11


async def test_who_spoke_ignores_a_page_read_for_filters_since_changed(demo, clock, monkeypatch):
    _published_many(demo, "omar", "omar-demo-pass", "@acmehelp", SPOKEN_PAGE + 10)
    spoken, release, done = demo.audit.spoken, threading.Event(), threading.Event()
    asked = threading.Event()

    def next_page_held(*args, **kwargs):
        if kwargs.get("after") is None:
            return spoken(*args, **kwargs)
        asked.set()
        release.wait(30)
        try:
            return spoken(*args, **kwargs)
        finally:
            done.set()

    monkeypatch.setattr(demo.audit, "spoken", next_page_held)
    async with make_app(demo, clock).run_test(size=SIZE) as pilot:
        await sign_in(pilot, "lea", "lead-demo-pass")
        await open_alias(pilot, "@acmehelp")
        await pilot.press("w")
        await settle(pilot)
        table = pilot.app.screen.query_one("#spoken-table", DataTable)
        table.focus()
        await pilot.press("ctrl+end")  # the next page is asked for, and held
        await until(pilot, asked.is_set, what="the next page asked for")
        history = pilot.app.screen.query_one("#spoken-history")
        history.query_one("#spoken-text", Input).value = "Order 1"
        await until(pilot, lambda: table.row_count == 1, what="the new selection shown")
        release.set()
        await until(pilot, done.is_set, what="the held page read")
        await settle(pilot)  # its result, if it were used, would be appended by now
        # Nothing of the old selection was appended under the new one.
        assert [row[4] for row in cells(table)] == ["Order 1 left the warehouse today."]


def _palette_offers(pilot, wanted: str) -> bool:
    from textual.command import CommandList

    found = pilot.app.screen.query(CommandList)
    if not found or not found.first().option_count:
        return False
    return wanted in str(found.first().get_option_at_index(0).prompt)
