"""`?` shows the keys of any screen; ctrl+q offers the handover to someone on shift."""

from textual.widgets import HelpPanel

from cmconsole.tui.dialogs.end_shift import EndShiftDialog
from cmconsole.tui.screens.alias_home import AliasScreen
from cmconsole.tui.screens.alias_picker import AliasPickerScreen
from cmconsole.tui.screens.handover_write import HandoverWriteScreen
from tests.pilot import SIZE, make_app, open_alias, settle, sign_in, until


def _help_shown(app) -> bool:
    return bool(app.screen.query(HelpPanel))


async def test_question_mark_and_f1_show_the_keys_of_the_screen(demo, clock):
    async with make_app(demo, clock).run_test(size=SIZE) as pilot:
        await pilot.press("f1")
        await until(pilot, lambda: _help_shown(pilot.app), what="the keys on the sign-in")
        await pilot.press("f1")
        await until(pilot, lambda: not _help_shown(pilot.app), what="the keys hidden")
        await sign_in(pilot, "anna", "anna-demo-pass")
        assert isinstance(pilot.app.screen, AliasPickerScreen)
        await pilot.press("question_mark")
        await until(pilot, lambda: _help_shown(pilot.app), what="the keys on the picker")
        await pilot.press("question_mark")
        await until(pilot, lambda: not _help_shown(pilot.app), what="the keys hidden")
        await open_alias(pilot, "@bellehelene")
        await pilot.press("question_mark")
        await until(pilot, lambda: _help_shown(pilot.app), what="the keys on the alias")


def _on_shift(services, handle):
    alias = next(a for a in services.accounts.aliases() if a.handle == handle)
    return [operator.name for _, operator in services.shifts.on_shift(alias.id)]


async def test_ctrl_q_on_shift_offers_the_handover_and_escape_stays(demo, clock):
    app = make_app(demo, clock)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, "anna", "anna-demo-pass")
        await open_alias(pilot, "@bellehelene")
        await pilot.press("ctrl+q")
        await until(pilot, lambda: isinstance(app.screen, EndShiftDialog), what="the offer")
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, AliasScreen), what="back on shift")
        assert app.is_running
        await pilot.press("ctrl+q")
        await until(pilot, lambda: isinstance(app.screen, EndShiftDialog), what="the offer")
        await pilot.press("h")
        await until(pilot, lambda: isinstance(app.screen, HandoverWriteScreen), what="the form")
        assert app.screen.ending_shift
        assert "anna" in _on_shift(demo, "@bellehelene")
        await pilot.press("ctrl+q")  # asked again while offered: quits
        await until(pilot, lambda: not app.is_running, what="the console to close")
    assert "anna" not in _on_shift(demo, "@bellehelene")


async def test_ctrl_q_ends_the_shift_without_a_handover_when_chosen(demo, clock):
    app = make_app(demo, clock)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, "anna", "anna-demo-pass")
        await open_alias(pilot, "@bellehelene")
        await pilot.press("ctrl+q")
        await until(pilot, lambda: isinstance(app.screen, EndShiftDialog), what="the offer")
        await pilot.press("e")
        await until(pilot, lambda: not app.is_running, what="the console to close")
    assert "anna" not in _on_shift(demo, "@bellehelene")


async def test_ctrl_q_with_nobody_on_shift_quits_at_once(demo, clock):
    app = make_app(demo, clock)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, "anna", "anna-demo-pass")
        await settle(pilot)
        await pilot.press("ctrl+q")
        await until(pilot, lambda: not app.is_running, what="the console to close")
