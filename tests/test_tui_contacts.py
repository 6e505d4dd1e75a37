"""Pilot walks of the contact card beside a thread, notes across a handover, do-not-engage."""

from textual.widgets import DataTable, Static, TextArea

from cmconsole.tui.dialogs.confirm import ConfirmDialog
from cmconsole.tui.dialogs.note import NoteDialog
from cmconsole.tui.screens.alias_home import AliasScreen
from cmconsole.tui.screens.alias_picker import AliasPickerScreen
from cmconsole.tui.screens.contact import ContactScreen
from cmconsole.tui.screens.contacts import ContactsScreen
from cmconsole.tui.screens.handover_read import HandoverReadScreen
from cmconsole.tui.screens.handover_write import HandoverWriteScreen
from cmconsole.tui.screens.thread import ThreadScreen
from tests.pilot import SIZE, cells, make_app, open_alias, open_message, settle, sign_in, until


def alias_named(services, handle):
    return next(a for a in services.accounts.aliases() if a.handle == handle)


def lead_tags(services, handle, tag):
    lea = services.accounts.sign_in("lea", "lead-demo-pass")
    services.contact_tags.tag(lea, alias_named(services, "@bellehelene").id, handle, tag)


def card_text(pilot):
    return str(pilot.app.screen.query_one("#card-text", Static).render())


async def test_a_note_written_before_a_handover_is_on_the_card_the_next_operator_sees(demo, clock):
    async with make_app(demo, clock).run_test(size=SIZE) as pilot:
        await sign_in(pilot, "anna", "anna-demo-pass")
        await open_alias(pilot, "@bellehelene")
        await open_message(pilot, "éclairs")
        card = pilot.app.screen.query_one("#contact-card")
        assert not card.display  # 100 columns: folded so the conversation keeps the room
        await pilot.press("f4")
        assert card.display
        # The demo's journalist, as the lead tagged and noted her.
        await until(pilot, lambda: "tags: journalist" in card_text(pilot), what="camille's tags")
        assert "📌 lea" in card_text(pilot) and "Le Petit Gourmet" in card_text(pilot)
        await pilot.press("f5")
        await until(pilot, lambda: isinstance(pilot.app.screen, NoteDialog), what="note dialog")
        await pilot.press(*"[b]Fidèle[/b] depuis 2019", "tab", "space", "tab", "enter")
        await until(pilot, lambda: "Fidèle" in card_text(pilot), what="the note on the card")
        assert "📌 anna" in card_text(pilot) and "[b]Fidèle[/b] depuis 2019" in card_text(pilot)

        await pilot.press("escape")  # back to the inbox
        await settle(pilot)
        await pilot.press("escape")  # end the shift, with a handover
        await settle(pilot)
        await pilot.press("h")
        await until(pilot, lambda: isinstance(pilot.app.screen, HandoverWriteScreen), what="form")
        await pilot.press(*"Camille est une cliente fidèle: lisez sa fiche.")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(pilot.app.screen, AliasPickerScreen), what="picker")
        await pilot.press("escape")  # sign out
        await settle(pilot)

        clock.advance(minutes=10)
        await sign_in(pilot, "omar", "omar-demo-pass")
        await open_alias(pilot, "@bellehelene", read_handovers=False)
        while isinstance(pilot.app.screen, HandoverReadScreen):
            await pilot.press("enter")
            await settle(pilot)
        await open_message(pilot, "éclairs")
        await pilot.press("f4")
        await until(pilot, lambda: "Fidèle" in card_text(pilot), what="anna's note for omar")
        text = card_text(pilot)
        assert "tags: journalist" in text
        assert text.index("📌 anna") < text.index("📌 lea") < text.index("Recent:")


async def test_a_reply_to_someone_not_engaged_with_is_confirmed_first(demo, clock):
    lead_tags(demo, "@jules75", "do-not-engage")
    belle = alias_named(demo, "@bellehelene")
    async with make_app(demo, clock).run_test(size=SIZE) as pilot:
        await sign_in(pilot, "anna", "anna-demo-pass")
        await open_alias(pilot, "@bellehelene")
        await open_message(pilot, "abîmée")
        await pilot.press(*"Merci, nous regardons.")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(pilot.app.screen, ConfirmDialog), what="warning")
        warning = str(pilot.app.screen.query_one("#confirm-text", Static).render())
        assert "@jules75 is tagged do-not-engage" in warning
        await pilot.press("escape")
        await settle(pilot)
        thread = pilot.app.screen
        assert isinstance(thread, ThreadScreen)
        assert "Not sent" in str(thread.query_one("#compose-status", Static).render())
        assert thread.query_one("#reply", TextArea).text == "Merci, nous regardons."
        anna = demo.accounts.sign_in("anna", "anna-demo-pass")
        assert not [p for p in demo.posting.posts(anna, belle.id) if "regardons" in p.text]

        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(pilot.app.screen, ConfirmDialog), what="again")
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(pilot.app.screen, AliasScreen), what="sent")
    assert [p for p in demo.posting.posts(anna, belle.id) if "regardons" in p.text]


async def test_the_directory_filters_sorts_and_opens_a_contacts_card(demo, clock):
    async with make_app(demo, clock).run_test(size=SIZE) as pilot:
        await sign_in(pilot, "anna", "anna-demo-pass")
        await open_alias(pilot, "@bellehelene")
        await pilot.press("c")
        await until(pilot, lambda: isinstance(pilot.app.screen, ContactsScreen), what="contacts")
        screen = pilot.app.screen
        table = screen.query_one("#contacts-table", DataTable)
        await until(pilot, lambda: table.row_count > 1, what="the directory")
        await pilot.press("ctrl+t")  # from every tag to the first of the list: VIP
        await until(pilot, lambda: [r[0] for r in cells(table)] == ["@marie.patisse"], what="VIP")
        assert "tag VIP" in str(screen.query_one("#contacts-filter", Static).render())
        await pilot.press("ctrl+o")
        await until(
            pilot,
            lambda: "open promises" in str(screen.query_one("#contacts-filter", Static).render()),
            what="the sort",
        )
        table.focus()
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(pilot.app.screen, ContactScreen), what="card")
        text = pilot.app.screen.query_one("#contact-text", Static)
        await until(pilot, lambda: "History (oldest first):" in str(text.render()), what="history")
        assert "tags: VIP" in str(text.render()) and "Cliente fidèle" in str(text.render())
