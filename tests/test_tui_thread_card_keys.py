"""Pilot walks of the card beside a thread while the reply box has the focus: f7 tags the contact
and f5 writes a note, without f6 first; the draft stays; a trainee is told no; the keys help
lists both."""

import io

from rich.console import Console
from textual.widgets import KeyPanel, Static, TextArea
from textual.widgets._key_panel import BindingsTable

from cmconsole.tui.dialogs.note import NoteDialog
from cmconsole.tui.screens.thread import ThreadScreen
from tests.pilot import make_app, open_alias, open_message, settle, sign_in, until
from tests.test_tui_contact_edit import choose, prompts
from tests.test_tui_contacts import alias_named

WIDE = (120, 40)  # the card shows beside the conversation from 110 columns


def card_text(screen) -> str:
    return str(screen.query_one("#card-text", Static).render())


async def _camille(pilot, name, passphrase):
    await sign_in(pilot, name, passphrase)
    await open_alias(pilot, "@bellehelene")
    await open_message(pilot, "éclairs")
    thread = pilot.app.screen
    await until(pilot, lambda: "tags: journalist" in card_text(thread), what="camille's card")
    reply = thread.query_one("#reply", TextArea)
    reply.focus()
    await pilot.press(*"Bientôt")
    await settle(pilot)
    return thread, reply


async def test_f7_tags_and_f5_notes_from_the_reply_box(demo, clock):
    belle = alias_named(demo, "@bellehelene")
    async with make_app(demo, clock).run_test(size=WIDE) as pilot:
        thread, reply = await _camille(pilot, "anna", "anna-demo-pass")
        assert pilot.app.focused is reply

        await pilot.press("f7")
        await until(pilot, lambda: pilot.app.screen is not thread, what="the tags")
        assert any(p.startswith("✓ journalist") for p in prompts(pilot.app.screen))
        await choose(pilot, "partner")
        await until(pilot, lambda: "tags: journalist, partner" in card_text(thread), what="tag")
        assert pilot.app.screen is thread and reply.text == "Bientôt"
        await pilot.press("f7")
        await choose(pilot, "journalist")  # one she has: it comes off
        await until(pilot, lambda: "tags: partner" in card_text(thread), what="untagged")

        reply.focus()
        await pilot.press("f5")
        await until(pilot, lambda: isinstance(pilot.app.screen, NoteDialog), what="note dialog")
        await pilot.press(*"Préfère les DM.", "enter")
        await until(pilot, lambda: "Préfère les DM." in card_text(thread), what="the note")
        assert reply.text == "Bientôt"

    anna = demo.accounts.sign_in("anna", "anna-demo-pass")
    assert demo.contacts.card(anna, belle.id, "@camille_b").tags == ("partner",)


async def test_a_trainee_is_told_on_the_thread_that_a_trainee_does_not_tag(demo, clock):
    belle = alias_named(demo, "@bellehelene")
    async with make_app(demo, clock).run_test(size=WIDE) as pilot:
        thread, _ = await _camille(pilot, "theo", "theo-demo-pass")
        await pilot.press("f7")
        await choose(pilot, "partner")
        status = thread.query_one("#compose-status", Static)
        await until(pilot, lambda: "a trainee does not tag contacts" in str(status.render()))
        assert status.has_class("error")
    lea = demo.accounts.sign_in("lea", "lead-demo-pass")
    assert demo.contacts.card(lea, belle.id, "@camille_b").tags == ("journalist",)


async def test_the_keys_help_lists_the_card_keys_of_the_thread(demo, clock):
    async with make_app(demo, clock).run_test(size=(80, 24)) as pilot:
        thread, _ = await _camille(pilot, "anna", "anna-demo-pass")
        assert isinstance(thread, ThreadScreen)
        await pilot.press("f1")
        await until(pilot, lambda: bool(thread.query(KeyPanel)), what="the keys help")
        await settle(pilot)
        console = Console(width=200, record=True, file=io.StringIO())
        console.print(thread.query_one(KeyPanel).query_one(BindingsTable).render())
        listed = console.export_text()
    for words in ("Tag the contact", "Write a note about the contact", "Show or hide the contact"):
        assert words in listed, listed
