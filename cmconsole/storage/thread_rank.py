"""Ranking the inbox's page: threads of contacts with a promise due first, then by a facet."""

from collections.abc import Sequence
from datetime import datetime
from itertools import product
from typing import Any, cast

from sqlalchemy import exists
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import Join
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


class _InOrder(Join):
    """A join whose tables SQLite reads in the order written (CROSS JOIN), left to right."""

    inherit_cache = True


@compiles(_InOrder, "sqlite")
def _cross_join(join: _InOrder, compiler: Any, **kw: Any) -> str:
    linter = kw.get("from_linter")
    if linter is not None:  # as the compiler's own joins tell it which tables they link
        linter.edges.update(product(join.left._from_objects, join.right._from_objects))
    kw.pop("asfrom", None)
    left = compiler.process(join.left, asfrom=True, **kw)
    right = compiler.process(join.right, asfrom=True, **kw)
    return f"{left} CROSS JOIN {right} ON {compiler.process(join.onclause, **kw)}"


def by_rating(columns: Sequence[Any], alias_id: int, facet: str) -> Any:
    """The threads of the alias's contacts rated on the facet, read from the contacts down: the
    facet's index gives them highest rating first, so a page stops once it is full instead of
    sorting every rated contact's threads."""
    contact, handle, thread = (
        cast(Any, row).__table__ for row in (ContactRow, ContactHandleRow, ContactThreadRow)
    )
    handles = _InOrder(contact, handle, col(ContactRow.id) == ContactHandleRow.contact_id)
    return (
        select(*columns)
        .select_from(_InOrder(handles, thread, _OF_THREAD))
        .where(col(ContactRow.alias_id) == alias_id, facet_column(facet).is_not(None))
    )


def _rated(facet: str) -> Any:
    """The condition: the thread's contact is rated on the facet."""
    return exists(
        select(col(ContactHandleRow.contact_id))
        .join(ContactRow, col(ContactRow.id) == ContactHandleRow.contact_id)
        .where(_OF_THREAD, facet_column(facet).is_not(None))
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
    ranked: Any,
) -> list[tuple[Any, Sequence[Any]]]:
    """The queries to run in turn, each leaving out what those before it listed: the due
    contacts' threads, then `ranked` (the same query read through `by_rating`) by the contacts'
    rating of the facet, then the rest, which still walks the activity index in order."""
    handle = col(ContactThreadRow.contact_handle)
    pages: list[tuple[Any, Sequence[Any]]] = []
    rest = query
    if due:
        pages.append((rest.where(handle.in_(list(due))), order))
        rest = rest.where(handle.not_in(list(due)))
        if ranked is not None:
            ranked = ranked.where(handle.not_in(list(due)))
    if facet is not None and ranked is not None:
        pages.append((ranked, (facet_column(facet).desc(), *order)))
        rest = rest.where(~_rated(facet))
    pages.append((rest, order))
    return pages
