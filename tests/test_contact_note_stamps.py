"""A contact note's text is stamped in the ledger, salted, as a reply's is: `audit verify` proves
what was noted, an erasure (GDPR art. 17) redacts the text with its salt and verify still
passes, and any other edit of a note is tampering. On every engine."""

from tests.conftest import receive
from tests.test_ledger_erasure import _sql

NOTED = "loyal since 2019, lives on Elm Road"


def _noted(services, team):
    for handle, text in (("@ann", NOTED), ("@bob", "prefers DMs")):
        receive(services, team.alias, handle, f"@brand hello from {handle}")
        services.contacts.note(team.operator, team.alias.id, handle, text)
    [ann] = services.contacts.card(team.lead, team.alias.id, "@ann").notes
    [bob] = services.contacts.card(team.lead, team.alias.id, "@bob").notes
    return ann, bob


def test_a_notes_event_stamps_its_text_without_holding_it(services, database_url, team):
    ann, _ = _noted(services, team)

    [rows] = _sql(
        database_url,
        "SELECT content_ref, content, details FROM audit_event WHERE kind = 'contact.noted' "
        "ORDER BY seq",
    )
    assert [ref for ref, _, _ in rows] == [f"contact_note {ann.id}", f"contact_note {ann.id + 1}"]
    _, stamp, details = rows[0]
    assert '"text":"' in stamp and "Elm Road" not in stamp and "Elm Road" not in details
    report = services.audit.verify()
    assert report.intact, [str(p) for p in report.tampered]


def test_a_rewritten_note_fails_verify_and_names_the_field(services, database_url, team):
    _, bob = _noted(services, team)

    _sql(database_url, f"UPDATE contact_note SET text = 'never said' WHERE id = {bob.id}")

    report = services.audit.verify()
    assert [(p.ref, p.fields) for p in report.tampered] == [(f"contact_note {bob.id}", ("text",))]
    assert not report.intact


def test_an_erased_contacts_notes_are_redacted_and_verify_still_passes(
    services, database_url, team
):
    ann, bob = _noted(services, team)
    services.contacts.note(
        team.lead, team.alias.id, "@ann", "correction: Oak Road", corrects=ann.id
    )

    counts = services.contact_life.erase(team.lead, team.alias.id, "@ann")

    assert counts["notes"] == 2
    [rows] = _sql(database_url, "SELECT text, content_salt FROM contact_note ORDER BY id")
    assert rows == [("", None), (rows[1][0], rows[1][1]), ("", None)]
    assert rows[1][0] == "prefers DMs"
    report = services.audit.verify()
    assert report.intact, [str(p) for p in report.tampered]
    assert sorted(report.redacted) == [f"contact_note {ann.id}", f"contact_note {bob.id + 1}"]

    # Blanking a note's text while keeping its salt is not the designed erasure: tampering.
    _sql(database_url, f"UPDATE contact_note SET text = '' WHERE id = {bob.id}")
    report = services.audit.verify()
    assert [(p.ref, p.fields) for p in report.tampered] == [(f"contact_note {bob.id}", ("text",))]


def test_a_notes_other_fields_are_stamped_too(services, database_url, team):
    _, bob = _noted(services, team)

    _sql(database_url, f"UPDATE contact_note SET pinned = TRUE, author_id = 1 WHERE id = {bob.id}")

    report = services.audit.verify()
    assert [(p.ref, p.fields) for p in report.tampered] == [
        (f"contact_note {bob.id}", ("author", "pinned"))
    ]
