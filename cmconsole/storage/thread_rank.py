"""Ranking the inbox's page: threads of contacts with a promise due first, then by a facet."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import exists
from sqlmodel import Session, col, select

from cmconsole.domain.contacts import Facet
from cmconsole.storage.contact_tables import ContactHandleRow, ContactRow, ContactTagRow
from cmconsole.storage.tables import ContactThreadRow, FollowUpRow

_OF_THREAD = (col(ContactHandleRow.alias_id) == ContactThreadRow.alias_id) & (
    col(ContactHandleRow.handle) == ContactThreadRow.contact_handle
)


def due_handles(session: Session, alias_id: int, now: datetime) -> list[str]:
    """The handles of contacts who were promised something now due and not done: the promised
    handle, and every other handle of the same contact (the promise is to the person)."""
    promised = set(
        session.exec(
            select(col(FollowUpRow.contact_handle))
            .where(
                col(FollowUpRow.alias_id) == alias_id,
                col(FollowUpRow.done_at).is_(None),
                col(FollowUpRow.due_at) <= now,
            )
            .distinct()
        ).all()
    )
    if not promised:
        return []
    people = select(col(ContactHandleRow.contact_id)).where(
        col(ContactHandleRow.alias_id) == alias_id, col(ContactHandleRow.handle).in_(promised)
    )
    same_people = session.exec(
        select(col(ContactHandleRow.handle)).where(
            col(ContactHandleRow.alias_id) == alias_id,
            col(ContactHandleRow.contact_id).in_(people),
        )
    ).all()
    return sorted(promised | set(same_people))


def facet_column(facet: str) -> Any:
    """The contact's current rating of the facet."""
    if facet not in {f.value for f in Facet}:
        raise ValueError(f"no facet {facet!r}")
    return col(getattr(ContactRow, facet))


def rated_handles(session: Session, alias_id: int, facet: str) -> list[str]:
    """The handles of the alias's contacts rated on the facet."""
    return list(
        session.exec(
            select(col(ContactHandleRow.handle))
            .join(ContactRow, col(ContactRow.id) == ContactHandleRow.contact_id)
            .where(col(ContactRow.alias_id) == alias_id, facet_column(facet).is_not(None))
        ).all()
    )


def with_rating(query: Any) -> Any:
    """The query joined to the threads' contacts, for ordering by their rating."""
    return query.join(ContactHandleRow, _OF_THREAD).join(
        ContactRow, col(ContactRow.id) == ContactHandleRow.contact_id
    )


def tagged(tag: str) -> Any:
    """The condition: the thread's contact bears the tag."""
    return exists(
        select(col(ContactTagRow.contact_id))
        .join(ContactHandleRow, col(ContactHandleRow.contact_id) == ContactTagRow.contact_id)
        .where(_OF_THREAD, col(ContactTagRow.name) == tag)
    )


def ranked_pages(
    query: Any,
    order: Sequence[Any],
    due: Sequence[str],
    facet: str | None,
    rated: Sequence[str],
) -> list[tuple[Any, Sequence[Any]]]:
    """The queries to run in turn, each leaving out what those before it listed: the due
    contacts' threads, then the `rated` contacts' by their rating of the facet, then the rest.
    Handles are named, not joined: each query then reads the thread index it walks."""
    handle = col(ContactThreadRow.contact_handle)
    pages: list[tuple[Any, Sequence[Any]]] = []
    rest = query
    if due:
        pages.append((rest.where(handle.in_(list(due))), order))
        rest = rest.where(handle.not_in(list(due)))
    if facet is not None and rated:
        ranked = with_rating(rest.where(handle.in_(list(rated))))
        pages.append((ranked, (facet_column(facet).desc(), *order)))
        rest = rest.where(handle.not_in(list(rated)))
    pages.append((rest, order))
    return pages
