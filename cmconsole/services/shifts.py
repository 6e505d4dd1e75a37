"""Shifts: an operator working one alias, from start to end; several can overlap."""

from datetime import datetime, timedelta

from cmconsole.domain.model import Alias, Operator, Shift
from cmconsole.services.guard import SignedIn, active_operator, existing_alias, role_on
from cmconsole.services.ports import AuditDraft, Clock, Transaction, Workspace

# A console refreshes its shift's heartbeat every minute; a shift silent for longer than this was
# left open by a console that crashed or lost its connection.
HEARTBEAT_EVERY = timedelta(minutes=1)
STALE_AFTER = timedelta(minutes=10)


class ShiftService:
    """Starts and ends shifts, keeps them alive, and tells who is on shift on an alias now."""

    def __init__(self, workspace: Workspace, clock: Clock) -> None:
        self._workspace = workspace
        self._clock = clock

    def start(self, who: SignedIn, alias_id: int) -> Shift:
        """Start a shift on the alias, or return the one already open (in another console)."""
        return self.begin(who, alias_id)[0]

    def begin(self, who: SignedIn, alias_id: int) -> tuple[Shift, bool]:
        """Like start, and say whether this call opened the shift (False: joined an open one)."""
        now = self._clock()
        with self._workspace.transaction() as tx:
            operator = active_operator(tx, who)
            alias = existing_alias(tx, alias_id)
            role = role_on(tx, operator, alias)
            self._close_stale(tx, alias, now)
            if (open_shift := tx.shifts.open_for(operator.id, alias.id)) is not None:
                tx.shifts.heartbeat(open_shift.id, now)
                return open_shift, False
            shift = tx.shifts.start(operator.id, alias.id, now)
            tx.shifts.heartbeat(shift.id, now)
            tx.audit.append(
                AuditDraft(
                    "shift.started",
                    operator.id,
                    alias.id,
                    f"shift {shift.id}",
                    {"role": role.value},
                ),
                now,
            )
            return shift, True

    def heartbeat(self, who: SignedIn, alias_id: int) -> bool:
        """Tell the workspace the console holding this shift is still there (not audited);
        False if the operator has no open shift there any more."""
        with self._workspace.transaction() as tx:
            shift = tx.shifts.open_for(who.operator_id, alias_id)
            if shift is not None:
                tx.shifts.heartbeat(shift.id, self._clock())
            return shift is not None

    def end(self, who: SignedIn, alias_id: int) -> None:
        """End the operator's open shift on the alias, if there is one."""
        with self._workspace.transaction() as tx:
            shift = tx.shifts.open_for(who.operator_id, alias_id)
            if shift is None:
                return
            tx.shifts.end(shift.id, self._clock())
            # Whoever comes next may answer the contacts this operator was holding.
            tx.claims.release_all(who.operator_id, alias_id)
            tx.audit.append(
                AuditDraft("shift.ended", who.operator_id, alias_id, f"shift {shift.id}"),
                self._clock(),
            )

    def on_shift(self, alias_id: int) -> list[tuple[Shift, Operator]]:
        """Open shifts whose console is still alive, oldest first."""
        now = self._clock()
        with self._workspace.transaction() as tx:
            return [
                (shift, operator)
                for shift, operator in tx.shifts.open_on_alias(alias_id)
                if not _stale(shift, now)
            ]

    @staticmethod
    def _close_stale(tx: Transaction, alias: Alias, now: datetime) -> None:
        for shift, operator in tx.shifts.open_on_alias(alias.id):
            if not _stale(shift, now):
                continue
            last_seen = shift.heartbeat_at or shift.started_at
            # What the crashed console last saw is unknown: count it as having seen nothing new.
            tx.shifts.end(shift.id, last_seen, mark=shift.start_mark)
            tx.audit.append(
                AuditDraft(
                    "shift.closed_after_crash",
                    operator.id,
                    alias.id,
                    f"shift {shift.id}",
                    {"last_seen": last_seen.isoformat()},
                ),
                now,
            )


def _stale(shift: Shift, now: datetime) -> bool:
    return now - (shift.heartbeat_at or shift.started_at) > STALE_AFTER
