"""The directory of an alias's contacts: searched, filtered by tag, sorted, one page at a time."""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import and_, exists, func, or_
from sqlmodel import Session, col, select

from cmconsole.domain.contacts import Contact, DirectoryEntry, DirectorySort
from cmconsole.storage import contact_converters as converters
from cmconsole.storage.contact_tables import ContactHandleRow, ContactRow, ContactTagRow
from cmconsole.storage.tables import FollowUpRow


def _like(text: str) -> str:
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


_OPEN_PROMISES = (
    select(func.count(col(FollowUpRow.id)))
    .join(
        ContactHandleRow,
        and_(
            col(ContactHandleRow.alias_id) == FollowUpRow.alias_id,
            col(ContactHandleRow.handle) == FollowUpRow.contact_handle,
        ),
    )
    .where(col(ContactHandleRow.contact_id) == ContactRow.id, col(FollowUpRow.done_at).is_(None))
    .correlate(ContactRow)
    .scalar_subquery()
)
# domain.contacts.get_to_know_score, in SQL.
_GET_TO_KNOW = (
    func.coalesce(col(ContactRow.relevancy), 0)
    + func.coalesce(col(ContactRow.expertise), 0)
    - func.coalesce(col(ContactRow.proximity), 0)
)


def directory(
    session: Session,
    alias_id: int,
    search: str,
    tag: str | None,
    sort: DirectorySort,
    limit: int,
    offset: int,
) -> list[DirectoryEntry]:
    """Up to `limit` contacts from `offset`: those whose handle or display name holds `search`
    (any case), tagged `tag` if given, in the order `sort` asks."""
    query: Any = select(ContactRow, _OPEN_PROMISES.label("open_promises")).where(
        col(ContactRow.alias_id) == alias_id, col(ContactRow.merged_into).is_(None)
    )
    if search.strip():
        pattern = _like(search.strip())
        by_handle = exists().where(
            col(ContactHandleRow.contact_id) == ContactRow.id,
            func.lower(col(ContactHandleRow.handle)).like(pattern, escape="\\"),
        )
        by_name = func.lower(col(ContactRow.display_name)).like(pattern, escape="\\")
        query = query.where(or_(by_handle, by_name))
    if tag is not None:
        query = query.where(
            exists().where(
                col(ContactTagRow.contact_id) == ContactRow.id, col(ContactTagRow.name) == tag
            )
        )
    newest = (col(ContactRow.last_contact_at).desc(), col(ContactRow.id).desc())
    if sort is DirectorySort.OPEN_PROMISES:
        query = query.order_by(_OPEN_PROMISES.desc(), *newest)
    elif sort is DirectorySort.GET_TO_KNOW:
        query = query.where(
            col(ContactRow.relevancy).is_not(None) | col(ContactRow.expertise).is_not(None)
        ).order_by(_GET_TO_KNOW.desc(), *newest)
    else:
        query = query.order_by(*newest)
    rows = session.exec(query.limit(limit).offset(offset)).all()
    contacts = to_contacts(session, [row for row, _ in rows])
    tags = _tags(session, [contact.id for contact in contacts])
    return [
        DirectoryEntry(contact, tuple(tags.get(contact.id, ())), int(promises))
        for contact, (_, promises) in zip(contacts, rows, strict=True)
    ]


def _tags(session: Session, contact_ids: list[int]) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    if not contact_ids:
        return found
    rows = session.exec(
        select(ContactTagRow.contact_id, ContactTagRow.name)
        .where(col(ContactTagRow.contact_id).in_(contact_ids))
        .order_by(col(ContactTagRow.name))
    )
    for contact_id, name in rows:
        found.setdefault(contact_id, []).append(name)
    return found


def _handles(session: Session, contact_ids: Sequence[int]) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {contact_id: [] for contact_id in contact_ids}
    if not contact_ids:
        return found
    rows = session.exec(
        select(ContactHandleRow.contact_id, ContactHandleRow.handle)
        .where(col(ContactHandleRow.contact_id).in_(list(contact_ids)))
        .order_by(col(ContactHandleRow.handle))
    )
    for contact_id, handle in rows:
        found[contact_id].append(handle)
    return found


def to_contacts(session: Session, rows: Sequence[ContactRow]) -> list[Contact]:
    handles = _handles(session, [row.id for row in rows if row.id is not None])
    return [converters.contact(row, handles.get(row.id or 0, [])) for row in rows]
