"""Who may change people, roles, guides and credentials, or read others' audit: the same rules
whether the console or the command line asks."""

from dataclasses import dataclass

from cmconsole.domain.errors import PermissionDenied, SignInRequired
from cmconsole.domain.model import Alias, AuditEvent, Operator, Role
from cmconsole.services.guard import SignedIn, active_operator
from cmconsole.services.ports import Transaction

CLOSED = "this workspace has a lead: sign in to do this"


def administrator(
    tx: Transaction, who: SignedIn | None, action: str, alias: Alias | None = None
) -> Operator | None:
    """The signed-in person allowed to `action` (on `alias`, else workspace-wide), or None while
    the workspace is being set up.

    Until the first lead is named, anyone at the shell sets the workspace up (there is nobody
    else to ask). From then on: a lead of the alias; for something workspace-wide, or an alias
    that has no active lead yet, a lead of any alias. Raises otherwise, naming who may.
    """
    set_up = tx.memberships.any_lead()
    if who is None:
        if set_up:
            raise SignInRequired(CLOSED)
        return None
    operator = active_operator(tx, who)
    if not set_up:
        return operator
    if alias is not None and _has_active_lead(tx, alias):
        if tx.memberships.role(operator.id, alias.id) is not Role.LEAD:
            raise PermissionDenied(f"only a lead of {alias.handle} can {action}")
    elif not any(m.role is Role.LEAD for m in tx.memberships.for_operator(operator.id)):
        raise PermissionDenied(f"only a lead can {action}")
    return operator


@dataclass(frozen=True)
class Readable:
    """The audit events a person may read outside the console's alias screens: their own; and
    for a lead, everything on the aliases they lead, plus the workspace-wide events (on no
    alias) of the people who work there and of nobody (the shell's set-up, unknown names)."""

    reader_id: int
    led: frozenset[int]
    team: frozenset[int]

    def sees(self, event: AuditEvent) -> bool:
        if event.actor_id == self.reader_id or event.alias_id in self.led:
            return True
        workspace_wide = event.alias_id is None and bool(self.led)
        return workspace_wide and (event.actor_id is None or event.actor_id in self.team)


def readable(tx: Transaction, who: SignedIn | None) -> Readable | None:
    """What `who` may read of the audit; None (everything) only while nobody leads."""
    if who is None:
        if tx.memberships.any_lead():
            raise SignInRequired(CLOSED)
        return None
    reader = active_operator(tx, who)
    led = frozenset(
        m.alias.id for m in tx.memberships.for_operator(reader.id) if m.role is Role.LEAD
    )
    team = frozenset(
        person.id for alias_id in led for person, _ in tx.memberships.for_alias(alias_id)
    )
    return Readable(reader.id, led, team)


def sole_active_lead(tx: Transaction, operator_id: int, alias: Alias) -> bool:
    """True if the operator is the alias's only active lead: demoting them would leave it, and
    perhaps the workspace, with nobody to answer for it (and reopen the shell's set-up)."""
    leads = [p.id for p, r in tx.memberships.for_alias(alias.id) if r is Role.LEAD and p.active]
    return leads == [operator_id]


def _has_active_lead(tx: Transaction, alias: Alias) -> bool:
    return any(
        role is Role.LEAD and person.active for person, role in tx.memberships.for_alias(alias.id)
    )
