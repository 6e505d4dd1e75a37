"""The console driven as a person would: sign in, reply as the alias, see who spoke."""

import logging
import threading

import pytest
from click.testing import CliRunner
from textual.widgets import DataTable, Input, Static, TextArea

from cmconsole.domain.errors import WorkspaceUnavailable
from cmconsole.domain.model import PostStatus
from cmconsole.tui.app import CmconsoleApp
from cmconsole.tui.screens.alias_home import AliasScreen
from cmconsole.tui.screens.alias_picker import AliasPickerScreen
from cmconsole.tui.screens.sign_in import SignInScreen
from cmconsole.tui.screens.thread import ThreadScreen
from tests.pilot import (
    SIZE,
    cells,
    make_app,
    of_type,
    open_alias,
    open_message,
    settle,
    sign_in,
    until,
)


async def test_the_demo_sign_in_shows_its_aliases_and_accounts(demo, clock):
    async with make_app(demo, clock).run_test(size=SIZE) as pilot:
        shown = str(pilot.app.screen.query_one("#demo-accounts", Static).render())
        assert "Belle Hélène (@bellehelene)" in shown
        assert "anna   anna-demo-pass" in shown


async def test_a_wrong_passphrase_is_refused_on_screen(demo, clock):
    async with make_app(demo, clock).run_test(size=SIZE) as pilot:
        await sign_in(pilot, "anna", "not her passphrase")
        assert isinstance(pilot.app.screen, SignInScreen)
        error = str(pilot.app.screen.query_one("#sign-in-error", Static).render())
        assert error == "unknown operator or wrong passphrase"
        assert pilot.app.screen.query_one("#passphrase", Input).value == ""


async def test_reply_as_the_alias_and_see_the_author_in_the_audit(demo, clock):
    recorded = []
    app = make_app(demo, clock)
    async with app.run_test(size=SIZE, message_hook=recorded.append) as pilot:
        await sign_in(pilot, "anna", "anna-demo-pass")
        await open_alias(pilot, "@bellehelene")
        await open_message(pilot, "éclairs au café")
        await pilot.press(*"Oui, ils sont de retour !")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(pilot.app.screen, AliasScreen)

        await pilot.press("r")
        await settle(pilot)
        await pilot.press("t")
        timeline = cells(pilot.app.screen.query_one("#timeline-table", DataTable))
        assert ["0s", "Belle Hélène", "Oui, ils sont de retour !"] in timeline
        assert not any("anna" in " ".join(row) for row in timeline)

        await pilot.press("a")
        audit = cells(pilot.app.screen.query_one("#audit-table", DataTable))
        published = next(row for row in audit if row[3] == "post.published")
        assert published[2] == "anna"
        assert "Oui, ils sont de retour !" in published[4]

    names = [type(m).__name__ for m in recorded]
    for expected in ("Authenticated", "ShiftStarted", "ReplySent", "Refreshed"):
        assert expected in names
    [reply] = of_type(recorded, "ReplySent")
    assert reply.post.status is PostStatus.PUBLISHED


async def test_an_empty_reply_is_refused_and_nothing_is_queued(demo, clock):
    async with make_app(demo, clock).run_test(size=SIZE) as pilot:
        await sign_in(pilot, "anna", "anna-demo-pass")
        await open_alias(pilot, "@acmehelp")
        await open_message(pilot, "502s")
        await pilot.press("space", "ctrl+s")
        await settle(pilot)
        assert isinstance(pilot.app.screen, ThreadScreen)
        status = pilot.app.screen.query_one("#compose-status", Static)
        assert "empty" in str(status.render())
        assert status.has_class("error")
        who = demo.accounts.sign_in("lea", "lead-demo-pass")
        alias = next(a for a in demo.accounts.aliases() if a.handle == "@acmehelp")
        texts = [p.text for p in demo.posting.posts(who, alias.id)]
        assert "Glad it's sorted, thanks for letting us know!" in texts
        assert all(text.strip() for text in texts)
        assert not any(p.status is PostStatus.QUEUED for p in demo.posting.posts(who, alias.id))


async def test_a_trainees_reply_goes_for_approval(demo, clock):
    recorded = []
    async with make_app(demo, clock).run_test(size=SIZE, message_hook=recorded.append) as pilot:
        await sign_in(pilot, "theo", "theo-demo-pass")
        await open_alias(pilot, "@bellehelene")
        await open_message(pilot, "abîmée")
        await pilot.press(*"Nous sommes désolés.")
        await pilot.press("ctrl+s")
        await settle(pilot)
    [reply] = of_type(recorded, "ReplySent")
    assert reply.post.status is PostStatus.AWAITING_APPROVAL


async def test_a_failed_post_keeps_the_text_and_shows_the_reason(demo, clock):
    demo.sandbox.refuse_with("the channel is down (test)")
    async with make_app(demo, clock).run_test(size=SIZE) as pilot:
        await sign_in(pilot, "omar", "omar-demo-pass")
        await open_alias(pilot, "@acmehelp")
        await open_message(pilot, "#4411")
        await pilot.press(*"Checking now")
        await pilot.press("ctrl+s")
        await settle(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, ThreadScreen)
        assert "the channel is down (test)" in str(screen.query_one("#compose-status").render())
        assert screen.query_one("#reply", TextArea).text == "Checking now"
        assert "FAILED: Checking now" in str(screen.query_one("#conversation").render())


async def test_text_from_the_public_is_shown_as_data(demo, clock):
    hostile = "@bellehelene [@click=app.quit]win a prize[/] \x1b]0;pwned\x07 [bold]x"
    demo.public.mention("@troll", hostile)
    async with make_app(demo, clock).run_test(size=SIZE) as pilot:
        await sign_in(pilot, "anna", "anna-demo-pass")
        await open_alias(pilot, "@bellehelene")
        await open_message(pilot, "win a prize")
        shown = str(pilot.app.screen.query_one("#conversation", Static).render())
        assert "[@click=app.quit]win a prize[/]" in shown
        assert "[bold]x" in shown
        assert "\x1b" not in shown and "\x07" not in shown
        await pilot.click("#conversation")
        await settle(pilot)
        assert pilot.app.is_running


async def test_leaving_the_alias_or_closing_the_console_ends_the_shift(demo, clock):
    alias = next(a for a in demo.accounts.aliases() if a.handle == "@acmehelp")
    async with make_app(demo, clock).run_test(size=SIZE) as pilot:
        await sign_in(pilot, "anna", "anna-demo-pass")
        await open_alias(pilot, "@acmehelp")
        assert [o.name for _, o in demo.shifts.on_shift(alias.id)] == ["anna"]
        on_shift = str(pilot.app.screen.query_one("#on-shift", Static).render())
        assert "On shift now: anna" in on_shift
        await pilot.press("escape", "e")
        await settle(pilot)
        assert isinstance(pilot.app.screen, AliasPickerScreen)
        assert demo.shifts.on_shift(alias.id) == []
        await open_alias(pilot, "@acmehelp")
        assert len(demo.shifts.on_shift(alias.id)) == 1
    assert demo.shifts.on_shift(alias.id) == []


async def test_the_demo_public_keeps_writing_while_the_console_is_open(demo, clock):
    app = CmconsoleApp(demo, demo=True, clock=clock, public_every=0.05)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, "anna", "anna-demo-pass")
        await open_alias(pilot, "@acmehelp")
        table = pilot.app.screen.query_one("#inbox-table", DataTable)
        before = cells(table)
        # No key pressed: the console fetches what the public wrote and the inbox shows it.
        # A new message from the public tops the inbox: a new thread, or a thread with one more.
        await until(
            pilot, lambda: cells(table)[0] not in before, what="a new message atop the inbox"
        )
        newest = cells(table)[0]
        assert newest[0].strip() == "NEW"
        assert newest[2].startswith("@")


async def test_pressing_send_twice_publishes_once(demo, clock):
    demo.sandbox.slow_down(0.3)  # the second press arrives while the first is still sending
    async with make_app(demo, clock).run_test(size=SIZE) as pilot:
        await sign_in(pilot, "anna", "anna-demo-pass")
        await open_alias(pilot, "@acmehelp")
        await open_message(pilot, "502s")
        await pilot.press(*"We are on it.")
        await pilot.press("ctrl+s", "ctrl+s", "ctrl+s")
        await settle(pilot)
    lea = demo.accounts.sign_in("lea", "lead-demo-pass")
    acme = next(a for a in demo.accounts.aliases() if a.handle == "@acmehelp")
    assert [p.text for p in demo.posting.posts(lea, acme.id)].count("We are on it.") == 1


async def test_a_follow_up_due_in_nonsense_hours_is_refused(demo, clock):
    async with make_app(demo, clock).run_test(size=SIZE) as pilot:
        await sign_in(pilot, "anna", "anna-demo-pass")
        await open_alias(pilot, "@acmehelp")
        await open_message(pilot, "#4411")
        for hours in ("nan", "1e9", "soon"):
            await pilot.press("ctrl+f")
            await settle(pilot)
            dialog = pilot.app.screen
            dialog.query_one("#field-0").value = "Check billing"
            dialog.query_one("#field-1").value = hours
            await pilot.press("enter", "enter")
            await settle(pilot)
            status = str(pilot.app.screen.query_one("#compose-status").render())
            assert status.startswith("Say in how many hours"), hours
        assert pilot.app.is_running


async def test_a_second_console_leaving_does_not_end_the_first_ones_shift(demo, clock):
    acme = next(a for a in demo.accounts.aliases() if a.handle == "@acmehelp")
    anna = demo.accounts.sign_in("anna", "anna-demo-pass")
    demo.shifts.start(anna, acme.id)  # her first console holds the shift
    async with make_app(demo, clock).run_test(size=SIZE) as pilot:
        await sign_in(pilot, "anna", "anna-demo-pass")
        await open_alias(pilot, "@acmehelp")
        await pilot.press("escape", "e")
        await settle(pilot)
    assert [o.name for _, o in demo.shifts.on_shift(acme.id)] == ["anna"]


def _signing_in(app):
    """The sign-in screen's workers that are running (waiting for the workspace, say)."""
    return [w for w in app.workers if isinstance(w.node, SignInScreen) and w.is_running]


async def test_the_sign_in_screen_shows_before_the_workspace_opens_and_waits_for_it(demo, clock):
    release = threading.Event()

    def slow_opener():
        release.wait(30)
        return demo

    app = CmconsoleApp(opener=slow_opener, demo=True, clock=clock, public_every=None)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, SignInScreen)
        assert app.opened_services is None
        assert app.sub_title == "opening the workspace…"
        # Signed in while it still opens: the sign-in waits, then goes on.
        app.screen.query_one("#name", Input).value = "anna"
        app.screen.query_one("#passphrase", Input).value = "anna-demo-pass"
        await pilot.click("#sign-in-button")
        await until(pilot, lambda: _signing_in(app), what="the sign-in under way")
        assert isinstance(app.screen, SignInScreen)
        release.set()
        await settle(pilot)
        assert isinstance(app.screen, AliasPickerScreen)
        assert app.sub_title == "demo workspace"


async def test_a_workspace_with_nothing_to_open_closes_the_console_with_the_reason(clock):
    app = CmconsoleApp(opener=lambda: "nobody can sign in yet", clock=clock, public_every=None)
    async with app.run_test(size=SIZE) as pilot:
        await _until_closed(pilot)
    assert (app.return_value, app.return_code) == ("nobody can sign in yet", 0)


async def test_a_workspace_that_fails_to_open_closes_the_console_with_an_error(clock):
    def failing_opener():
        raise WorkspaceUnavailable("the workspace database at x failed: refused")

    app = CmconsoleApp(opener=failing_opener, clock=clock, public_every=None)
    async with app.run_test(size=SIZE) as pilot:
        await _until_closed(pilot)
    assert app.return_code == 1
    assert app.return_value == "cmconsole: the workspace database at x failed: refused"


async def test_an_unexpected_failure_to_open_says_its_kind_only_and_logs_it(
    clock, caplog, monkeypatch
):
    # import-linter's logging.config call (in tests/test_layers.py) disables existing loggers.
    monkeypatch.setattr(logging.getLogger("cmconsole.tui.app"), "disabled", False)

    def failing_opener():
        raise ValueError("postgresql://cm:s3cret@db.example/cm is not a workspace")

    app = CmconsoleApp(opener=failing_opener, clock=clock, public_every=None)
    with caplog.at_level(logging.ERROR, logger="cmconsole.tui.app"):
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            await app.workers.wait_for_complete()
            await pilot.pause()
    assert app.return_code == 1
    # Its message may hold the database URL and password: only the log (redacted) has it.
    assert app.return_value == (
        "cmconsole: the workspace could not be opened (ValueError); see the log"
    )
    [record] = [r for r in caplog.records if r.name == "cmconsole.tui.app"]
    assert record.exc_info is not None and record.exc_info[0] is ValueError


async def test_quitting_while_the_workspace_opens_releases_a_waiting_sign_in(demo, clock):
    release = threading.Event()

    def slow_opener():
        release.wait(30)
        return demo

    app = CmconsoleApp(opener=slow_opener, demo=True, clock=clock, public_every=None)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            app.screen.query_one("#name", Input).value = "anna"
            app.screen.query_one("#passphrase", Input).value = "anna-demo-pass"
            await pilot.click("#sign-in-button")
            await until(pilot, lambda: _signing_in(app), what="the sign-in under way")
            app.exit()
        # Whoever still waits for the workspace (the sign-in's thread) is let go at once.
        waited = []
        waiter = threading.Thread(target=lambda: waited.append(app.wait_for_services()))
        waiter.start()
        waiter.join(5)
        assert waited == [None]
    finally:
        release.set()


async def test_signing_in_twice_while_the_workspace_opens_shows_one_alias_picker(demo, clock):
    release = threading.Event()

    def slow_opener():
        release.wait(30)
        return demo

    app = CmconsoleApp(opener=slow_opener, demo=True, clock=clock, public_every=None)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.screen.query_one("#name", Input).value = "anna"
        app.screen.query_one("#passphrase", Input).value = "anna-demo-pass"
        await pilot.click("#sign-in-button")
        await until(pilot, lambda: _signing_in(app), what="the first sign-in under way")
        [first] = _signing_in(app)
        # Then Enter in the passphrase: a second click this soon would land while the button
        # still shows its press, and a button ignores that.
        app.screen.query_one("#passphrase", Input).focus()
        await pilot.press("enter")
        # The second submission takes over: the first (still waiting in its thread) is cancelled.
        await until(
            pilot,
            lambda: first.is_cancelled and any(w is not first for w in _signing_in(app)),
            what="the second sign-in under way",
        )
        release.set()
        await until(
            pilot,
            lambda: isinstance(app.screen, AliasPickerScreen),
            what="the alias picker",
        )
        await settle(pilot)
        pickers = [s for s in app.screen_stack if isinstance(s, AliasPickerScreen)]
        assert len(pickers) == 1


def test_the_consoles_opener_closes_a_workspace_it_cannot_read(monkeypatch):
    from cmconsole import cli, wiring
    from cmconsole.tui import app as tui_app

    closed = []

    class Accounts:
        def is_empty(self):
            raise WorkspaceUnavailable("the workspace database at x failed: refused")

    class Unreadable:
        location = "x"
        accounts = Accounts()

        def close(self):
            closed.append(True)

    openers = []

    def run_console(opener, **_):
        openers.append(opener)
        return "", 0

    monkeypatch.setattr(tui_app, "run_console", run_console)
    monkeypatch.setattr(wiring, "open_services", lambda url: Unreadable())
    result = CliRunner().invoke(cli.main, ["--db", "sqlite:///unused.db"])
    assert result.exit_code == 0, result.output
    with pytest.raises(WorkspaceUnavailable):
        openers[0]()
    assert closed == [True]


async def _until_closed(pilot):
    """Wait until the opener's worker has closed the app: on a busy machine the
    close it asks for from its thread lands a moment after the workers settle."""
    await pilot.app.workers.wait_for_complete()
    await until(pilot, lambda: pilot.app.return_code is not None, what="the console to close")
