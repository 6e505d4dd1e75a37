"""Who drifts from the alias's voice, from what was really published. On every engine."""

from cmconsole.domain.model import Role
from tests.conftest import receive

IN_VOICE = [
    "We have found your order, it leaves tonight.",
    "Thanks for waiting, we are on it and will update you by five.",
    "We are sorry for the delay. Your parcel ships tomorrow.",
    "Good news: we have refunded the order this morning.",
    "We passed your note to the team, thank you.",
    "Our shop opens at nine on Sundays, see you there.",
    "We checked with billing: the invoice is in your account now.",
    "Your replacement is on its way, tracking follows by email.",
]
IN_FIRST_PERSON = [
    "I found your order, I will send it tonight.",
    "I am sorry, I will check with billing.",
    "I think the parcel ships tomorrow.",
    "I refunded the order this morning.",
    "I passed your note to my colleagues.",
    "I will update you by five.",
]


def publish(services, who, alias, texts):
    services.shifts.start(who, alias.id)
    for number, text in enumerate(texts):
        message_id = receive(services, alias, f"@fan{number}", f"@brand question {text[:10]}?")
        services.posting.reply(who, message_id, text)
        # Done with this fan: the next colleague may answer them.
        services.claims.release(who, alias.id, f"@fan{number}")
    services.dispatcher.dispatch_pending()


def test_leads_see_who_drifts_on_which_dimension_with_examples(services, team):
    # The alias's history is long and in voice; one operator's recent replies are not.
    publish(services, team.lead, team.alias, IN_VOICE * 2)
    publish(services, team.operator, team.alias, IN_VOICE * 2)
    publish(services, team.other, team.alias, IN_FIRST_PERSON)
    report = services.voice.report(team.lead, team.alias.id)
    assert report.profile.replies == 4 * len(IN_VOICE) + len(IN_FIRST_PERSON)
    voices = {v.operator: v for v in report.operators}
    assert voices["otto"].drifts == []
    [person] = voices["olga"].drifts
    assert person.dimension == "first_person_singular"
    assert person.alias_value == len(IN_FIRST_PERSON) / report.profile.replies
    assert person.operator_value == 1.0
    assert person.examples == list(reversed(IN_FIRST_PERSON))[:3]  # newest first
    assert voices["tina"].replies == 0 and voices["tina"].drifts == []


def test_operators_see_only_their_own_voice(services, team):
    publish(services, team.operator, team.alias, IN_VOICE)
    services.accounts.grant("olga", "@brand", Role.OPERATOR, by=team.lead)
    report = services.voice.report(team.other, team.alias.id)
    assert [v.operator for v in report.operators] == ["olga"]
