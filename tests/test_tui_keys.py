"""Keys typed in a burst (paste, a password manager's autotype) land where a slow typist's would."""

from textual import events
from textual.keys import _character_to_key
from textual.widgets import Input

from cmconsole.tui.dialogs.prompt import PromptDialog
from cmconsole.tui.screens.alias_picker import AliasPickerScreen
from cmconsole.tui.screens.sign_in import SignInScreen
from cmconsole.tui.screens.thread import ThreadScreen
from tests.pilot import SIZE, make_app, open_alias, open_message, settle, sign_in, until

CHARACTERS = {"tab": "\t", "enter": "\r"}


def burst(app, *keys: str) -> None:
    """Every key queued at once, with no wait between them: as a terminal delivers a paste.
    A named key ("tab", "ctrl+u") is one key; other text is typed character by character."""
    for key in keys:
        if key in CHARACTERS or "+" in key:
            app.post_message(events.Key(key, CHARACTERS.get(key)))
            continue
        for one in key:
            app.post_message(events.Key(_character_to_key(one), one))


async def test_name_tab_passphrase_enter_in_one_burst_signs_in(demo, clock):
    async with make_app(demo, clock).run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(pilot.app.focused, Input), what="the name field")
        screen = pilot.app.screen
        assert isinstance(screen, SignInScreen)
        burst(pilot.app, "anna", "tab", "anna-demo-pass", "enter")
        await until(
            pilot,
            lambda: (
                isinstance(pilot.app.screen, AliasPickerScreen)
                or "wrong" in str(screen.query_one("#sign-in-error").render())
            ),
            what="the sign-in's outcome",
        )
        await settle(pilot)
        assert screen.query_one("#name", Input).value == "anna"
        assert isinstance(pilot.app.screen, AliasPickerScreen)


async def test_enter_between_the_fields_in_one_burst_also_signs_in(demo, clock):
    async with make_app(demo, clock).run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(pilot.app.focused, Input), what="the name field")
        screen = pilot.app.screen
        burst(pilot.app, "anna", "enter", "anna-demo-pass", "enter")
        await until(
            pilot,
            lambda: (
                isinstance(pilot.app.screen, AliasPickerScreen)
                or "wrong" in str(screen.query_one("#sign-in-error").render())
            ),
            what="the sign-in's outcome",
        )
        await settle(pilot)
        assert screen.query_one("#name", Input).value == "anna"
        assert isinstance(pilot.app.screen, AliasPickerScreen)


async def test_the_follow_up_dialog_takes_a_burst_field_by_field(demo, clock):
    async with make_app(demo, clock).run_test(size=SIZE) as pilot:
        await sign_in(pilot, "anna", "anna-demo-pass")
        await open_alias(pilot, "@bellehelene")
        await open_message(pilot, "éclairs au café")
        await pilot.press("ctrl+f")
        await until(pilot, lambda: isinstance(pilot.app.screen, PromptDialog), what="the dialog")
        dialog = pilot.app.screen
        await until(pilot, lambda: dialog.focused is not None, what="the dialog's first field")
        burst(pilot.app, "Call back about the eclairs", "tab", "ctrl+u", "48")
        await until(
            pilot,
            lambda: dialog.query_one("#field-1", Input).value == "48",
            what="the hours typed in the second field",
        )
        assert dialog.query_one("#field-0", Input).value == "Call back about the eclairs"
        burst(pilot.app, "enter")
        await until(pilot, lambda: isinstance(pilot.app.screen, ThreadScreen), what="the thread")
        await settle(pilot)
        thread = pilot.app.screen
        assert thread.inbound_id is not None
        [promise] = demo.follow_ups.due(thread.who, thread.alias.id, clock() + _hours(49))
        assert promise.promise == "Call back about the eclairs"


def _hours(hours: float):
    from datetime import timedelta

    return timedelta(hours=hours)


async def test_signing_out_clears_the_form_for_the_next_person(demo_on_each_engine, clock):
    demo = demo_on_each_engine
    async with make_app(demo, clock).run_test(size=SIZE) as pilot:
        sign_in_screen = pilot.app.screen
        await sign_in(pilot, "anna", "anna-demo-pass")
        assert isinstance(pilot.app.screen, AliasPickerScreen)
        await pilot.press("escape")
        await until(pilot, lambda: pilot.app.screen is sign_in_screen, what="the sign-in")
        name = sign_in_screen.query_one("#name", Input)
        await until(pilot, lambda: pilot.app.focused is name, what="the name field's focus")
        assert name.value == ""
        assert sign_in_screen.query_one("#passphrase", Input).value == ""

        await pilot.press(*"omar", "tab", *"not his passphrase", "enter")
        await until(
            pilot,
            lambda: "wrong" in str(sign_in_screen.query_one("#sign-in-error").render()),
            what="the refusal",
        )
        assert name.value == "omar"
        lead = demo.accounts.sign_in("lea", "lead-demo-pass")
        refused = [e for e in demo.audit.recent(20, lead) if e.event.kind == "sign_in.refused"]
        assert [e.actor_name for e in refused] == ["omar"]
