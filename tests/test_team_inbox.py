"""The team inbox: threads per contact, filters, and claims that keep two people off one fan."""

import pytest

from cmconsole.domain.errors import PermissionDenied
from cmconsole.domain.model import PostStatus
from cmconsole.services.claims import CLAIM_IDLE, ClaimHeld
from cmconsole.services.inbox import InboxFilter
from cmconsole.services.posting import DraftRefused
from tests.conftest import receive


def _contacts(services, who, alias, which=InboxFilter.ALL):
    return [each.thread.contact_handle for each in services.inbox.threads(who, alias.id, which)]


def test_threads_gather_each_contacts_messages_newest_activity_first(services, team, clock):
    receive(services, team.alias, "@ann", "@brand first from ann")
    clock.advance(minutes=1)
    receive(services, team.alias, "@bob", "@brand bob here")
    clock.advance(minutes=1)
    receive(services, team.alias, "@ann", "@brand ann again")
    clock.advance(minutes=10)

    threads = services.inbox.threads(team.operator, team.alias.id)
    assert [t.thread.contact_handle for t in threads] == ["@ann", "@bob"]
    ann = threads[0].thread
    assert (ann.message_count, ann.last_text, ann.unanswered) == (2, "@brand ann again", True)
    # It has waited since its oldest unanswered message, not its newest.
    assert (clock.now - ann.waiting_since).total_seconds() == 12 * 60

    conversation = services.inbox.conversation(team.operator, team.alias.id, "@ann")
    assert [m.text for m in conversation.messages] == ["@brand first from ann", "@brand ann again"]


def test_answering_the_latest_message_answers_the_thread_until_the_fan_writes_again(
    services, team, clock
):
    receive(services, team.alias, "@ann", "@brand one")
    latest = receive(services, team.alias, "@ann", "@brand two")
    receive(services, team.alias, "@bob", "@brand bob")
    services.shifts.start(team.operator, team.alias.id)
    services.posting.reply(team.operator, latest, "Both answered")

    assert _contacts(services, team.operator, team.alias, InboxFilter.UNANSWERED) == ["@bob"]
    clock.advance(minutes=1)
    receive(services, team.alias, "@ann", "@brand three")
    assert _contacts(services, team.operator, team.alias, InboxFilter.UNANSWERED) == [
        "@ann",
        "@bob",
    ]
    [ann] = [
        t
        for t in services.inbox.threads(team.operator, team.alias.id)
        if t.thread.contact_handle == "@ann"
    ]
    assert ann.thread.waiting_since == clock.now


def test_a_failed_or_rejected_reply_leaves_the_thread_unanswered(services, team):
    message = receive(services, team.alias, "@ann", "@brand hi")
    services.shifts.start(team.operator, team.alias.id)
    services.posting.reply(team.operator, message, "Hello")
    assert _contacts(services, team.operator, team.alias, InboxFilter.UNANSWERED) == []
    services.sandbox.refuse_with("refused (test)")
    services.dispatcher.dispatch_pending()
    assert _contacts(services, team.operator, team.alias, InboxFilter.UNANSWERED) == ["@ann"]


def test_opening_a_thread_claims_it_and_others_see_who_is_answering(services, team):
    receive(services, team.alias, "@ann", "@brand hi")
    receive(services, team.alias, "@bob", "@brand yo")
    mine = services.claims.claim(team.operator, team.alias.id, "@ann")
    assert mine.mine and mine.claim.operator_name == "otto"

    theirs = services.claims.claim(team.other, team.alias.id, "@ann")
    assert not theirs.mine and theirs.claim.operator_name == "otto"
    [listed] = [t for t in services.inbox.threads(team.other, team.alias.id) if t.claim is not None]
    assert (listed.thread.contact_handle, listed.claim.operator_name) == ("@ann", "otto")

    assert _contacts(services, team.operator, team.alias, InboxFilter.MINE) == ["@ann"]
    assert _contacts(services, team.other, team.alias, InboxFilter.MINE) == []
    assert _contacts(services, team.other, team.alias, InboxFilter.CLAIMED) == ["@ann"]


def test_nobody_replies_in_a_thread_someone_else_holds_without_taking_it_over(services, team):
    message = receive(services, team.alias, "@ann", "@brand hi")
    for who in (team.operator, team.other):
        services.shifts.start(who, team.alias.id)
    services.claims.claim(team.operator, team.alias.id, "@ann")

    with pytest.raises(ClaimHeld, match="being answered by otto"):
        services.posting.reply(team.other, message, "Me too")
    assert services.posting.outbox(team.other, team.alias.id) == []

    taken = services.claims.take_over(team.other, team.alias.id, "@ann")
    assert taken is not None and taken.operator_name == "otto"
    post = services.posting.reply(team.other, message, "Me then")
    assert post.status is PostStatus.QUEUED
    with pytest.raises(ClaimHeld, match="being answered by olga"):
        services.posting.reply(team.operator, message, "Too late")

    [event] = [
        e
        for e in services.audit.for_alias(team.lead, team.alias.id)
        if e.event.kind == "claim.taken_over"
    ]
    assert (event.actor_name, event.event.subject, event.event.details["from"]) == (
        "olga",
        "@ann",
        "otto",
    )


def test_a_claim_left_idle_expires_and_working_on_it_keeps_it(services, team, clock):
    receive(services, team.alias, "@ann", "@brand hi")
    services.claims.claim(team.operator, team.alias.id, "@ann")
    clock.advance(seconds=CLAIM_IDLE.total_seconds() - 30)
    assert services.claims.renew(team.operator, team.alias.id, "@ann")
    clock.advance(seconds=CLAIM_IDLE.total_seconds() - 30)
    assert not services.claims.claim(team.other, team.alias.id, "@ann").mine

    clock.advance(seconds=31)
    assert services.claims.state(team.other, team.alias.id, "@ann").claim is None
    assert not services.claims.renew(team.operator, team.alias.id, "@ann")
    assert services.claims.claim(team.other, team.alias.id, "@ann").mine
    # Expiry is not a takeover: nobody took anything from anyone.
    assert not [
        e
        for e in services.audit.for_alias(team.lead, team.alias.id)
        if e.event.kind == "claim.taken_over"
    ]


def test_ending_a_shift_or_leaving_releases_claims(services, team):
    receive(services, team.alias, "@ann", "@brand hi")
    services.shifts.start(team.operator, team.alias.id)
    services.claims.claim(team.operator, team.alias.id, "@ann")
    services.shifts.end(team.operator, team.alias.id)
    assert services.claims.claim(team.other, team.alias.id, "@ann").mine
    services.claims.release(team.other, team.alias.id, "@ann")
    assert services.claims.state(team.operator, team.alias.id, "@ann").claim is None


def test_someone_without_a_role_on_the_alias_cannot_claim(services, team):
    services.accounts.add_operator(
        "xena", "Xena Outsider", "correct horse battery staple", by=team.lead
    )
    outsider = services.accounts.sign_in("xena", "correct horse battery staple")
    receive(services, team.alias, "@ann", "@brand hi")
    with pytest.raises(PermissionDenied):
        services.claims.claim(outsider, team.alias.id, "@ann")
    with pytest.raises(PermissionDenied):
        services.claims.take_over(outsider, team.alias.id, "@ann")


GUIDE = """
name = "The Brand"
handle = "@brand"
language = "en"
length = 280

[signature]
policy = "none"

[[rules]]
id = "no-asap"
kind = "forbidden"
severity = "error"
terms = ["asap"]
message = "say when"
"""


def test_saved_replies_are_kept_by_leads_and_checked_like_anything_typed(services, team):
    version = services.guides.save(team.lead, team.alias.id, GUIDE, "no asap")
    saved = services.saved_replies.save(team.lead, team.alias.id, "delay", "We will answer asap")
    with pytest.raises(PermissionDenied):
        services.saved_replies.save(team.operator, team.alias.id, "mine", "Hello")
    listed = services.saved_replies.replies(team.operator, team.alias.id)
    assert [s.name for s in listed] == ["delay"]
    result = services.saved_replies.check(team.operator, team.alias.id, saved.text)
    assert [f.rule for f in result.findings] == ["no-asap"]

    message = receive(services, team.alias, "@ann", "@brand where is it")
    services.shifts.start(team.operator, team.alias.id)
    services.guides.acknowledge(team.operator, team.alias.id, version.version)
    with pytest.raises(DraftRefused):
        services.posting.reply(team.operator, message, saved.text)

    services.saved_replies.remove(team.lead, team.alias.id, "delay")
    assert services.saved_replies.replies(team.operator, team.alias.id) == []
