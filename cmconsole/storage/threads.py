"""Repositories for the team inbox: contact threads kept current, and who has claimed which."""

from datetime import datetime
from typing import Any, cast

from sqlalchemy import func, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, delete, select

from cmconsole.domain.model import Claim, ContactThread, InboundMessage, PostStatus
from cmconsole.storage import converters
from cmconsole.storage.tables import (
    ClaimRow,
    ContactThreadRow,
    InboundMessageRow,
    OperatorRow,
    PostRow,
)

_THREAD = ContactThreadRow.__table__  # type: ignore[attr-defined]
# Replies that answer nothing: never to be public, or not approved yet.
NOT_ANSWERING = [status.value for status in PostStatus if not status.answers]
NOT_LIVE = NOT_ANSWERING  # the name messages.py imports


def _insert(session: Session) -> Any:
    """The dialect's INSERT, which knows ON CONFLICT."""
    return postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert


def refresh_thread(session: Session, alias_id: int, contact: str) -> None:
    """Recompute one contact's thread from its messages and replies (a handful of index reads)."""
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
    last_activity = max(last_received, last_reply or last_received)
    values = {
        "last_inbound_id": last_id,
        "last_activity_at": last_activity,
        "waiting_since": waiting_since,
        "unanswered": waiting_since is not None,
        "message_count": count,
    }
    statement = (
        _insert(session)(ContactThreadRow)
        .values(alias_id=alias_id, contact_handle=contact, **values)
        .on_conflict_do_update(index_elements=["alias_id", "contact_handle"], set_=values)
    )
    session.execute(statement)


class SqlThreads:
    def __init__(self, session: Session) -> None:
        self._session = session

    def page(
        self,
        alias_id: int,
        limit: int,
        *,
        unanswered_only: bool = False,
        claimed_by: int | None = None,
        claimed_only: bool = False,
        now: datetime | None = None,
    ) -> list[ContactThread]:
        """Threads, newest activity first, with the text of each one's newest message."""
        # On the bare table, columns only: mapping a page of ORM objects cost more than the query.
        query: Any = (
            select(_THREAD, col(InboundMessageRow.text).label("last_text"))
            .join(InboundMessageRow, col(InboundMessageRow.id) == ContactThreadRow.last_inbound_id)
            .where(col(ContactThreadRow.alias_id) == alias_id)
        )
        if unanswered_only:
            query = query.where(col(ContactThreadRow.unanswered).is_(True))
        if claimed_only or claimed_by is not None:
            assert now is not None, "claims are live only at a given moment"
            query = query.join(
                ClaimRow,
                (col(ClaimRow.alias_id) == ContactThreadRow.alias_id)
                & (col(ClaimRow.contact_handle) == ContactThreadRow.contact_handle),
            ).where(col(ClaimRow.expires_at) > now)
            if claimed_by is not None:
                query = query.where(col(ClaimRow.operator_id) == claimed_by)
        rows = self._session.execute(
            query.order_by(
                col(ContactThreadRow.last_activity_at).desc(), col(ContactThreadRow.id).desc()
            ).limit(limit)
        )
        return [converters.thread(cast(ContactThreadRow, row), row.last_text) for row in rows]

    def by_contact(self, alias_id: int, contact: str) -> ContactThread | None:
        found = self._session.exec(
            select(ContactThreadRow, InboundMessageRow.text)
            .join(InboundMessageRow, col(InboundMessageRow.id) == ContactThreadRow.last_inbound_id)
            .where(
                col(ContactThreadRow.alias_id) == alias_id,
                col(ContactThreadRow.contact_handle) == contact,
            )
        ).first()
        return converters.thread(found[0], found[1]) if found else None

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
