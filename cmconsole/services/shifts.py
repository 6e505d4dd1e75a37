"""Shifts: an operator working one alias, from start to end; several can overlap."""

from cmconsole.domain.model import Operator, Shift
from cmconsole.services.guard import SignedIn, active_operator, existing_alias, role_on
from cmconsole.services.ports import AuditDraft, Clock, Workspace


class ShiftService:
    """Starts and ends shifts, and tells who is on shift on an alias now."""

    def __init__(self, workspace: Workspace, clock: Clock) -> None:
        self._workspace = workspace
        self._clock = clock

    def start(self, who: SignedIn, alias_id: int) -> Shift:
        """Start a shift on the alias, or return the one already open."""
        with self._workspace.transaction() as tx:
            operator = active_operator(tx, who)
            alias = existing_alias(tx, alias_id)
            role = role_on(tx, operator, alias)
            if (open_shift := tx.shifts.open_for(operator.id, alias.id)) is not None:
                return open_shift
            shift = tx.shifts.start(operator.id, alias.id, self._clock())
            tx.audit.append(
                AuditDraft(
                    "shift.started",
                    operator.id,
                    alias.id,
                    f"shift {shift.id}",
                    {"role": role.value},
                ),
                self._clock(),
            )
            return shift

    def end(self, who: SignedIn, alias_id: int) -> None:
        """End the operator's open shift on the alias, if there is one."""
        with self._workspace.transaction() as tx:
            shift = tx.shifts.open_for(who.operator_id, alias_id)
            if shift is None:
                return
            tx.shifts.end(shift.id, self._clock())
            tx.audit.append(
                AuditDraft("shift.ended", who.operator_id, alias_id, f"shift {shift.id}"),
                self._clock(),
            )

    def on_shift(self, alias_id: int) -> list[tuple[Shift, Operator]]:
        with self._workspace.transaction() as tx:
            return tx.shifts.open_on_alias(alias_id)
