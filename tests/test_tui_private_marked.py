"""On screen, a private message's text says "private: " wherever it is shown: the contact's card
beside the thread and on its own screen, search results, notifications, the handover, the
approvals tab and the outbox (before the reply to one)."""

from textual.widgets import DataTable, Input, Static

from cmconsole.services.ports import SandboxFault
from cmconsole.tui.screens.alias_picker import AliasPickerScreen
from cmconsole.tui.screens.contact import ContactScreen
from cmconsole.tui.screens.contacts import ContactsScreen
from cmconsole.tui.screens.handover_read import HandoverReadScreen
from cmconsole.tui.screens.handover_write import HandoverWriteScreen
from cmconsole.tui.screens.notifications import NotificationsScreen
from cmconsole.tui.screens.search import SearchScreen
from tests.pilot import SIZE, cells, make_app, open_alias, open_message, settle, sign_in, until

SECRET = "mon adresse : 3 rue X"


def _alias(demo, handle):
    return next(a for a in demo.accounts.aliases() if a.handle == handle)


def _writes_in_private(demo, handle, author, text):
    demo.public.mention(author, f"{handle} {text}", private=True)
    demo.inbox.sync(_alias(demo, handle).id)


def _shown(screen, selector):
    return str(screen.query_one(selector, Static).render())


async def test_the_card_beside_the_thread_and_the_contacts_screen_mark_a_private_message(
    demo, clock
):
    _writes_in_private(demo, "@bellehelene", "@camille_b", SECRET)
    async with make_app(demo, clock).run_test(size=SIZE) as pilot:
        await sign_in(pilot, "anna", "anna-demo-pass")
        await open_alias(pilot, "@bellehelene")
        await open_message(pilot, SECRET)
        await pilot.press("f4")
        screen = pilot.app.screen
        await until(pilot, lambda: "Recent:" in _shown(screen, "#card-text"), what="the card")
        assert f"wrote @camille_b: private: @bellehelene {SECRET}" in _shown(screen, "#card-text")
        assert _shown(screen, "#card-text").count("private: ") == 1  # her public ones are not

        await pilot.press("escape")  # back to the inbox
        await settle(pilot)
        await pilot.press("c")
        await until(pilot, lambda: isinstance(pilot.app.screen, ContactsScreen), what="contacts")
        table = pilot.app.screen.query_one("#contacts-table", DataTable)
        await until(pilot, lambda: table.row_count > 1, what="the directory")
        table.move_cursor(row=table.get_row_index("@camille_b"))
        table.focus()
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(pilot.app.screen, ContactScreen), what="the card")
        card = pilot.app.screen
        await until(pilot, lambda: "History" in _shown(card, "#contact-text"), what="its history")
        assert f"wrote @camille_b: private: @bellehelene {SECRET}" in _shown(card, "#contact-text")


async def test_a_search_result_marks_a_private_message(demo, clock):
    _writes_in_private(demo, "@acmehelp", "@dev_sam", "my parcel to Zanzibar, at 3 rue X")
    demo.public.mention("@kim_r", "@acmehelp Zanzibar in public")
    demo.inbox.sync(_alias(demo, "@acmehelp").id)
    async with make_app(demo, clock).run_test(size=SIZE) as pilot:
        await sign_in(pilot, "anna", "anna-demo-pass")
        await open_alias(pilot, "@acmehelp")
        await pilot.press("slash")
        await until(pilot, lambda: isinstance(pilot.app.screen, SearchScreen), what="search")
        await pilot.press(*"zanzibar", "enter")
        table = pilot.app.screen.query_one("#search-results", DataTable)
        await until(pilot, lambda: table.row_count == 2, what="the hits")
        texts = {row[2]: row[3] for row in cells(table)}
        assert texts["@dev_sam"].startswith("private: @acmehelp my parcel to Zanzibar")
        assert texts["@kim_r"].startswith("@acmehelp Zanzibar")


async def test_a_notification_of_a_private_message_marks_it_in_the_toast_and_the_list(demo, clock):
    alias = _alias(demo, "@acmehelp")
    anna = demo.accounts.sign_in("anna", "anna-demo-pass")
    async with make_app(demo, clock).run_test(size=SIZE, notifications=True) as pilot:
        await sign_in(pilot, "anna", "anna-demo-pass")
        await open_alias(pilot, "@acmehelp")
        demo.claims.claim(anna, alias.id, "@kim_r")  # as if from her other console
        await settle(pilot)

        clock.advance(minutes=1)
        _writes_in_private(demo, "@acmehelp", "@kim_r", SECRET)
        toasts = lambda: [str(toast.render()) for toast in pilot.app.screen.query("Toast")]  # noqa: E731
        await until(
            pilot,
            lambda: any(f"@kim_r wrote: private: @acmehelp {SECRET}" in t for t in toasts()),
            what="the toast",
        )
        pilot.app.clear_notifications()
        await pilot.press("n")
        await until(pilot, lambda: isinstance(pilot.app.screen, NotificationsScreen))
        table = pilot.app.screen.query_one("#notifications", DataTable)
        await until(pilot, lambda: any("@kim_r wrote" in row[2] for row in cells(table)))
        [row] = [row for row in cells(table) if "@kim_r wrote" in row[2]]
        assert row[2].startswith("@kim_r wrote: private: @acmehelp")


async def test_the_handover_written_and_read_marks_a_private_open_thread(demo, clock):
    _writes_in_private(demo, "@bellehelene", "@discrete", SECRET)
    async with make_app(demo, clock).run_test(size=SIZE) as pilot:
        await sign_in(pilot, "anna", "anna-demo-pass")
        await open_alias(pilot, "@bellehelene")
        await pilot.press("escape")  # end the shift, with a handover
        await settle(pilot)
        await pilot.press("h")
        await until(pilot, lambda: isinstance(pilot.app.screen, HandoverWriteScreen), what="form")
        form = pilot.app.screen
        marked = f"@discrete: private: @bellehelene {SECRET}"
        await until(pilot, lambda: marked in _shown(form, "#gathered"), what="the open threads")
        await pilot.press(*"Une cliente écrit en privé.")
        form.query_one("#mood", Input).value = "calme"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(pilot.app.screen, AliasPickerScreen), what="picker")
        await pilot.press("escape")  # sign out
        await settle(pilot)

        clock.advance(minutes=10)
        await sign_in(pilot, "omar", "omar-demo-pass")
        await open_alias(pilot, "@bellehelene", read_handovers=False)
        texts = []
        while isinstance(pilot.app.screen, HandoverReadScreen):
            texts.append(_shown(pilot.app.screen, "#handover-text"))
            await pilot.press("enter")
            await settle(pilot)
        [anna] = [text for text in texts if "Une cliente écrit en privé." in text]
        assert f"• {marked}" in anna


def _ready(demo, who, alias):
    """On shift, handovers read, the guide acknowledged: what speaking as the alias asks."""
    demo.shifts.start(who, alias.id)
    for handover in demo.handovers.pending(who, alias.id):
        demo.handovers.acknowledge(who, handover.id)
    demo.guides.acknowledge(who, alias.id, demo.guides.current(who, alias.id).version.version)


def _replies(demo, who, handle, author):
    """`who` answers a private message from `author` and a public one (the demo's first)."""
    alias = _alias(demo, handle)
    _writes_in_private(demo, handle, author, SECRET)
    _ready(demo, who, alias)
    messages = demo.inbox.messages(who, alias.id)
    secret = next(m for m in messages if SECRET in m.text)
    public = next(m for m in messages if not m.private and m.author_handle != author)
    demo.posting.reply(who, public.id, "Merci, on regarde ça.")
    demo.posting.reply(who, secret.id, f"{author} bien noté, merci")
    return public


async def test_the_approvals_tab_marks_a_reply_to_a_private_message_and_the_message(demo, clock):
    theo = demo.accounts.sign_in("theo", "theo-demo-pass")
    public = _replies(demo, theo, "@bellehelene", "@discrete")
    async with make_app(demo, clock).run_test(size=SIZE) as pilot:
        await sign_in(pilot, "lea", "lead-demo-pass")
        await open_alias(pilot, "@bellehelene")
        await pilot.press("p")
        table = pilot.app.screen.query_one("#approval-table", DataTable)
        await until(pilot, lambda: table.row_count == 2, what="the trainee's two replies")
        rows = {row[3]: row[2] for row in cells(table)}
    assert sorted(rows) == ["Merci, on regarde ça.", "private: @discrete bien noté, merci"]
    assert rows["private: @discrete bien noté, merci"].startswith("private: @bellehelene mon")
    assert rows["Merci, on regarde ça."].startswith(public.text[:20])  # not marked


async def test_the_outbox_marks_a_reply_to_a_private_message(demo, clock):
    anna = demo.accounts.sign_in("anna", "anna-demo-pass")
    demo.sandbox.fail_next(SandboxFault.REFUSE, times=2)  # both stay in the outbox, failed
    _replies(demo, anna, "@acmehelp", "@discrete")
    demo.dispatcher.run_once()
    async with make_app(demo, clock).run_test(size=SIZE) as pilot:
        await sign_in(pilot, "anna", "anna-demo-pass")
        await open_alias(pilot, "@acmehelp")
        await pilot.press("o")
        table = pilot.app.screen.query_one("#outbox-table", DataTable)
        await until(pilot, lambda: table.row_count == 2, what="the two failed replies")
        replies = sorted(row[4] for row in cells(table))
    assert replies == ["Merci, on regarde ça.", "private: @discrete bien noté, merci"]
