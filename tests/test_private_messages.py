"""Private messages (Mastodon's `direct`, the sandbox's): kept as such in the inbox."""

from tests.conftest import receive


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
