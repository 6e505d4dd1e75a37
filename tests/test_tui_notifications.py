"""Notifications on screen: a trainee told that a lead sent a reply back finds it on `n`."""

from textual.widgets import DataTable, Static

from cmconsole.domain.errors import PermissionDenied
from cmconsole.tui.screens.alias_home import AliasScreen
from cmconsole.tui.screens.notifications import NotificationsScreen
from cmconsole.tui.screens.thread import ThreadScreen
from tests.pilot import SIZE, cells, make_app, open_alias, settle, sign_in, until


def _alias(demo, handle):
    return next(a for a in demo.accounts.aliases() if a.handle == handle)


def _ready(demo, who, alias):
    """On shift, handovers and guide read: ready to speak (or review)."""
    demo.shifts.start(who, alias.id)
    for handover in demo.handovers.pending(who, alias.id):
        demo.handovers.acknowledge(who, handover.id)
    guide = demo.guides.current(who, alias.id)
    demo.guides.acknowledge(who, alias.id, guide.version.version)


def _trainee_replies(demo, alias):
    """Théo, the demo's trainee, answers the damaged order: his reply waits for a lead."""
    theo = demo.accounts.sign_in("theo", "theo-demo-pass")
    _ready(demo, theo, alias)
    damaged = next(m for m in demo.inbox.messages(theo, alias.id) if "abîmée" in m.text)
    return theo, damaged, demo.posting.reply(theo, damaged.id, "Désolés, on regarde ça.")


def _toasts(pilot):
    return [str(toast.render()) for toast in pilot.app.screen.query("Toast")]


async def test_a_trainee_on_shift_is_told_a_reply_was_sent_back_and_finds_it_listed(demo, clock):
    alias = _alias(demo, "@bellehelene")
    theo, damaged, post = _trainee_replies(demo, alias)
    demo.notifications.set_bell(theo, True)
    app = make_app(demo, clock)
    rang = []
    app.bell = lambda: rang.append(True)  # headless, the bell writes nothing: count it
    # Toasts are drawn only when asked for in a test.
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await sign_in(pilot, "theo", "theo-demo-pass")
        await open_alias(pilot, "@bellehelene")
        await settle(pilot)
        pilot.app.clear_notifications()
        await settle(pilot)
        assert not any("sent back" in toast for toast in _toasts(pilot))

        # A lead, at another console, sends the reply back.
        clock.advance(minutes=1)
        lea = demo.accounts.sign_in("lea", "lead-demo-pass")
        _ready(demo, lea, alias)
        demo.posting.reject(lea, post.id, "Vouvoiement, et propose un échange.")

        await until(
            pilot,
            lambda: any("Vouvoiement, et propose un échange." in t for t in _toasts(pilot)),
            what="the toast telling Théo his reply was sent back",
        )
        [toast] = [t for t in _toasts(pilot) if "Vouvoiement" in t]
        assert "Reply sent back" in toast and "lea" in toast
        assert rang

        await pilot.press("n")
        await until(pilot, lambda: isinstance(pilot.app.screen, NotificationsScreen))
        table = pilot.app.screen.query_one("#notifications", DataTable)
        await until(pilot, lambda: any("Reply sent back" in " ".join(r) for r in cells(table)))
        row = next(i for i, r in enumerate(cells(table)) if "Reply sent back" in " ".join(r))
        table.move_cursor(row=row)
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(pilot.app.screen, ThreadScreen))
        assert pilot.app.screen.contact == damaged.author_handle


async def test_the_bell_is_turned_on_and_off_from_the_list(demo, clock):
    theo = demo.accounts.sign_in("theo", "theo-demo-pass")
    async with make_app(demo, clock).run_test(size=SIZE) as pilot:
        await sign_in(pilot, "theo", "theo-demo-pass")
        await open_alias(pilot, "@bellehelene")
        await pilot.press("n")
        await until(pilot, lambda: isinstance(pilot.app.screen, NotificationsScreen))
        await settle(pilot)
        await pilot.press("b")
        await until(pilot, lambda: demo.notifications.bell(theo), what="the bell turned on")
        await pilot.press("b")
        await until(pilot, lambda: not demo.notifications.bell(theo), what="the bell turned off")


async def test_a_fans_words_in_a_notification_are_shown_as_written_never_as_markup(demo, clock):
    alias = _alias(demo, "@acmehelp")
    anna = demo.accounts.sign_in("anna", "anna-demo-pass")
    async with make_app(demo, clock).run_test(size=SIZE, notifications=True) as pilot:
        await sign_in(pilot, "anna", "anna-demo-pass")
        await open_alias(pilot, "@acmehelp")
        demo.claims.claim(anna, alias.id, "@kim_r")  # as if from her other console
        await settle(pilot)

        clock.advance(minutes=1)
        demo.public.mention("@kim_r", "@acmehelp [b]still[/b] waiting [@click=app.quit]here[/]")
        demo.inbox.sync(alias.id)
        await until(
            pilot,
            lambda: any(
                "[b]still[/b] waiting [@click=app.quit]here[/]" in t for t in _toasts(pilot)
            ),
            what="the toast with the fan's words as written",
        )
        assert pilot.app.is_running


async def test_a_trainee_back_on_shift_is_told_a_reply_was_sent_back_while_away(demo, clock):
    alias = _alias(demo, "@bellehelene")
    theo, _, post = _trainee_replies(demo, alias)
    demo.shifts.end(theo, alias.id)
    clock.advance(minutes=30)
    lea = demo.accounts.sign_in("lea", "lead-demo-pass")
    _ready(demo, lea, alias)
    demo.posting.reject(lea, post.id, "Vouvoiement, et propose un échange.")
    clock.advance(hours=12)
    async with make_app(demo, clock).run_test(size=SIZE, notifications=True) as pilot:
        await sign_in(pilot, "theo", "theo-demo-pass")
        await open_alias(pilot, "@bellehelene")
        await until(
            pilot,
            lambda: any("while you were away" in t and "Vouvoiement" in t for t in _toasts(pilot)),
            what="the toast telling Théo what happened while he was away",
        )


async def test_a_failed_look_for_news_is_said_on_the_alias_screen_like_its_own(
    demo, clock, monkeypatch
):
    def refused(who, alias_id):
        raise PermissionDenied("you are no longer a member of @bellehelene")

    monkeypatch.setattr(demo.notifications, "recent", refused)
    async with make_app(demo, clock).run_test(size=SIZE) as pilot:
        await sign_in(pilot, "anna", "anna-demo-pass")
        await open_alias(pilot, "@bellehelene")
        screen = pilot.app.screen
        assert isinstance(screen, AliasScreen)
        error = screen.query_one("#alias-error", Static)
        await until(
            pilot,
            lambda: "no longer a member" in str(error.render()),
            what="the notices' problem on the alias screen's error line",
        )
        assert str(error.render()) == "you are no longer a member of @bellehelene"
