"""Speaking first: announcements now or at a set time, through the guide, approval, the outbox
and the ledger; moved or called off by a lead; held for a lead when missed by too much."""

from datetime import timedelta

import pytest

from cmconsole.domain.errors import HandoversUnread, InvalidInput, PermissionDenied
from cmconsole.domain.model import PostStatus
from cmconsole.services.posting import DraftRefused, WarningsNeedReason

GUIDE = """name = "The Brand"
[prose]
voice = "warm"
[[rules]]
id = "no-cheap"
kind = "forbidden"
severity = "error"
terms = ["cheap"]
"""


def _public(services, team):
    return [p.text for p in services.timeline.public_posts(team.operator, team.alias.id)]


def _events(services, team, post):
    return [
        e.event
        for e in services.audit.for_alias(team.lead, team.alias.id)
        if e.event.subject == f"post {post.id}"
    ][::-1]


def test_an_announcement_now_goes_out_signed_by_the_alias_and_replying_to_no_one(
    services, team, clock
):
    post = services.announcements.announce(team.operator, team.alias.id, "Nouveautés demain !")
    assert (post.status, post.in_reply_to_id, post.scheduled_for) == (PostStatus.QUEUED, None, None)
    [published] = services.dispatcher.run_once().published
    assert published.id == post.id
    assert _public(services, team) == ["Nouveautés demain !"]
    kinds = [event.kind for event in _events(services, team, post)]
    assert kinds == ["post.queued", "post.published"]
    assert "late_by_minutes" not in _events(services, team, post)[-1].details


def test_a_scheduled_announcement_waits_for_its_time(services, team, clock):
    at = clock() + timedelta(hours=2)
    post = services.announcements.announce(team.operator, team.alias.id, "Soldes !", at)
    assert [p.id for p in services.announcements.scheduled(team.operator, team.alias.id)] == [
        post.id
    ]
    assert services.dispatcher.run_once().published == []
    clock.advance(hours=1, minutes=59)
    assert services.dispatcher.run_once().published == []
    clock.advance(minutes=1)
    [published] = services.dispatcher.run_once().published
    assert published.id == post.id and _public(services, team) == ["Soldes !"]
    assert services.announcements.scheduled(team.operator, team.alias.id) == []
    queued = _events(services, team, post)[0]
    assert queued.details["scheduled_for"] == at.isoformat()


def test_one_missed_within_the_alias_limit_goes_out_late_and_says_so(services, team, clock):
    at = clock() + timedelta(minutes=10)
    post = services.announcements.announce(team.operator, team.alias.id, "Ouvert ce soir", at)
    clock.advance(minutes=10 + 45)  # no dispatcher ran for 45 minutes past its time
    [published] = services.dispatcher.run_once().published
    assert published.id == post.id
    assert _events(services, team, post)[-1].details["late_by_minutes"] == 45


def test_one_missed_by_more_than_the_limit_waits_for_a_lead(services, team, clock):
    services.announcements.set_late_hold(team.lead, team.alias.id, 30)
    at = clock() + timedelta(minutes=10)
    post = services.announcements.announce(team.operator, team.alias.id, "Ouvert ce soir", at)
    clock.advance(minutes=10 + 31)
    assert services.dispatcher.run_once().published == []
    held = services.posting.post(team.operator, post.id)
    assert held.status is PostStatus.AWAITING_APPROVAL
    assert "by 31 min" in held.review_comment and "30" in held.review_comment
    assert [e.kind for e in _events(services, team, post)][-1] == "post.held_late"
    assert _public(services, team) == []
    # The lead lets it go out now: approving clears its past time.
    services.shifts.start(team.lead, team.alias.id)
    services.posting.approve(team.lead, post.id)
    [published] = services.dispatcher.run_once().published
    assert published.id == post.id and _public(services, team) == ["Ouvert ce soir"]


def test_a_lead_moves_or_calls_off_what_is_scheduled_and_nobody_else_may(services, team, clock):
    first = services.announcements.announce(
        team.operator, team.alias.id, "Premier", clock() + timedelta(hours=1)
    )
    second = services.announcements.announce(
        team.operator, team.alias.id, "Second", clock() + timedelta(hours=2)
    )
    later = clock() + timedelta(hours=3)
    with pytest.raises(PermissionDenied):
        services.announcements.reschedule(team.operator, first.id, later)
    with pytest.raises(PermissionDenied):
        services.announcements.cancel(team.other, second.id, "no")
    moved = services.announcements.reschedule(team.lead, first.id, later)
    assert moved.scheduled_for == later
    with pytest.raises(InvalidInput, match="needs a reason"):
        services.announcements.cancel(team.lead, second.id, "  ")
    cancelled = services.announcements.cancel(team.lead, second.id, "le produit est en rupture")
    assert cancelled.status is PostStatus.CANCELLED
    assert [p.text for p in services.announcements.scheduled(team.lead, team.alias.id)] == [
        "Premier"
    ]
    clock.advance(hours=3)
    assert [p.id for p in services.dispatcher.run_once().published] == [first.id]
    assert _public(services, team) == ["Premier"]
    assert [e.kind for e in _events(services, team, second)][-1] == "post.cancelled"
    with pytest.raises(InvalidInput, match="on its way already"):
        services.announcements.cancel(team.lead, first.id, "trop tard")


def test_a_trainees_announcement_waits_for_approval(services, team, clock):
    post = services.announcements.announce(
        team.trainee, team.alias.id, "Bonjour à tous", clock() + timedelta(hours=1)
    )
    assert post.status is PostStatus.AWAITING_APPROVAL
    clock.advance(hours=2)
    assert services.dispatcher.run_once().published == []


def test_the_guide_checks_an_announcement_and_bad_times_are_refused(services, team, clock):
    services.guides.save(team.lead, team.alias.id, GUIDE, "first")
    with pytest.raises(HandoversUnread, match="guide"):
        services.announcements.announce(team.operator, team.alias.id, "Bonjour")
    version = services.guides.current(team.operator, team.alias.id).version.version
    services.guides.acknowledge(team.operator, team.alias.id, version)
    with pytest.raises(DraftRefused):
        services.announcements.announce(team.operator, team.alias.id, "So cheap today")
    with pytest.raises(InvalidInput, match="has passed"):
        services.announcements.announce(
            team.operator, team.alias.id, "Bonjour", clock() - timedelta(minutes=1)
        )
    with pytest.raises(InvalidInput, match="time zone"):
        services.announcements.announce(
            team.operator, team.alias.id, "Bonjour", clock().replace(tzinfo=None)
        )
    with pytest.raises(InvalidInput, match="empty"):
        services.announcements.announce(team.operator, team.alias.id, "   ")
    assert services.announcements.scheduled(team.operator, team.alias.id) == []


def test_only_a_lead_sets_how_late_an_announcement_may_go(services, team):
    with pytest.raises(PermissionDenied):
        services.announcements.set_late_hold(team.operator, team.alias.id, 10)
    with pytest.raises(InvalidInput, match="0 to"):
        services.announcements.set_late_hold(team.lead, team.alias.id, -1)
    assert services.announcements.set_late_hold(team.lead, team.alias.id, 0) == 0


def test_a_lead_lets_their_own_missed_announcement_go_but_not_an_operator(services, team, clock):
    at = clock() + timedelta(minutes=5)
    lead_post = services.announcements.announce(team.lead, team.alias.id, "De la lead", at)
    own = services.announcements.announce(team.operator, team.alias.id, "De l'opérateur", at)
    clock.advance(hours=2)
    services.dispatcher.run_once()
    services.shifts.start(team.lead, team.alias.id)
    services.shifts.start(team.operator, team.alias.id)
    with pytest.raises(PermissionDenied, match="nobody reviews their own"):
        services.posting.approve(team.operator, own.id)
    services.posting.approve(team.lead, lead_post.id)
    [published] = services.dispatcher.run_once().published
    assert published.id == lead_post.id


def test_a_passed_warning_is_audited_with_its_reason(services, team):
    warning = GUIDE + '[[rules]]\nid = "no-promo"\nkind = "forbidden"\nseverity = "warning"\n'
    services.guides.save(team.lead, team.alias.id, warning + 'terms = ["promo"]\n', "warn")
    version = services.guides.current(team.operator, team.alias.id).version.version
    services.guides.acknowledge(team.operator, team.alias.id, version)
    with pytest.raises(WarningsNeedReason):
        services.announcements.announce(team.operator, team.alias.id, "Promo ce soir")
    post = services.announcements.announce(
        team.operator, team.alias.id, "Promo ce soir", overrides={"no-promo": " the brief says so "}
    )
    assert post.overrides == {"no-promo": "the brief says so"}
    [passed] = [e for e in _events(services, team, post) if e.kind == "post.warning_overridden"]
    assert passed.details == {"rule": "no-promo", "reason": "the brief says so"}
    assert passed.actor_id == team.operator.operator_id
