"""Who spoke when under an alias: the timeline of published posts and per-operator numbers."""

from datetime import timedelta

import pytest

from cmconsole.domain.errors import NotFound
from tests.conftest import receive


def speak(services, clock, who, alias, fan, text, wait_minutes):
    message_id = receive(services, alias, fan, f"@brand {text}?")
    clock.advance(minutes=wait_minutes)
    services.posting.reply(who, message_id, text)
    services.dispatcher.dispatch_pending()
    clock.advance(minutes=1)


@pytest.fixture
def history(services, team, clock):
    for who in (team.operator, team.other, team.trainee):
        services.shifts.start(who, team.alias.id)
    speak(services, clock, team.operator, team.alias, "@a", "Refund on its way", 10)
    speak(services, clock, team.operator, team.alias, "@b", "Shop opens at nine", 20)
    clock.advance(days=2)
    speak(services, clock, team.other, team.alias, "@c", "Refund approved", 4)
    draft = receive(services, team.alias, "@d", "@brand trainee question?")
    post = services.posting.reply(team.trainee, draft, "Trainee answer")
    services.posting.approve(team.other, post.id)
    services.dispatcher.dispatch_pending()
    return team


def test_leads_see_every_post_with_its_real_author_and_reply_times(services, history):
    report = services.audit.spoken(history.lead, history.alias.id)
    assert not report.only_own
    assert [(s.post.text, s.author, s.approver) for s in report.posts] == [
        ("Trainee answer", "tina", "olga"),
        ("Refund approved", "olga", None),
        ("Shop opens at nine", "otto", None),
        ("Refund on its way", "otto", None),
    ]
    assert [s.reply_seconds for s in report.posts[1:]] == [240, 1200, 600]
    assert report.complete
    speakers = services.audit.speakers(history.lead, history.alias.id)
    assert not speakers.only_own
    assert [(s.operator, s.posts, s.mean_reply_seconds) for s in speakers.speakers] == [
        ("otto", 2, pytest.approx(900, abs=1)),
        ("olga", 1, pytest.approx(240, abs=1)),
        ("tina", 1, pytest.approx(0, abs=1)),
    ]


def test_filters_by_operator_period_and_text(services, history, clock):
    def texts(**filters):
        report = services.audit.spoken(history.lead, history.alias.id, **filters)
        return [s.post.text for s in report.posts]

    assert texts(operator="otto") == ["Shop opens at nine", "Refund on its way"]
    assert texts(text="REFUND") == ["Refund approved", "Refund on its way"]
    assert texts(since=clock.now - timedelta(days=1)) == ["Trainee answer", "Refund approved"]
    assert texts(until=clock.now - timedelta(days=1), text="shop") == ["Shop opens at nine"]
    assert texts(text="100%_") == []  # wildcards are text
    with pytest.raises(NotFound, match="no operator 'ghost'"):
        texts(operator="ghost")


def test_operators_and_trainees_see_only_their_own_activity(services, history):
    report = services.audit.spoken(history.operator, history.alias.id, operator="olga")
    assert report.only_own
    assert {s.author for s in report.posts} == {"otto"}
    speakers = services.audit.speakers(history.operator, history.alias.id, operator="olga")
    assert speakers.only_own
    assert [s.operator for s in speakers.speakers] == ["otto"]
    own_events = services.audit.for_alias(history.trainee, history.alias.id)
    assert own_events and {e.actor_name for e in own_events} == {"tina"}
    all_events = services.audit.for_alias(history.lead, history.alias.id)
    assert {"otto", "olga", "tina"} <= {e.actor_name for e in all_events}


def test_pages_follow_one_another_without_gaps_or_repeats(services, history):
    every = services.audit.spoken(history.lead, history.alias.id).posts
    seen, after = [], None
    while True:
        page = services.audit.spoken(history.lead, history.alias.id, after=after, limit=1)
        seen.extend(s.post.id for s in page.posts)
        if page.complete:
            break
        after = page.posts[-1]
    assert seen == [s.post.id for s in every]
    assert len(seen) == 4


def test_pages_of_posts_published_in_the_same_second_are_ordered_by_id(services, team, clock):
    services.shifts.start(team.operator, team.alias.id)
    for n in range(5):
        message_id = receive(services, team.alias, f"@fan{n}", f"@brand question {n}?")
        services.posting.reply(team.operator, message_id, f"Answer {n}")
    services.dispatcher.dispatch_pending()  # the clock stands still: one published_at for all
    pages, after = [], None
    while True:
        page = services.audit.spoken(team.lead, team.alias.id, after=after, limit=2)
        pages.append([s.post.text for s in page.posts])
        if page.complete:
            break
        after = page.posts[-1]
    assert pages == [["Answer 4", "Answer 3"], ["Answer 2", "Answer 1"], ["Answer 0"]]
