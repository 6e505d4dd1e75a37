"""Home: every alias a person works, with what waits there, read in one transaction."""

from datetime import datetime

from cmconsole.domain.model import Alias, Membership, Operator, Shift
from cmconsole.services.desk_model import WAITING_COUNTED
from cmconsole.services.guard import (
    FIRST_SHIFT_HANDOVERS,
    SignedIn,
    active_operator,
    unread_guide,
)
from cmconsole.services.guides import changes_since_last_shift
from cmconsole.services.handover import FOLLOW_UPS_HORIZON
from cmconsole.services.home_model import AliasHome, HomeModel, urgency_order
from cmconsole.services.ports import Clock, Transaction, Workspace
from cmconsole.services.shifts import STALE_AFTER


class Home:
    """Reads a person's home: each alias they work (a lead: each one they lead), what waits."""

    def __init__(self, workspace: Workspace, clock: Clock) -> None:
        self._workspace = workspace
        self._clock = clock

    def read(self, who: SignedIn) -> HomeModel:
        now = self._clock()
        with self._workspace.reading() as tx:
            operator = active_operator(tx, who)
            memberships = tx.memberships.for_operator(operator.id)
            ids = [m.alias.id for m in memberships]
            version = tx.home.version(operator.id, ids)
            on_shift: dict[int, list[str]] = {alias_id: [] for alias_id in ids}
            for alias_id, name, alive in tx.home.on_shift(ids):
                if now - alive <= STALE_AFTER and name not in on_shift[alias_id]:
                    on_shift[alias_id].append(name)
            rows = [_row(tx, operator, m, on_shift[m.alias.id], now) for m in memberships]
        return HomeModel(operator.name, now, version, sorted(rows, key=urgency_order))

    def version(self, who: SignedIn, alias_ids: list[int]) -> int:
        """Equal to the shown model's `version` when nothing the home shows moved: an idle
        refresh costs this one query."""
        with self._workspace.reading() as tx:
            return tx.home.version(who.operator_id, alias_ids)


def _row(
    tx: Transaction, operator: Operator, membership: Membership, on_shift: list[str], now: datetime
) -> AliasHome:
    alias = membership.alias
    unanswered, oldest, awaiting, failed, due, overdue = tx.home.waits(
        alias.id, now, now + FOLLOW_UPS_HORIZON, WAITING_COUNTED + 1
    )
    shift = tx.shifts.open_for(operator.id, alias.id)
    return AliasHome(
        alias=alias,
        role=membership.role,
        unanswered=unanswered,
        oldest_wait=oldest,
        awaiting=awaiting,
        failed=failed,
        promises_due=due,
        promises_overdue=overdue,
        on_shift=on_shift,
        mine=shift is not None,
        handovers_unread=_unread_handovers(tx, operator, alias, shift),
        guide_unread=unread_guide(tx, operator, alias) is not None,
        guide_changes=len(changes_since_last_shift(tx, operator, alias, now)),
    )


def _unread_handovers(
    tx: Transaction, operator: Operator, alias: Alias, shift: Shift | None
) -> int:
    """guard.unread_handovers, counted in the database: a newcomer's first shift reads only the
    newest few, where listing them read every handover the alias ever had."""
    until = shift.start_mark if shift is not None and shift.start_mark is not None else None
    if until is None:
        until = tx.handovers.newest_id(alias.id)
    previous = tx.shifts.previous_ended(operator.id, alias.id, shift.id if shift else None)
    after = previous.end_mark if previous else None
    cap = WAITING_COUNTED + 1 if previous is not None else FIRST_SHIFT_HANDOVERS
    return tx.home.unread_handovers(alias.id, operator.id, after, until, cap)
