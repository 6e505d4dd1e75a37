"""Several aliases open at once: switch without ending a shift, each draft kept with its alias and
thread, and a reply going out under the alias whose thread it was written in."""

from textual.widgets import TextArea

from cmconsole.domain.model import PostStatus
from cmconsole.tui.screens.alias_home import AliasScreen
from cmconsole.tui.screens.home import HomeScreen
from cmconsole.tui.screens.thread import ThreadScreen
from tests.pilot import SIZE, make_app, open_alias, open_message, settle, sign_in, until


def _alias(services, handle):
    return next(a for a in services.accounts.aliases() if a.handle == handle)


def _on_shift(services, handle):
    return [operator.name for _, operator in services.shifts.on_shift(_alias(services, handle).id)]


async def _home(pilot):
    await pilot.press("ctrl+t")
    await until(pilot, lambda: isinstance(pilot.app.screen, HomeScreen), what="home")
    await settle(pilot)


def _reply(app) -> str:
    return app.screen.query_one("#reply", TextArea).text


async def test_two_aliases_open_with_a_draft_in_each_and_the_reply_under_the_right_one(demo, clock):
    app = make_app(demo, clock)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, "anna", "anna-demo-pass")
        await until(pilot, lambda: app.screen.query_one("#aliases").option_count == 2, what="rows")
        await open_alias(pilot, "@bellehelene")
        belle_desk = app.screen
        await open_message(pilot, "éclairs au café")
        speaking = str(app.screen.query_one("#speaking-as").render())
        assert "Belle Hélène (@bellehelene, sandbox)" in speaking
        await pilot.press(*"Oui, ils sont")
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, AliasScreen), what="belle's desk")

        await _home(pilot)
        await open_alias(pilot, "@acmehelp")
        assert app.screen is not belle_desk
        await open_message(pilot, "order #4411")
        assert "Acme Support (@acmehelp, sandbox)" in str(
            app.screen.query_one("#speaking-as").render()
        )
        await pilot.press(*"Checking your order")
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, AliasScreen), what="acme's desk")
        assert sorted(app.open_shifts) == sorted(
            [_alias(demo, "@bellehelene").id, _alias(demo, "@acmehelp").id]
        )
        assert "anna" in _on_shift(demo, "@bellehelene") and "anna" in _on_shift(demo, "@acmehelp")

        await _home(pilot)
        await open_alias(pilot, "@bellehelene")  # switches back: no handover to read again
        assert app.screen is belle_desk
        await open_message(pilot, "éclairs au café")
        assert _reply(app) == "Oui, ils sont"  # belle's draft, in belle's thread
        await pilot.press(*" de retour !")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, AliasScreen), what="sent")

        await _home(pilot)
        await open_alias(pilot, "@acmehelp")
        await open_message(pilot, "order #4411")
        assert isinstance(app.screen, ThreadScreen)
        assert _reply(app) == "Checking your order"  # acme's draft untouched
        assert "anna" in _on_shift(demo, "@acmehelp")

    belle, acme = _alias(demo, "@bellehelene"), _alias(demo, "@acmehelp")
    anna = demo.accounts.sign_in("anna", "anna-demo-pass")
    sent = [p for p in demo.posting.posts(anna, belle.id) if "de retour" in p.text]
    assert [p.text for p in sent] == ["Oui, ils sont de retour !"]
    assert sent[0].status is PostStatus.PUBLISHED and sent[0].alias_id == belle.id
    assert not [p for p in demo.posting.posts(anna, acme.id) if "de retour" in p.text]
