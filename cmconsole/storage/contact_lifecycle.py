"""Merging two contacts (and undoing it) and erasing a contact's personal data, in storage."""

import json
from datetime import datetime

from sqlalchemy import delete, func, text, update
from sqlmodel import Session, col, select

from cmconsole.domain.contacts import Contact, ContactMerge, Facet
from cmconsole.storage.contact_tables import (
    ContactHandleRow,
    ContactMergeRow,
    ContactNoteRow,
    ContactRatingRow,
    ContactRow,
    ContactTagRow,
)
from cmconsole.storage.tables import InboundMessageRow

# The owner's function that redacts a contact's notes and rating reasons on PostgreSQL (0021).
ERASE_FUNCTION = "cmconsole_erase_contact_notes"


def group(session: Session, contact_id: int) -> list[int]:
    """The contact and every contact merged into it, directly or through another."""
    found, frontier = [contact_id], [contact_id]
    while frontier:
        frontier = [
            int(i)
            for i in session.exec(
                select(ContactRow.id).where(col(ContactRow.merged_into).in_(frontier))
            )
            if i is not None
        ]
        found += frontier
    return found


def merge(session: Session, kept: Contact, merged: Contact, by_id: int, now: datetime) -> int:
    """Move the merged contact's handles and tags to the kept one, and record what moved so that
    the merge can be undone; the merge's id. Notes and ratings stay on the merged contact's row
    (the console role may only append to them: storage/grants.py) and are read with the kept
    one's as long as it is merged into it (`group`)."""
    kept_tags = set(
        session.exec(select(ContactTagRow.name).where(ContactTagRow.contact_id == kept.id))
    )
    tag_rows = session.exec(
        select(ContactTagRow).where(ContactTagRow.contact_id == merged.id)
    ).all()
    added = sorted(t.name for t in tag_rows if t.name not in kept_tags)
    moved: dict[str, object] = {
        "handles": list(merged.handles),
        "tags": [[t.name, t.tagged_by, t.tagged_at.isoformat()] for t in tag_rows],
        "added_tags": added,
        "kept_span": [kept.first_contact_at.isoformat(), kept.last_contact_at.isoformat()],
        "merged_span": [merged.first_contact_at.isoformat(), merged.last_contact_at.isoformat()],
    }
    session.execute(
        update(ContactHandleRow)
        .where(col(ContactHandleRow.contact_id) == merged.id)
        .values(contact_id=kept.id)
    )
    of_merged = col(ContactTagRow.contact_id) == merged.id
    session.execute(
        update(ContactTagRow)
        .where(of_merged, col(ContactTagRow.name).in_(added))
        .values(contact_id=kept.id)
    )
    session.execute(delete(ContactTagRow).where(of_merged))
    session.execute(
        update(ContactRow).where(col(ContactRow.id) == merged.id).values(merged_into=kept.id)
    )
    session.execute(
        update(ContactRow)
        .where(col(ContactRow.id) == kept.id)
        .values(
            first_contact_at=min(kept.first_contact_at, merged.first_contact_at),
            last_contact_at=max(kept.last_contact_at, merged.last_contact_at),
        )
    )
    _refresh_facets(session, kept.id)
    row = ContactMergeRow(
        alias_id=kept.alias_id,
        kept_id=kept.id,
        merged_id=merged.id,
        moved=json.dumps(moved),
        merged_by=by_id,
        merged_at=now,
    )
    session.add(row)
    session.flush()
    assert row.id is not None
    return row.id


def last_merge(session: Session, kept_id: int, handle: str) -> ContactMerge | None:
    """The newest merge into the contact, not undone, that moved this handle to it."""
    rows = session.exec(
        select(ContactMergeRow)
        .where(ContactMergeRow.kept_id == kept_id, col(ContactMergeRow.undone_at).is_(None))
        .order_by(col(ContactMergeRow.id).desc())
    )
    for row in rows:
        moved = json.loads(row.moved)
        if handle in moved["handles"]:
            assert row.id is not None
            return ContactMerge(
                row.id, row.kept_id, row.merged_id, tuple(moved["handles"]), row.merged_at
            )
    return None


def unmerge(session: Session, merge_id: int, by_id: int, now: datetime) -> None:
    """Give the merged contact back what moved from it; what was added since stays."""
    row = session.exec(select(ContactMergeRow).where(ContactMergeRow.id == merge_id)).one()
    moved = json.loads(row.moved)
    kept, merged = row.kept_id, row.merged_id
    session.execute(
        update(ContactHandleRow)
        .where(
            col(ContactHandleRow.contact_id) == kept,
            col(ContactHandleRow.handle).in_(moved["handles"]),
        )
        .values(contact_id=merged)
    )
    session.execute(
        delete(ContactTagRow).where(
            col(ContactTagRow.contact_id) == kept,
            col(ContactTagRow.name).in_(moved["added_tags"]),
        )
    )
    for name, tagged_by, tagged_at in moved["tags"]:
        session.add(
            ContactTagRow(
                contact_id=merged,
                name=name,
                tagged_by=tagged_by,
                tagged_at=datetime.fromisoformat(tagged_at),
            )
        )
    session.execute(update(ContactRow).where(col(ContactRow.id) == merged).values(merged_into=None))
    for contact_id, span in ((kept, moved["kept_span"]), (merged, moved["merged_span"])):
        _restore_span(session, row.alias_id, contact_id, span)
        _refresh_facets(session, contact_id)
    row.undone_by, row.undone_at = by_id, now
    session.add(row)
    session.flush()


def _restore_span(session: Session, alias_id: int, contact_id: int, span: list[str]) -> None:
    """First and last contact as before the merge, widened by the messages since."""
    handles = list(
        session.exec(
            select(ContactHandleRow.handle).where(ContactHandleRow.contact_id == contact_id)
        )
    )
    first, last = (datetime.fromisoformat(at) for at in span)
    if handles:
        low, high = session.execute(
            select(
                func.min(col(InboundMessageRow.received_at)),
                func.max(col(InboundMessageRow.received_at)),
            ).where(
                col(InboundMessageRow.alias_id) == alias_id,
                col(InboundMessageRow.author_handle).in_(handles),
            )
        ).one()
        first, last = min(first, low or first), max(last, high or last)
    session.execute(
        update(ContactRow)
        .where(col(ContactRow.id) == contact_id)
        .values(first_contact_at=first, last_contact_at=last)
    )


def _refresh_facets(session: Session, contact_id: int) -> None:
    """Each facet's current rating: the newest given to the contact (or one merged into it)."""
    ids = group(session, contact_id)
    current: dict[str, int | None] = {}
    for facet in Facet:
        current[facet.value] = session.exec(
            select(ContactRatingRow.value)
            .where(col(ContactRatingRow.contact_id).in_(ids), ContactRatingRow.facet == facet.value)
            .order_by(col(ContactRatingRow.id).desc())
            .limit(1)
        ).first()
    session.execute(update(ContactRow).where(col(ContactRow.id) == contact_id).values(current))


def erase(session: Session, contact: Contact, now: datetime) -> dict[str, int]:
    """Redact the contact's messages' text (an UPDATE of the text re-indexes the search:
    migration 0014), their name and language; count the team's notes and rating reasons about
    them, which `redact_notes` redacts once the ledger records the erasure. How many rows of
    each."""
    messages = session.execute(
        update(InboundMessageRow)
        .where(
            col(InboundMessageRow.alias_id) == contact.alias_id,
            col(InboundMessageRow.author_handle).in_(list(contact.handles)),
        )
        .values(text="")
    )
    # The contacts merged into this one are the same person: their rows too.
    ids = group(session, contact.id)
    session.execute(
        update(ContactRow)
        .where(col(ContactRow.id).in_(ids))
        .values(
            display_name="",
            language=None,
            erased_at=now,
            channel_reach=None,
            channel_reach_at=None,
        )
    )
    counted = {
        name: session.execute(
            select(func.count()).select_from(table).where(col(table.contact_id).in_(ids))
        ).scalar_one()
        for name, table in (("notes", ContactNoteRow), ("ratings", ContactRatingRow))
    }
    return {"messages": int(messages.rowcount), **counted}  # type: ignore[attr-defined]


def redact_notes(session: Session, contact: Contact) -> dict[str, int]:
    """Blank the team's notes about the contact with their stamps' salts (the ledger then reads
    them as redacted, not tampered: domain.content) and their rating reasons. The console role
    may not UPDATE those append-only tables on PostgreSQL (storage/grants.py): there the owner's
    function of migration 0021 does it, for a contact whose erasure the ledger records."""
    if session.get_bind().dialect.name == "postgresql":
        notes, ratings = session.execute(
            text(f"SELECT notes, ratings FROM {ERASE_FUNCTION}(:contact)"),
            {"contact": contact.id},
        ).one()
        return {"notes": int(notes), "ratings": int(ratings)}
    ids = group(session, contact.id)
    done = session.execute(
        update(ContactNoteRow)
        .where(col(ContactNoteRow.contact_id).in_(ids))
        .values(text="", content_salt=None)
    )
    reasons = session.execute(
        update(ContactRatingRow).where(col(ContactRatingRow.contact_id).in_(ids)).values(reason="")
    )
    return {
        "notes": int(done.rowcount),  # type: ignore[attr-defined]
        "ratings": int(reasons.rowcount),  # type: ignore[attr-defined]
    }
