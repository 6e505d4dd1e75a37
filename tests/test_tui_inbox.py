"""The team inbox on screen: threads, claims seen by others, takeovers, saved replies, outbox."""

from textual.widgets import DataTable, Static, TextArea

from cmconsole.domain.model import PostStatus
from cmconsole.services.ports import SandboxFault
from cmconsole.tui.screens.alias_home import AliasScreen
from cmconsole.tui.screens.thread import ThreadScreen
from tests.pilot import SIZE, cells, make_app, open_alias, open_message, settle, sign_in, until


def _alias(demo, handle):
    return next(a for a in demo.accounts.aliases() if a.handle == handle)


def _row_of(table, contact):
    return next(row for row in cells(table) if row[2].startswith(contact))


async def _wait_for(pilot, condition):
    await until(pilot, condition, what="the inbox to show it")
    return True


async def test_a_claim_shows_in_the_others_inbox_and_thread_within_two_seconds(demo, clock):
    alias = _alias(demo, "@acmehelp")
    omar = demo.accounts.sign_in("omar", "omar-demo-pass")
    async with make_app(demo, clock).run_test(size=SIZE) as pilot:
        await sign_in(pilot, "anna", "anna-demo-pass")
        await open_alias(pilot, "@acmehelp")
        table = pilot.app.screen.query_one("#inbox-table", DataTable)
        assert _row_of(table, "@kim_r")[3] == ""

        # Another console (omar's) opens @kim_r's thread.
        demo.claims.claim(omar, alias.id, "@kim_r")
        assert await _wait_for(pilot, lambda: _row_of(table, "@kim_r")[3] == "omar")

        await open_message(pilot, "502s")
        thread = pilot.app.screen
        assert isinstance(thread, ThreadScreen)
        banner = thread.query_one("#claim", Static)
        assert "Being answered by omar" in str(banner.render())
        await pilot.press(*"On it")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "being answered by omar" in str(thread.query_one("#compose-status").render())
        assert demo.posting.outbox(omar, alias.id) == []

        await pilot.press("ctrl+o")
        await settle(pilot)
        assert "You are answering @kim_r" in str(banner.render())
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(pilot.app.screen, AliasScreen)
    lea = demo.accounts.sign_in("lea", "lead-demo-pass")
    [taken] = [e for e in demo.audit.for_alias(lea, alias.id) if e.event.kind == "claim.taken_over"]
    assert (taken.actor_name, taken.event.subject, taken.event.details["from"]) == (
        "anna",
        "@kim_r",
        "omar",
    )
    [published] = [p for p in demo.posting.posts(omar, alias.id) if p.text == "On it"]
    assert published.status is PostStatus.PUBLISHED


async def test_leaving_a_thread_releases_its_claim(demo, clock):
    alias = _alias(demo, "@acmehelp")
    omar = demo.accounts.sign_in("omar", "omar-demo-pass")
    async with make_app(demo, clock).run_test(size=SIZE) as pilot:
        await sign_in(pilot, "anna", "anna-demo-pass")
        await open_alias(pilot, "@acmehelp")
        await open_message(pilot, "#4411")
        assert demo.claims.state(omar, alias.id, "@dev_sam").claim.operator_name == "anna"
        await pilot.press("escape")
        await settle(pilot)
        assert demo.claims.state(omar, alias.id, "@dev_sam").claim is None


async def test_the_inbox_filters_cycle_through_unanswered_mine_and_claimed(demo, clock):
    alias = _alias(demo, "@acmehelp")
    omar = demo.accounts.sign_in("omar", "omar-demo-pass")
    demo.claims.claim(omar, alias.id, "@dev_sam")
    async with make_app(demo, clock).run_test(size=SIZE) as pilot:
        await sign_in(pilot, "anna", "anna-demo-pass")
        await open_alias(pilot, "@acmehelp")
        screen = pilot.app.screen
        table = screen.query_one("#inbox-table", DataTable)

        def contacts():
            return sorted(row[2].split(" ")[0] for row in cells(table))

        assert contacts() == ["@dev_sam", "@kim_r", "@pat_o"]
        await pilot.press("f")  # unanswered
        await settle(pilot)
        assert contacts() == ["@dev_sam", "@kim_r"]
        assert "unanswered" in str(screen.query_one("#inbox-filter", Static).render()).lower()
        await pilot.press("f")  # mine
        await settle(pilot)
        assert contacts() == []
        await pilot.press("f")  # claimed
        await settle(pilot)
        assert contacts() == ["@dev_sam"]


async def test_a_saved_reply_is_inserted_and_checked_as_typed(demo, clock):
    alias = _alias(demo, "@acmehelp")
    lea = demo.accounts.sign_in("lea", "lead-demo-pass")  # the demo's lead keeps the list
    demo.saved_replies.save(lea, alias.id, "asap", "We will fix it ASAP.")
    async with make_app(demo, clock).run_test(size=SIZE) as pilot:
        await sign_in(pilot, "anna", "anna-demo-pass")
        await open_alias(pilot, "@acmehelp")
        await open_message(pilot, "#4411")
        await pilot.press("ctrl+r")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        thread = pilot.app.screen
        assert isinstance(thread, ThreadScreen)
        assert thread.query_one("#reply", TextArea).text == "We will fix it ASAP."
        findings = str(thread.query_one("#draft-findings").render())
        assert "no-asap" in findings


async def test_a_failed_post_is_resent_from_the_outbox(demo, clock):
    alias = _alias(demo, "@acmehelp")
    omar = demo.accounts.sign_in("omar", "omar-demo-pass")
    demo.sandbox.fail_next(SandboxFault.REFUSE)
    async with make_app(demo, clock).run_test(size=SIZE) as pilot:
        await sign_in(pilot, "anna", "anna-demo-pass")
        await open_alias(pilot, "@acmehelp")
        await open_message(pilot, "#4411")
        await pilot.press(*"Checking now")
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("o")
        await settle(pilot)
        outbox = pilot.app.screen.query_one("#outbox-table", DataTable)
        [row] = cells(outbox)
        assert row[0] == "FAILED" and "refused" in row[3]
        banner = str(pilot.app.screen.query_one("#on-shift", Static).render())
        assert "1 failed to send (Outbox)" in banner
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("end", *" again", "enter")
        await settle(pilot)
        pilot.app.screen.action_refresh()
        await settle(pilot)
    [resent] = [p for p in demo.posting.posts(omar, alias.id) if p.text.startswith("Checking")]
    assert (resent.text, resent.status) == ("Checking now again", PostStatus.PUBLISHED)


async def test_the_sandbox_can_be_told_to_lose_an_answer_and_nothing_is_sent_twice(demo, clock):
    alias = _alias(demo, "@acmehelp")
    omar = demo.accounts.sign_in("omar", "omar-demo-pass")
    async with make_app(demo, clock).run_test(size=SIZE) as pilot:
        await sign_in(pilot, "anna", "anna-demo-pass")
        await open_alias(pilot, "@acmehelp")
        await pilot.press("F")
        await settle(pilot)
        await pilot.press("enter")  # the proposed fault: lose-answer
        await settle(pilot)
        await open_message(pilot, "#4411")
        await pilot.press(*"Checking now")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(pilot.app.screen, AliasScreen)
    public = [p.text for p in demo.timeline.public_posts(omar, alias.id)]
    assert public.count("Checking now ^AB") == 1
    [post] = [p for p in demo.posting.posts(omar, alias.id) if p.text == "Checking now"]
    assert post.status is PostStatus.PUBLISHED
    outcomes = [a.outcome for a in demo.posting.attempts(omar, post.id)]
    assert outcomes == ["found"]
