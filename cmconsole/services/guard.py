"""Checks shared by the services: who is signed in, on which alias, with which role, on shift."""

from dataclasses import dataclass

from cmconsole.domain.errors import HandoversUnread, NotFound, PermissionDenied
from cmconsole.domain.model import Alias, GuideVersion, Handover, Operator, Role, Shift
from cmconsole.services.ports import Transaction


@dataclass(frozen=True)
class SignedIn:
    """Proof that an operator signed in; the services still re-check them on every action."""

    operator_id: int
    name: str


def active_operator(tx: Transaction, who: SignedIn) -> Operator:
    operator = tx.operators.by_id(who.operator_id)
    if operator is None or not operator.active:
        raise PermissionDenied(f"operator {who.name!r} is no longer active; sign in again")
    return operator


def existing_alias(tx: Transaction, alias_id: int) -> Alias:
    alias = tx.aliases.by_id(alias_id)
    if alias is None:
        raise NotFound(f"there is no alias with id {alias_id}")
    return alias


def role_on(tx: Transaction, operator: Operator, alias: Alias) -> Role:
    role = tx.memberships.role(operator.id, alias.id)
    if role is None:
        raise PermissionDenied(
            f"{operator.name} has no role on {alias.handle}; ask a lead to grant one"
        )
    return role


def lead_of(tx: Transaction, operator: Operator, alias: Alias) -> None:
    if role_on(tx, operator, alias) is not Role.LEAD:
        raise PermissionDenied(f"only a lead of {alias.handle} may do this")


def on_shift(tx: Transaction, operator: Operator, alias: Alias) -> Shift:
    shift = tx.shifts.open_for(operator.id, alias.id)
    if shift is None:
        raise PermissionDenied(
            f"{operator.name} is not on shift on {alias.handle}; start a shift first"
        )
    return shift


# On a first shift ever on an alias, the newest few handovers by others must be read.
FIRST_SHIFT_HANDOVERS = 3


def unread_handovers(
    tx: Transaction, operator: Operator, alias: Alias, shift: Shift | None
) -> list[Handover]:
    """Handovers others wrote since the operator's previous shift ended, oldest first.

    Those written while the operator was on shift (now or before) do not count: they were there.
    Shifts are compared with handovers by the ids the database gave them, never by clocks.
    """
    if shift is not None and shift.start_mark is not None:
        until = shift.start_mark
    else:
        until = tx.handovers.newest_id(alias.id)
    previous = tx.shifts.previous_ended(operator.id, alias.id, shift.id if shift else None)
    after = previous.end_mark if previous else None
    pending = tx.handovers.unacknowledged(alias.id, operator.id, after, until)
    return pending if previous is not None else pending[-FIRST_SHIFT_HANDOVERS:]


def unread_guide(tx: Transaction, operator: Operator, alias: Alias) -> GuideVersion | None:
    """The alias's guide, if the operator has never acknowledged any version of it."""
    current = tx.guides.current(alias.id)
    if current is None or tx.guides.acknowledged(alias.id, operator.id) is not None:
        return None
    return current


def ready_to_speak(tx: Transaction, operator: Operator, alias: Alias) -> Shift:
    """The operator's open shift, if they may speak now: on shift, every handover acknowledged,
    and the guide read at least once."""
    shift = on_shift(tx, operator, alias)
    pending = unread_handovers(tx, operator, alias, shift)
    guide = unread_guide(tx, operator, alias)
    if pending or guide:
        raise HandoversUnread(len(pending), alias.handle, guide=guide is not None)
    return shift
