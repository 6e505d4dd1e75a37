"""The home screen: every alias the person works, live, most urgent first; Enter opens one."""

from textual.widgets import OptionList, Static

from cmconsole.tui.screens.alias_home import AliasScreen
from cmconsole.tui.screens.handover_read import HandoverReadScreen
from cmconsole.tui.screens.home import HomeScreen
from tests.pilot import SIZE, make_app, open_alias, settle, sign_in, until


def _prompts(app) -> list[str]:
    options = app.screen.query_one("#aliases", OptionList)
    return [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]


def _row(app, handle) -> str:
    return next(p for p in _prompts(app) if p.startswith(f"██ {handle}"))


async def test_home_lists_annas_aliases_with_what_waits_and_follows_a_new_fan_live(demo, clock):
    app = make_app(demo, clock)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, "anna", "anna-demo-pass")
        assert isinstance(app.screen, HomeScreen)
        await until(pilot, lambda: len(_prompts(app)) == 2, what="both aliases")
        assert "2 waiting" in _row(app, "@acmehelp")
        assert "read: 1 handover" in _row(app, "@acmehelp")
        options = app.screen.query_one("#aliases", OptionList)
        highlighted = options.highlighted_option
        assert highlighted is not None

        demo.public.mention("@nadia", "@acmehelp Can I change the email on my account?")
        acme = next(a for a in demo.accounts.aliases() if a.handle == "@acmehelp")
        demo.inbox.sync(acme.id)

        await until(pilot, lambda: "3 waiting" in _row(app, "@acmehelp"), what="the new fan")
        # The highlight stays on the alias it was on.
        assert options.highlighted_option is not None
        assert options.highlighted_option.id == highlighted.id


async def test_enter_opens_the_alias_through_its_handovers_and_escape_comes_home(demo, clock):
    app = make_app(demo, clock)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, "anna", "anna-demo-pass")
        await until(pilot, lambda: len(_prompts(app)) == 2, what="both aliases")
        await open_alias(pilot, "@acmehelp", read_handovers=False)
        assert isinstance(app.screen, HandoverReadScreen)  # the gate still applies
        while isinstance(app.screen, HandoverReadScreen):
            await pilot.press("enter")
            await settle(pilot)
        await until(pilot, lambda: isinstance(app.screen, AliasScreen), what="the alias")
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, AliasScreen), what="the offer")
        await pilot.press("e")  # end the shift without a handover
        await until(pilot, lambda: isinstance(app.screen, HomeScreen), what="home again")
        await until(pilot, lambda: "read:" not in _row(app, "@acmehelp"), what="handovers read")


async def test_a_lead_is_told_which_aliases_nobody_is_on(demo, clock):
    app = make_app(demo, clock)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, "lea", "lead-demo-pass")
        overview = app.screen.query_one("#home-overview", Static)
        await until(pilot, lambda: "Nobody on shift" in str(overview.render()), what="overview")
        assert "@acmehelp (2 waiting)" in str(overview.render())
