"""The home screen's reads: what waits on each alias, one round trip per alias, and its counter."""

from datetime import datetime
from typing import Any

from sqlalchemy import Integer, bindparam, exists, func, literal, select
from sqlmodel import Session, col

from cmconsole.domain.model import PostStatus
from cmconsole.domain.triage import ThreadState
from cmconsole.services.ports import Reader
from cmconsole.storage.desk import WORKSPACE
from cmconsole.storage.tables import ContactThreadRow as _Thread
from cmconsole.storage.tables import (
    DeskChangeRow,
    FollowUpRow,
    GuideAckRow,
    GuideVersionRow,
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
_NO_LIMIT = 2**62  # no upper bound on a handover id
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
    # Handovers others wrote in (after, until] the reader has not acknowledged (guard's rule),
    # counted to `handovers_cap`: a newcomer must read only the newest few.
    select(func.count())
    .select_from(
        select(literal(1))
        .where(
            col(HandoverRow.alias_id) == _ALIAS,
            col(HandoverRow.author_id) != bindparam("operator"),
            # (+ 0: the alias index leads, not a range over every alias's handover ids)
            col(HandoverRow.id) + 0 > func.coalesce(bindparam("after", type_=Integer), 0),
            col(HandoverRow.id) + 0 <= func.coalesce(bindparam("until", type_=Integer), _NO_LIMIT),
            ~exists().where(
                col(HandoverAckRow.handover_id) == HandoverRow.id,
                col(HandoverAckRow.operator_id) == bindparam("operator"),
            ),
        )
        .limit(bindparam("handovers_cap"))
        .subquery()
    )
    .scalar_subquery(),
)

# (unanswered, oldest wait, awaiting approval, failed, promises due, promises overdue, handovers
# to read)
Waits = tuple[int, datetime | None, int, int, int, int, int]


class SqlHome:
    """Counts per alias for the home screen; every count stops at `cap`."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def waits(
        self,
        alias_id: int,
        now: datetime,
        due_by: datetime,
        cap: int,
        handovers: tuple[int, int | None, int | None, int],
    ) -> Waits:
        """What waits on the alias; `handovers`: (reader, after, until, cap) of the handovers
        the reader has to read."""
        operator_id, after, until, handovers_cap = handovers
        row = self._session.execute(
            _WAITS,
            {
                "alias": alias_id,
                "cap": cap,
                "now": now,
                "due_by": due_by,
                "operator": operator_id,
                "after": after,
                "until": until,
                "handovers_cap": handovers_cap,
            },
        ).one()
        unanswered, oldest_new, oldest_open, awaiting, failed, due, overdue, unread = row
        waits = [w for w in (oldest_new, oldest_open) if w is not None]
        return (unanswered, min(waits, default=None), awaiting, failed, due, overdue, unread)

    def readers(self, operator_id: int, alias_ids: list[int]) -> dict[int, Reader]:
        """The reader's shifts and guide acknowledgements on these aliases, in four queries
        whatever their number (one per alias each cost the home a read per gate)."""
        found: dict[int, list[Any]] = {
            a: [None, None, None, None, None, None, False, []] for a in alias_ids
        }
        if not alias_ids:
            return {}
        mine = (col(ShiftRow.operator_id) == operator_id, col(ShiftRow.alias_id).in_(alias_ids))
        for shift_id, alias_id, mark, started in self._session.execute(
            select(
                col(ShiftRow.id),
                col(ShiftRow.alias_id),
                col(ShiftRow.start_mark),
                col(ShiftRow.started_at),
            )
            .where(*mine, col(ShiftRow.ended_at).is_(None))
            .order_by(col(ShiftRow.id))
        ):
            found[alias_id][0:3] = [shift_id, mark, started]
        latest = (
            select(func.max(col(ShiftRow.id)))
            .where(*mine, col(ShiftRow.ended_at).is_not(None))
            .group_by(col(ShiftRow.alias_id))
        )
        for alias_id, mark, ended in self._session.execute(
            select(col(ShiftRow.alias_id), col(ShiftRow.end_mark), col(ShiftRow.ended_at)).where(
                col(ShiftRow.id).in_(latest)
            )
        ):
            found[alias_id][3:5] = [mark, ended]
        for alias_id, version, created in self._session.execute(
            select(
                col(GuideVersionRow.alias_id),
                col(GuideVersionRow.version),
                col(GuideVersionRow.created_at),
            )
            .where(col(GuideVersionRow.alias_id).in_(alias_ids))
            .order_by(col(GuideVersionRow.version))
        ):
            found[alias_id][5] = version
            found[alias_id][7].append(created)
        for (alias_id,) in self._session.execute(
            select(col(GuideAckRow.alias_id))
            .where(
                col(GuideAckRow.operator_id) == operator_id,
                col(GuideAckRow.alias_id).in_(alias_ids),
            )
            .distinct()
        ):
            found[alias_id][6] = True
        return {alias_id: tuple(values) for alias_id, values in found.items()}

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
