"""Onboarding: the track, practice on the alias's real history, and the graduation rule."""

import pytest

from cmconsole.domain.errors import InvalidInput, PermissionDenied
from cmconsole.domain.guide import parse_guide
from cmconsole.domain.model import Role
from cmconsole.domain.onboarding import closeness, track
from tests.conftest import receive

GUIDE = """
name = "The Brand"
handle = "@brand"
language = "en"

[prose]
voice = "Warm, short, we."
promises = "Never promise a date."

[[examples]]
context = "Where is my order?"
reply = "Let us check: send us your order number by DM."

[[rules]]
id = "no-asap"
kind = "forbidden"
severity = "warning"
terms = ["asap"]
message = "say when"

[onboarding]
track = {track}
practice = 1
approved_in_a_row = 3
"""


def _guide(services, team, track_required="false"):
    version = services.guides.save(
        team.lead, team.alias.id, GUIDE.format(track=track_required), "rules"
    )
    for who in (team.lead, team.operator, team.other, team.trainee):
        services.guides.acknowledge(who, team.alias.id, version.version)
        services.shifts.start(who, team.alias.id)


def _kinds(services, team):
    return [e.event.kind for e in services.audit.for_alias(team.lead, team.alias.id)]


def _answered(services, team, count):
    """The alias's history: `count` messages answered and published by an operator."""
    for n in range(count):
        message = receive(services, team.alias, f"@past{n}", f"@brand question {n}")
        services.posting.reply(team.operator, message, f"Thanks for asking, answer {n}!")
        services.claims.release(team.operator, team.alias.id, f"@past{n}")
    services.dispatcher.run_once()


def test_the_track_is_the_guides_sections_then_handovers_examples_and_practice(services, team):
    _guide(services, team)
    state = services.onboarding.track(team.trainee, team.alias.id)
    assert [step.key for step, _ in state.progress.steps] == [
        "guide:voice",
        "guide:promises",
        "guide:rules",
        "handovers",
        "examples",
        "practice",
    ]
    assert not state.progress.complete
    for key in ("guide:voice", "guide:promises", "guide:rules", "handovers", "examples"):
        services.onboarding.complete_step(team.trainee, team.alias.id, key)
    with pytest.raises(InvalidInput):
        services.onboarding.complete_step(team.trainee, team.alias.id, "practice")
    with pytest.raises(InvalidInput):
        services.onboarding.complete_step(team.trainee, team.alias.id, "guide:nonsense")
    state = services.onboarding.track(team.trainee, team.alias.id)
    assert state.progress.summary == "5/6 steps, 0/1 practice replies"
    # Leads see the trainee's progress; other operators do not.
    assert services.onboarding.track(team.lead, team.alias.id, "tina").progress.summary == (
        state.progress.summary
    )
    with pytest.raises(PermissionDenied):
        services.onboarding.track(team.other, team.alias.id, "tina")
    assert [s.operator.name for s in services.onboarding.everyone(team.lead, team.alias.id)] == [
        "tina"
    ]
    assert _kinds(services, team).count("onboarding.step_done") == 5


def test_practice_uses_real_answered_history_and_publishes_nothing(services, team):
    _guide(services, team)
    _answered(services, team, 2)
    public_before = services.timeline.public_posts(team.lead, team.alias.id)

    item = services.onboarding.next_practice(team.trainee, team.alias.id)
    assert item.message.text == "@brand question 1"
    assert item.actual.text == "Thanks for asking, answer 1!"
    result = services.onboarding.practise(
        team.trainee, team.alias.id, item.message.id, "We will answer asap"
    )
    assert [f.rule for f in result.findings] == ["no-asap"]
    assert result.actual == "Thanks for asking, answer 1!"
    assert 0 < result.closeness.score < 100

    following = services.onboarding.next_practice(team.trainee, team.alias.id)
    assert following.message.text == "@brand question 0"
    assert services.timeline.public_posts(team.lead, team.alias.id) == public_before
    assert services.onboarding.track(team.trainee, team.alias.id).progress.practised == 1
    with pytest.raises(InvalidInput):
        services.onboarding.practise(team.trainee, team.alias.id, item.message.id, "  ")


def test_study_material_is_the_golden_examples_and_replies_published_as_written(services, team):
    _guide(services, team)
    _answered(services, team, 2)
    material = services.onboarding.study(team.trainee, team.alias.id)
    assert [e.reply for e in material.examples] == [
        "Let us check: send us your order number by DM."
    ]
    assert [post.text for _, post in material.best_replies] == [
        "Thanks for asking, answer 1!",
        "Thanks for asking, answer 0!",
    ]


def _trainee_reply(services, team, n, text="Happy to help."):
    message = receive(services, team.alias, f"@fan{n}", f"@brand help {n}")
    post = services.posting.reply(team.trainee, message, text)
    services.claims.release(team.trainee, team.alias.id, f"@fan{n}")
    return post


def test_graduation_counts_clean_approvals_in_a_row_and_tells_the_leads_once(services, team):
    _guide(services, team)
    first = _trainee_reply(services, team, 0)
    services.posting.approve(team.operator, first.id)
    edited = _trainee_reply(services, team, 1)
    services.posting.approve(team.operator, edited.id, "Happy to help!")
    assert (
        services.onboarding.track(team.lead, team.alias.id, "tina").graduation.clean_in_a_row == 0
    )

    for n in range(2, 4):
        services.posting.approve(team.operator, _trainee_reply(services, team, n).id)
    graduation = services.onboarding.track(team.lead, team.alias.id, "tina").graduation
    assert (graduation.clean_in_a_row, graduation.met) == (2, False)
    services.posting.approve(team.other, _trainee_reply(services, team, 4).id)
    graduation = services.onboarding.track(team.lead, team.alias.id, "tina").graduation
    assert graduation.met and graduation.describe().startswith("ready")
    services.posting.approve(team.other, _trainee_reply(services, team, 5).id)
    assert _kinds(services, team).count("onboarding.ready") == 1

    rejected = _trainee_reply(services, team, 6)
    services.posting.reject(team.operator, rejected.id, "too short")
    assert not services.onboarding.track(team.lead, team.alias.id, "tina").graduation.met


def test_the_track_counts_when_the_alias_requires_it(services, team):
    _guide(services, team, track_required="true")
    for n in range(3):
        services.posting.approve(team.operator, _trainee_reply(services, team, n).id)
    graduation = services.onboarding.track(team.lead, team.alias.id, "tina").graduation
    assert graduation.clean_in_a_row == 3 and not graduation.met
    assert "track not done" in graduation.describe()


def test_only_a_lead_promotes_and_without_the_rule_only_with_a_reason(services, team):
    _guide(services, team)
    with pytest.raises(PermissionDenied):
        services.onboarding.promote(team.operator, team.alias.id, "tina", "she is great")
    with pytest.raises(InvalidInput, match="give a reason"):
        services.onboarding.promote(team.lead, team.alias.id, "tina")
    with pytest.raises(InvalidInput):
        services.onboarding.extend(team.lead, team.alias.id, "tina", " ")
    services.onboarding.extend(team.lead, team.alias.id, "tina", "two more weeks on refunds")
    services.onboarding.promote(team.lead, team.alias.id, "tina", "covered the night shift well")
    roles = {m.operator.name: m.role for m in services.team.members(team.lead, team.alias.id)}
    assert roles["tina"] is Role.OPERATOR
    promoted = [
        e
        for e in services.audit.for_alias(team.lead, team.alias.id)
        if e.event.kind == "onboarding.promoted"
    ]
    [event] = promoted
    assert (event.actor_name, event.event.subject) == ("lena", "tina")
    assert event.event.details["rule_met"] is False
    assert event.event.details["reason"] == "covered the night shift well"
    with pytest.raises(PermissionDenied):
        services.onboarding.promote(team.lead, team.alias.id, "tina", "again")


def test_a_trainee_who_meets_the_rule_is_promoted_without_a_reason(services, team):
    _guide(services, team)
    for n in range(3):
        services.posting.approve(team.operator, _trainee_reply(services, team, n).id)
    services.onboarding.promote(team.lead, team.alias.id, "tina")
    message = receive(services, team.alias, "@later", "@brand now?")
    post = services.posting.reply(team.trainee, message, "Now, yes.")
    assert post.status.value == "queued"  # no approval needed any more


def test_closeness_is_explainable_and_scores_what_it_says():
    same = closeness("Thanks, we are on it!", "Thanks, we are on it!")
    assert same.score == 100
    assert set(same.parts) == {
        "exclamation",
        "question",
        "first_person_singular",
        "familiar_address",
        "signed",
        "length",
        "emoji",
        "words",
    }
    shouty = closeness("I fixed it!!! 🎉🎉", "We have fixed the order.")
    assert shouty.parts["exclamation"] == 0.0
    assert shouty.parts["first_person_singular"] == 0.0
    assert shouty.parts["emoji"] == 0.0
    assert shouty.parts["words"] == pytest.approx(1 / 3)  # "fixed" of fixed, have, order
    assert shouty.score < 70
    assert "close in voice" in shouty.describe()


def test_the_onboarding_rule_is_part_of_the_guide_and_checked_like_it():
    guide = parse_guide(GUIDE.format(track="true"), "brand.toml")
    assert (guide.onboarding.track, guide.onboarding.practice) == (True, 1)
    assert guide.onboarding.approved_in_a_row == 3
    assert [s.key for s in track(guide)][:3] == ["guide:voice", "guide:promises", "guide:rules"]
    with pytest.raises(Exception, match=r"brand\.toml.*line \d+.*unknown field 'graduate'"):
        parse_guide(GUIDE.format(track="true") + "graduate = 1\n", "brand.toml")
