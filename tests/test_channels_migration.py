"""A workspace from before an alias could speak on several channels: migrating keeps where its
mention feed stood, and gives every message and post its alias's channel."""

from sqlalchemy import create_engine, text

from tests.conftest import receive
from tests.migrating import migrate_again


def _run(url: str, statement: str) -> list[tuple]:
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            found = connection.execute(text(statement))
            return [tuple(row) for row in found] if found.returns_rows else []
    finally:
        engine.dispose()


def test_the_cursor_and_the_channel_of_every_message_and_post_survive_the_upgrade(
    services, team, database_url
):
    first = receive(services, team.alias, "@ann", "@brand hello")
    receive(services, team.alias, "@bob", "@brand hi")
    services.shifts.start(team.operator, team.alias.id)
    reply = services.posting.reply(team.operator, first, "Hello!")

    [(cursor,)] = _run(database_url, "SELECT mention_cursor FROM alias_channel")
    assert cursor is not None

    migrate_again(database_url, "0026", "0026")
    # Before 0027 the alias row kept where its feed stood.
    assert _run(database_url, "SELECT mention_cursor FROM alias") == [(cursor,)]
    migrate_again(database_url, "0026")

    assert _run(database_url, "SELECT alias_id, channel, mention_cursor FROM alias_channel") == [
        (team.alias.id, "sandbox", cursor)
    ]
    messages = services.inbox.messages(team.lead, team.alias.id)
    assert [m.channel for m in messages] == ["sandbox", "sandbox"]
    assert services.posting.post(team.lead, reply.id).channel == "sandbox"
    # The alias hears its channel again from where it stood, and speaks on it.
    assert services.accounts.channels(team.alias.id) == ["sandbox"]
    receive(services, team.alias, "@cat", "@brand and me")
    assert len(services.inbox.messages(team.lead, team.alias.id)) == 3


def test_an_alias_read_by_id_keeps_its_late_hold_and_its_colour(services, team):
    """The services read an alias by id: what a lead set comes back whole (the late hold was
    read as the colour, so the audit said the previous limit was "")."""
    services.accounts.set_colour(team.alias.handle, "#aa3377", by=team.lead)
    services.announcements.set_late_hold(team.lead, team.alias.id, 15)
    services.announcements.set_late_hold(team.lead, team.alias.id, 30)
    changes = [
        entry.event.details
        for entry in services.audit.for_alias(team.lead, team.alias.id)
        if entry.event.kind == "alias.late_hold_set"
    ]
    assert sorted(changes, key=lambda each: each["minutes"]) == [
        {"minutes": 15, "previous": 60},
        {"minutes": 30, "previous": 15},
    ]
    model = services.desk.read(team.lead, team.alias.id)
    assert (model.alias.colour, model.alias.late_hold_minutes) == ("#aa3377", 30)
