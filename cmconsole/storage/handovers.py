"""Repositories for what passes between shifts: handovers, their acknowledgements, follow-ups."""

from datetime import datetime
from typing import cast

from sqlalchemy import and_, exists, update
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import Select

from cmconsole.domain.model import Acknowledgement, FollowUp, Handover, HandoverContent
from cmconsole.storage import converters
from cmconsole.storage.people import newest_handover
from cmconsole.storage.tables import FollowUpRow, HandoverAckRow, HandoverRow, OperatorRow

_HANDOVER = HandoverRow.__table__  # type: ignore[attr-defined]


class SqlHandovers:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(
        self,
        alias_id: int,
        author_id: int,
        summary: str,
        content: HandoverContent,
        corrects_id: int | None,
        automatic: bool,
        now: datetime,
    ) -> Handover:
        row = HandoverRow(
            alias_id=alias_id,
            author_id=author_id,
            written_at=now,
            summary=summary,
            content=converters.handover_content_json(content),
            corrects_id=corrects_id,
            automatic=automatic,
        )
        self._session.add(row)
        self._session.flush()
        name = self._session.exec(select(OperatorRow.name).where(OperatorRow.id == author_id)).one()
        return converters.handover(row, name)

    def by_id(self, handover_id: int) -> Handover | None:
        found = self._session.exec(self._with_author().where(HandoverRow.id == handover_id)).first()
        return converters.handover(*found) if found else None

    def newest_id(self, alias_id: int) -> int:
        return newest_handover(self._session, alias_id)

    def unacknowledged(
        self, alias_id: int, operator_id: int, after: int | None, until: int
    ) -> list[Handover]:
        acknowledged = exists().where(
            and_(
                col(HandoverAckRow.handover_id) == HandoverRow.id,
                col(HandoverAckRow.operator_id) == operator_id,
            )
        )
        query = self._with_author().where(
            HandoverRow.alias_id == alias_id,
            HandoverRow.author_id != operator_id,
            col(HandoverRow.id) <= until,
            ~acknowledged,
        )
        if after is not None:
            query = query.where(col(HandoverRow.id) > after)
        rows = self._session.exec(query.order_by(col(HandoverRow.id)))
        return [converters.handover(row, name) for row, name in rows]

    def acknowledge(self, handover_id: int, operator_id: int, now: datetime) -> bool:
        if self._session.get(HandoverAckRow, (handover_id, operator_id)) is not None:
            return False
        self._session.add(
            HandoverAckRow(handover_id=handover_id, operator_id=operator_id, acknowledged_at=now)
        )
        self._session.flush()
        return True

    def acknowledgements(self, handover_id: int) -> list[Acknowledgement]:
        rows = self._session.exec(
            select(OperatorRow.name, HandoverAckRow.acknowledged_at)
            .join(OperatorRow, col(OperatorRow.id) == HandoverAckRow.operator_id)
            .where(HandoverAckRow.handover_id == handover_id)
            .order_by(col(HandoverAckRow.acknowledged_at))
        )
        return [Acknowledgement(name, at) for name, at in rows]

    def history(
        self,
        alias_id: int,
        author_id: int | None,
        since: datetime | None,
        until: datetime | None,
        limit: int,
    ) -> list[Handover]:
        query = self._with_author().where(HandoverRow.alias_id == alias_id)
        if author_id is not None:
            query = query.where(HandoverRow.author_id == author_id)
        if since is not None:
            query = query.where(col(HandoverRow.written_at) >= since)
        if until is not None:
            query = query.where(col(HandoverRow.written_at) < until)
        # Columns only, no ORM objects: the desk reads a page of them on every change.
        flat = query.with_only_columns(_HANDOVER, col(OperatorRow.name).label("author"))
        rows = self._session.execute(
            flat.order_by(col(HandoverRow.written_at).desc(), col(HandoverRow.id).desc()).limit(
                limit
            )
        )
        return [converters.handover(cast(HandoverRow, row), row.author) for row in rows]

    @staticmethod
    def _with_author() -> Select[HandoverRow, str]:
        return select(HandoverRow, OperatorRow.name).join(
            OperatorRow, col(OperatorRow.id) == HandoverRow.author_id
        )


class SqlFollowUps:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(
        self,
        alias_id: int,
        inbound_id: int | None,
        contact_handle: str,
        promise: str,
        due_at: datetime,
        created_by: int,
        now: datetime,
    ) -> FollowUp:
        row = FollowUpRow(
            alias_id=alias_id,
            inbound_id=inbound_id,
            contact_handle=contact_handle,
            promise=promise,
            due_at=due_at,
            created_by=created_by,
            created_at=now,
        )
        self._session.add(row)
        self._session.flush()
        return converters.follow_up(row)

    def by_id(self, follow_up_id: int) -> FollowUp | None:
        row = self._session.get(FollowUpRow, follow_up_id, populate_existing=True)
        return converters.follow_up(row) if row else None

    def open_due_before(self, alias_id: int, until: datetime) -> list[FollowUp]:
        rows = self._session.exec(
            select(FollowUpRow)
            .where(
                FollowUpRow.alias_id == alias_id,
                col(FollowUpRow.done_at).is_(None),
                col(FollowUpRow.due_at) <= until,
            )
            .order_by(col(FollowUpRow.due_at))
        )
        return [converters.follow_up(row) for row in rows]

    def for_inbound(self, inbound_id: int) -> list[FollowUp]:
        rows = self._session.exec(
            select(FollowUpRow)
            .where(FollowUpRow.inbound_id == inbound_id)
            .order_by(col(FollowUpRow.due_at))
        )
        return [converters.follow_up(row) for row in rows]

    def complete(self, follow_up_id: int, operator_id: int, now: datetime) -> bool:
        result = self._session.execute(
            update(FollowUpRow)
            .where(col(FollowUpRow.id) == follow_up_id, col(FollowUpRow.done_at).is_(None))
            .values(done_at=now, done_by=operator_id)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]
