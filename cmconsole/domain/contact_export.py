"""What the alias holds about a contact, as one JSON-ready record (GDPR art. 15)."""

from collections.abc import Sequence
from datetime import datetime

from cmconsole.domain.contacts import ContactCard, FacetRating, HistoryKind

_KINDS = {
    HistoryKind.MESSAGE: "messages",
    HistoryKind.REPLY: "replies",
    HistoryKind.FOLLOW_UP: "follow_ups",
}


def _at(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def contact_export(
    card: ContactCard, ratings: Sequence[FacetRating], alias_handle: str, now: datetime
) -> dict[str, object]:
    """The contact's profile, handles, messages, the replies to them, notes, tags, every rating
    given and the follow-ups promised them."""
    contact = card.contact
    record: dict[str, object] = {
        "exported_at": now.isoformat(),
        "alias": alias_handle,
        "profile": {
            "display_name": contact.display_name,
            "language": contact.language,
            "first_contact_at": _at(contact.first_contact_at),
            "last_contact_at": _at(contact.last_contact_at),
            "erased_at": _at(contact.erased_at),
        },
        "handles": list(contact.handles),
        "tags": list(card.tags),
        "notes": [
            {
                "id": n.id,
                "author": n.author_name,
                "written_at": n.written_at.isoformat(),
                "text": n.text,
                "pinned": n.pinned,
                "corrects": n.corrects_id,
            }
            for n in sorted(card.notes, key=lambda n: n.id)
        ],
        "ratings": [
            {
                "facet": r.facet.value,
                "value": r.value,
                "reason": r.reason,
                "by": r.rated_by,
                "at": r.rated_at.isoformat(),
            }
            for r in ratings
        ],
    }
    for name in _KINDS.values():
        record[name] = []
    for item in card.history:
        if item.kind in _KINDS:
            entries = record[_KINDS[item.kind]]
            assert isinstance(entries, list)
            entries.append(
                {
                    "id": item.ref,
                    "at": item.at.isoformat(),
                    "handle": item.handle,
                    "by": item.by,
                    "text": item.text,
                    "status": item.status,
                }
            )
    return record
