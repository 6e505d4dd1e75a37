"""Private messages (Mastodon's `direct`, the sandbox's): kept as such in the inbox."""

from textual.widgets import DataTable, Static

from cmconsole.tui.screens.thread import ThreadScreen
from cmconsole.wiring import open_services
from tests.conftest import PASSPHRASE, make_team, receive
from tests.migrating import migrate_again
from tests.pilot import SIZE, cells, make_app, open_alias, open_message, sign_in


def test_a_private_sandbox_mention_is_stored_private_and_an_ordinary_one_is_not(services, team):
    receive(services, team.alias, "@anna", "@brand bonjour")
    services.public.mention("@anna", "@brand mon adresse: 3 rue X", private=True)
    services.inbox.sync(team.alias.id)

    conversation = services.inbox.conversation(team.operator, team.alias.id, "@anna")
    assert [(m.text, m.private) for m in conversation.messages] == [
        ("@brand bonjour", False),
        ("@brand mon adresse: 3 rue X", True),
    ]
    [listed] = services.inbox.threads(team.operator, team.alias.id)
    assert listed.thread.last_private


def test_the_sandbox_answers_a_private_message_in_private_and_an_ordinary_one_in_public(
    services, team
):
    ordinary = receive(services, team.alias, "@anna", "@brand bonjour")
    services.public.mention("@bob", "@brand mon adresse", private=True)
    services.inbox.sync(team.alias.id)
    [private] = services.inbox.conversation(team.operator, team.alias.id, "@bob").messages
    services.shifts.start(team.operator, team.alias.id)
    services.posting.reply(team.operator, ordinary, "@anna bonjour !")
    services.posting.reply(team.operator, private.id, "@bob bien reçu")
    services.dispatcher.run_once()

    posted = services.timeline.public_posts(team.operator, team.alias.id)
    assert sorted((p.text, p.private) for p in posted) == [
        ("@anna bonjour !", False),
        ("@bob bien reçu", True),
    ]


def test_messages_from_before_0025_come_back_ordinary_and_private_ones_keep_it(database_url, clock):
    services = open_services(database_url, clock=clock)
    team = make_team(services)
    receive(services, team.alias, "@anna", "@brand bonjour")
    services.close()
    migrate_again(database_url, "0024")
    services = open_services(database_url, clock=clock)
    try:
        otto = services.accounts.sign_in("otto", PASSPHRASE)
        services.public.mention("@anna", "@brand en privé", private=True)
        services.inbox.sync(team.alias.id)
        messages = services.inbox.conversation(otto, team.alias.id, "@anna").messages
        assert [(m.text, m.private) for m in messages] == [
            ("@brand bonjour", False),
            ("@brand en privé", True),
        ]
    finally:
        services.close()


async def test_a_private_message_shows_as_such_in_the_inbox_the_thread_and_the_compose_area(
    demo, clock
):
    alias = next(a for a in demo.accounts.aliases() if a.handle == "@acmehelp")
    demo.public.mention("@quiet_fan", "@acmehelp my address is 3 rue X", private=True)
    demo.inbox.sync(alias.id)
    async with make_app(demo, clock).run_test(size=SIZE) as pilot:
        await sign_in(pilot, "anna", "anna-demo-pass")
        await open_alias(pilot, "@acmehelp")
        table = pilot.app.screen.query_one("#inbox-table", DataTable)
        rows = {row[2].split(" ")[0]: row for row in cells(table)}
        assert rows["@quiet_fan"][4].startswith("private: ")
        assert not any("private" in row[4] for who, row in rows.items() if who != "@quiet_fan")

        await open_message(pilot, "3 rue X")
        thread = pilot.app.screen
        assert isinstance(thread, ThreadScreen)
        conversation = str(thread.query_one("#conversation", Static).render())
        assert "@quiet_fan · private message" in conversation
        answering = str(thread.query_one("#answering", Static).render())
        assert "private message: the reply stays private" in answering
