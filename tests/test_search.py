"""Searching an alias's threads: messages and replies, ranked and paged. On every engine."""

import pytest

from cmconsole.domain.errors import InvalidInput, PermissionDenied
from cmconsole.domain.model import Role
from cmconsole.domain.search import HitKind
from cmconsole.storage import search as search_storage
from tests.conftest import PASSPHRASE, receive


def said(services, team, author, text, clock):
    clock.advance(minutes=1)
    return receive(services, team.alias, author, text)


def texts(page):
    return [hit.text for hit in page.hits]


def test_the_best_match_comes_first_then_the_newest(services, team, clock):
    said(services, team, "@ana", "@brand my refund, where is my refund? refund please", clock)
    said(services, team, "@bob", "@brand still waiting for the refund", clock)
    said(services, team, "@cy", "@brand nothing about money here at all", clock)
    said(services, team, "@dee", "@brand still waiting for the refund", clock)
    page = services.search.search(team.operator, team.alias.id, "refund")
    assert [hit.contact for hit in page.hits] == ["@ana", "@dee", "@bob"]
    assert page.hits[0].rank > page.hits[1].rank == page.hits[2].rank
    assert page.hits[1].at > page.hits[2].at
    assert all(hit.kind is HitKind.MESSAGE and hit.message_id == hit.id for hit in page.hits)
    assert not page.more


def test_pages_follow_on_without_repeating_or_skipping(services, team, clock):
    ids = [said(services, team, f"@fan{n}", f"@brand parcel number {n}", clock) for n in range(5)]
    pages = [services.search.search(team.operator, team.alias.id, "parcel", p, 2) for p in range(3)]
    assert [len(p.hits) for p in pages] == [2, 2, 1]
    assert [p.more for p in pages] == [True, True, False]
    found = [hit.id for p in pages for hit in p.hits]
    assert found == list(reversed(ids))  # equal ranks: newest first
    assert services.search.search(team.operator, team.alias.id, "parcel", 3, 2).hits == []


def test_every_word_must_be_there(services, team, clock):
    said(services, team, "@ana", "@brand the parcel is late", clock)
    said(services, team, "@bob", "@brand the invoice is late", clock)
    page = services.search.search(team.operator, team.alias.id, "late parcel")
    assert [hit.contact for hit in page.hits] == ["@ana"]


def test_english_words_are_found_by_their_stem(services, team, clock):
    said(services, team, "@ana", "@brand I was refunded twice", clock)
    said(services, team, "@bob", "@brand are you refunding me or not", clock)
    page = services.search.search(team.operator, team.alias.id, "refunds")
    assert sorted(hit.contact for hit in page.hits) == ["@ana", "@bob"]


def test_a_french_alias_finds_words_without_their_accents_or_endings(services, team, clock):
    lead = team.lead
    alias = services.accounts.add_alias("@belle", "Belle", language="fr", by=lead)
    services.accounts.grant("lena", "@belle", Role.LEAD, by=lead)
    services.accounts.grant("otto", "@belle", Role.OPERATOR, by=lead)
    receive(services, alias, "@ana", "@belle j'attends mon remboursement depuis dix jours")
    clock.advance(minutes=1)
    receive(services, alias, "@bob", "@belle vous m'avez remboursé deux fois !")
    clock.advance(minutes=1)
    receive(services, alias, "@cy", "@belle je n'ai jamais reçu la commande")
    clock.advance(minutes=1)
    receive(services, alias, "@dee", "@belle où sont mes commandes ?")
    search = services.search.search
    both = search(team.operator, alias.id, "rembourser")
    assert sorted(hit.contact for hit in both.hits) == ["@ana", "@bob"]
    assert [hit.contact for hit in search(team.operator, alias.id, "recu").hits] == ["@cy"]
    orders = search(team.operator, alias.id, "commande")
    assert sorted(hit.contact for hit in orders.hits) == ["@cy", "@dee"]
    assert [hit.contact for hit in search(team.operator, alias.id, "REÇUE").hits] == ["@cy"]


def test_published_replies_are_found_in_their_thread(services, team, clock):
    asked = said(services, team, "@ana", "@brand where is my order?", clock)
    services.shifts.start(team.operator, team.alias.id)
    services.posting.reply(team.operator, asked, "Your replacement ships tomorrow morning.")
    services.dispatcher.dispatch_pending()
    said(services, team, "@bob", "@brand is the replacement coming?", clock)
    page = services.search.search(team.lead, team.alias.id, "replacement")
    kinds = {hit.kind: hit for hit in page.hits}
    assert set(kinds) == {HitKind.MESSAGE, HitKind.REPLY}
    reply = kinds[HitKind.REPLY]
    assert (reply.contact, reply.message_id) == ("@ana", asked)
    assert reply.text == "Your replacement ships tomorrow morning."


def test_another_alias_is_never_searched(services, team, clock):
    lead = team.lead
    other = services.accounts.add_alias("@other", "Other", by=lead)
    services.accounts.grant("lena", "@other", Role.LEAD, by=lead)
    services.accounts.grant("otto", "@other", Role.OPERATOR, by=lead)
    receive(services, other, "@ana", "@other secret parcel")
    said(services, team, "@bob", "@brand my parcel", clock)
    page = services.search.search(team.operator, team.alias.id, "parcel")
    assert [hit.contact for hit in page.hits] == ["@bob"]
    assert services.search.search(team.operator, other.id, "my").hits == []


def test_only_members_of_the_alias_may_search_it(services, team, clock):
    said(services, team, "@ana", "@brand my parcel", clock)
    services.accounts.add_operator("zed", "Zed Outsider", PASSPHRASE, by=team.lead)
    zed = services.accounts.sign_in("zed", PASSPHRASE)
    with pytest.raises(PermissionDenied, match="no role on @brand"):
        services.search.search(zed, team.alias.id, "parcel")


@pytest.mark.parametrize("query", ["", "   ", '"', "*", "-", "(", "():^*-+"])
def test_a_query_without_words_is_refused_plainly(services, team, query):
    with pytest.raises(InvalidInput, match="at least one word"):
        services.search.search(team.operator, team.alias.id, query)


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ('"parcel', ["@ana"]),
        ("parcel*", ["@ana"]),
        ("-parcel", ["@ana"]),
        ("NEAR(parcel late", ["@ana"]),
        ("parcel AND late", ["@ana"]),
        ("^parcel", ["@ana"]),
        ("text:parcel", []),  # two words, never in the same message
        ("'; DROP TABLE post; --", []),
    ],
)
def test_search_syntax_typed_by_people_is_taken_as_words(services, team, clock, query, found):
    said(services, team, "@ana", "@brand the parcel is late and near the door", clock)
    said(services, team, "@bob", "@brand the invoice text", clock)
    page = services.search.search(team.operator, team.alias.id, query)
    assert [hit.contact for hit in page.hits] == found


def test_page_numbers_and_sizes_are_checked(services, team):
    with pytest.raises(InvalidInput, match="numbered from 0"):
        services.search.search(team.operator, team.alias.id, "parcel", -1)
    with pytest.raises(InvalidInput, match="1 to 200"):
        services.search.search(team.operator, team.alias.id, "parcel", 0, 0)


def test_messages_from_before_the_migration_are_found_and_it_can_be_undone(database_url, clock):
    from cmconsole.wiring import open_services
    from tests.conftest import make_team
    from tests.migrating import migrate_again

    services = open_services(database_url, clock=clock)
    team = make_team(services)
    receive(services, team.alias, "@ana", "@brand my parcel is late")
    services.close()
    migrate_again(database_url, "0013")
    services = open_services(database_url, clock=clock)
    try:
        page = services.search.search(team.operator, team.alias.id, "parcel")
        assert [hit.contact for hit in page.hits] == ["@ana"]
    finally:
        services.close()


def test_a_thread_opens_around_an_old_message_a_search_found(services, team, clock):
    ids = [said(services, team, "@ana", f"@brand note {n}", clock) for n in range(70)]
    said(services, team, "@ana", "@brand the parcel finally came", clock)
    ids.append(said(services, team, "@bob", "@brand hello", clock))
    [hit] = services.search.search(team.operator, team.alias.id, "note 5").hits
    conversation = services.inbox.conversation(team.operator, team.alias.id, "@ana", hit.message_id)
    shown = [message.id for message in conversation.messages]
    assert hit.message_id in shown and shown == sorted(shown)
    assert shown[0] == ids[0] and len(shown) == 50  # nothing older to show: the rest after it
    latest = services.inbox.conversation(team.operator, team.alias.id, "@ana")
    assert hit.message_id not in [message.id for message in latest.messages]
    middle = services.inbox.conversation(team.operator, team.alias.id, "@ana", ids[40])
    shown = [message.id for message in middle.messages]
    assert shown == ids[16:66]


def test_a_common_word_is_ranked_among_its_newest_matches_and_a_second_word_reaches_older_ones(
    services, team, clock, monkeypatch
):
    monkeypatch.setattr(search_storage, "WINDOW", 3)
    said(services, team, "@old", "@brand parcel parcel parcel lost in the storm", clock)
    for n in range(4):
        said(services, team, f"@fan{n}", f"@brand parcel number {n}", clock)
    page = services.search.search(team.operator, team.alias.id, "parcel")
    assert [hit.contact for hit in page.hits] == ["@fan3", "@fan2", "@fan1"]
    assert not page.more
    refined = services.search.search(team.operator, team.alias.id, "parcel storm")
    assert [hit.contact for hit in refined.hits] == ["@old"]


def test_another_alias_busier_with_the_same_word_never_crowds_this_one_out(
    services, team, clock, monkeypatch
):
    monkeypatch.setattr(search_storage, "WINDOW", 2)
    said(services, team, "@ana", "@brand my parcel", clock)
    said(services, team, "@bob", "@brand your parcel", clock)
    other = services.accounts.add_alias("@other", "Other", by=team.lead)
    services.accounts.grant("lena", "@other", Role.LEAD, by=team.lead)
    for n in range(5):
        clock.advance(minutes=1)
        receive(services, other, f"@fan{n}", f"@other parcel {n}")
    page = services.search.search(team.operator, team.alias.id, "parcel")
    assert [hit.contact for hit in page.hits] == ["@bob", "@ana"]
