"""A workspace from before thread states: migrating gives each thread the state the code derives."""

from cmconsole.domain.triage import ThreadState
from tests.conftest import receive
from tests.migrating import migrate_again


def _states(services, team):
    return {
        t.thread.contact_handle: t.thread.state
        for t in services.inbox.threads(team.lead, team.alias.id)
    }


def test_threads_from_before_states_are_given_the_state_the_code_derives(
    services, team, database_url
):
    answered = receive(services, team.alias, "@ann", "@brand hello")
    receive(services, team.alias, "@bob", "@brand hi")
    awaiting = receive(services, team.alias, "@cat", "@brand a question")
    again = receive(services, team.alias, "@dan", "@brand first")
    services.shifts.start(team.operator, team.alias.id)
    services.shifts.start(team.trainee, team.alias.id)
    services.posting.reply(team.operator, answered, "Hello!")
    services.posting.reply(team.operator, again, "Welcome")
    receive(services, team.alias, "@dan", "@brand second")
    services.posting.reply(team.trainee, awaiting, "Let me check")
    before = _states(services, team)
    assert before == {
        "@ann": ThreadState.ANSWERED,
        "@bob": ThreadState.NEW,
        "@cat": ThreadState.AWAITING_APPROVAL,
        "@dan": ThreadState.OPEN,
    }

    migrate_again(database_url, "0014")

    assert _states(services, team) == before
