"""A workspace from before thread states: migrating gives each thread the state the code derives."""

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine

from cmconsole.domain.triage import ThreadState
from cmconsole.storage import migrations
from tests.conftest import receive


def _migrate(url, down_to, up_to):
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            config = Config()
            config.set_main_option("script_location", str(Path(migrations.__file__).parent))
            config.attributes["connection"] = connection
            command.downgrade(config, down_to)
            command.upgrade(config, up_to)
    finally:
        engine.dispose()


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

    _migrate(database_url, "0014", "head")

    assert _states(services, team) == before
