"""Checks shared by the services: who is signed in, on which alias, with which role, on shift."""

from dataclasses import dataclass

from cmconsole.domain.errors import NotFound, PermissionDenied
from cmconsole.domain.model import Alias, Operator, Role, Shift
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


def on_shift(tx: Transaction, operator: Operator, alias: Alias) -> Shift:
    shift = tx.shifts.open_for(operator.id, alias.id)
    if shift is None:
        raise PermissionDenied(
            f"{operator.name} is not on shift on {alias.handle}; start a shift first"
        )
    return shift
