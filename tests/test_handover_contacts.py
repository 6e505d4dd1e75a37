"""Handovers link people: fans owed a promise come first, and contacts to watch are picked."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import create_engine, text

from cmconsole.domain.errors import NotFound
from cmconsole.storage import converters
from cmconsole.storage.tables import HandoverRow
from tests.conftest import receive

# Written apart from the storage code: the handles whose person is owed a promise due now.
_OWED_SQL = """
SELECT DISTINCT h2.handle FROM follow_up f
JOIN contact_handle h1 ON h1.alias_id = f.alias_id AND h1.handle = f.contact_handle
JOIN contact_handle h2 ON h2.contact_id = h1.contact_id
WHERE f.alias_id = :alias AND f.done_at IS NULL AND f.due_at <= :now
"""


def test_the_fans_owed_a_promise_now_due_lead_the_handovers_lists(
    services, team, clock, database_url
):
    alias = team.alias
    old = receive(services, alias, "@patient", "@brand waiting since long ago")
    clock.advance(hours=1)
    owed = receive(services, alias, "@owed", "@brand any news?")
    clock.advance(minutes=1)
    later = receive(services, alias, "@later", "@brand hello")
    promise = services.follow_ups.promise
    promise(team.operator, later, "later: in a while", clock.now + timedelta(hours=5))
    promise(team.operator, owed, "due: the refund", clock.now + timedelta(minutes=30))
    promise(team.operator, old, "later: the catalogue", clock.now + timedelta(hours=3))
    promise(team.operator, owed, "later: the voucher", clock.now + timedelta(hours=10))
    clock.advance(hours=1)

    engine = create_engine(database_url)
    with engine.connect() as connection:
        expected = {
            row[0]
            for row in connection.execute(text(_OWED_SQL), {"alias": alias.id, "now": clock.now})
        }
    engine.dispose()
    assert expected == {"@owed"}

    draft = services.handovers.draft(team.operator, alias.id)
    firsts = [line.split(":")[0] for line in draft.open_threads]
    assert firsts == ["@owed", "@patient", "@later"]  # then by how long each has waited
    assert [line.split(",")[0] for line in draft.follow_ups_due] == [
        "@owed",
        "@owed",
        "@patient",
        "@later",
    ]


def test_a_handover_carries_contacts_to_watch_with_a_note_each(services, team):
    receive(services, team.alias, "@ann", "@brand I write for Le Monde")
    services.contacts.describe(team.operator, team.alias.id, "@ann", "Ann Press", None)
    services.contact_tags.tag(team.operator, team.alias.id, "@ann", "journalist")

    written = services.handovers.write(
        team.operator,
        team.alias.id,
        "Quiet day",
        people_to_watch="the usual trolls",
        watched=[("@ann", "  answer her first: article due monday ")],
    )
    [record] = services.handovers.history(team.other, team.alias.id)
    [ann] = record.handover.content.watched
    assert (ann.handle, ann.display_name, ann.tags, ann.note) == (
        "@ann",
        "Ann Press",
        ("journalist",),
        "answer her first: article due monday",
    )
    assert record.handover == written
    assert record.handover.content.people_to_watch == "the usual trolls"
    with pytest.raises(NotFound, match="@nobody"):
        services.handovers.write(team.operator, team.alias.id, "x", watched=[("@nobody", "who?")])


def test_a_handover_written_before_contacts_could_be_picked_still_reads():
    content = {
        "open_threads": ["@a: hi"],
        "awaiting_approval": [],
        "failed_posts": [],
        "follow_ups_due": [],
        "guide_changes": [],
        "people_to_watch": "@a is upset",
        "promises": "",
        "mood": "",
    }
    written = datetime(2026, 1, 1, tzinfo=UTC)
    row = HandoverRow(
        id=1, alias_id=1, author_id=1, written_at=written, summary="s", content=json.dumps(content)
    )
    handover = converters.handover(row, "otto")
    assert handover.content.people_to_watch == "@a is upset"
    assert handover.content.watched == ()
    again = json.loads(converters.handover_content_json(handover.content))
    assert again["watched"] == []
