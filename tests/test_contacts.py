"""Contacts on both engines: the card across operators, notes, tags, ratings, and who may."""

from datetime import timedelta

import pytest

from cmconsole.domain.contacts import DEFAULT_TAGS, Facet, HistoryKind
from cmconsole.domain.errors import InvalidInput, NotFound, PermissionDenied
from cmconsole.domain.triage import CloseReason
from tests.conftest import PASSPHRASE, receive


def _kinds(services, team):
    return [e.event.kind for e in services.audit.for_alias(team.lead, team.alias.id)]


def test_a_contact_is_made_by_their_first_message_and_kept_current(services, team, clock):
    receive(services, team.alias, "@ann", "@brand hello")
    first = clock.now
    clock.advance(hours=3)
    receive(services, team.alias, "@ann", "@brand again")
    receive(services, team.alias, "@bob", "@brand hi")
    card = services.contacts.card(team.trainee, team.alias.id, "ann")
    assert card.contact.handles == ("@ann",)
    assert (card.contact.first_contact_at, card.contact.last_contact_at) == (first, clock.now)
    assert [i.text for i in card.history if i.kind is HistoryKind.MESSAGE] == [
        "@brand hello",
        "@brand again",
    ]


def test_the_card_holds_the_whole_history_across_two_operators(services, team, clock):
    first = receive(services, team.alias, "@ann", "@brand my order is late")
    receive(services, team.alias, "@bob", "@brand unrelated")
    for person in (team.operator, team.other, team.trainee, team.lead):
        services.shifts.start(person, team.alias.id)
    clock.advance(minutes=1)
    services.posting.reply(team.operator, first, "Sorry, checking now")
    services.follow_ups.promise(
        team.operator, first, "tell ann where the parcel is", clock.now + timedelta(days=1)
    )
    services.handovers.write(team.operator, team.alias.id, "Watch @ann: parcel lost")
    clock.advance(minutes=1)
    second = receive(services, team.alias, "@ann", "@brand still nothing")
    services.claims.take_over(team.trainee, team.alias.id, "@ann")
    clock.advance(minutes=1)
    pending = services.posting.reply(team.trainee, second, "We are on it")
    services.posting.approve(team.lead, pending.id)
    clock.advance(minutes=1)
    services.triage.close(team.other, team.alias.id, ["@ann"], CloseReason.HANDLED_ELSEWHERE, "DM")

    card = services.contacts.card(team.other, team.alias.id, "@ann")

    history = [(i.kind, i.by, i.approved_by, i.text) for i in card.history]
    assert history == [
        (HistoryKind.MESSAGE, "@ann", None, "@brand my order is late"),
        (HistoryKind.REPLY, "otto", None, "Sorry, checking now"),
        (HistoryKind.FOLLOW_UP, "otto", None, "tell ann where the parcel is"),
        (HistoryKind.HANDOVER, "otto", None, "Watch @ann: parcel lost"),
        (HistoryKind.MESSAGE, "@ann", None, "@brand still nothing"),
        (HistoryKind.TAKEN_OVER, "tina", None, ""),
        (HistoryKind.REPLY, "tina", "lena", "We are on it"),
        (HistoryKind.CLOSED, "olga", None, "DM"),
    ]
    assert [p.promise for p in card.open_promises] == ["tell ann where the parcel is"]
    assert [t.contact_handle for t in card.threads] == ["@ann"]


def test_a_done_follow_up_is_no_longer_an_open_promise(services, team, clock):
    message = receive(services, team.alias, "@ann", "@brand hi")
    promise = services.follow_ups.promise(team.operator, message, "call back", clock.now)
    services.follow_ups.complete(team.operator, promise.id)
    card = services.contacts.card(team.operator, team.alias.id, "@ann")
    assert card.open_promises == ()
    assert [i.status for i in card.history if i.kind is HistoryKind.FOLLOW_UP] == ["done"]


def test_a_handover_naming_someone_else_with_a_similar_handle_is_not_theirs(services, team):
    message = receive(services, team.alias, "@a_b", "@brand hi")
    services.shifts.start(team.operator, team.alias.id)
    services.posting.reply(team.operator, message, "Hi!")  # no longer an open thread
    written = services.handovers.write(team.operator, team.alias.id, "Watch @axb and @a_bc")
    assert "@a_b" in written.summary
    card = services.contacts.card(team.operator, team.alias.id, "@a_b")
    assert [i.kind for i in card.history] == [HistoryKind.MESSAGE, HistoryKind.REPLY]


def test_notes_are_appended_pinned_first_and_corrected_by_new_notes(services, team, clock):
    receive(services, team.alias, "@ann", "@brand hi")
    old = services.contacts.note(team.operator, team.alias.id, "@ann", "Prefers email")
    clock.advance(minutes=1)
    pinned = services.contacts.note(
        team.other, team.alias.id, "@ann", "Journalist at Le Monde", pinned=True
    )
    clock.advance(minutes=1)
    fix = services.contacts.note(
        team.lead, team.alias.id, "@ann", "Prefers phone, not email", corrects=old.id
    )
    notes = services.contacts.card(team.trainee, team.alias.id, "@ann").notes
    assert [(n.id, n.author_name, n.corrected) for n in notes] == [
        (pinned.id, "olga", False),
        (fix.id, "lena", False),
        (old.id, "otto", True),
    ]
    assert notes[2].text == "Prefers email"  # still there, as written
    assert _kinds(services, team).count("contact.noted") == 3
    with pytest.raises(NotFound, match="no note 999"):
        services.contacts.note(team.lead, team.alias.id, "@ann", "x", corrects=999)
    with pytest.raises(InvalidInput, match="empty"):
        services.contacts.note(team.lead, team.alias.id, "@ann", "   ")


def test_a_trainee_may_add_notes_which_are_flagged_as_theirs(services, team):
    receive(services, team.alias, "@ann", "@brand hi")
    note = services.contacts.note(team.trainee, team.alias.id, "@ann", "Seems upset")
    services.contacts.note(team.operator, team.alias.id, "@ann", "Long-time fan")
    notes = services.contacts.card(team.lead, team.alias.id, "@ann").notes
    assert {n.text: n.by_trainee for n in notes} == {"Seems upset": True, "Long-time fan": False}
    assert note.by_trainee


def test_the_tag_list_starts_with_the_defaults_and_only_leads_edit_it(services, team):
    receive(services, team.alias, "@ann", "@brand hi")
    assert services.contact_tags.tag_list(team.trainee, team.alias.id) == list(DEFAULT_TAGS)
    for person in (team.operator, team.trainee):
        with pytest.raises(PermissionDenied, match="only a lead"):
            services.contact_tags.edit_tag_list(person, team.alias.id, ["VIP", "press"])
    services.contact_tags.edit_tag_list(team.lead, team.alias.id, ["VIP", "press", " vip "])
    assert services.contact_tags.tag_list(team.operator, team.alias.id) == ["VIP", "press"]
    assert "contact.tags_edited" in _kinds(services, team)
    assert services.contact_tags.tag(team.operator, team.alias.id, "@ann", "PRESS")
    with pytest.raises(InvalidInput, match="not one of @brand's tags"):
        services.contact_tags.tag(team.operator, team.alias.id, "@ann", "journalist")


def test_tagging_is_audited_and_refused_to_trainees(services, team):
    receive(services, team.alias, "@ann", "@brand hi")
    assert services.contact_tags.tag(team.operator, team.alias.id, "@ann", "vip")
    assert not services.contact_tags.tag(team.other, team.alias.id, "@ann", "VIP")
    with pytest.raises(PermissionDenied, match="trainee"):
        services.contact_tags.tag(team.trainee, team.alias.id, "@ann", "partner")
    assert services.contacts.card(team.lead, team.alias.id, "@ann").tags == ("VIP",)
    assert services.contact_tags.untag(team.lead, team.alias.id, "@ann", "vip")
    assert services.contacts.card(team.lead, team.alias.id, "@ann").tags == ()
    kinds = _kinds(services, team)
    assert (kinds.count("contact.tagged"), kinds.count("contact.untagged")) == (1, 1)


def test_a_reply_to_a_do_not_engage_contact_is_warned(services, team):
    receive(services, team.alias, "@troll", "@brand you are awful")
    receive(services, team.alias, "@ann", "@brand hi")
    assert services.contact_tags.reply_warning(team.trainee, team.alias.id, "@troll") is None
    services.contact_tags.tag(team.lead, team.alias.id, "@troll", "do-not-engage")
    warning = services.contact_tags.reply_warning(team.trainee, team.alias.id, "@troll")
    assert warning is not None and "do-not-engage" in warning
    assert services.contact_tags.reply_warning(team.trainee, team.alias.id, "@ann") is None
    assert services.contacts.card(team.trainee, team.alias.id, "@troll").do_not_engage


def test_ratings_keep_their_history_and_the_card_shows_the_current_one(services, team, clock):
    receive(services, team.alias, "@ann", "@brand hi")
    services.contacts.rate(team.operator, team.alias.id, "@ann", Facet.REACH, 2, "small account")
    clock.advance(days=1)
    services.contacts.rate(team.lead, team.alias.id, "@ann", Facet.REACH, 5, "went viral")
    services.contacts.rate(team.other, team.alias.id, "@ann", Facet.TRUST, 4, "kept her word")
    card = services.contacts.card(team.trainee, team.alias.id, "@ann")
    assert [(r.facet, r.value, r.rated_by, r.reason) for r in card.ratings] == [
        (Facet.REACH, 5, "lena", "went viral"),
        (Facet.TRUST, 4, "olga", "kept her word"),
    ]
    assert card.contact.facets == {Facet.REACH: 5, Facet.TRUST: 4}
    history = services.contacts.ratings(team.trainee, team.alias.id, "@ann", Facet.REACH)
    assert [(r.value, r.rated_by) for r in history] == [(2, "otto"), (5, "lena")]
    assert _kinds(services, team).count("contact.rated") == 3


@pytest.mark.parametrize(("value", "reason", "words"), [(6, "why", "from 0 to 5"), (3, " ", "why")])
def test_a_rating_needs_a_value_in_range_and_a_reason(services, team, value, reason, words):
    receive(services, team.alias, "@ann", "@brand hi")
    with pytest.raises(InvalidInput, match=words):
        services.contacts.rate(team.operator, team.alias.id, "@ann", Facet.TRUST, value, reason)


def test_a_trainee_reads_ratings_but_does_not_rate_or_describe(services, team):
    receive(services, team.alias, "@ann", "@brand hi")
    with pytest.raises(PermissionDenied, match="trainee"):
        services.contacts.rate(team.trainee, team.alias.id, "@ann", Facet.TRUST, 3, "nice")
    with pytest.raises(PermissionDenied, match="trainee"):
        services.contacts.describe(team.trainee, team.alias.id, "@ann", "Ann", "fr")
    assert services.contacts.card(team.trainee, team.alias.id, "@ann").ratings == ()


def test_who_a_contact_is_is_said_by_an_operator(services, team):
    receive(services, team.alias, "@ann", "@brand hi")
    described = services.contacts.describe(team.operator, team.alias.id, "@ann", "Ann M.", "FR")
    assert (described.display_name, described.language) == ("Ann M.", "fr")
    with pytest.raises(InvalidInput, match="language code"):
        services.contacts.describe(team.operator, team.alias.id, "@ann", "Ann", "f r!")
    assert "contact.described" in _kinds(services, team)


def test_someone_without_a_role_on_the_alias_reads_and_writes_nothing(services, team):
    receive(services, team.alias, "@ann", "@brand hi")
    services.accounts.add_operator("zoe", "Zoe Outsider", PASSPHRASE, by=team.lead)
    zoe = services.accounts.sign_in("zoe", PASSPHRASE)
    for attempt in (
        lambda: services.contacts.card(zoe, team.alias.id, "@ann"),
        lambda: services.contacts.note(zoe, team.alias.id, "@ann", "hi"),
        lambda: services.contacts.directory(zoe, team.alias.id),
        lambda: services.contact_tags.tag_list(zoe, team.alias.id),
    ):
        with pytest.raises(PermissionDenied, match="no role on @brand"):
            attempt()


def test_an_unknown_contact_is_named_in_the_refusal(services, team):
    with pytest.raises(NotFound, match="@brand has no contact @nobody"):
        services.contacts.card(team.lead, team.alias.id, "@nobody")
