"""The inbox ranks the contacts the alias owes something first, and sorts or filters by contact."""

from datetime import timedelta

from sqlalchemy import bindparam, create_engine, text

from cmconsole.domain.contacts import Facet
from cmconsole.services.inbox import InboxFilter
from tests.conftest import receive

# Written apart from the storage code: promises due to the person (any of their handles), then
# the facet's rating (unrated last), then newest activity.
_RANKED_SQL = """
SELECT t.contact_handle FROM contact_thread t
LEFT JOIN contact_handle h ON h.alias_id = t.alias_id AND h.handle = t.contact_handle
LEFT JOIN contact c ON c.id = h.contact_id
WHERE t.alias_id = :alias AND t.state <> 'spam'
ORDER BY
  CASE WHEN EXISTS (
    SELECT 1 FROM follow_up f
    LEFT JOIN contact_handle fh ON fh.alias_id = f.alias_id AND fh.handle = f.contact_handle
    WHERE f.alias_id = t.alias_id AND f.done_at IS NULL AND f.id IN :due
      AND (f.contact_handle = t.contact_handle OR fh.contact_id = h.contact_id)
  ) THEN 0 ELSE 1 END,
  CASE WHEN :by_facet AND c.relevancy IS NOT NULL THEN 0 ELSE 1 END,
  CASE WHEN :by_facet THEN c.relevancy END DESC,
  t.last_activity_at DESC, t.id DESC
"""


def _handles(services, who, alias, **options):
    return [t.thread.contact_handle for t in services.inbox.threads(who, alias.id, **options)]


def _expected(database_url, alias_id, due_ids, by_facet):
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            query = text(_RANKED_SQL).bindparams(bindparam("due", expanding=True))
            rows = connection.execute(
                query, {"alias": alias_id, "due": due_ids or [-1], "by_facet": by_facet}
            )
            return [row[0] for row in rows]
    finally:
        engine.dispose()


def test_due_promises_rank_first_per_contact_then_the_facet_then_activity(
    services, team, clock, database_url
):
    messages = {}
    for handle in ("@ann", "@bob", "@cat", "@dan", "@dan_alt", "@eve", "@fay"):
        messages[handle] = receive(services, team.alias, handle, f"{handle} writes to @brand")
        clock.advance(minutes=1)
    # @dan_alt is another handle of the same person as @dan.
    engine = create_engine(database_url)
    with engine.begin() as connection:
        connection.execute(
            text(
                "UPDATE contact_handle SET contact_id = "
                "(SELECT contact_id FROM contact_handle WHERE handle = '@dan') "
                "WHERE handle = '@dan_alt'"
            )
        )
    engine.dispose()
    promise = services.follow_ups.promise
    soon = clock.now + timedelta(hours=1)
    due = [promise(team.operator, messages["@dan"], "we get back to you", soon).id]
    done = promise(team.operator, messages["@fay"], "we get back to you", soon)
    services.follow_ups.complete(team.operator, done.id)
    promise(team.operator, messages["@eve"], "next week", soon + timedelta(days=7))
    services.contacts.rate(team.operator, team.alias.id, "@ann", Facet.RELEVANCY, 5, "press")
    services.contacts.rate(team.operator, team.alias.id, "@bob", Facet.RELEVANCY, 2, "a fan")
    services.contacts.rate(team.operator, team.alias.id, "@cat", Facet.REACH, 5, "big account")

    before = _handles(services, team.operator, team.alias)
    assert before == _expected(database_url, team.alias.id, [], False)
    assert before[0] == "@fay"  # nothing is due yet: newest activity first

    clock.advance(hours=2)
    plain = _handles(services, team.operator, team.alias)
    assert plain == _expected(database_url, team.alias.id, due, False)
    assert plain[:2] == ["@dan_alt", "@dan"]

    by_relevancy = _handles(services, team.operator, team.alias, sort=Facet.RELEVANCY)
    assert by_relevancy == _expected(database_url, team.alias.id, due, True)
    assert by_relevancy[:4] == ["@dan_alt", "@dan", "@ann", "@bob"]


def test_the_inbox_filters_by_a_tag_and_keeps_the_state_filter(services, team, clock):
    for handle in ("@ann", "@bob", "@cat"):
        receive(services, team.alias, handle, f"{handle} writes to @brand")
        clock.advance(minutes=1)
    services.contact_tags.tag(team.operator, team.alias.id, "@ann", "journalist")
    services.contact_tags.tag(team.operator, team.alias.id, "@cat", "journalist")
    assert _handles(services, team.operator, team.alias, tag="journalist") == ["@cat", "@ann"]
    assert _handles(services, team.operator, team.alias, tag="VIP") == []
    assert (
        _handles(services, team.operator, team.alias, which=InboxFilter.SPAM, tag="journalist")
        == []
    )


def test_the_facet_sort_reads_each_rated_persons_handles_and_keeps_the_tag_filter(
    services, team, clock, database_url
):
    for handle in ("@ann", "@bob", "@ann_alt", "@cat", "@dan", "@eve"):
        receive(services, team.alias, handle, f"{handle} writes to @brand")
        clock.advance(minutes=1)
    engine = create_engine(database_url)
    with engine.begin() as connection:  # @ann_alt is another handle of the same person as @ann
        connection.execute(
            text(
                "UPDATE contact_handle SET contact_id = "
                "(SELECT contact_id FROM contact_handle WHERE handle = '@ann') "
                "WHERE handle = '@ann_alt'"
            )
        )
    engine.dispose()
    rate = services.contacts.rate
    rate(team.operator, team.alias.id, "@ann", Facet.RELEVANCY, 3, "press")
    rate(team.operator, team.alias.id, "@cat", Facet.RELEVANCY, 3, "press")
    rate(team.operator, team.alias.id, "@bob", Facet.RELEVANCY, 5, "partner")
    for handle in ("@ann", "@bob", "@dan", "@eve"):
        services.contact_tags.tag(team.operator, team.alias.id, handle, "journalist")

    by_relevancy = _handles(services, team.operator, team.alias, sort=Facet.RELEVANCY)
    assert by_relevancy == ["@bob", "@cat", "@ann_alt", "@ann", "@eve", "@dan"]
    assert by_relevancy == _expected(database_url, team.alias.id, [], True)
    tagged = _handles(services, team.operator, team.alias, sort=Facet.RELEVANCY, tag="journalist")
    assert tagged == ["@bob", "@ann_alt", "@ann", "@eve", "@dan"]
