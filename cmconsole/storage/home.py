"""The home screen's reads: what waits on each alias, one round trip per alias, and its counter."""

from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, exists, func, literal, select
from sqlmodel import Session, col

from cmconsole.domain.model import PostStatus
from cmconsole.domain.triage import ThreadState
from cmconsole.storage.desk import WORKSPACE
from cmconsole.storage.tables import ContactThreadRow as _Thread
from cmconsole.storage.tables import (
    DeskChangeRow,
    FollowUpRow,
    HandoverAckRow,
    HandoverRow,
    MembershipRow,
    OperatorRow,
    PostRow,
    ShiftRow,
)

_CHANGE = DeskChangeRow.__table__  # type: ignore[attr-defined]
_ALIAS: Any = bindparam("alias")
_CAP: Any = bindparam("cap")
# Threads whose fan waits for a reply no one wrote yet (one awaiting approval is counted apart).
UNANSWERED = (ThreadState.NEW.value, ThreadState.OPEN.value)


def _capped_count(*where: Any) -> Any:
    """How many rows match, counted up to `cap` (a busy alias's backlog is 81,000 threads)."""
    found = select(literal(1)).where(*where).limit(_CAP).subquery()
    return select(func.count()).select_from(found).scalar_subquery()


def _oldest(state: str) -> Any:
    # One seek on ix_thread_waiting per state, where min() over an IN would scan them all.
    return (
        select(func.min(col(_Thread.waiting_since)))
        .where(col(_Thread.alias_id) == _ALIAS, col(_Thread.state) == state)
        .scalar_subquery()
    )


_WAITS = select(
    _capped_count(col(_Thread.alias_id) == _ALIAS, col(_Thread.state).in_(UNANSWERED)),
    *(_oldest(state) for state in UNANSWERED),
    _capped_count(
        col(PostRow.alias_id) == _ALIAS, col(PostRow.status) == PostStatus.AWAITING_APPROVAL.value
    ),
    _capped_count(col(PostRow.alias_id) == _ALIAS, col(PostRow.status) == PostStatus.FAILED.value),
    _capped_count(
        col(FollowUpRow.alias_id) == _ALIAS,
        col(FollowUpRow.done_at).is_(None),
        col(FollowUpRow.due_at) <= bindparam("due_by"),
    ),
    _capped_count(
        col(FollowUpRow.alias_id) == _ALIAS,
        col(FollowUpRow.done_at).is_(None),
        col(FollowUpRow.due_at) <= bindparam("now"),
    ),
)

# (unanswered, oldest wait, awaiting approval, failed, promises due, promises overdue)
Waits = tuple[int, datetime | None, int, int, int, int]


class SqlHome:
    """Counts per alias for the home screen; every count stops at `cap`."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def waits(self, alias_id: int, now: datetime, due_by: datetime, cap: int) -> Waits:
        row = self._session.execute(
            _WAITS,
            {"alias": alias_id, "cap": cap, "now": now, "due_by": due_by},
        ).one()
        unanswered, oldest_new, oldest_open, awaiting, failed, due, overdue = row
        waits = [w for w in (oldest_new, oldest_open) if w is not None]
        return (unanswered, min(waits, default=None), awaiting, failed, due, overdue)

    def unread_handovers(
        self, alias_id: int, operator_id: int, after: int | None, until: int, cap: int
    ) -> int:
        """How many handovers others wrote on the alias in (after, until] that the operator has
        not acknowledged, counted up to `cap` (a newcomer must read only the newest few)."""
        acknowledged = exists().where(
            col(HandoverAckRow.handover_id) == HandoverRow.id,
            col(HandoverAckRow.operator_id) == operator_id,
        )
        where = [
            col(HandoverRow.alias_id) == alias_id,
            col(HandoverRow.author_id) != operator_id,
            col(HandoverRow.id) <= until,
            ~acknowledged,
        ]
        if after is not None:
            where.append(col(HandoverRow.id) > after)
        found = select(literal(1)).where(*where).limit(cap).subquery()
        return int(self._session.execute(select(func.count()).select_from(found)).scalar_one())

    def on_shift(self, alias_ids: list[int]) -> list[tuple[int, str, datetime]]:
        """Open shifts on these aliases: (alias id, who, last sign of life), longest first."""
        if not alias_ids:
            return []
        rows = self._session.execute(
            select(
                col(ShiftRow.alias_id),
                col(OperatorRow.name),
                func.coalesce(col(ShiftRow.heartbeat_at), col(ShiftRow.started_at)),
            )
            .join(OperatorRow, col(OperatorRow.id) == ShiftRow.operator_id)
            .where(col(ShiftRow.alias_id).in_(alias_ids), col(ShiftRow.ended_at).is_(None))
            .order_by(col(ShiftRow.started_at))
        )
        return [(alias_id, name, alive) for alias_id, name, alive in rows]

    def version(self, operator_id: int, alias_ids: list[int]) -> int:
        """The change counters of these aliases and of the workspace, summed, plus how many
        aliases the person works (a new role moves it): it moves when anything their home shows
        may have moved."""
        roles = (
            select(func.count())
            .select_from(MembershipRow)
            .where(col(MembershipRow.operator_id) == operator_id)
            .scalar_subquery()
        )
        changes = (
            select(func.coalesce(func.sum(_CHANGE.c.version), 0))
            .where(_CHANGE.c.alias_id.in_([WORKSPACE, *alias_ids]))
            .scalar_subquery()
        )
        return int(self._session.execute(select(changes + roles)).scalar_one())
