"""Triage on screen: closing a selection, undoing it, handing a thread to the lead on shift."""

from textual.widgets import DataTable, Static

from cmconsole.domain.triage import ThreadState
from cmconsole.services.inbox import InboxFilter
from cmconsole.tui.screens.thread import ThreadScreen
from tests.pilot import SIZE, cells, make_app, open_alias, settle, sign_in, until


def _alias(demo, handle):
    return next(a for a in demo.accounts.aliases() if a.handle == handle)


def _states(demo, who, alias, which=InboxFilter.ALL):
    return {
        t.thread.contact_handle: t.thread.state for t in demo.inbox.threads(who, alias.id, which)
    }


async def _highlight(pilot, table, contact):
    """Move the cursor to the contact's row with the arrow keys."""
    rows = [row[2].split(" ")[0] for row in cells(table)]
    assert contact in rows, f"{contact} is not in the inbox"
    for _ in range(len(rows)):
        here = table.cursor_row
        if rows[here] == contact:
            return
        await pilot.press("down" if rows.index(contact) > here else "up")
    assert table.highlighted_key == contact


def _state_cell(table, contact):
    return next(row[0] for row in cells(table) if row[2].startswith(contact + " "))


async def test_a_selection_is_closed_with_a_reason_and_reopened_with_one_key(demo, clock):
    alias = _alias(demo, "@acmehelp")
    anna = demo.accounts.sign_in("anna", "anna-demo-pass")
    async with make_app(demo, clock).run_test(size=SIZE) as pilot:
        await sign_in(pilot, "anna", "anna-demo-pass")
        await open_alias(pilot, "@acmehelp")
        table = pilot.app.screen.query_one("#inbox-table", DataTable)
        waiting = [c for c, s in _states(demo, anna, alias).items() if s.waiting]
        assert len(waiting) >= 2
        first, second = sorted(waiting)[:2]

        for contact in (first, second):
            await _highlight(pilot, table, contact)
            await pilot.press("space")
        assert _state_cell(table, first).startswith("✓")
        await pilot.press("x")
        await settle(pilot)
        await pilot.press(*"dupes", "enter")  # the note, then on to the reasons
        await pilot.press("enter")  # the first reason: no reply needed
        await until(
            pilot,
            lambda: (
                "closed" in _state_cell(table, first) and "closed" in _state_cell(table, second)
            ),
            what="both threads to show closed",
        )

        closed = _states(demo, anna, alias, InboxFilter.CLOSED)
        assert set(closed) == {first, second}
        closings = [
            (e.event.subject, e.actor_name, e.event.details["reason"], e.event.details["note"])
            for e in demo.audit.recent(50, anna)
            if e.event.kind == "thread.closed"
        ]
        assert sorted(closings) == [
            (first, "anna", "no_reply_needed", "dupes"),
            (second, "anna", "no_reply_needed", "dupes"),
        ]
        banner = str(pilot.app.screen.query_one("#on-shift", Static).render())
        assert f"{len(waiting) - 2} waiting" in banner

        await _highlight(pilot, table, first)
        await pilot.press("U")
        await until(
            pilot,
            lambda: "closed" not in _state_cell(table, first),
            what="the thread to reopen",
        )
        assert _states(demo, anna, alias)[first] is not ThreadState.CLOSED
        assert _states(demo, anna, alias)[second] is ThreadState.CLOSED


async def test_a_thread_handed_to_the_lead_on_shift_is_in_her_mine_list_with_the_note(demo, clock):
    alias = _alias(demo, "@acmehelp")
    lea = demo.accounts.sign_in("lea", "lead-demo-pass")
    demo.shifts.start(lea, alias.id)
    async with make_app(demo, clock).run_test(size=SIZE) as pilot:
        await sign_in(pilot, "anna", "anna-demo-pass")
        await open_alias(pilot, "@acmehelp")
        table = pilot.app.screen.query_one("#inbox-table", DataTable)
        await _highlight(pilot, table, "@kim_r")
        await pilot.press(">")
        await settle(pilot)
        await pilot.press(*"wants a manager", "enter")
        await pilot.press("enter")  # the first choice: the lead on shift
        await until(
            pilot,
            lambda: next(r[3] for r in cells(table) if r[2].startswith("@kim_r ")) == "→lea",
            what="the inbox to show the thread handed to lea",
        )

    async with make_app(demo, clock).run_test(size=SIZE) as pilot:
        await sign_in(pilot, "lea", "lead-demo-pass")
        await open_alias(pilot, "@acmehelp")
        screen = pilot.app.screen
        table = screen.query_one("#inbox-table", DataTable)
        for _ in range(2):  # all, unanswered, mine
            await pilot.press("f")
        await until(
            pilot,
            lambda: (
                [r[2].split(" ")[0] for r in cells(table)] == ["@kim_r"]
                and "Yours" in str(screen.query_one("#inbox-filter", Static).render())
            ),
            what="lea's own list to hold the handed thread alone",
        )
        assert next(r[3] for r in cells(table)) == "→you"
        await pilot.press("enter")
        await settle(pilot)
        thread = pilot.app.screen
        assert isinstance(thread, ThreadScreen)
        await until(
            pilot,
            lambda: str(thread.query_one("#message-meta", Static).render()).startswith(
                "Handed to lea by anna"
            ),
            what="the handing note, first in the thread",
        )
        assert "wants a manager" in str(thread.query_one("#message-meta", Static).render())
