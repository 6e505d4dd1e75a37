"""A reply that promises ("nous revenons vers vous demain") proposes a follow-up before sending."""

from datetime import UTC, datetime, timedelta

from textual.widgets import Input, Static

from cmconsole.domain.model import PostStatus
from cmconsole.tui.dialogs.prompt import PromptDialog
from cmconsole.tui.screens.alias_home import AliasScreen
from tests.pilot import SIZE, make_app, of_type, open_alias, open_message, settle, sign_in, until
from tests.test_tui_keys import burst

PROMISE = "Nous revenons vers vous demain avec la réponse"


def _belle(services):
    return next(a for a in services.accounts.aliases() if a.handle == "@bellehelene")


def _follow_ups(services, clock):
    anna = services.accounts.sign_in("anna", "anna-demo-pass")
    return services.follow_ups.due(anna, _belle(services).id, clock() + timedelta(days=7))


async def _write_and_send(pilot, text):
    await sign_in(pilot, "anna", "anna-demo-pass")
    await open_alias(pilot, "@bellehelene")
    await open_message(pilot, "éclairs au café")
    await pilot.press(*text)
    await pilot.press("ctrl+s")
    await until(pilot, lambda: isinstance(pilot.app.screen, PromptDialog), what="the proposal")
    dialog = pilot.app.screen
    await until(pilot, lambda: dialog.focused is not None, what="the proposal's first field")
    return dialog


async def test_a_french_promise_is_proposed_due_tomorrow_at_ten_in_paris_and_accepted(demo, clock):
    # The clock reads Monday 2 November 2026, 09:00 UTC: 10:00 in Paris.
    recorded = []
    async with make_app(demo, clock).run_test(size=SIZE, message_hook=recorded.append) as pilot:
        dialog = await _write_and_send(pilot, PROMISE)
        assert dialog.query_one("#field-0", Input).value == PROMISE
        assert dialog.query_one("#field-1", Input).value == "2026-11-03 10:00"
        labels = " ".join(str(label.render()) for label in dialog.query("Label"))
        assert "Europe/Paris" in labels and "demain" in labels
        await pilot.press("enter", "enter")
        await until(pilot, lambda: isinstance(pilot.app.screen, AliasScreen), what="the desk")
        await settle(pilot)
        [sent] = of_type(recorded, "ReplySent")
        assert sent.post.status is PostStatus.PUBLISHED and sent.post.text.startswith(PROMISE)

        [follow_up] = _follow_ups(demo, clock)
        assert follow_up.promise == PROMISE
        assert follow_up.contact_handle == "@camille_b"
        assert follow_up.due_at.astimezone(UTC) == datetime(2026, 11, 3, 9, 0, tzinfo=UTC)
        # It shows with the thread's follow-ups when the thread is opened again.
        await open_message(pilot, "éclairs au café")
        await until(
            pilot,
            lambda: PROMISE in str(pilot.app.screen.query_one("#follow-ups", Static).render()),
            what="the follow-up under the thread",
        )


async def test_an_edited_proposal_is_recorded_as_edited(demo, clock):
    async with make_app(demo, clock).run_test(size=SIZE) as pilot:
        dialog = await _write_and_send(pilot, PROMISE)
        dialog.query_one("#field-0", Input).value = "Dire à Camille si les éclairs reviennent"
        dialog.query_one("#field-1", Input).value = "2026-11-04 16:30"
        await pilot.press("enter", "enter")
        await until(pilot, lambda: isinstance(pilot.app.screen, AliasScreen), what="the desk")
        await settle(pilot)
    [follow_up] = _follow_ups(demo, clock)
    assert follow_up.promise == "Dire à Camille si les éclairs reviennent"
    assert follow_up.due_at.astimezone(UTC) == datetime(2026, 11, 4, 15, 30, tzinfo=UTC)


async def test_a_skipped_proposal_sends_the_reply_and_records_nothing(demo, clock):
    recorded = []
    async with make_app(demo, clock).run_test(size=SIZE, message_hook=recorded.append) as pilot:
        await _write_and_send(pilot, PROMISE)
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(pilot.app.screen, AliasScreen), what="the desk")
        await settle(pilot)
    [sent] = of_type(recorded, "ReplySent")
    assert sent.post.status is PostStatus.PUBLISHED
    assert _follow_ups(demo, clock) == []


async def test_a_reply_promising_nothing_is_sent_without_a_proposal(demo, clock):
    recorded = []
    async with make_app(demo, clock).run_test(size=SIZE, message_hook=recorded.append) as pilot:
        await sign_in(pilot, "anna", "anna-demo-pass")
        await open_alias(pilot, "@bellehelene")
        await open_message(pilot, "éclairs au café")
        await pilot.press(*"Oui, ils sont de retour !", "ctrl+s")
        await until(pilot, lambda: isinstance(pilot.app.screen, AliasScreen), what="the desk")
        await settle(pilot)
    assert not any(isinstance(screen, PromptDialog) for screen in pilot.app.screen_stack)
    assert len(of_type(recorded, "ReplySent")) == 1
    assert _follow_ups(demo, clock) == []


async def test_send_then_accept_typed_in_one_burst_lose_no_key(demo, clock):
    async with make_app(demo, clock).run_test(size=SIZE) as pilot:
        await sign_in(pilot, "anna", "anna-demo-pass")
        await open_alias(pilot, "@bellehelene")
        await open_message(pilot, "éclairs au café")
        await until(pilot, lambda: pilot.app.focused is not None, what="the reply box")
        burst(pilot.app, PROMISE, "ctrl+s", "enter", "enter")
        await until(pilot, lambda: isinstance(pilot.app.screen, AliasScreen), what="the desk")
        await settle(pilot)
    [follow_up] = _follow_ups(demo, clock)
    assert follow_up.promise == PROMISE


async def test_a_proposal_edited_into_nonsense_is_refused_aloud_and_the_reply_still_sent(
    demo, clock
):
    recorded = []
    async with make_app(demo, clock).run_test(size=SIZE, message_hook=recorded.append) as pilot:
        dialog = await _write_and_send(pilot, PROMISE)
        dialog.query_one("#field-1", Input).value = "bientôt"
        await pilot.press("enter", "enter")
        await until(pilot, lambda: isinstance(pilot.app.screen, AliasScreen), what="the desk")
        await settle(pilot)
    [sent] = of_type(recorded, "ReplySent")
    assert sent.post.status is PostStatus.PUBLISHED
    [refused] = sent.follow_ups_refused
    assert refused.startswith("Follow-up not recorded") and "YYYY-MM-DD HH:MM" in refused
    assert _follow_ups(demo, clock) == []
