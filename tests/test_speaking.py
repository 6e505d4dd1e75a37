"""Speaking as the alias: shifts, replies, approval and dispatch, on every database engine."""

import pytest

from cmconsole.domain.errors import InvalidInput, PermissionDenied
from cmconsole.domain.model import PostStatus, Role, SignatureKind
from cmconsole.services.posting import DraftRefused
from tests.conftest import make_team, receive


def test_a_reply_is_published_under_the_alias_and_attributed_to_its_author(services, team, clock):
    message_id = receive(services, team.alias, "@fan", "@brand where is my order?")
    services.shifts.start(team.operator, team.alias.id)
    clock.advance(minutes=3)
    post = services.posting.reply(team.operator, message_id, "  On its way!  ")
    assert post.status is PostStatus.QUEUED
    assert post.text == "On its way!"

    [sent] = services.dispatcher.dispatch_pending()
    assert sent.status is PostStatus.PUBLISHED
    assert sent.published_at == clock.now

    public = services.timeline.public_posts(team.operator, team.alias.id)
    assert [(p.author_handle, p.author_name, p.text) for p in public] == [
        ("@brand", "The Brand", "On its way!")
    ]
    assert public[0].in_reply_to is not None
    assert "otto" not in repr(public)

    published, queued = [
        e
        for e in services.audit.for_alias(team.lead, team.alias.id)
        if e.event.subject == f"post {post.id}"
    ]
    assert (queued.event.kind, queued.actor_name, queued.alias_handle) == (
        "post.queued",
        "otto",
        "@brand",
    )
    assert queued.event.occurred_at == clock.now
    assert published.event.kind == "post.published"
    assert published.event.details["author"] == "otto"

    [message] = services.inbox.messages(team.operator, team.alias.id)
    assert message.answered


def test_the_signature_policy_is_applied_when_sending(services):
    team = make_team(services, SignatureKind.INITIALS)
    message_id = receive(services, team.alias, "@fan", "@brand hello")
    services.shifts.start(team.operator, team.alias.id)
    services.posting.reply(team.operator, message_id, "Hello there")
    services.dispatcher.dispatch_pending()
    [public] = services.timeline.public_posts(team.operator, team.alias.id)
    assert public.text == "Hello there ^OO"


def test_nobody_speaks_without_a_shift_a_role_and_some_text(services, team):
    message_id = receive(services, team.alias, "@fan", "@brand hi")
    with pytest.raises(PermissionDenied, match="not on shift"):
        services.posting.reply(team.operator, message_id, "Hi!")
    services.shifts.start(team.operator, team.alias.id)
    with pytest.raises(InvalidInput, match="empty"):
        services.posting.reply(team.operator, message_id, " \n ")
    with pytest.raises(DraftRefused, match="length: 1 over the limit of 280"):
        services.posting.reply(team.operator, message_id, "x" * 281)
    stranger_alias = services.accounts.add_alias("@other", "Other", by=team.lead)
    with pytest.raises(PermissionDenied, match="no role on @other"):
        services.shifts.start(team.operator, stranger_alias.id)
    assert services.posting.posts(team.lead, team.alias.id) == []


def test_shifts_are_visible_overlap_and_end(services, team):
    services.shifts.start(team.operator, team.alias.id)
    again = services.shifts.start(team.operator, team.alias.id)
    services.shifts.start(team.other, team.alias.id)
    on_shift = services.shifts.on_shift(team.alias.id)
    assert [o.name for _, o in on_shift] == ["otto", "olga"]
    assert again.id == on_shift[0][0].id
    services.shifts.end(team.operator, team.alias.id)
    assert [o.name for _, o in services.shifts.on_shift(team.alias.id)] == ["olga"]
    kinds = [e.event.kind for e in services.audit.for_alias(team.lead, team.alias.id)]
    assert kinds[:3] == ["shift.ended", "shift.started", "shift.started"]


def test_a_trainees_reply_waits_for_someone_else_to_approve_it(services, team):
    message_id = receive(services, team.alias, "@fan", "@brand question")
    for who in (team.trainee, team.operator, team.other):
        services.shifts.start(who, team.alias.id)
    post = services.posting.reply(team.trainee, message_id, "We will check.")
    assert post.status is PostStatus.AWAITING_APPROVAL
    assert services.dispatcher.dispatch_pending() == []

    with pytest.raises(PermissionDenied, match="trainee cannot approve"):
        services.posting.approve(team.trainee, post.id)
    approved = services.posting.approve(team.operator, post.id)
    assert (approved.status, approved.approver_id) == (PostStatus.QUEUED, team.operator.operator_id)
    with pytest.raises(InvalidInput, match="not awaiting approval"):
        services.posting.approve(team.other, post.id)

    [sent] = services.dispatcher.dispatch_pending()
    assert sent.status is PostStatus.PUBLISHED
    kinds = [
        (e.event.kind, e.actor_name) for e in services.audit.for_alias(team.lead, team.alias.id)
    ]
    assert ("post.awaiting_approval", "tina") in kinds
    assert ("post.approved", "otto") in kinds


def test_nobody_approves_their_own_post(services, team):
    message_id = receive(services, team.alias, "@fan", "@brand q")
    services.shifts.start(team.operator, team.alias.id)
    services.shifts.start(team.trainee, team.alias.id)
    post = services.posting.reply(team.trainee, message_id, "Draft")
    # promoted, still not her own judge
    services.accounts.grant("tina", "@brand", Role.OPERATOR, by=team.lead)
    with pytest.raises(PermissionDenied, match="own post"):
        services.posting.approve(team.trainee, post.id)


def test_a_failed_post_stays_visible_with_its_reason_and_is_not_retried_silently(services, team):
    message_id = receive(services, team.alias, "@fan", "@brand hi")
    services.shifts.start(team.operator, team.alias.id)
    post = services.posting.reply(team.operator, message_id, "Hello!")
    services.sandbox.refuse_with("the sandbox refused the post (test)")
    [failed] = services.dispatcher.dispatch_pending()
    assert failed.id == post.id
    assert failed.status is PostStatus.FAILED
    assert failed.failure_reason == "the sandbox refused the post (test)"
    services.sandbox.refuse_with(None)
    assert services.dispatcher.dispatch_pending() == []
    [kept] = services.posting.posts(team.operator, team.alias.id)
    assert (kept.status, kept.text) == (PostStatus.FAILED, "Hello!")
    assert services.timeline.public_posts(team.operator, team.alias.id) == []


def test_a_post_is_published_once_however_often_the_dispatcher_runs(services, team):
    message_id = receive(services, team.alias, "@fan", "@brand hi")
    services.shifts.start(team.operator, team.alias.id)
    services.posting.reply(team.operator, message_id, "Once")
    first = services.dispatcher.dispatch_pending()
    second = services.dispatcher.dispatch_pending()
    assert (len(first), second) == (1, [])
    assert len(services.timeline.public_posts(team.operator, team.alias.id)) == 1


def test_the_inbox_keeps_each_mention_once_newest_first(services, team, clock):
    services.public.mention("@a", "@brand first")
    clock.advance(seconds=5)
    services.public.mention("@b", "@brand second")
    services.public.mention("@c", "not for this alias")
    assert services.inbox.sync(team.alias.id) == 2
    assert services.inbox.sync(team.alias.id) == 0
    messages = services.inbox.messages(team.operator, team.alias.id)
    assert [(m.author_handle, m.answered) for m in messages] == [("@b", False), ("@a", False)]


def test_a_deactivated_or_foreign_operator_cannot_read_the_inbox(services, team):
    outsider_alias = services.accounts.add_alias("@elsewhere", "Elsewhere", by=team.lead)
    with pytest.raises(PermissionDenied, match="no role"):
        services.inbox.messages(team.operator, outsider_alias.id)


def test_a_failed_reply_leaves_the_message_waiting(services, team):
    message_id = receive(services, team.alias, "@fan", "@brand hello?")
    services.shifts.start(team.operator, team.alias.id)
    services.posting.reply(team.operator, message_id, "Hello!")
    services.sandbox.refuse_with("down")
    services.dispatcher.dispatch_pending()
    [message] = services.inbox.messages(team.operator, team.alias.id)
    assert not message.answered
    assert any(
        "@fan" in line for line in services.handovers.draft(team.lead, team.alias.id).open_threads
    )


def test_the_alias_signature_counts_in_the_length_even_without_a_guide(services):
    team = make_team(services, SignatureKind.INITIALS)
    message_id = receive(services, team.alias, "@fan", "@brand hi")
    services.shifts.start(team.operator, team.alias.id)
    with pytest.raises(DraftRefused, match="length"):
        services.posting.reply(team.operator, message_id, "x" * 277)  # + " ^OO" is 281
    services.posting.reply(team.operator, message_id, "x" * 276)


def test_a_reviewer_edits_and_approves_or_rejects_with_a_comment(services, team):
    first = receive(services, team.alias, "@fan", "@brand question one")
    second = receive(services, team.alias, "@fan2", "@brand question two")
    for who in (team.trainee, team.operator):
        services.shifts.start(who, team.alias.id)
    draft = services.posting.reply(team.trainee, first, "We will check and come back")
    other = services.posting.reply(team.trainee, second, "No idea")
    assert [p.id for p in services.posting.awaiting_approval(team.lead, team.alias.id)] == [
        draft.id,
        other.id,
    ]

    approved = services.posting.approve(
        team.operator, draft.id, "We will check and come back to you today."
    )
    assert (approved.status, approved.text, approved.review_comment) == (
        PostStatus.QUEUED,
        "We will check and come back to you today.",
        "edited by otto",
    )
    with pytest.raises(InvalidInput, match="needs a comment"):
        services.posting.reject(team.operator, other.id, "  ")
    rejected = services.posting.reject(team.operator, other.id, "Never say you have no idea.")
    assert (rejected.status, rejected.review_comment) == (
        PostStatus.REJECTED,
        "Never say you have no idea.",
    )
    assert services.posting.awaiting_approval(team.lead, team.alias.id) == []

    [sent] = services.dispatcher.dispatch_pending()
    assert sent.id == draft.id
    [public] = services.timeline.public_posts(team.lead, team.alias.id)
    assert public.text == "We will check and come back to you today."
    events = {
        e.event.kind: e
        for e in services.audit.for_alias(team.lead, team.alias.id)
        if e.event.subject in (f"post {draft.id}", f"post {other.id}")
    }
    edited = events["post.edited_and_approved"]
    assert edited.actor_name == "otto"
    # The ledger says the text changed (its stamps hold the hashes), never the text itself.
    assert edited.event.details["text_changed"] is True
    assert "We will check" not in str(edited.event.details)
    assert edited.post_text == "We will check and come back to you today."
    assert events["post.rejected"].event.details["comment"] == "Never say you have no idea."
    thread = services.inbox.thread(team.trainee, second)
    assert [(p.status, p.review_comment) for p in thread.replies] == [
        (PostStatus.REJECTED, "Never say you have no idea."),
    ]
    assert not thread.message.answered


def test_an_edit_is_checked_against_the_guide_like_any_reply(services, team):
    message_id = receive(services, team.alias, "@fan", "@brand q")
    for who in (team.trainee, team.operator):
        services.shifts.start(who, team.alias.id)
    draft = services.posting.reply(team.trainee, message_id, "Fine")
    with pytest.raises(DraftRefused, match="length"):
        services.posting.approve(team.operator, draft.id, "x" * 300)
    assert services.posting.awaiting_approval(team.lead, team.alias.id)[0].text == "Fine"
