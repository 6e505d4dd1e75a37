"""Messages from the public, kept per alias; a thread is refreshed as each arrives."""

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import exists
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from cmconsole.domain.model import InboundMessage
from cmconsole.storage import converters
from cmconsole.storage.contacts import contact_seen
from cmconsole.storage.tables import InboundMessageRow, PostRow
from cmconsole.storage.threads import NOT_LIVE, refresh_thread

_ANSWERED = exists().where(
    col(PostRow.in_reply_to_id) == InboundMessageRow.id, col(PostRow.status).not_in(NOT_LIVE)
)


class SqlInbound:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add_if_new(
        self,
        alias_id: int,
        channel_message_id: str,
        author_handle: str,
        text: str,
        received_at: datetime,
        private: bool = False,
        *,
        channel: str,
    ) -> bool:
        dialect = self._session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        statement = (
            insert(InboundMessageRow)
            .values(
                alias_id=alias_id,
                channel_message_id=channel_message_id,
                author_handle=author_handle,
                text=text,
                received_at=received_at,
                private=private,
                channel=channel,
            )
            .on_conflict_do_nothing(index_elements=["alias_id", "channel_message_id"])
            .returning(col(InboundMessageRow.id))
        )
        # A row returned, not the rowcount: on PostgreSQL the ORM's insert counts a row that
        # the conflict skipped (a message delivered twice was counted new).
        added = self._session.execute(statement).first() is not None
        if added:
            refresh_thread(self._session, alias_id, author_handle)
            contact_seen(self._session, alias_id, author_handle, received_at)
        return added

    def by_id(self, inbound_id: int) -> InboundMessage | None:
        found = self._session.exec(
            select(InboundMessageRow, _ANSWERED.label("answered")).where(
                InboundMessageRow.id == inbound_id
            )
        ).first()
        return converters.inbound(found[0], found[1]) if found else None

    def channel_ids(self, inbound_ids: set[int]) -> dict[int, str]:
        if not inbound_ids:
            return {}
        rows = self._session.execute(
            select(InboundMessageRow.id, InboundMessageRow.channel_message_id).where(
                col(InboundMessageRow.id).in_(inbound_ids)
            )
        )
        return {inbound_id: channel_id for inbound_id, channel_id in rows}

    def page(self, alias_id: int, limit: int) -> list[InboundMessage]:
        rows = self._session.exec(
            select(InboundMessageRow, _ANSWERED.label("answered"))
            .where(InboundMessageRow.alias_id == alias_id)
            .order_by(col(InboundMessageRow.received_at).desc(), col(InboundMessageRow.id).desc())
            .limit(limit)
        )
        return [converters.inbound(row, answered) for row, answered in rows]

    def unanswered(self, alias_id: int, limit: int) -> list[InboundMessage]:
        rows = self._session.exec(
            select(InboundMessageRow)
            .where(InboundMessageRow.alias_id == alias_id, ~_ANSWERED)
            .order_by(col(InboundMessageRow.received_at), col(InboundMessageRow.id))
            .limit(limit)
        )
        return [converters.inbound(row, False) for row in rows]

    def from_contacts_after(
        self, alias_id: int, after: Mapping[str, datetime], since: datetime | None, limit: int
    ) -> list[InboundMessage]:
        """Messages from each contact in `after` received after its time (and after `since`, if
        given), newest first: what came into the threads someone holds."""
        found: list[tuple[InboundMessageRow, bool]] = []
        # One read per contact, on its own messages (ix_inbound_contact): an OR of them walked
        # every message of the alias.
        for contact, start in sorted(after.items()):
            query = select(InboundMessageRow, _ANSWERED.label("answered")).where(
                col(InboundMessageRow.alias_id) == alias_id,
                col(InboundMessageRow.author_handle) == contact,
                col(InboundMessageRow.received_at) > max(start, since or start),
            )
            rows = self._session.exec(query.order_by(col(InboundMessageRow.id).desc()).limit(limit))
            found.extend((row, answered) for row, answered in rows)
        found.sort(key=lambda pair: (pair[0].received_at, pair[0].id or 0), reverse=True)
        return [converters.inbound(row, answered) for row, answered in found[:limit]]
