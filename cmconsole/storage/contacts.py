"""Repository of contacts: kept current as messages arrive; notes, tags and facet ratings."""

import json
import secrets
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, update
from sqlmodel import Session, col, select

from cmconsole.domain.contacts import (
    Contact,
    ContactMerge,
    ContactNote,
    DirectoryEntry,
    DirectorySort,
    Facet,
    FacetRating,
    HistoryItem,
)
from cmconsole.domain.model import FollowUp
from cmconsole.storage import contact_converters as converters
from cmconsole.storage import contact_lifecycle as lifecycle
from cmconsole.storage.contact_directory import directory, to_contacts
from cmconsole.storage.contact_history import history
from cmconsole.storage.contact_tables import (
    ContactHandleRow,
    ContactNoteRow,
    ContactRatingRow,
    ContactRow,
    ContactTagListRow,
    ContactTagRow,
)
from cmconsole.storage.converters import follow_up
from cmconsole.storage.tables import FollowUpRow, OperatorRow
from cmconsole.storage.threads import _insert


def contact_seen(session: Session, alias_id: int, handle: str, at: datetime) -> None:
    """Count a message from `handle` received `at`: its contact made if new, else its first
    and last contact moved to include it."""
    contact_id = session.exec(
        select(ContactHandleRow.contact_id).where(
            ContactHandleRow.alias_id == alias_id, ContactHandleRow.handle == handle
        )
    ).first()
    if contact_id is None:
        made = ContactRow(alias_id=alias_id, first_contact_at=at, last_contact_at=at)
        session.add(made)
        session.flush()
        claimed = session.execute(
            _insert(session)(ContactHandleRow)
            .values(alias_id=alias_id, handle=handle, contact_id=made.id)
            .on_conflict_do_nothing(index_elements=["alias_id", "handle"])
            .returning(ContactHandleRow.contact_id)
        ).first()
        if claimed is not None:
            return
        # Another console made the contact meanwhile: keep theirs.
        session.execute(delete(ContactRow).where(col(ContactRow.id) == made.id))
        return contact_seen(session, alias_id, handle, at)
    # Conditional writes: two consoles storing messages at once each move a bound only outward.
    of_contact = col(ContactRow.id) == contact_id
    session.execute(
        update(ContactRow)
        .where(of_contact, col(ContactRow.last_contact_at) < at)
        .values(last_contact_at=at)
    )
    session.execute(
        update(ContactRow)
        .where(of_contact, col(ContactRow.first_contact_at) > at)
        .values(first_contact_at=at)
    )


class SqlContacts:
    def __init__(self, session: Session) -> None:
        self._session = session

    def by_handle(self, alias_id: int, handle: str) -> Contact | None:
        row = self._session.exec(
            select(ContactRow)
            .join(ContactHandleRow, col(ContactHandleRow.contact_id) == ContactRow.id)
            .where(ContactHandleRow.alias_id == alias_id, ContactHandleRow.handle == handle)
        ).first()
        return to_contacts(self._session, [row])[0] if row else None

    def describe(self, contact_id: int, display_name: str, language: str | None) -> None:
        self._session.execute(
            update(ContactRow)
            .where(col(ContactRow.id) == contact_id)
            .values(display_name=display_name, language=language)
        )

    def record_reach(self, contact_id: int, followers: int, read_at: datetime) -> None:
        self._session.execute(
            update(ContactRow)
            .where(col(ContactRow.id) == contact_id)
            .values(channel_reach=followers, channel_reach_at=read_at)
        )

    def add_note(
        self,
        contact: Contact,
        author_id: int,
        text: str,
        pinned: bool,
        by_trainee: bool,
        corrects_id: int | None,
        now: datetime,
    ) -> ContactNote:
        row = ContactNoteRow(
            contact_id=contact.id,
            alias_id=contact.alias_id,
            author_id=author_id,
            written_at=now,
            text=text,
            pinned=pinned,
            by_trainee=by_trainee,
            corrects_id=corrects_id,
            # The salt of the text's stamp in the ledger (domain.content), erased with the text.
            content_salt=secrets.token_hex(16),
        )
        self._session.add(row)
        self._session.flush()
        name = self._session.exec(select(OperatorRow.name).where(OperatorRow.id == author_id)).one()
        return converters.contact_note(row, name)

    def notes(self, contact_id: int) -> list[ContactNote]:
        rows = self._session.exec(
            select(ContactNoteRow, OperatorRow.name)
            .join(OperatorRow, col(OperatorRow.id) == ContactNoteRow.author_id)
            .where(col(ContactNoteRow.contact_id).in_(lifecycle.group(self._session, contact_id)))
            .order_by(col(ContactNoteRow.id))
        )
        return [converters.contact_note(row, name) for row, name in rows]

    def tag_list(self, alias_id: int) -> list[str] | None:
        """The alias's tags as a lead set them; None if nobody has yet (the defaults apply)."""
        names = self._session.exec(
            select(ContactTagListRow.names).where(ContactTagListRow.alias_id == alias_id)
        ).first()
        return None if names is None else list(json.loads(names))

    def set_tag_list(self, alias_id: int, names: Sequence[str], by_id: int, now: datetime) -> None:
        values = {"names": json.dumps(list(names)), "edited_by": by_id, "edited_at": now}
        self._session.execute(
            _insert(self._session)(ContactTagListRow)
            .values(alias_id=alias_id, **values)
            .on_conflict_do_update(index_elements=["alias_id"], set_=values)
        )

    def tags(self, contact_id: int) -> list[str]:
        return list(
            self._session.exec(
                select(ContactTagRow.name)
                .where(ContactTagRow.contact_id == contact_id)
                .order_by(col(ContactTagRow.name))
            )
        )

    def tag(self, contact_id: int, name: str, by_id: int, now: datetime) -> bool:
        """Tag the contact; False if it already was."""
        done = self._session.execute(
            _insert(self._session)(ContactTagRow)
            .values(contact_id=contact_id, name=name, tagged_by=by_id, tagged_at=now)
            .on_conflict_do_nothing(index_elements=["contact_id", "name"])
            # PostgreSQL's driver counted a row skipped by the conflict as inserted.
            .returning(ContactTagRow.name)
        ).first()
        return done is not None

    def untag(self, contact_id: int, name: str) -> bool:
        done = self._session.execute(
            delete(ContactTagRow).where(
                col(ContactTagRow.contact_id) == contact_id, col(ContactTagRow.name) == name
            )
        )
        return bool(done.rowcount)  # type: ignore[attr-defined]

    def rate(
        self, contact: Contact, facet: Facet, value: int, reason: str, by_id: int, now: datetime
    ) -> None:
        """Add a rating to the facet's history and make it the contact's current one."""
        self._session.add(
            ContactRatingRow(
                contact_id=contact.id,
                alias_id=contact.alias_id,
                facet=facet.value,
                value=value,
                reason=reason,
                rated_by=by_id,
                rated_at=now,
            )
        )
        self._session.flush()
        self._session.execute(
            update(ContactRow).where(col(ContactRow.id) == contact.id).values({facet.value: value})
        )

    def ratings(self, contact_id: int, facet: Facet | None = None) -> list[FacetRating]:
        """Every rating given, oldest first (of one facet, if named)."""
        query: Any = (
            select(ContactRatingRow, OperatorRow.name)
            .join(OperatorRow, col(OperatorRow.id) == ContactRatingRow.rated_by)
            .where(col(ContactRatingRow.contact_id).in_(lifecycle.group(self._session, contact_id)))
        )
        if facet is not None:
            query = query.where(ContactRatingRow.facet == facet.value)
        rows = self._session.exec(query.order_by(col(ContactRatingRow.id)))
        return [converters.facet_rating(row, name) for row, name in rows]

    def open_promises(self, alias_id: int, handles: Sequence[str]) -> list[FollowUp]:
        rows = self._session.exec(
            select(FollowUpRow)
            .where(
                col(FollowUpRow.alias_id) == alias_id,
                col(FollowUpRow.contact_handle).in_(list(handles)),
                col(FollowUpRow.done_at).is_(None),
            )
            .order_by(col(FollowUpRow.due_at), col(FollowUpRow.id))
        )
        return [follow_up(row) for row in rows]

    def history(self, alias_id: int, handles: Sequence[str]) -> list[HistoryItem]:
        return history(self._session, alias_id, handles)

    def directory(
        self,
        alias_id: int,
        search: str,
        tag: str | None,
        sort: DirectorySort,
        limit: int,
        offset: int,
    ) -> list[DirectoryEntry]:
        return directory(self._session, alias_id, search, tag, sort, limit, offset)

    def merge(self, kept: Contact, merged: Contact, by_id: int, now: datetime) -> int:
        return lifecycle.merge(self._session, kept, merged, by_id, now)

    def last_merge(self, kept_id: int, handle: str) -> ContactMerge | None:
        return lifecycle.last_merge(self._session, kept_id, handle)

    def unmerge(self, merge_id: int, by_id: int, now: datetime) -> None:
        lifecycle.unmerge(self._session, merge_id, by_id, now)

    def erase(self, contact: Contact, now: datetime) -> dict[str, int]:
        return lifecycle.erase(self._session, contact, now)

    def redact_notes(self, contact: Contact) -> dict[str, int]:
        return lifecycle.redact_notes(self._session, contact)
