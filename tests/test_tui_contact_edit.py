"""Pilot walks of the contact screen: tag, rate and correct a note; a trainee is told no."""

from textual.widgets import DataTable, Input, OptionList, Static

from cmconsole.domain.contacts import Facet
from cmconsole.tui.dialogs.note import NoteDialog
from cmconsole.tui.dialogs.options import OptionsDialog
from cmconsole.tui.dialogs.prompt import PromptDialog
from cmconsole.tui.screens.contact import ContactScreen
from cmconsole.tui.screens.contacts import ContactsScreen
from tests.pilot import SIZE, make_app, open_alias, open_message, settle, sign_in, until


def _alias(demo, handle):
    return next(a for a in demo.accounts.aliases() if a.handle == handle)


def shown(screen, selector):
    return str(screen.query_one(selector, Static).render())


def prompts(dialog):
    options = dialog.query_one(OptionList)
    return [str(options.get_option_at_index(n).prompt) for n in range(options.option_count)]


async def choose(pilot, containing):
    """In the options dialog on top, Enter on the first option whose text contains `containing`."""
    await until(pilot, lambda: isinstance(pilot.app.screen, OptionsDialog), what="the options")
    dialog = pilot.app.screen
    options = dialog.query_one(OptionList)
    options.focus()
    options.highlighted = next(n for n, p in enumerate(prompts(dialog)) if containing in p)
    await pilot.press("enter")
    await until(pilot, lambda: pilot.app.screen is not dialog, what="the choice made")


async def open_contact(pilot, name, handle):
    await sign_in(pilot, name, f"{name}-demo-pass" if name != "lea" else "lead-demo-pass")
    await open_alias(pilot, "@bellehelene")
    await pilot.press("c")
    await until(pilot, lambda: isinstance(pilot.app.screen, ContactsScreen), what="contacts")
    table = pilot.app.screen.query_one("#contacts-table", DataTable)
    await until(pilot, lambda: table.row_count > 1, what="the directory")
    table.move_cursor(row=table.get_row_index(handle))
    table.focus()
    await pilot.press("enter")
    await until(pilot, lambda: isinstance(pilot.app.screen, ContactScreen), what="the card")
    screen = pilot.app.screen
    await until(pilot, lambda: "History" in shown(screen, "#contact-text"), what="the card read")
    return screen


async def test_an_operator_tags_rates_and_corrects_a_note_from_the_contact_screen(demo, clock):
    belle = _alias(demo, "@bellehelene")
    async with make_app(demo, clock).run_test(size=SIZE) as pilot:
        screen = await open_contact(pilot, "anna", "@marie.patisse")
        assert "t tag" in shown(screen, "#contact-status")

        await pilot.press("t")  # the alias's list, what she has marked: VIP goes, partner comes
        await until(pilot, lambda: isinstance(pilot.app.screen, OptionsDialog), what="tags")
        assert any(p.startswith("✓ VIP") for p in prompts(pilot.app.screen))
        await choose(pilot, "partner")
        await until(pilot, lambda: "tags: VIP, partner" in shown(screen, "#contact-text"))
        await pilot.press("t")
        await choose(pilot, "VIP")
        await until(pilot, lambda: "tags: partner" in shown(screen, "#contact-text"))

        await pilot.press("r")
        await choose(pilot, "relevancy")
        await until(pilot, lambda: isinstance(pilot.app.screen, PromptDialog), what="rating")
        await pilot.press("4", "enter", *"commande chaque semaine", "enter")
        await until(pilot, lambda: "relevancy 4" in shown(screen, "#contact-text"), what="rated")

        await pilot.press("e")
        await choose(pilot, "tarte aux poires")
        await until(pilot, lambda: isinstance(pilot.app.screen, NoteDialog), what="the note")
        note = pilot.app.screen.query_one("#note-text", Input)
        assert note.value == "A aimé la tarte aux poires ; aucune allergie connue."
        note.value = "A aimé la tarte aux poires ; allergique aux noix."
        await pilot.press("enter")
        await until(pilot, lambda: "allergique aux noix" in shown(screen, "#contact-text"))
        assert "[corrected]: A aimé la tarte" in shown(screen, "#contact-text")

    anna = demo.accounts.sign_in("anna", "anna-demo-pass")
    card = demo.contacts.card(anna, belle.id, "@marie.patisse")
    assert card.tags == ("partner",)
    [old] = [n for n in card.notes if "aucune allergie" in n.text]
    [new] = [n for n in card.notes if "noix" in n.text]
    assert new.corrects_id == old.id and old.corrected and new.author_name == "anna"
    [rating] = demo.contacts.ratings(anna, belle.id, "@marie.patisse", Facet.RELEVANCY)
    assert (rating.value, rating.reason) == (4, "commande chaque semaine")


async def test_a_rating_that_is_not_a_number_is_refused_before_the_services(demo, clock):
    async with make_app(demo, clock).run_test(size=SIZE) as pilot:
        screen = await open_contact(pilot, "anna", "@camille_b")
        await pilot.press("r")
        await choose(pilot, "trust")
        await until(pilot, lambda: isinstance(pilot.app.screen, PromptDialog), what="rating")
        await pilot.press(*"beaucoup", "enter", *"elle cite ses sources", "enter")
        await until(pilot, lambda: "from 0 to 5" in shown(screen, "#contact-status"))
        assert screen.query_one("#contact-status").has_class("error")


async def test_a_trainee_reads_and_notes_but_is_told_they_do_not_tag_or_rate(demo, clock):
    belle = _alias(demo, "@bellehelene")
    async with make_app(demo, clock).run_test(size=SIZE) as pilot:
        screen = await open_contact(pilot, "theo", "@camille_b")
        await pilot.press("t")
        await choose(pilot, "partner")
        await until(
            pilot,
            lambda: "a trainee does not tag contacts" in shown(screen, "#contact-status"),
            what="the refusal",
        )
        assert screen.query_one("#contact-status").has_class("error")

        await pilot.press("r")
        await choose(pilot, "trust")
        await pilot.press("3", "enter", *"semble fiable", "enter")
        await until(
            pilot,
            lambda: "a trainee does not rate contacts" in shown(screen, "#contact-status"),
            what="the refusal",
        )

        await pilot.press("f5")
        await until(pilot, lambda: isinstance(pilot.app.screen, NoteDialog), what="note dialog")
        await pilot.press(*"Elle a rappelé ce matin.", "enter")
        await until(pilot, lambda: "rappelé ce matin" in shown(screen, "#contact-text"))
        assert "(trainee) theo" in shown(screen, "#contact-text")
        await settle(pilot)
        assert not screen.query_one("#contact-status").has_class("error")
    lea = demo.accounts.sign_in("lea", "lead-demo-pass")
    card = demo.contacts.card(lea, belle.id, "@camille_b")
    assert card.tags == ("journalist",)
    assert not [r for r in card.ratings if r.facet is Facet.TRUST]


async def test_from_the_thread_f6_opens_the_contacts_screen_and_the_card_follows(demo, clock):
    async with make_app(demo, clock).run_test(size=SIZE) as pilot:
        await sign_in(pilot, "anna", "anna-demo-pass")
        await open_alias(pilot, "@bellehelene")
        await open_message(pilot, "éclairs")
        thread = pilot.app.screen
        await pilot.press("f6")
        await until(pilot, lambda: isinstance(pilot.app.screen, ContactScreen), what="the card")
        screen = pilot.app.screen
        assert screen.handle == "@camille_b"
        await until(pilot, lambda: "History" in shown(screen, "#contact-text"), what="read")
        await pilot.press("t")
        await choose(pilot, "partner")
        await until(pilot, lambda: "partner" in shown(screen, "#contact-text"), what="tagged")
        await pilot.press("escape")
        await until(pilot, lambda: pilot.app.screen is thread, what="back to the thread")
        await pilot.press("f4")
        await until(pilot, lambda: "partner" in shown(thread, "#card-text"), what="card re-read")


async def test_with_no_tags_on_the_alias_t_says_a_lead_adds_them_and_opens_nothing(demo, clock):
    belle = _alias(demo, "@bellehelene")
    lea = demo.accounts.sign_in("lea", "lead-demo-pass")
    demo.contact_tags.edit_tag_list(lea, belle.id, [])
    untagged = next(
        e.contact.handles[0] for e in demo.contacts.directory(lea, belle.id).entries if not e.tags
    )
    async with make_app(demo, clock).run_test(size=SIZE) as pilot:
        screen = await open_contact(pilot, "anna", untagged)
        await pilot.press("t")
        await until(
            pilot,
            lambda: (
                "@bellehelene has no tags yet: a lead adds them."
                in shown(screen, "#contact-status")
            ),
            what="the explanation",
        )
        await settle(pilot)
        assert pilot.app.screen is screen
    assert demo.contacts.card(lea, belle.id, untagged).tags == ()
