"""Repositories for the team inbox: contact threads kept current, and who has claimed which."""

from collections.abc import Sequence
from datetime import datetime
from functools import partial
from typing import Any

from sqlalchemy import func, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, delete, select

from cmconsole.domain.model import Claim, ContactThread, InboundMessage, PostStatus
from cmconsole.domain.triage import WAITING_STATES, CloseReason, ThreadState, thread_state
from cmconsole.storage import converters, thread_rank
from cmconsole.storage.tables import (
    ClaimRow,
    ContactThreadRow,
    InboundMessageRow,
    OperatorRow,
    PostRow,
)

_THREAD = ContactThreadRow.__table__  # type: ignore[attr-defined]
_SETTLED_WITHOUT_REPLY = (ThreadState.CLOSED, ThreadState.SPAM)
# Replies that answer nothing: never to be public, or not approved yet.
NOT_ANSWERING = [status.value for status in PostStatus if not status.answers]
NOT_LIVE = NOT_ANSWERING  # the name messages.py imports


def _insert(session: Session) -> Any:
    """The dialect's INSERT, which knows ON CONFLICT."""
    return postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert


def refresh_thread(session: Session, alias_id: int, contact: str) -> None:
    """Recompute one contact's thread from its messages and replies (a handful of index reads)."""
    # Lock the thread before reading what it is made of (PostgreSQL; SQLite writes one at a
    # time anyway): a closing and the fan's next message, refreshed at once from two snapshots,
    # each left a state that missed the other's change. Each statement after the lock sees what
    # the other committed.
    session.exec(
        select(col(ContactThreadRow.id))
        .where(
            col(ContactThreadRow.alias_id) == alias_id,
            col(ContactThreadRow.contact_handle) == contact,
        )
        .with_for_update()
    ).first()
    of_contact = (
        col(InboundMessageRow.alias_id) == alias_id,
        col(InboundMessageRow.author_handle) == contact,
    )
    count, last_id, last_received = session.exec(
        select(
            func.count(col(InboundMessageRow.id)),
            func.max(col(InboundMessageRow.id)),
            func.max(col(InboundMessageRow.received_at)),
        ).where(*of_contact)
    ).one()
    if not count:
        return
    answered_upto, last_reply = session.exec(
        select(func.max(col(InboundMessageRow.id)), func.max(col(PostRow.created_at)))
        .join(PostRow, col(PostRow.in_reply_to_id) == InboundMessageRow.id)
        .where(*of_contact, col(PostRow.status).not_in(NOT_ANSWERING))
    ).one()
    waiting_since = session.exec(
        select(func.min(col(InboundMessageRow.received_at))).where(
            *of_contact, col(InboundMessageRow.id) > (answered_upto or 0)
        )
    ).one()
    awaiting = session.exec(
        select(func.count(col(PostRow.id)))
        .join(InboundMessageRow, col(PostRow.in_reply_to_id) == InboundMessageRow.id)
        .where(
            *of_contact,
            col(InboundMessageRow.id) > (answered_upto or 0),
            col(PostRow.status) == PostStatus.AWAITING_APPROVAL.value,
        )
    ).one()
    triage = session.exec(
        select(
            col(ContactThreadRow.closed_reason),
            col(ContactThreadRow.closed_upto),
            col(ContactThreadRow.handed_to),
        ).where(
            col(ContactThreadRow.alias_id) == alias_id,
            col(ContactThreadRow.contact_handle) == contact,
        )
    ).first()
    closed_reason, closed_upto, handed_to = triage if triage else (None, None, None)
    state = thread_state(
        waiting=waiting_since is not None,
        awaiting_approval=bool(awaiting),
        answered_before=answered_upto is not None,
        handed=handed_to is not None,
        closed_reason=CloseReason(closed_reason) if closed_reason else None,
        closed_covers_newest=closed_upto is not None and closed_upto >= (last_id or 0),
    )
    last_activity = max(last_received, last_reply or last_received)
    values = {
        "last_inbound_id": last_id,
        "last_activity_at": last_activity,
        "waiting_since": waiting_since,
        "unanswered": waiting_since is not None,
        "message_count": count,
        "state": state.value,
    }
    statement = (
        _insert(session)(ContactThreadRow)
        .values(alias_id=alias_id, contact_handle=contact, **values)
        .on_conflict_do_update(index_elements=["alias_id", "contact_handle"], set_=values)
    )
    session.execute(statement)


_HANDED_TO = aliased(OperatorRow, name="handed_to_operator")
_HANDED_BY = aliased(OperatorRow, name="handed_by_operator")


def _listed(query: Any) -> Any:
    """A thread query with the newest message's text and the names of the handing's people."""
    return (
        query.join(InboundMessageRow, col(InboundMessageRow.id) == ContactThreadRow.last_inbound_id)
        .outerjoin(_HANDED_TO, col(_HANDED_TO.id) == ContactThreadRow.handed_to)
        .outerjoin(_HANDED_BY, col(_HANDED_BY.id) == ContactThreadRow.handed_by)
    )


_LISTED_COLUMNS: tuple[Any, ...] = (
    _THREAD,
    col(InboundMessageRow.text).label("last_text"),
    col(InboundMessageRow.private).label("last_private"),
    col(InboundMessageRow.channel).label("last_channel"),
    col(_HANDED_TO.name).label("handed_to_name"),
    col(_HANDED_BY.name).label("handed_by_name"),
)


def _narrowed(
    alias_id: int,
    states: Sequence[ThreadState] | None,
    leave_out: Sequence[ThreadState],
    mine: int | None,
    claimed_only: bool,
    now: datetime | None,
    tag: str | None,
    channel: str | None,
    start: Any,
) -> Any:
    """The listed threads of `start` (a select of the listed columns) that `page` keeps."""
    query: Any = _listed(start).where(col(ContactThreadRow.alias_id) == alias_id)
    if states is not None:
        query = query.where(col(ContactThreadRow.state).in_([s.value for s in states]))
    if leave_out:
        query = query.where(col(ContactThreadRow.state).not_in([s.value for s in leave_out]))
    if claimed_only or mine is not None:
        assert now is not None, "claims are live only at a given moment"
        claim = (col(ClaimRow.alias_id) == ContactThreadRow.alias_id) & (
            col(ClaimRow.contact_handle) == ContactThreadRow.contact_handle
        )
        live = col(ClaimRow.expires_at) > now
        if claimed_only:
            query = query.join(ClaimRow, claim).where(live)
        else:
            query = query.outerjoin(ClaimRow, claim & live).where(
                (col(ClaimRow.operator_id) == mine)
                | (
                    (col(ContactThreadRow.handed_to) == mine)
                    & col(ContactThreadRow.state).in_([s.value for s in WAITING_STATES])
                )
            )
    if tag is not None:
        query = query.where(thread_rank.tagged(tag))
    if channel is not None:
        # The newest message's (already joined): a thread is where its fan last wrote.
        query = query.where(col(InboundMessageRow.channel) == channel)
    return query


class SqlThreads:
    def __init__(self, session: Session) -> None:
        self._session = session

    def page(
        self,
        alias_id: int,
        limit: int,
        *,
        states: Sequence[ThreadState] | None = None,
        leave_out: Sequence[ThreadState] = (),
        mine: int | None = None,
        claimed_only: bool = False,
        now: datetime | None = None,
        due_first: bool = False,
        facet: str | None = None,
        tag: str | None = None,
        channel: str | None = None,
    ) -> list[ContactThread]:
        """Threads, newest activity first, with the text of each one's newest message: those in
        `states` if given, but for those in `leave_out`; `mine`: those the operator holds a live
        claim on or was handed while the fan waits; `claimed_only`: those someone holds a live
        claim on; `tag`: those whose contact bears it; `channel`: those whose newest message came
        from it. `due_first`: the threads of contacts with
        a promise due at `now` come first; `facet`: then those of contacts rated on it, highest
        rating first."""
        # On the bare table, columns only: mapping a page of ORM objects cost more than the query.
        narrowed = partial(
            _narrowed, alias_id, states, leave_out, mine, claimed_only, now, tag, channel
        )
        query = narrowed(select(*_LISTED_COLUMNS))
        ranked = None
        if facet is not None:
            ranked = narrowed(thread_rank.by_rating(_LISTED_COLUMNS, alias_id, facet))
        due: list[str] = []
        if due_first:
            assert now is not None, "promises are due at a given moment"
            due = thread_rank.due_handles(self._session, alias_id, now)
        newest = (col(ContactThreadRow.last_activity_at).desc(), col(ContactThreadRow.id).desc())
        found: list[ContactThread] = []
        # Each rank its own query: the plain page still walks the activity index in order.
        for page, order in thread_rank.ranked_pages(query, newest, due, facet, ranked):
            rows = self._session.execute(page.order_by(*order).limit(limit - len(found)))
            found.extend(converters.thread(row) for row in rows)
            if len(found) >= limit:
                break
        return found

    def due_contacts(self, alias_id: int, now: datetime) -> list[str]:
        return thread_rank.due_handles(self._session, alias_id, now)

    def count(self, alias_id: int, states: Sequence[ThreadState], upto: int) -> int:
        """How many of the alias's threads are in these states, counted up to `upto` (a count
        of every waiting thread of a busy alias reads thousands of rows at each refresh)."""
        matching = (
            select(col(ContactThreadRow.id))
            .where(
                col(ContactThreadRow.alias_id) == alias_id,
                col(ContactThreadRow.state).in_([s.value for s in states]),
            )
            .limit(upto)
            .subquery()
        )
        return int(self._session.exec(select(func.count()).select_from(matching)).one())

    def close(
        self,
        alias_id: int,
        contacts: Sequence[str],
        reason: CloseReason,
        note: str,
        by_id: int,
        now: datetime,
    ) -> list[ContactThread]:
        """Settle these threads without a reply, up to each one's newest message; return them
        as they were before (those not found are left out)."""
        before = self._by_contacts(alias_id, contacts)
        for thread in before:
            self._session.execute(
                update(ContactThreadRow)
                .where(col(ContactThreadRow.id) == thread.id)
                .values(
                    closed_reason=reason.value,
                    closed_note=note,
                    closed_by=by_id,
                    closed_at=now,
                    closed_upto=thread.last_inbound_id,
                )
            )
            refresh_thread(self._session, alias_id, thread.contact_handle)
        return before

    def reopen(self, alias_id: int, contacts: Sequence[str]) -> list[ContactThread]:
        """Undo the closing of these threads; return those that were closed, as they were."""
        closed = [
            t for t in self._by_contacts(alias_id, contacts) if t.state in _SETTLED_WITHOUT_REPLY
        ]
        for thread in closed:
            self._session.execute(
                update(ContactThreadRow)
                .where(col(ContactThreadRow.id) == thread.id)
                .values(
                    closed_reason=None,
                    closed_note=None,
                    closed_by=None,
                    closed_at=None,
                    closed_upto=None,
                )
            )
            refresh_thread(self._session, alias_id, thread.contact_handle)
        return closed

    def hand(
        self, alias_id: int, contact: str, to_id: int, by_id: int, note: str, now: datetime
    ) -> None:
        self._session.execute(
            update(ContactThreadRow)
            .where(
                col(ContactThreadRow.alias_id) == alias_id,
                col(ContactThreadRow.contact_handle) == contact,
            )
            .values(handed_to=to_id, handed_by=by_id, handed_at=now, handed_note=note)
        )
        refresh_thread(self._session, alias_id, contact)

    def _by_contacts(self, alias_id: int, contacts: Sequence[str]) -> list[ContactThread]:
        if not contacts:
            return []
        rows = self._session.execute(
            _listed(select(*_LISTED_COLUMNS))
            .where(
                col(ContactThreadRow.alias_id) == alias_id,
                col(ContactThreadRow.contact_handle).in_(list(contacts)),
            )
            .order_by(col(ContactThreadRow.id))
        )
        return [converters.thread(row) for row in rows]

    def by_contact(self, alias_id: int, contact: str) -> ContactThread | None:
        found = self._by_contacts(alias_id, [contact])
        return found[0] if found else None

    def messages(
        self, alias_id: int, contact: str, limit: int, around: int | None = None
    ) -> list[InboundMessage]:
        """The contact's most recent messages to the alias, oldest first; or, `around` a
        message, up to half of them before it (it included) and the rest after it."""
        answered = (
            select(func.count())
            .select_from(PostRow)
            .where(
                col(PostRow.in_reply_to_id) == InboundMessageRow.id,
                col(PostRow.status).not_in(NOT_ANSWERING),
            )
            .scalar_subquery()
        )
        query = select(InboundMessageRow, answered).where(
            col(InboundMessageRow.alias_id) == alias_id,
            col(InboundMessageRow.author_handle) == contact,
        )
        newest_first = col(InboundMessageRow.id).desc()
        if around is None:
            rows = self._session.exec(query.order_by(newest_first).limit(limit)).all()
        else:
            before = self._session.exec(
                query.where(col(InboundMessageRow.id) <= around)
                .order_by(newest_first)
                .limit(max(1, limit // 2))
            ).all()
            after = self._session.exec(
                query.where(col(InboundMessageRow.id) > around)
                .order_by(col(InboundMessageRow.id))
                .limit(limit - len(before))
            ).all()
            rows = [*reversed(after), *before]
        return [converters.inbound(row, bool(replies)) for row, replies in reversed(rows)]


class SqlClaims:
    """Claims are taken and kept by conditional writes only, so two consoles (or two machines)
    deciding at the same instant cannot both believe they hold one."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def acquire(
        self, alias_id: int, contact: str, operator_id: int, now: datetime, until: datetime
    ) -> Claim:
        """Claim the contact unless someone else holds a live claim; return whoever holds it."""
        insert = _insert(self._session)(ClaimRow).values(
            alias_id=alias_id,
            contact_handle=contact,
            operator_id=operator_id,
            claimed_at=now,
            expires_at=until,
        )
        kept_or_expired = (col(ClaimRow.operator_id) == operator_id) | (
            col(ClaimRow.expires_at) <= now
        )
        statement = insert.on_conflict_do_update(
            index_elements=["alias_id", "contact_handle"],
            set_={
                "operator_id": operator_id,
                "claimed_at": func.coalesce(
                    select(ClaimRow.claimed_at)
                    .where(
                        col(ClaimRow.alias_id) == alias_id,
                        col(ClaimRow.contact_handle) == contact,
                        col(ClaimRow.operator_id) == operator_id,
                        col(ClaimRow.expires_at) > now,
                    )
                    .scalar_subquery(),
                    now,
                ),
                "expires_at": until,
            },
            where=kept_or_expired,
        )
        self._session.execute(statement)
        holder = self.holder(alias_id, contact, now)
        assert holder is not None
        return holder

    def take_over(
        self, alias_id: int, contact: str, operator_id: int, now: datetime, until: datetime
    ) -> Claim | None:
        """Claim the contact whoever holds it; return the live claim it replaced, if any."""
        previous = self.holder(alias_id, contact, now)
        values = {"operator_id": operator_id, "claimed_at": now, "expires_at": until}
        self._session.execute(
            _insert(self._session)(ClaimRow)
            .values(alias_id=alias_id, contact_handle=contact, **values)
            .on_conflict_do_update(index_elements=["alias_id", "contact_handle"], set_=values)
        )
        return previous if previous and previous.operator_id != operator_id else None

    def renew(
        self, alias_id: int, contact: str, operator_id: int, now: datetime, until: datetime
    ) -> bool:
        """Extend the operator's live claim; False if they no longer hold it."""
        result = self._session.execute(
            update(ClaimRow)
            .where(
                col(ClaimRow.alias_id) == alias_id,
                col(ClaimRow.contact_handle) == contact,
                col(ClaimRow.operator_id) == operator_id,
                col(ClaimRow.expires_at) > now,
            )
            .values(expires_at=until)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    def release(self, alias_id: int, contact: str, operator_id: int) -> bool:
        result = self._session.execute(
            delete(ClaimRow).where(
                col(ClaimRow.alias_id) == alias_id,
                col(ClaimRow.contact_handle) == contact,
                col(ClaimRow.operator_id) == operator_id,
            )
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    def release_all(self, operator_id: int, alias_id: int | None = None) -> int:
        statement = delete(ClaimRow).where(col(ClaimRow.operator_id) == operator_id)
        if alias_id is not None:
            statement = statement.where(col(ClaimRow.alias_id) == alias_id)
        return int(self._session.execute(statement).rowcount)  # type: ignore[attr-defined]

    def holder(self, alias_id: int, contact: str, now: datetime) -> Claim | None:
        found = self._session.exec(
            select(ClaimRow, OperatorRow.name)
            .join(OperatorRow, col(OperatorRow.id) == ClaimRow.operator_id)
            .where(
                col(ClaimRow.alias_id) == alias_id,
                col(ClaimRow.contact_handle) == contact,
                col(ClaimRow.expires_at) > now,
            )
        ).first()
        return converters.claim(found[0], found[1]) if found else None

    def live(self, alias_id: int, now: datetime) -> list[Claim]:
        rows = self._session.exec(
            select(ClaimRow, OperatorRow.name)
            .join(OperatorRow, col(OperatorRow.id) == ClaimRow.operator_id)
            .where(col(ClaimRow.alias_id) == alias_id, col(ClaimRow.expires_at) > now)
        )
        return [converters.claim(row, name) for row, name in rows]
