"""What the desk got wrong (issue 14, "Broken today" #2 and #5), service side, on both engines."""

import pytest

from cmconsole.domain.errors import PermissionDenied
from cmconsole.services.inbox import InboxFilter
from tests.conftest import receive


def _unanswered(services, who, alias):
    return [
        t.thread.contact_handle
        for t in services.inbox.threads(who, alias.id, InboxFilter.UNANSWERED)
    ]


def test_a_reply_waiting_for_approval_leaves_the_thread_unanswered_until_approved(services, team):
    message = receive(services, team.alias, "@ann", "@brand hi")
    services.shifts.start(team.trainee, team.alias.id)
    post = services.posting.reply(team.trainee, message, "Hello from a trainee")
    assert _unanswered(services, team.lead, team.alias) == ["@ann"]
    assert services.desk.read(team.lead, team.alias.id).thread("@ann").thread.unanswered

    services.shifts.start(team.lead, team.alias.id)
    services.posting.approve(team.lead, post.id)
    assert _unanswered(services, team.lead, team.alias) == []


def test_a_rejected_reply_leaves_the_thread_unanswered(services, team):
    message = receive(services, team.alias, "@ann", "@brand hi")
    services.shifts.start(team.trainee, team.alias.id)
    post = services.posting.reply(team.trainee, message, "Hello from a trainee")
    services.shifts.start(team.lead, team.alias.id)
    services.posting.reject(team.lead, post.id, "too casual")
    assert _unanswered(services, team.lead, team.alias) == ["@ann"]


def test_a_reply_goes_to_the_newest_unanswered_message_by_default(services, team, clock):
    first = receive(services, team.alias, "@ann", "@brand one")
    clock.advance(minutes=1)
    newest = receive(services, team.alias, "@ann", "@brand two")
    conversation = services.inbox.conversation(team.operator, team.alias.id, "@ann")
    assert conversation.answer_to == newest

    services.shifts.start(team.operator, team.alias.id)
    services.posting.reply(team.operator, first, "Answering the first, as picked")
    clock.advance(minutes=1)
    conversation = services.inbox.conversation(team.operator, team.alias.id, "@ann")
    assert conversation.answer_to == newest


def test_with_everything_answered_a_reply_goes_to_the_newest_message(services, team):
    only = receive(services, team.alias, "@ann", "@brand one")
    services.shifts.start(team.operator, team.alias.id)
    services.posting.reply(team.operator, only, "Done")
    conversation = services.inbox.conversation(team.operator, team.alias.id, "@ann")
    assert conversation.answer_to == only


def test_a_handover_lists_each_open_thread_once(services, team, clock):
    for text in ("@brand one", "@brand two", "@brand three", "@brand four"):
        receive(services, team.alias, "@ann", text)
        clock.advance(seconds=10)
    receive(services, team.alias, "@bob", "@brand bob")
    services.shifts.start(team.operator, team.alias.id)
    draft = services.handovers.draft(team.operator, team.alias.id)
    assert [line.split(":")[0] for line in draft.open_threads] == ["@ann", "@bob"]
    assert "@brand four" in draft.open_threads[0]


def test_the_saved_handover_is_the_preview_its_writer_saw(services, team, clock):
    receive(services, team.alias, "@ann", "@brand one")
    services.shifts.start(team.operator, team.alias.id)
    preview = services.handovers.draft(team.operator, team.alias.id)
    receive(services, team.alias, "@bob", "@brand arrived while writing")
    written = services.handovers.write(
        team.operator, team.alias.id, "Quiet morning", previewed=preview
    )
    assert written.content.open_threads == preview.open_threads
    assert written.content.awaiting_approval == preview.awaiting_approval


def test_the_guide_editor_is_refused_up_front_to_whoever_may_not_save(services, team):
    services.guides.check_may_edit(team.lead, team.alias.id)
    for who in (team.operator, team.trainee):
        with pytest.raises(PermissionDenied, match="only a lead") as refused:
            services.guides.check_may_edit(who, team.alias.id)
        with pytest.raises(PermissionDenied) as on_save:
            services.guides.save(who, team.alias.id, "name: X\n", "a note")
        assert str(refused.value) == str(on_save.value)
