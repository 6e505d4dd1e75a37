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


def _alias(services, handle):
    return next(a for a in services.accounts.aliases() if a.handle == handle)


async def _two_shifts(pilot):
    """anna on shift on @bellehelene, then on @acmehelp (whose desk is shown)."""
    await sign_in(pilot, "anna", "anna-demo-pass")
    rows = pilot.app.screen.query_one("#aliases")
    await until(pilot, lambda: rows.option_count == 2, what="the home's rows")
    await open_alias(pilot, "@bellehelene")
    await pilot.press("ctrl+t")
    await until(pilot, lambda: isinstance(pilot.app.screen, AliasPickerScreen), what="home")
    await settle(pilot)
    await open_alias(pilot, "@acmehelp")


async def _offered(pilot, handle):
    """The offer for the alias `handle`: the dialog names it, with its colour."""
    await until(
        pilot,
        lambda: (
            isinstance(pilot.app.screen, EndShiftDialog)
            and pilot.app.screen.alias is not None
            and pilot.app.screen.alias.handle == handle
        ),
        what=f"the offer for {handle}",
    )
    await settle(pilot)
    speaker = pilot.app.screen.query_one("#speaker")
    assert handle in str(speaker.render())


async def test_ctrl_q_offers_the_handover_for_each_shift_open(demo, clock):
    app = make_app(demo, clock)
    async with app.run_test(size=SIZE) as pilot:
        await _two_shifts(pilot)
        await pilot.press("ctrl+q")
        await _offered(pilot, "@bellehelene")  # the alias not shown first: the shown one last
        await pilot.press("h")
        await until(pilot, lambda: isinstance(app.screen, HandoverWriteScreen), what="the form")
        assert app.screen.alias.handle == "@bellehelene"
        await pilot.press(*"Calm on the pastry front")
        await pilot.press("ctrl+s")
        await _offered(pilot, "@acmehelp")
        assert "anna" not in _on_shift(demo, "@bellehelene")
        assert "anna" in _on_shift(demo, "@acmehelp")
        await pilot.press("e")
        await until(pilot, lambda: not app.is_running, what="the console to close")
    assert "anna" not in _on_shift(demo, "@bellehelene")
    assert "anna" not in _on_shift(demo, "@acmehelp")
    anna = demo.accounts.sign_in("anna", "anna-demo-pass")
    mine = [
        record.handover.alias_id
        for alias in ("@bellehelene", "@acmehelp")
        for record in demo.handovers.history(anna, _alias(demo, alias).id)
        if record.handover.summary.startswith("Calm on the pastry front")
    ]
    assert mine == [_alias(demo, "@bellehelene").id]


async def test_stay_on_the_second_shift_leaves_it_open_and_the_console_running(demo, clock):
    app = make_app(demo, clock)
    async with app.run_test(size=SIZE) as pilot:
        await _two_shifts(pilot)
        await pilot.press("ctrl+q")
        await _offered(pilot, "@bellehelene")
        await pilot.press("e")
        await _offered(pilot, "@acmehelp")
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, AliasScreen), what="back on shift")
        await settle(pilot)
        assert app.is_running
        assert app.screen.alias.handle == "@acmehelp"
        assert "anna" not in _on_shift(demo, "@bellehelene")
        assert "anna" in _on_shift(demo, "@acmehelp")
        assert list(app.open_shifts) == [_alias(demo, "@acmehelp").id]
