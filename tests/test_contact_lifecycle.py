"""A contact's lifecycle on both engines: two contacts of one person merged (and the merge
undone), a contact's data erased on request with the ledger intact and the search blind to it,
and exported; only leads do any of it."""

import json

import pytest

from cmconsole.domain.contacts import Facet, HistoryKind
from cmconsole.domain.errors import NotFound, PermissionDenied
from tests.conftest import receive


def _messages(card):
    return [(i.handle, i.text) for i in card.history if i.kind is HistoryKind.MESSAGE]


def _directory(services, team):
    return [
        e.contact.handles for e in services.contacts.directory(team.lead, team.alias.id).entries
    ]


@pytest.fixture
def two_handles(services, team, clock):
    """One person writing from @ann and @ann_work: a reply to each, notes, tags, ratings."""
    for person in (team.lead, team.operator):
        services.shifts.start(person, team.alias.id)
    first = receive(services, team.alias, "@ann", "@brand my parcel is late")
    services.posting.reply(team.operator, first, "Sorry, checking")
    clock.advance(hours=1)
    second = receive(services, team.alias, "@ann_work", "@brand still no parcel, Ann")
    services.posting.reply(team.operator, second, "On it, Ann")
    services.contacts.note(team.operator, team.alias.id, "@ann", "loyal since 2019")
    services.contacts.note(team.operator, team.alias.id, "@ann_work", "writes from work")
    services.contact_tags.tag(team.lead, team.alias.id, "@ann", "VIP")
    services.contact_tags.tag(team.lead, team.alias.id, "@ann_work", "VIP")
    services.contact_tags.tag(team.lead, team.alias.id, "@ann_work", "journalist")
    services.contacts.rate(team.operator, team.alias.id, "@ann", Facet.TRUST, 2, "was angry")
    clock.advance(minutes=1)
    services.contacts.rate(team.operator, team.alias.id, "@ann_work", Facet.TRUST, 4, "calm")
    services.contacts.rate(team.operator, team.alias.id, "@ann_work", Facet.REACH, 3, "blog")
    return first, second


def test_a_merge_brings_handles_notes_tags_ratings_and_history_and_undoing_it_restores_both(
    services, team, two_handles
):
    before = {h: services.contacts.card(team.lead, team.alias.id, h) for h in ("@ann", "@ann_work")}

    kept = services.contact_life.merge(team.lead, team.alias.id, "@ann", "@ann_work")

    assert kept.handles == ("@ann", "@ann_work")
    card = services.contacts.card(team.operator, team.alias.id, "@ann_work")
    assert card.contact.id == kept.id
    assert _messages(card) == [
        ("@ann", "@brand my parcel is late"),
        ("@ann_work", "@brand still no parcel, Ann"),
    ]
    assert [i.text for i in card.history if i.kind is HistoryKind.REPLY] == [
        "Sorry, checking",
        "On it, Ann",
    ]
    assert {n.text for n in card.notes} == {"loyal since 2019", "writes from work"}
    assert card.tags == ("VIP", "journalist")
    assert {(r.facet, r.value) for r in card.ratings} == {(Facet.TRUST, 4), (Facet.REACH, 3)}
    assert card.contact.first_contact_at == before["@ann"].contact.first_contact_at
    assert card.contact.last_contact_at == before["@ann_work"].contact.last_contact_at
    assert _directory(services, team) == [("@ann", "@ann_work")]

    kept_after, restored = services.contact_life.unmerge(team.lead, team.alias.id, "@ann_work")

    assert (kept_after.handles, restored.handles) == (("@ann",), ("@ann_work",))
    for handle, earlier in before.items():
        now = services.contacts.card(team.lead, team.alias.id, handle)
        assert now.contact == earlier.contact
        assert (now.tags, now.notes, now.ratings) == (earlier.tags, earlier.notes, earlier.ratings)
        assert now.history == earlier.history
    assert sorted(_directory(services, team)) == [("@ann",), ("@ann_work",)]
    kinds = [e.event.kind for e in services.audit.for_alias(team.lead, team.alias.id)]
    assert kinds.count("contact.merged") == kinds.count("contact.unmerged") == 1
    assert services.audit.verify().intact
    with pytest.raises(NotFound, match="nothing to undo"):
        services.contact_life.unmerge(team.lead, team.alias.id, "@ann_work")


def test_a_note_added_after_a_merge_stays_with_the_kept_contact_when_undone(
    services, team, two_handles
):
    services.contact_life.merge(team.lead, team.alias.id, "@ann", "@ann_work")
    services.contacts.note(team.operator, team.alias.id, "@ann_work", "merged: same person")
    services.contact_life.unmerge(team.lead, team.alias.id, "ann_work")
    ann = services.contacts.card(team.lead, team.alias.id, "@ann")
    assert "merged: same person" in {n.text for n in ann.notes}


@pytest.mark.parametrize("role", ["operator", "trainee"])
def test_only_leads_merge_unmerge_erase_and_export(services, team, two_handles, role):
    who = getattr(team, role)
    life = services.contact_life
    for attempt in (
        lambda: life.merge(who, team.alias.id, "@ann", "@ann_work"),
        lambda: life.unmerge(who, team.alias.id, "@ann_work"),
        lambda: life.erase(who, team.alias.id, "@ann"),
        lambda: life.export(who, team.alias.id, "@ann"),
    ):
        with pytest.raises(PermissionDenied, match="only a lead"):
            attempt()
    assert _directory(services, team) and len(_directory(services, team)) == 2


def test_an_erasure_redacts_everywhere_and_the_ledger_still_verifies(services, team, two_handles):
    services.contacts.describe(team.lead, team.alias.id, "@ann", "Ann Example", "fr")
    services.contact_life.merge(team.lead, team.alias.id, "@ann", "@ann_work")
    assert services.search.search(team.lead, team.alias.id, "parcel").hits

    counts = services.contact_life.erase(team.lead, team.alias.id, "@ann_work")

    assert counts == {"messages": 2, "notes": 2, "ratings": 3}
    card = services.contacts.card(team.lead, team.alias.id, "@ann")
    assert card.contact.erased_at is not None
    assert (card.contact.display_name, card.contact.language) == ("", None)
    assert _messages(card) == [("@ann", ""), ("@ann_work", "")]
    assert {n.text for n in card.notes} == {""}
    assert {r.reason for r in services.contacts.ratings(team.lead, team.alias.id, "@ann")} == {""}
    for words in ("parcel", "Ann"):
        found = services.search.search(team.lead, team.alias.id, words).hits
        assert [h.text for h in found if h.kind.value == "message"] == []
    report = services.audit.verify()
    assert report.intact, [str(p) for p in report.tampered]
    events = [e.event for e in services.audit.for_alias(team.lead, team.alias.id)]
    [erased] = [e for e in events if e.kind == "contact.erased"]
    assert erased.actor_id == team.lead.operator_id
    ledger = json.dumps([(e.kind, e.details) for e in events])
    for said in ("loyal since 2019", "was angry", "calm", "Ann Example", "parcel"):
        assert said not in ledger
    exported = services.contact_life.export(team.lead, team.alias.id, "@ann")
    assert "parcel" not in json.dumps(exported) and "loyal" not in json.dumps(exported)


def test_an_export_holds_what_was_stored(services, team, two_handles):
    _, second = two_handles
    services.contacts.describe(team.lead, team.alias.id, "@ann_work", "Ann E.", "en")

    exported = services.contact_life.export(team.lead, team.alias.id, "@ann_work")

    assert json.loads(json.dumps(exported)) == exported
    assert exported["alias"] == "@brand"
    assert exported["handles"] == ["@ann_work"]
    assert exported["profile"]["display_name"] == "Ann E."
    assert exported["profile"]["language"] == "en"
    assert [(m["id"], m["text"]) for m in exported["messages"]] == [
        (second, "@brand still no parcel, Ann")
    ]
    assert [(r["text"], r["by"]) for r in exported["replies"]] == [("On it, Ann", "otto")]
    assert [n["text"] for n in exported["notes"]] == ["writes from work"]
    assert exported["tags"] == ["VIP", "journalist"]
    assert [(r["facet"], r["value"], r["reason"]) for r in exported["ratings"]] == [
        ("trust", 4, "calm"),
        ("reach", 3, "blog"),
    ]
    assert exported["follow_ups"] == []
    kinds = [e.event.kind for e in services.audit.for_alias(team.lead, team.alias.id)]
    assert "contact.exported" in kinds


def test_the_migration_goes_down_and_up_again(services, team, two_handles, database_url):
    from tests.migrating import migrate_again

    services.contact_life.merge(team.lead, team.alias.id, "@ann", "@ann_work")
    services.contact_life.unmerge(team.lead, team.alias.id, "@ann_work")
    services.contact_life.erase(team.lead, team.alias.id, "@ann")

    migrate_again(database_url, "0018")

    kept = services.contact_life.merge(team.lead, team.alias.id, "@ann_work", "@ann")
    assert kept.handles == ("@ann", "@ann_work")
    assert services.contact_life.unmerge(team.lead, team.alias.id, "@ann")[1].handles == ("@ann",)


def test_merges_chain_and_are_undone_newest_first(services, team, two_handles):
    receive(services, team.alias, "@ann_3", "@brand third account")
    services.contacts.note(team.operator, team.alias.id, "@ann_3", "third")
    services.contact_life.merge(team.lead, team.alias.id, "@ann_work", "@ann_3")
    services.contact_life.merge(team.lead, team.alias.id, "@ann", "@ann_work")
    card = services.contacts.card(team.lead, team.alias.id, "@ann_3")
    assert card.contact.handles == ("@ann", "@ann_3", "@ann_work")
    assert {"third", "loyal since 2019", "writes from work"} == {n.text for n in card.notes}

    _, restored = services.contact_life.unmerge(team.lead, team.alias.id, "@ann_3")

    assert restored.handles == ("@ann_3", "@ann_work")
    _, restored = services.contact_life.unmerge(team.lead, team.alias.id, "@ann_3")
    assert restored.handles == ("@ann_3",)
    assert [n.text for n in services.contacts.card(team.lead, team.alias.id, "@ann_3").notes] == [
        "third"
    ]
    assert sorted(_directory(services, team)) == [("@ann",), ("@ann_3",), ("@ann_work",)]
