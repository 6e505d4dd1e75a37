"""Pilot walks of `g` on the contact screen: the reach read from the demo's sandbox channel shows
on the card; a channel that fails or cannot tell is said on the status line, no secret shown."""

import io

from rich.console import Console
from textual.widgets import KeyPanel
from textual.widgets._key_panel import BindingsTable

from cmconsole.channels.sandbox import sandbox_followers
from cmconsole.logs import register_secret
from cmconsole.services.ports import ChannelUnreachable
from tests.pilot import make_app, settle, until
from tests.test_tui_contact_edit import open_contact, shown
from tests.test_tui_footers import footer_keys

SMALL = (80, 24)


def keys_help(screen) -> str:
    console = Console(width=200, record=True, file=io.StringIO())
    console.print(screen.query_one(KeyPanel).query_one(BindingsTable).render())
    return console.export_text()


async def test_g_reads_the_reach_from_the_channel_and_the_card_shows_it(demo, clock):
    count = f"{sandbox_followers('@marie.patisse'):,}"
    async with make_app(demo, clock).run_test(size=SMALL) as pilot:
        screen = await open_contact(pilot, "anna", "@marie.patisse")
        assert {"esc", "^q", "?", "f5", "t", "r", "e", "g"} <= footer_keys(pilot)  # at 80x24
        assert "g reach" in shown(screen, "#contact-status")
        assert "Followers:" not in shown(screen, "#contact-text")

        clock.advance(minutes=3)
        await pilot.press("g")
        card = f"Followers: {count} (read from the channel 0s ago)"
        await until(pilot, lambda: card in shown(screen, "#contact-text"), what="the reach")
        assert "Ratings: proximity 4, trust 5" in shown(screen, "#contact-text")
        said = f"Read @marie.patisse's reach from sandbox: {count} followers."
        await until(pilot, lambda: said in shown(screen, "#contact-status"), what="the status")
        assert not screen.query_one("#contact-status").has_class("error")

        await pilot.press("question_mark")  # the keys help lists it
        await until(pilot, lambda: bool(screen.query(KeyPanel)), what="the keys help")
        await settle(pilot)
        assert "Reach read the followers from the channel" in keys_help(screen)


async def test_a_channel_that_fails_is_said_on_the_status_line_without_its_secret(
    demo, clock, monkeypatch
):
    register_secret("tok-SECRET-4242")

    def unreachable(alias, handles):
        raise ChannelUnreachable("the sandbox did not answer (token tok-SECRET-4242)")

    monkeypatch.setattr(demo.sandbox, "reach", unreachable)
    async with make_app(demo, clock).run_test(size=SMALL) as pilot:
        screen = await open_contact(pilot, "anna", "@camille_b")
        await pilot.press("g")
        status = screen.query_one("#contact-status")
        await until(pilot, lambda: status.has_class("error"), what="the failure")
        assert "the sandbox did not answer" in shown(screen, "#contact-status")
        assert "tok-SECRET-4242" not in shown(screen, "#contact-status")
        assert "Followers:" not in shown(screen, "#contact-text")


async def test_a_channel_that_cannot_tell_says_so(demo, clock, monkeypatch):
    monkeypatch.setattr(demo.sandbox, "reach", lambda alias, handles: {})
    async with make_app(demo, clock).run_test(size=SMALL) as pilot:
        screen = await open_contact(pilot, "anna", "@camille_b")
        await pilot.press("g")
        status = screen.query_one("#contact-status")
        await until(pilot, lambda: status.has_class("error"), what="the answer")
        assert "sandbox knows no account @camille_b" in shown(screen, "#contact-status")


async def test_a_trainee_reads_the_reach_as_the_service_allows(demo, clock):
    # Reading what the channel counts rates nothing: the service refuses trainees tags and
    # ratings, not this, and the screen adds no rule of its own.
    count = f"{sandbox_followers('@camille_b'):,}"
    async with make_app(demo, clock).run_test(size=SMALL) as pilot:
        screen = await open_contact(pilot, "theo", "@camille_b")
        await pilot.press("g")
        await until(pilot, lambda: f"Followers: {count}" in shown(screen, "#contact-text"))
        assert not screen.query_one("#contact-status").has_class("error")
