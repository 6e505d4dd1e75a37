"""Map the contact tables' rows to the domain's contact records."""

from collections.abc import Sequence

from cmconsole.domain.contacts import Contact, ContactNote, Facet, FacetRating
from cmconsole.storage.contact_tables import ContactNoteRow, ContactRatingRow, ContactRow


def contact(row: ContactRow, handles: Sequence[str]) -> Contact:
    assert row.id is not None
    facets = {facet: value for facet in Facet if (value := getattr(row, facet.value)) is not None}
    return Contact(
        row.id,
        row.alias_id,
        tuple(handles),
        row.display_name,
        row.language,
        row.first_contact_at,
        row.last_contact_at,
        facets,
        row.erased_at,
        row.channel_reach,
        row.channel_reach_at,
    )


def contact_note(row: ContactNoteRow, author_name: str) -> ContactNote:
    assert row.id is not None
    return ContactNote(
        row.id,
        row.contact_id,
        row.author_id,
        author_name,
        row.text,
        row.written_at,
        row.pinned,
        row.by_trainee,
        row.corrects_id,
    )


def facet_rating(row: ContactRatingRow, rated_by: str) -> FacetRating:
    return FacetRating(Facet(row.facet), row.value, row.reason, rated_by, row.rated_at)
