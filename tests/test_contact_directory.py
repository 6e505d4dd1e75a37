"""The contact directory on both engines, against counts read straight from the messages; and
the migration that makes contacts for the threads already there."""

import pytest
from sqlalchemy import create_engine, text

from cmconsole.domain.contacts import DirectorySort, Facet
from cmconsole.domain.errors import InvalidInput
from cmconsole.wiring import open_services
from tests.conftest import make_team, receive
from tests.migrating import migrate_again

HANDLES = ["@ann", "@anna_b", "@bob", "@dana", "@eve", "@fran", "@gus", "@hank", "@ivan", "@jo"]


def _sql(database_url, query, **params):
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            return connection.execute(text(query), params).all()
    finally:
        engine.dispose()


def _all_pages(services, who, alias_id, **options):
    entries, page = [], 0
    while True:
        found = services.contacts.directory(who, alias_id, page=page, size=3, **options)
        entries.extend(found.entries)
        if not found.more:
            return entries
        page += 1


@pytest.fixture
def crowd(services, team, clock):
    for index, handle in enumerate(HANDLES):
        clock.advance(minutes=1)
        receive(services, team.alias, handle, f"@brand hello {index}")
    clock.advance(minutes=1)
    receive(services, team.alias, "@bob", "@brand bob again")  # bob is now the newest
    return team


def test_the_directory_lists_every_contact_newest_first_page_by_page(services, crowd, database_url):
    entries = _all_pages(services, crowd.lead, crowd.alias.id)
    expected = _sql(
        database_url,
        "SELECT author_handle FROM inbound_message WHERE alias_id = :alias"
        " GROUP BY author_handle ORDER BY MAX(received_at) DESC, author_handle DESC",
        alias=crowd.alias.id,
    )
    assert [e.contact.handles[0] for e in entries][:1] == ["@bob"]
    assert sorted(e.contact.handles[0] for e in entries) == sorted(h for (h,) in expected)
    assert [e.contact.last_contact_at for e in entries] == sorted(
        (e.contact.last_contact_at for e in entries), reverse=True
    )


def test_the_directory_searches_handles_and_display_names_in_any_case(
    services, crowd, database_url
):
    services.contacts.describe(crowd.operator, crowd.alias.id, "@gus", "Gustave ANdré", None)
    found = _all_pages(services, crowd.operator, crowd.alias.id, search="AN")
    (by_handle,) = _sql(
        database_url,
        "SELECT COUNT(DISTINCT author_handle) FROM inbound_message"
        " WHERE alias_id = :alias AND LOWER(author_handle) LIKE '%an%'",
        alias=crowd.alias.id,
    )[0]
    assert len(found) == by_handle + 1  # and Gustave, by his name
    assert "@gus" in {e.contact.handles[0] for e in found}
    underscore = _all_pages(services, crowd.operator, crowd.alias.id, search="_")
    assert [e.contact.handles[0] for e in underscore] == ["@anna_b"]  # _ is not a wildcard


def test_the_directory_filters_by_tag(services, crowd, database_url):
    for handle in ("@eve", "@ann", "@jo"):
        services.contact_tags.tag(crowd.operator, crowd.alias.id, handle, "journalist")
    services.contact_tags.tag(crowd.operator, crowd.alias.id, "@bob", "VIP")
    found = _all_pages(services, crowd.trainee, crowd.alias.id, tag="journalist")
    tagged = _sql(
        database_url,
        "SELECT h.handle FROM contact_tag t JOIN contact_handle h ON h.contact_id = t.contact_id"
        " WHERE t.name = 'journalist'",
    )
    listed = {e.contact.handles[0] for e in found}
    assert listed == {h for (h,) in tagged} == {"@eve", "@ann", "@jo"}
    assert all(e.tags == ("journalist",) for e in found)


def test_the_directory_sorts_by_open_promises(services, crowd, clock, database_url):
    due = clock.now
    promised = {"@dana": 3, "@hank": 1, "@ivan": 2}
    for handle, count in promised.items():
        message = services.contacts.card(crowd.lead, crowd.alias.id, handle).history[0].ref
        for number in range(count):
            services.follow_ups.promise(crowd.operator, message, f"promise {number}", due)
    due_now = services.follow_ups.due(crowd.operator, crowd.alias.id, due)
    done = next(f for f in due_now if f.contact_handle == "@hank")
    services.follow_ups.complete(crowd.operator, done.id)
    found = _all_pages(services, crowd.lead, crowd.alias.id, sort=DirectorySort.OPEN_PROMISES)
    counts = dict(
        _sql(
            database_url,
            "SELECT contact_handle, COUNT(*) FROM follow_up WHERE done_at IS NULL"
            " GROUP BY contact_handle",
        )
    )
    assert [(e.contact.handles[0], e.open_promises) for e in found[:2]] == sorted(
        counts.items(), key=lambda pair: -pair[1]
    )
    assert sum(e.open_promises for e in found) == sum(counts.values()) == 5
    # the rest, with none open, newest first
    assert found[2].contact.handles[0] == "@bob" and found[2].open_promises == 0
    assert len(found) == len(HANDLES)


def test_who_to_get_to_know_ranks_relevancy_and_expertise_over_proximity(services, crowd):
    def rate(handle, facet, value):
        services.contacts.rate(crowd.operator, crowd.alias.id, handle, facet, value, "seen")

    rate("@eve", Facet.RELEVANCY, 5)
    rate("@eve", Facet.EXPERTISE, 5)
    rate("@eve", Facet.PROXIMITY, 5)  # already close: 5
    rate("@jo", Facet.RELEVANCY, 4)
    rate("@jo", Facet.EXPERTISE, 4)  # a stranger worth knowing: 8
    rate("@ann", Facet.EXPERTISE, 2)  # 2
    rate("@bob", Facet.PROXIMITY, 0)  # nothing to go on: left out
    found = _all_pages(services, crowd.lead, crowd.alias.id, sort=DirectorySort.GET_TO_KNOW)
    assert [e.contact.handles[0] for e in found] == ["@jo", "@eve", "@ann"]


def test_directory_pages_count_from_zero(services, crowd):
    with pytest.raises(InvalidInput, match="count from 0"):
        services.contacts.directory(crowd.lead, crowd.alias.id, page=-1)


def test_the_migration_makes_a_contact_for_each_thread_already_there(database_url, clock):
    services = open_services(database_url, clock=clock)
    team = make_team(services)
    first = clock.now
    receive(services, team.alias, "@ann", "@brand one")
    receive(services, team.alias, "@bob", "@brand hi")
    clock.advance(hours=2)
    receive(services, team.alias, "@ann", "@brand two")
    services.close()

    migrate_again(database_url, "0017")
    assert _sql(database_url, "SELECT COUNT(*) FROM contact")[0][0] == 2

    services = open_services(database_url, clock=clock)
    try:
        ann = services.contacts.card(team.lead, team.alias.id, "@ann").contact
        assert (ann.first_contact_at, ann.last_contact_at) == (first, clock.now)
        clock.advance(minutes=1)
        receive(services, team.alias, "@cat", "@brand new after the migration")
        cat = services.contacts.card(team.lead, team.alias.id, "@cat").contact
        assert cat.id not in {ann.id} and cat.handles == ("@cat",)
        listed = services.contacts.directory(team.lead, team.alias.id).entries
        assert [e.contact.handles[0] for e in listed] == ["@cat", "@ann", "@bob"]
    finally:
        services.close()
