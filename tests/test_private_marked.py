"""A private message (Mastodon's `direct`) carries "private: " wherever its text is shown, on every
engine: the contact's history, search results, notifications, the handover's open threads."""

from cmconsole.domain.contacts import HistoryKind
from cmconsole.domain.model import PostStatus
from cmconsole.domain.search import HitKind
from cmconsole.services.guard import SignedIn
from cmconsole.services.notifications import NotificationKind
from cmconsole.services.ports import SandboxFault
from tests.conftest import receive


def _private(services, alias, author, text):
    """A member of the public writes to the alias in private; return the message's inbox id."""
    services.public.mention(author, text, private=True)
    services.inbox.sync(alias.id)
    [message] = [
        m
        for m in services.inbox.conversation(_first(services), alias.id, author).messages
        if m.text == text
    ]
    return message.id


def _first(services):
    operator = services.accounts.operators()[0]
    return SignedIn(operator.id, operator.name)


def test_the_contacts_history_marks_private_messages_and_the_private_replies_to_them(
    services, team, clock
):
    receive(services, team.alias, "@anna", "@brand bonjour en public")
    clock.advance(minutes=1)
    secret = _private(services, team.alias, "@anna", "@brand mon adresse : 3 rue X")
    services.shifts.start(team.operator, team.alias.id)
    services.posting.reply(team.operator, secret, "@anna bien reçu, merci")
    services.dispatcher.run_once()

    card = services.contacts.card(team.operator, team.alias.id, "@anna")
    shown = [(item.kind, item.text, item.private) for item in card.history]
    assert shown == [
        (HistoryKind.MESSAGE, "@brand bonjour en public", False),
        (HistoryKind.MESSAGE, "@brand mon adresse : 3 rue X", True),
        (HistoryKind.REPLY, "@anna bien reçu, merci", True),
    ]


def test_search_results_mark_private_messages_and_the_private_replies_to_them(
    services, team, clock
):
    receive(services, team.alias, "@anna", "@brand colis perdu en public")
    clock.advance(minutes=1)
    secret = _private(services, team.alias, "@bob", "@brand colis perdu, mon adresse")
    services.shifts.start(team.operator, team.alias.id)
    services.posting.reply(team.operator, secret, "@bob votre colis arrive")
    services.dispatcher.run_once()

    page = services.search.search(team.operator, team.alias.id, "colis")
    found = {(hit.kind, hit.contact, hit.private) for hit in page.hits}
    assert found == {
        (HitKind.MESSAGE, "@anna", False),
        (HitKind.MESSAGE, "@bob", True),
        (HitKind.REPLY, "@bob", True),
    }


def test_a_notification_of_a_private_message_says_private_before_its_text(services, team, clock):
    receive(services, team.alias, "@anna", "@brand bonjour")
    services.claims.claim(team.operator, team.alias.id, "@anna")
    clock.advance(seconds=30)
    _private(services, team.alias, "@anna", "@brand mon adresse : 3 rue X")
    clock.advance(seconds=30)
    receive(services, team.alias, "@anna", "@brand et en public")

    news = [
        (n.text, n.private)
        for n in services.notifications.recent(team.operator, team.alias.id)
        if n.kind is NotificationKind.NEW_MESSAGE
    ]
    assert news == [
        ("@anna wrote: @brand et en public", False),
        ("@anna wrote: private: @brand mon adresse : 3 rue X", True),
    ]


def test_the_handovers_open_threads_mark_a_private_thread(services, team, clock):
    receive(services, team.alias, "@anna", "@brand bonjour en public")
    clock.advance(minutes=1)
    _private(services, team.alias, "@bob", "@brand mon adresse : 3 rue X")

    draft = services.handovers.draft(team.operator, team.alias.id)
    assert sorted(draft.open_threads) == [
        "@anna: @brand bonjour en public",
        "@bob: private: @brand mon adresse : 3 rue X",
    ]
    written = services.handovers.write(team.operator, team.alias.id, "Quiet evening")
    [stored] = services.handovers.history(team.lead, team.alias.id)
    assert stored.handover.content.open_threads == written.content.open_threads
    assert "@bob: private: @brand mon adresse : 3 rue X" in stored.handover.content.open_threads


def test_the_handover_marks_a_reply_to_a_private_message_awaiting_approval(services, team, clock):
    public = receive(services, team.alias, "@anna", "@brand bonjour en public")
    secret = _private(services, team.alias, "@bob", "@brand mon adresse : 3 rue X")
    services.shifts.start(team.trainee, team.alias.id)
    first = services.posting.reply(team.trainee, public, "@anna bonjour !")
    second = services.posting.reply(team.trainee, secret, "@bob bien noté, merci")

    draft = services.handovers.draft(team.operator, team.alias.id)
    assert draft.awaiting_approval == (
        f"post {first.id} by tina: @anna bonjour !",
        f"post {second.id} by tina: private: @bob bien noté, merci",
    )


def test_the_desk_says_which_replies_awaiting_approval_answer_a_private_message(
    services, team, clock
):
    public = receive(services, team.alias, "@anna", "@brand bonjour en public")
    secret = _private(services, team.alias, "@bob", "@brand mon adresse : 3 rue X")
    services.shifts.start(team.trainee, team.alias.id)
    services.posting.reply(team.trainee, public, "@anna bonjour !")
    services.posting.reply(team.trainee, secret, "@bob bien noté, merci")

    desk = services.desk.read(team.lead, team.alias.id)
    shown = [(a.post.text, a.asked, a.private) for a in desk.awaiting]
    assert shown == [
        ("@anna bonjour !", "@brand bonjour en public", False),
        ("@bob bien noté, merci", "@brand mon adresse : 3 rue X", True),
    ]


def test_the_desk_says_which_posts_in_the_outbox_answer_a_private_message(services, team, clock):
    public = receive(services, team.alias, "@anna", "@brand bonjour en public")
    secret = _private(services, team.alias, "@bob", "@brand mon adresse : 3 rue X")
    services.shifts.start(team.operator, team.alias.id)
    services.posting.reply(team.operator, public, "@anna bonjour !")
    services.posting.reply(team.operator, secret, "@bob bien noté, merci")
    services.sandbox.fail_next(SandboxFault.REFUSE, times=2)  # both stay in the outbox
    services.dispatcher.run_once()

    desk = services.desk.read(team.operator, team.alias.id)
    shown = {(o.post.text, o.post.status, o.private) for o in desk.outbox}
    assert shown == {
        ("@anna bonjour !", PostStatus.FAILED, False),
        ("@bob bien noté, merci", PostStatus.FAILED, True),
    }
