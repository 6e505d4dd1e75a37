"""The desk's inbox narrowed to the threads of contacts bearing a tag (the inbox's T key)."""

from cmconsole.domain.contacts import Facet
from cmconsole.services.desk_model import DeskFilters
from cmconsole.services.inbox import InboxFilter
from tests.conftest import receive


def test_the_desk_lists_only_threads_of_contacts_with_the_tag_asked(services, team):
    receive(services, team.alias, "@ann", "@brand hi")
    receive(services, team.alias, "@bob", "@brand yo")
    receive(services, team.alias, "@cat", "@brand hey")
    services.contact_tags.tag(team.operator, team.alias.id, "@bob", "journalist")
    services.contact_tags.tag(team.operator, team.alias.id, "@cat", "journalist")
    services.contacts.rate(team.operator, team.alias.id, "@bob", Facet.REACH, 5, "big audience")

    every = services.desk.read(team.operator, team.alias.id, DeskFilters(timeline=False))
    assert {t.key for t in every.threads} == {"@ann", "@bob", "@cat"}
    tagged = services.desk.read(
        team.operator, team.alias.id, DeskFilters(timeline=False, tag="journalist")
    )
    assert {t.key for t in tagged.threads} == {"@bob", "@cat"}
    # With a sort and another filter, the tag still narrows.
    ranked = services.desk.read(
        team.operator,
        team.alias.id,
        DeskFilters(
            inbox=InboxFilter.UNANSWERED, timeline=False, sort=Facet.REACH, tag="journalist"
        ),
    )
    assert [t.key for t in ranked.threads] == ["@bob", "@cat"]
    nobody = services.desk.read(
        team.operator, team.alias.id, DeskFilters(timeline=False, tag="VIP")
    )
    assert nobody.threads == []
