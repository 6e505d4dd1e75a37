"""Notifications, derived from what the workspace records: each only for the person it concerns."""

from datetime import timedelta

import pytest

from cmconsole.domain.errors import PermissionDenied
from cmconsole.domain.model import Role
from cmconsole.services.notifications import NotificationKind
from tests.conftest import PASSPHRASE, receive


def _kinds(services, who, alias, since=None):
    return [n.kind for n in services.notifications.recent(who, alias.id, since)]


def _of(services, who, alias, kind, since=None):
    return [n for n in services.notifications.recent(who, alias.id, since) if n.kind is kind]


def _sent_back(services, team, clock):
    """Tina's reply to @fan waits; Lena sends it back with a comment."""
    message = receive(services, team.alias, "@fan", "@brand where is my parcel?")
    for who in (team.trainee, team.lead):
        services.shifts.start(who, team.alias.id)
    post = services.posting.reply(team.trainee, message, "No idea, sorry")
    clock.advance(minutes=1)
    services.posting.reject(team.lead, post.id, "Never say you have no idea.")
    return post


def test_a_reply_sent_back_notifies_its_author_and_nobody_else(services, team, clock):
    _sent_back(services, team, clock)

    [notice] = _of(services, team.trainee, team.alias, NotificationKind.SENT_BACK)
    assert notice.contact == "@fan"
    assert notice.when == clock.now
    assert "lena" in notice.text and "Never say you have no idea." in notice.text
    for colleague in (team.lead, team.operator, team.other):
        assert NotificationKind.SENT_BACK not in _kinds(services, colleague, team.alias)


def test_a_colleagues_sent_back_reply_never_notifies_another_trainee(services, team, clock):
    services.accounts.add_operator("tom", "Tom Trainee", PASSPHRASE, by=team.lead)
    services.accounts.grant("tom", team.alias.handle, Role.TRAINEE, by=team.lead)
    tom = services.accounts.sign_in("tom", PASSPHRASE)
    _sent_back(services, team, clock)

    assert _of(services, tom, team.alias, NotificationKind.SENT_BACK) == []


def test_a_takeover_notifies_the_one_whose_claim_was_taken(services, team, clock):
    receive(services, team.alias, "@fan", "@brand hello")
    services.claims.claim(team.operator, team.alias.id, "@fan")
    clock.advance(minutes=1)
    services.claims.take_over(team.other, team.alias.id, "@fan")

    [notice] = _of(services, team.operator, team.alias, NotificationKind.TAKEN_OVER)
    assert (notice.contact, notice.when) == ("@fan", clock.now)
    assert "olga" in notice.text
    assert _of(services, team.other, team.alias, NotificationKind.TAKEN_OVER) == []
    assert _of(services, team.lead, team.alias, NotificationKind.TAKEN_OVER) == []


def _hand(services, team, contact, to, note):
    """The lead hands the thread with `contact` to `to`, through the triage service."""
    services.triage.hand(team.lead, team.alias.id, contact, to.name, note)


def test_a_handed_thread_notifies_its_receiver_then_its_new_messages_do(
    services, team, clock, database_url
):
    receive(services, team.alias, "@fan", "@brand first")
    clock.advance(minutes=1)
    _hand(services, team, "@fan", team.operator, "She ordered twice, be kind")

    [handed] = _of(services, team.operator, team.alias, NotificationKind.HANDED)
    assert handed.contact == "@fan"
    assert "lena" in handed.text and "She ordered twice, be kind" in handed.text
    assert _of(services, team.other, team.alias, NotificationKind.HANDED) == []
    # Only messages after the handing: the first one is what was handed.
    assert _of(services, team.operator, team.alias, NotificationKind.NEW_MESSAGE) == []

    clock.advance(minutes=1)
    receive(services, team.alias, "@fan", "@brand anyone there?")
    [new] = _of(services, team.operator, team.alias, NotificationKind.NEW_MESSAGE)
    assert (new.contact, new.when) == ("@fan", clock.now)
    assert "anyone there?" in new.text
    assert _of(services, team.other, team.alias, NotificationKind.NEW_MESSAGE) == []

    # Handed on to someone else: the thread is theirs now, no longer the first receiver's.
    clock.advance(minutes=1)
    _hand(services, team, "@fan", team.other, "Over to you")
    clock.advance(minutes=1)
    receive(services, team.alias, "@fan", "@brand hello??")
    texts = [n.text for n in _of(services, team.operator, team.alias, NotificationKind.NEW_MESSAGE)]
    assert not any("hello??" in text for text in texts)
    assert any(
        "hello??" in n.text
        for n in _of(services, team.other, team.alias, NotificationKind.NEW_MESSAGE)
    )


def test_a_new_message_in_a_claimed_thread_notifies_its_holder_only(services, team, clock):
    receive(services, team.alias, "@fan", "@brand one")
    receive(services, team.alias, "@other", "@brand unrelated")
    services.claims.claim(team.operator, team.alias.id, "@fan")
    # Claiming a thread tells nobody about what was already in it.
    assert _of(services, team.operator, team.alias, NotificationKind.NEW_MESSAGE) == []

    clock.advance(seconds=30)
    receive(services, team.alias, "@fan", "@brand two")
    clock.advance(seconds=30)
    receive(services, team.alias, "@other", "@brand still unrelated")

    [new] = _of(services, team.operator, team.alias, NotificationKind.NEW_MESSAGE)
    assert new.contact == "@fan" and "two" in new.text
    for colleague in (team.other, team.lead, team.trainee):
        assert _of(services, colleague, team.alias, NotificationKind.NEW_MESSAGE) == []


def test_replies_awaiting_approval_notify_leads_only_once_per_new_reply(services, team, clock):
    first = receive(services, team.alias, "@fan", "@brand one")
    second = receive(services, team.alias, "@fan2", "@brand two")
    services.shifts.start(team.trainee, team.alias.id)
    services.posting.reply(team.trainee, first, "We will check.")

    [one] = _of(services, team.lead, team.alias, NotificationKind.AWAITING_APPROVAL)
    assert "1 reply" in one.text
    for not_a_lead in (team.operator, team.other, team.trainee):
        assert _of(services, not_a_lead, team.alias, NotificationKind.AWAITING_APPROVAL) == []

    clock.advance(minutes=1)
    services.posting.reply(team.trainee, second, "Soon.")
    [two] = _of(services, team.lead, team.alias, NotificationKind.AWAITING_APPROVAL)
    assert "2 replies" in two.text
    assert two.key != one.key  # a new waiting reply: shown again
    assert two.when == clock.now
    # Asked again with nothing new since: nothing to show.
    assert _of(services, team.lead, team.alias, NotificationKind.AWAITING_APPROVAL, clock.now) == []


def test_a_promise_falling_due_notifies_everyone_on_the_alias(services, team, clock):
    message = receive(services, team.alias, "@fan", "@brand when?")
    services.follow_ups.promise(
        team.operator, message, "Send the tracking number", clock.now + timedelta(minutes=30)
    )
    before = clock.now
    assert _of(services, team.trainee, team.alias, NotificationKind.FOLLOW_UP_DUE) == []

    clock.advance(minutes=31)
    for who in (team.lead, team.operator, team.other, team.trainee):
        [due] = _of(services, who, team.alias, NotificationKind.FOLLOW_UP_DUE, before)
        assert due.contact == "@fan" and "Send the tracking number" in due.text
    # Not again once seen: it fell due before the time asked about.
    assert _of(services, team.lead, team.alias, NotificationKind.FOLLOW_UP_DUE, clock.now) == []
    # Without a time, the promises due within the last hour.
    assert len(_of(services, team.lead, team.alias, NotificationKind.FOLLOW_UP_DUE)) == 1
    clock.advance(hours=2)
    assert _of(services, team.lead, team.alias, NotificationKind.FOLLOW_UP_DUE) == []


def test_notifications_come_newest_first_and_only_after_the_time_asked(services, team, clock):
    receive(services, team.alias, "@fan", "@brand hi")
    services.claims.claim(team.operator, team.alias.id, "@fan")
    clock.advance(minutes=1)
    services.claims.take_over(team.other, team.alias.id, "@fan")
    clock.advance(minutes=1)
    services.claims.claim(team.operator, team.alias.id, "@fan2")
    seen = clock.now
    clock.advance(minutes=1)
    receive(services, team.alias, "@fan2", "@brand later")

    found = services.notifications.recent(team.operator, team.alias.id)
    assert [n.when for n in found] == sorted((n.when for n in found), reverse=True)
    assert found[0].kind is NotificationKind.NEW_MESSAGE and "later" in found[0].text
    assert found[-1].kind is NotificationKind.TAKEN_OVER
    after = services.notifications.recent(team.operator, team.alias.id, seen)
    assert [n.key for n in after] == [found[0].key]
    assert len(services.notifications.recent(team.operator, team.alias.id, limit=1)) == 1
    assert len({n.key for n in found}) == len(found)


def test_what_concerned_someone_while_they_were_away_is_told_when_they_return(
    services, team, clock
):
    assert services.notifications.while_away(team.trainee, team.alias.id) == []
    message = receive(services, team.alias, "@fan", "@brand where is my parcel?")
    services.shifts.start(team.trainee, team.alias.id)
    services.shifts.start(team.lead, team.alias.id)
    post = services.posting.reply(team.trainee, message, "No idea, sorry")
    services.claims.claim(team.trainee, team.alias.id, "@fan")
    services.claims.take_over(team.operator, team.alias.id, "@fan")  # while she was there
    clock.advance(minutes=1)
    services.shifts.end(team.trainee, team.alias.id)
    clock.advance(minutes=1)
    services.posting.reject(team.lead, post.id, "Never say you have no idea.")
    clock.advance(hours=12)
    services.shifts.start(team.trainee, team.alias.id)

    away = services.notifications.while_away(team.trainee, team.alias.id)
    assert [n.kind for n in away] == [NotificationKind.SENT_BACK]
    assert services.notifications.while_away(team.other, team.alias.id) == []


def test_only_someone_with_a_role_on_the_alias_reads_its_notifications(services, team):
    services.accounts.add_operator("zed", "Zed Outsider", PASSPHRASE, by=team.lead)
    zed = services.accounts.sign_in("zed", PASSPHRASE)
    with pytest.raises(PermissionDenied):
        services.notifications.recent(zed, team.alias.id)


def test_the_bell_is_off_until_the_operator_turns_it_on_and_stays_theirs(services, team):
    assert services.notifications.bell(team.operator) is False
    assert services.notifications.set_bell(team.operator, True) is True
    assert services.notifications.bell(team.operator) is True
    assert services.notifications.bell(team.other) is False
    services.notifications.set_bell(team.operator, False)
    assert services.notifications.bell(team.operator) is False
